//! `cargo servey` driven as its users drive it: real processes, real builds, a real socket.

// The dev loop hands its socket down the unix way.
#[cfg(unix)]
mod dev_loop;
#[cfg(unix)]
mod support;

//! Service calls against the tour app: one suite run through the local client, the HTTP client in
//! JSON and the HTTP client in MessagePack, which must answer each call identically (results, codes,
//! statuses, field paths); jobs; typed calls; stubs and mock mode.

mod generated;
mod jobs;
mod msgpack;
mod stubs;
mod suite;

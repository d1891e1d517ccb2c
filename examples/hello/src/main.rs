//! The servey tour: every feature in one app.
//!
//! Run it: `cargo run -p hello` (serves on 127.0.0.1:8000), or one action from the command line:
//! `cargo run -p hello -- --run=action --action=say_hello --event='{"name":"World"}'`.

fn main() {
    // Naming the library keeps its actions linked in (see "link-time registries" in the servey docs).
    // The tour serves the debug login (`POST /login`, `root` tokens) so that `/docs` can log in.
    // Its pages and static files are built into the binary, so it serves them from any directory.
    servey::Builder::new(hello::registry_builder())
        .debug_login(true)
        .embedded_templates(servey::embed_dir!("../../templates"))
        .embedded_static(servey::embed_dir!("../../static"))
        .main();
}

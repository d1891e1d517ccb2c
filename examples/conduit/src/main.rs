//! The Conduit server. Until its servey wiring lands this binary only says so; the domain layer is the
//! `conduit` library. Run: `cargo run -p conduit` (later with `SERVER_PORT`, `DATABASE_URL`, `JWT_SECRET_KEY`).

fn main() {
    eprintln!(
        "conduit: the servey wiring is not written yet; the domain layer is in the `conduit` library"
    );
    std::process::exit(1);
}

use servey::Extensions;

#[servey::fixture(fresh = true)]
fn values() -> Extensions {
    Extensions::new()
}

fn main() {}

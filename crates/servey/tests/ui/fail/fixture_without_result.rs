#[servey::fixture]
fn values() {}

fn main() {}

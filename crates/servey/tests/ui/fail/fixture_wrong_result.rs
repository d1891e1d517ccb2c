#[servey::fixture]
fn values() -> Vec<u32> {
    Vec::new()
}

fn main() {}

use servey::Extensions;

#[servey::fixture]
fn values(size: u32) -> Extensions {
    Extensions::new().with(size)
}

fn main() {}

use servey::Extensions;

#[derive(Debug)]
struct Missing;

#[servey::fixture]
async fn values() -> Result<Extensions, Missing> {
    Err(Missing)
}

fn main() {}

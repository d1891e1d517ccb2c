use servey::prelude::*;

#[action(example(params = {"count": 3u8}, result = 3))]
fn count(count: u8) -> u8 {
    count
}

fn main() {}

use servey::prelude::*;

#[action(batch = Self::doubles)]
fn double(value: u64) -> u64 {
    value * 2
}

fn main() {}

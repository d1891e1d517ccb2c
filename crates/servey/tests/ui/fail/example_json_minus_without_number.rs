use servey::prelude::*;

#[action(example(params = {"count": -count}, result = 3))]
fn count(count: i8) -> i8 {
    count
}

fn main() {}

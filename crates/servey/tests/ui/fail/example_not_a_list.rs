use servey::prelude::*;

#[action(example = "Hello")]
fn greet() -> String {
    "hi".into()
}

fn main() {}

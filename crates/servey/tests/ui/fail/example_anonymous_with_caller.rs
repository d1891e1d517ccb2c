use servey::prelude::*;

#[action(example(as = "ann", anonymous, params = {}, result = "hi"))]
fn greet() -> String {
    "hi".into()
}

fn main() {}

use servey::prelude::*;

#[action(example(as = ann, params = {}, result = "hi"))]
fn greet() -> String {
    "hi".into()
}

fn main() {}

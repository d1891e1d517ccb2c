use servey::prelude::*;

#[action(example(partial = "yes", params = {}, result = {"greeting": "hi"}))]
fn greet() -> String {
    "hi".into()
}

fn main() {}

use servey::prelude::*;

#[action(example(params = {}, result =))]
fn greet() -> String {
    "hi".into()
}

fn main() {}

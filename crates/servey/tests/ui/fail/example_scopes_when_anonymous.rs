use servey::prelude::*;

#[action(example(anonymous = true, scopes = ["read"], params = {}, result = "hi"))]
fn greet() -> String {
    "hi".into()
}

fn main() {}

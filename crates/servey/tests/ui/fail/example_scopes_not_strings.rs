use servey::prelude::*;

#[action(example(scopes = [read, write], params = {}, result = "hi"))]
fn greet() -> String {
    "hi".into()
}

fn main() {}

use servey::prelude::*;

#[action(triggers = [web_get], timeout = 100000000000000000000)]
fn greet() -> String {
    "hi".into()
}

fn main() {}

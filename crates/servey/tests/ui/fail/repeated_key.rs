use servey::prelude::*;

#[action(triggers = [web_get], timeout = 5, timeout = 10)]
fn greet() -> String {
    "hi".into()
}

fn main() {}

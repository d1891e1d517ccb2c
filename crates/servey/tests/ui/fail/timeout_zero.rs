use servey::prelude::*;

#[action(triggers = [web_get], timeout = 0)]
fn greet() -> String {
    "hi".into()
}

fn main() {}

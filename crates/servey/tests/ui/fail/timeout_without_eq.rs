use servey::prelude::*;

#[action(triggers = [web_get], timeout(5))]
fn greet() -> String {
    "hi".into()
}

fn main() {}

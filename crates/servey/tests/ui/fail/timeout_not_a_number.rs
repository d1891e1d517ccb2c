use servey::prelude::*;

#[action(triggers = [web_get], timeout = "5s")]
fn greet() -> String {
    "hi".into()
}

fn main() {}

use servey::prelude::*;

#[action(triggers = [web_get], blocking = "yes")]
fn greet() -> String {
    "hi".into()
}

fn main() {}

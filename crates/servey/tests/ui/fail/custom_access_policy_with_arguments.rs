use servey::prelude::*;

#[action(triggers = [web_get], access_control = OnlyAlice("alice"))]
fn greet() -> String {
    "hi".into()
}

fn main() {}

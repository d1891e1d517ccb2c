use servey::prelude::*;

#[action(triggers = [web_get], access_control = scope)]
fn greet() -> String {
    "hi".into()
}

fn main() {}

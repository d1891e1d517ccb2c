use servey::prelude::*;

#[action(triggers = [web(method = put, path = "greetings")])]
fn greet() -> String {
    "hi".into()
}

fn main() {}

use servey::prelude::*;

#[action(triggers = [web(method = pot, path = "/greetings")])]
fn greet() -> String {
    "hi".into()
}

fn main() {}

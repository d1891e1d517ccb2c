use servey::prelude::*;

#[action(triggers = [web(methd = put, path = "/greetings")])]
fn greet() -> String {
    "hi".into()
}

fn main() {}

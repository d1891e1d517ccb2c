use servey::prelude::*;

#[action(triggers = [web_get("/greetings")])]
fn greet() -> String {
    "hi".into()
}

fn main() {}

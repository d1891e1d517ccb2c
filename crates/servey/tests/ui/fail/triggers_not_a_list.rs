use servey::prelude::*;

#[action(triggers = web_get)]
fn greet() -> String {
    "hi".into()
}

fn main() {}

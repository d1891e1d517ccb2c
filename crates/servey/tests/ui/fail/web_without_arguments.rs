use servey::prelude::*;

#[action(triggers = [web])]
fn greet() -> String {
    "hi".into()
}

fn main() {}

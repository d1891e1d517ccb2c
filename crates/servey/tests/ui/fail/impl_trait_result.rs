use servey::prelude::*;

#[action(triggers = [web_get])]
fn greet() -> impl std::fmt::Display {
    "hi"
}

fn main() {}

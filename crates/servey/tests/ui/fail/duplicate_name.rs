use servey::prelude::*;

#[action(triggers = [web_get])]
fn greet() -> String {
    "hi".into()
}

#[action(name = "greet", triggers = [web_get])]
fn greet_again() -> String {
    "hi again".into()
}

fn main() {}

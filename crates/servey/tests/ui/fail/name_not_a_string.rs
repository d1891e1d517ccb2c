use servey::prelude::*;

#[action(name = greet_everyone, triggers = [web_get])]
fn greet() -> String {
    "hi".into()
}

fn main() {}

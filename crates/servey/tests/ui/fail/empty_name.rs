use servey::prelude::*;

#[action(name = "", triggers = [web_get])]
fn greet() -> String {
    "hi".into()
}

fn main() {}

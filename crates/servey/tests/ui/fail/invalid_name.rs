use servey::prelude::*;

#[action(name = "say-hello", triggers = [web_get])]
fn greet() -> String {
    "hi".into()
}

fn main() {}

use servey::prelude::*;

#[action(triggers = [web_get])]
unsafe fn greet() -> String {
    "hi".into()
}

fn main() {}

use servey::prelude::*;

#[action(name = "type", triggers = [web_get])]
fn kind() -> String {
    "hi".into()
}

fn main() {}

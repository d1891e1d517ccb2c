use servey::prelude::*;

#[action(trigers = [web_get])]
fn say_hello(name: String) -> String {
    format!("Hello {name}!")
}

fn main() {}

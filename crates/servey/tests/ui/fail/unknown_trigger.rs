use servey::prelude::*;

#[action(triggers = [web_gte])]
fn say_hello(name: String) -> String {
    format!("Hello {name}!")
}

fn main() {}

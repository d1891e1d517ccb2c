use servey::prelude::*;

#[action(example(params = {"name": "Dev"}))]
fn say_hello(name: String) -> String {
    format!("Hello {name}")
}

fn main() {}

use servey::prelude::*;

#[action(example(params = {"name" "Dev"}, result = "Hello Dev"))]
fn say_hello(name: String) -> String {
    format!("Hello {name}")
}

fn main() {}

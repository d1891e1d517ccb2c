use servey::prelude::*;

#[action(example(params = ["Developer"], result = "Hello Developer!"))]
fn say_hello(name: String) -> String {
    format!("Hello {name}!")
}

fn main() {}

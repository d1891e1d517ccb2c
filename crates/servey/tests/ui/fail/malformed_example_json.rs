use servey::prelude::*;

#[action(triggers = [web_get], example(params = {"name": Developer}, result = "Hello Developer!"))]
fn say_hello(name: String) -> String {
    format!("Hello {name}!")
}

fn main() {}

use servey::prelude::*;

#[action(triggers = [web_get], access_control = "root")]
fn greet() -> String {
    "hi".into()
}

fn main() {}

use servey::prelude::*;

#[action(triggers = [web_post], deny_unknown_fields = "yes")]
fn greet(name: String) -> String {
    name
}

fn main() {}

use servey::prelude::*;

#[action(triggers = [web_get], rate_limit = per_minute)]
fn greet() -> String {
    "hi".into()
}

fn main() {}

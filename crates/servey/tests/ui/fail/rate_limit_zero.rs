use servey::prelude::*;

#[action(triggers = [web_get], rate_limit = per_minute(0))]
fn greet() -> String {
    "hi".into()
}

fn main() {}

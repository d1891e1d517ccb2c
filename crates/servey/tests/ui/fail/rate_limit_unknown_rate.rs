use servey::prelude::*;

#[action(triggers = [web_get], rate_limit = per_minit(60))]
fn greet() -> String {
    "hi".into()
}

fn main() {}

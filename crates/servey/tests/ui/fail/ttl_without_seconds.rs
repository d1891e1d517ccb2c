use servey::prelude::*;

#[action(triggers = [web_get], cache_control = ttl)]
fn greet() -> String {
    "hi".into()
}

fn main() {}

use servey::prelude::*;

#[action(triggers = [web_get], cache_control = ttl(30, server_cash = false))]
fn greet() -> String {
    "hi".into()
}

fn main() {}

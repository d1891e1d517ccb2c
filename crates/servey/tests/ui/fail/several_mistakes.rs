use servey::prelude::*;

#[action(triggers = [web_gte, fixed_rate(0)], cache_control = ttl, timout = 5)]
fn say_hello(name: String) -> String {
    format!("Hello {name}!")
}

fn main() {}

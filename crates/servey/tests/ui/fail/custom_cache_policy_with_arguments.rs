use servey::prelude::*;

#[action(triggers = [web_get], cache_control = MyPolicy(30))]
fn greet() -> String {
    "hi".into()
}

fn main() {}

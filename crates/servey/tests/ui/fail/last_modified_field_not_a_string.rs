use servey::prelude::*;

#[action(triggers = [web_get], cache_control = last_modified(updated_at))]
fn greet() -> String {
    "hi".into()
}

fn main() {}

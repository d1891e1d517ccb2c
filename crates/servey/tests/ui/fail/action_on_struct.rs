use servey::prelude::*;

#[action(triggers = [web_get])]
struct Greeting;

fn main() {}

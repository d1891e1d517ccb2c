use servey::prelude::*;

struct NotInput;

#[action(triggers = [web_get])]
fn takes_anything(thing: NotInput) -> String {
    let _ = thing;
    String::new()
}

fn main() {}

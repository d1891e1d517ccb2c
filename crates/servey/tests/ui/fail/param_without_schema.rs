use servey::prelude::*;

#[derive(Deserialize)]
struct NoSchema {
    name: String,
}

#[action(triggers = [web_post])]
fn takes(thing: NoSchema) -> String {
    thing.name
}

fn main() {}

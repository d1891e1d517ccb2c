use servey::prelude::*;

#[derive(ToSchema)]
struct NotInput {
    name: String,
}

#[action(triggers = [web_post])]
fn takes_anything(thing: NotInput) -> String {
    thing.name
}

fn main() {}

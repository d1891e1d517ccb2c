use servey::prelude::*;

#[action(triggers = [get("/items/{id}")], errors = 404)]
fn item(id: u32) -> String {
    id.to_string()
}

fn main() {}

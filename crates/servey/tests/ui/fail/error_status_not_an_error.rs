use servey::prelude::*;

#[action(triggers = [get("/items/{id}")], errors = [404, 201])]
fn item(id: u32) -> String {
    id.to_string()
}

fn main() {}

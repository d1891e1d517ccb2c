use servey::prelude::*;

#[action(triggers = [post("/items")], status = 404)]
fn create() -> String {
    "made".into()
}

fn main() {}

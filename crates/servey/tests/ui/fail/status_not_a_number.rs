use servey::prelude::*;

#[action(triggers = [post("/items")], status = "201")]
fn create() -> String {
    "made".into()
}

fn main() {}

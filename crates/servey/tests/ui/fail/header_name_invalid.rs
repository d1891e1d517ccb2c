use servey::prelude::*;

#[action(triggers = [post("/items")], headers = ["Location", "Item Id"])]
fn create() -> Reply<String> {
    Reply::new("made".into()).header("Location", "/items/1")
}

fn main() {}

use servey::prelude::*;

#[action(triggers = [web_get], tags = ["shop", ""])]
fn list_items() -> Vec<String> {
    Vec::new()
}

fn main() {}

use servey::prelude::*;

#[action(triggers = [web_get], tags = ["shop", "shop"])]
fn list_items() -> Vec<String> {
    Vec::new()
}

fn main() {}

use servey::prelude::*;

#[action(triggers = [get(items)])]
fn list() -> Vec<String> {
    Vec::new()
}

fn main() {}

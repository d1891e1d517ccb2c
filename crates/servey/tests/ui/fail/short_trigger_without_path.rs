use servey::prelude::*;

#[action(triggers = [post])]
fn create() -> String {
    "made".into()
}

fn main() {}

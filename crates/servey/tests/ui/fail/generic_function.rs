use servey::prelude::*;

#[action(triggers = [web_get])]
fn echo<T: ToString>(value: T) -> String {
    value.to_string()
}

fn main() {}

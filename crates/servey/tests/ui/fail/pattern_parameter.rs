use servey::prelude::*;

#[action(triggers = [web_get])]
fn add((a, b): (u32, u32)) -> u32 {
    a + b
}

fn main() {}

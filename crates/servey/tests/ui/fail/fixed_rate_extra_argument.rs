use servey::prelude::*;

#[action(triggers = [fixed_rate(5, 10)])]
fn tick() {}

fn main() {}

use servey::prelude::*;

#[action(triggers = [cron(5)])]
fn tick() {}

fn main() {}

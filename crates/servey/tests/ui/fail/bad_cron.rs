use servey::prelude::*;

#[action(triggers = [cron("*/5 * * * *")])]
fn every_five() {}

fn main() {}

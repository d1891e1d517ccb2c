use servey::prelude::*;

#[action(triggers = [delete("items/{id}")])]
fn remove(id: u32) -> u32 {
    id
}

fn main() {}

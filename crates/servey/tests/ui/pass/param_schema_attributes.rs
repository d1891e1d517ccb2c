//! `#[schema(..)]` on a parameter goes into the input schema (utoipa's field attributes) and is
//! removed from the function.
use servey::prelude::*;

/// Up to ten items.
#[action(triggers = [web_get])]
fn first_items(#[schema(maximum = 10)] count: u32) -> Vec<u32> {
    (0..count).collect()
}

fn main() {
    let _ = first_items(3);
}

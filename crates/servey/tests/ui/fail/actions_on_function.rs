use servey::prelude::*;

#[actions]
fn say_hello() -> String {
    "hi".into()
}

fn main() {}

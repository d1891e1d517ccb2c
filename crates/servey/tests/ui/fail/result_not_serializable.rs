use servey::prelude::*;

#[derive(ToSchema)]
struct NotOutput {
    name: String,
}

#[action(triggers = [web_get])]
fn gives() -> NotOutput {
    NotOutput { name: String::new() }
}

fn main() {}

use servey::prelude::*;

#[derive(Serialize)]
struct NoSchema {
    name: String,
}

#[action(triggers = [web_get])]
fn gives() -> Result<NoSchema, ActionError> {
    Ok(NoSchema { name: String::new() })
}

fn main() {}

use servey::prelude::*;

#[action(triggers = [post("/items")], status = 201, headers = ["Location"])]
fn create() -> Result<String, ActionError> {
    Ok("made".into())
}

fn main() {}

use servey::prelude::*;

#[derive(ToSchema)]
struct Item {
    id: u32,
}

#[action(triggers = [post("/items")], status = 201, headers = ["Location"])]
async fn create(id: u32) -> Result<Reply<Item>, ActionError> {
    Ok(Reply::new(Item { id }).header("Location", "/items/1"))
}

fn main() {}

use std::sync::atomic::{AtomicU32, Ordering};

use servey::prelude::*;
use servey::{Extensions, Method, Trigger};

/// The app's shared counter, made by the fixture below.
struct Counter {
    next: AtomicU32,
}

#[derive(Serialize, Deserialize, ToSchema)]
struct Item {
    id: u32,
    name: String,
}

/// Creates an item; its address comes back in `Location`.
#[action(
    triggers = [post("/items")],
    status = 201,
    headers = ["Location"],
    access_control = scope("write"),
    example(as = "ann", scopes = ["write", "read"], params = {"name": "pen"}, result = {"name": "pen"}, partial),
)]
async fn create_item(
    name: String,
    counter: State<Counter>,
    auth: Authorization,
) -> Result<Reply<Item>, ActionError> {
    if auth.subject.as_deref() != Some("ann") {
        return Err(ActionError::new(servey::ErrorCode::Forbidden, "not ann"));
    }
    let id = counter.next.fetch_add(1, Ordering::SeqCst) + 1;
    Ok(Reply::new(Item { id, name }).header("Location", format!("/items/{id}")))
}

#[action(
    triggers = [get("/items/{id}")],
    example(anonymous, params = {"id": 3}, result = {"id": 3, "name": "item 3"}),
)]
fn item(id: u32, auth: Option<Authorization>) -> Result<Item, ActionError> {
    match auth {
        None => Ok(Item { id, name: format!("item {id}") }),
        Some(_) => Err(ActionError::new(servey::ErrorCode::Forbidden, "not anonymous")),
    }
}

#[action(
    triggers = [put("/items/{id}"), patch("/items/{id}")],
    example(anonymous = false, partial = true, params = {"id": 1, "name": "cup"}, result = {"name": "cup"}),
)]
fn rename(id: u32, name: String) -> Reply<Item> {
    Reply::new(Item { id, name })
}

#[action(triggers = [delete("/items/{id}")], example(params = {"id": 1}, result = null))]
async fn remove(id: u32, counter: State<Counter>) {
    let _ = (id, counter.next.load(Ordering::SeqCst));
}

/// The values every example test's app holds.
#[servey::fixture]
async fn values() -> Result<Extensions, std::io::Error> {
    Ok(Extensions::new().with(Counter { next: AtomicU32::new(0) }))
}

fn main() {
    let registry = servey::Registry::collect().expect("unique names");
    let create = registry.get("create_item").expect("registered");
    assert_eq!((create.status, create.response_headers.as_slice()), (201, ["Location".to_owned()].as_slice()));
    assert_eq!(create.state_needs.len(), 1);
    assert!((create.state_needs[0].type_name)().ends_with("Counter"));
    let example = &create.examples[0];
    assert_eq!(example.caller.as_deref(), Some("ann"));
    assert_eq!(example.scopes, Some(vec!["write".to_owned(), "read".to_owned()]));
    assert!(example.partial && !example.anonymous);
    assert!(registry.get("item").expect("registered").examples[0].anonymous);

    let statuses: Vec<u16> = ["item", "rename", "remove"]
        .iter()
        .map(|name| registry.get(name).expect("registered").status)
        .collect();
    assert_eq!(statuses, [200, 200, 204]);
    let rename = registry.get("rename").expect("registered");
    assert!(matches!(
        &rename.triggers[..],
        [
            Trigger::Web { method: Method::Put, path: Some(put) },
            Trigger::Web { method: Method::Patch, path: Some(patch) },
        ] if put == "/items/{id}" && patch == "/items/{id}"
    ));
    assert!(matches!(
        &registry.get("remove").expect("registered").triggers[..],
        [Trigger::Web { method: Method::Delete, .. }]
    ));

    // What each generated `#[test]` does: run the example in an app holding the fixture's values.
    servey::__private::run_example(&__SERVEY_ACTION_create_item, 0);
    servey::__private::run_example(&__SERVEY_ACTION_item, 0);
    servey::__private::run_example(&__SERVEY_ACTION_rename, 0);
    servey::__private::run_example(&__SERVEY_ACTION_remove, 0);
}

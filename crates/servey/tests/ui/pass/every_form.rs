use servey::prelude::*;

/// Greet a user!
///
/// With a description.
#[action(
    triggers = [web_get, web_post, web(method = put, path = "/greetings/{name}"), web_page(path = "/hi", template = "hi.j2")],
    example(name = "greet", description = "the classic", params = {"name": "Dev"}, result = "Hello Dev!"),
    example(params = {"name": "X"}, result = "Hello X!", include_in_tests = false),
    cache_control = ttl(30, server_cache = false),
    timeout = 5,
)]
fn say_hello(name: String) -> String {
    format!("Hello {name}!")
}

#[action(triggers = [fixed_rate(5), cron("0 */5 * * * *")], cache_control = etag)]
async fn tick() {}

#[action(triggers = [web_get], blocking = true, tags = ["files", "admin"])]
fn reads_a_file() -> String {
    String::new()
}

#[action(triggers = [web_page, web(method = delete, path = "/items/{id}")], blocking = false)]
fn tiny(id: Option<u32>) -> u32 {
    id.unwrap_or_default()
}

#[derive(Default)]
struct OnlyAlice;

impl servey::AccessControl for OnlyAlice {
    fn check(&self, authorization: Option<&Authorization>) -> Result<(), ActionError> {
        match authorization.and_then(|auth| auth.subject.as_deref()) {
            Some("alice") => Ok(()),
            _ => Err(ActionError::new(servey::ErrorCode::Forbidden, "only alice")),
        }
    }
}

#[action(triggers = [web_get], access_control = OnlyAlice)]
fn for_alice(authorization: Authorization, context: Context) -> Result<String, ActionError> {
    Ok(format!("{:?} {}", authorization.subject, context.request_id()))
}

#[action(name = "renamed", access_control = scope("root"))]
async fn with_optional(r#type: Option<String>, auth: Option<Authorization>) -> Result<Option<String>, std::io::Error> {
    Ok(r#type.or(auth.and_then(|a| a.subject)))
}

#[derive(Serialize, Deserialize, ToSchema)]
struct Item {
    id: u32,
    updated: String,
}

#[action(triggers = [web_get], cache_control = last_modified("updated"))]
fn item(id: u32) -> Item {
    Item { id, updated: "Tue, 01 Jan 2030 00:00:00 GMT".into() }
}

#[actions]
impl Item {
    /// Twice the id.
    #[action]
    fn double_id(&self) -> u32 {
        self.id * 2
    }

    fn plain_method(&self) -> u32 {
        self.id
    }
}

fn main() {
    let registry = servey::Registry::collect().expect("unique names");
    let names: Vec<&str> = registry.iter().map(|action| action.name.as_str()).collect();
    assert_eq!(
        names,
        ["for_alice", "item", "item_double_id", "reads_a_file", "renamed", "say_hello", "tick", "tiny"]
    );
    let hello = registry.get("say_hello").expect("registered");
    assert_eq!(hello.summary, "Greet a user!");
    assert_eq!(hello.triggers.len(), 4);
    assert_eq!(hello.examples.len(), 2);
    assert_eq!(registry.get("item_double_id").and_then(|a| a.owner.clone()).as_deref(), Some("Item"));
    assert_eq!(Item { id: 1, updated: String::new() }.plain_method(), 1);
}

//! The actions of the Python servey README, one per feature.

use std::time::Duration;

use servey::prelude::*;

/// Greet a user!
///
/// The classic: a GET with a query parameter.
#[action(
    triggers = [web_get],
    tags = ["greetings"],
    example(name = "greet", params = {"name": "Developer"}, result = "Hello Developer!"),
    example(name = "world", params = {"name": "World"}, result = "Hello World!"),
)]
pub fn say_hello(name: String) -> String {
    format!("Hello {name}!")
}

/// A message someone posts.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Message {
    /// Who sent it.
    pub sender: String,
    /// What it says.
    pub text: String,
}

/// A message as stored, with its assigned id and length.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StoredMessage {
    /// The assigned id.
    pub id: u64,
    /// The message.
    pub message: Message,
    /// Characters in the text.
    pub length: usize,
}

/// Store a message (a POST with a struct in and a struct out).
#[action(
    triggers = [web_post],
    example(
        name = "store",
        params = {"message": {"sender": "ann", "text": "hi"}, "id": 7},
        result = {"id": 7, "message": {"sender": "ann", "text": "hi"}, "length": 2}
    ),
)]
pub fn store_message(message: Message, id: Option<u64>) -> StoredMessage {
    let length = message.text.chars().count();
    StoredMessage {
        id: id.unwrap_or(1),
        message,
        length,
    }
}

/// An item of a shop.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Item {
    /// Its id, from the path.
    pub id: u32,
    /// What it is called.
    pub name: String,
    /// Its price in cents.
    pub price_cents: u64,
}

/// Replace an item: any method at a custom path, the `{id}` segment filling the `id` parameter.
#[action(
    triggers = [web(method = put, path = "/items/{id}")],
    tags = ["shop"],
    example(
        name = "lamp",
        params = {"id": 7, "name": "lamp", "price_cents": 1999},
        result = {"id": 7, "name": "lamp", "price_cents": 1999}
    ),
)]
pub fn update_item(id: u32, name: String, price_cents: u64) -> Item {
    Item {
        id,
        name,
        price_cents,
    }
}

/// A slow GET whose result is cached for 30 seconds.
#[action(triggers = [web_get], cache_control = ttl(30))]
pub async fn slow_get_with_ttl(seconds: Option<u64>) -> String {
    let seconds = seconds.unwrap_or(1).min(5);
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    format!("Waited {seconds}s. You should see this cached.")
}

/// Show who is calling (the injected `Authorization`, if any).
///
/// Each caller (token subject, or address) may call it 60 times a minute: past that, `429`.
#[action(triggers = [web_get], rate_limit = per_minute(60), tags = ["auth"])]
pub fn echo_authorization(authorization: Option<Authorization>) -> Option<Authorization> {
    authorization
}

/// Some Secret Data, only for callers with the `root` scope.
#[action(triggers = [web_get], access_control = scope("root"), tags = ["auth"])]
pub async fn only_for_root() -> Result<String, ActionError> {
    Ok("Some Secret Data!".into())
}

/// Facts about a number.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NumberStats {
    /// The number.
    pub value: u64,
    /// Whether it is even.
    pub is_even: bool,
}

#[actions]
impl NumberStats {
    /// The factorial of the value (computed only when asked for), saturating at u64::MAX.
    ///
    /// A list of numbers selecting it runs its batch form, `factorials`, once for the whole list.
    #[action(batch = Self::factorials, example(params = {}, result = 120, include_in_tests = false))]
    pub async fn factorial(&self) -> u64 {
        factorial_of(self.value)
    }

    /// The batch form of `factorial`: one factorial per number, in order, sharing the running product.
    pub async fn factorials(parents: &[Self]) -> Vec<u64> {
        let mut order: Vec<usize> = (0..parents.len()).collect();
        order.sort_by_key(|&index| parents[index].value);
        let mut results = vec![0; parents.len()];
        let (mut reached, mut product) = (0_u64, 1_u64);
        for index in order {
            let value = parents[index].value.min(FIRST_SATURATED);
            product = (reached + 1..=value).fold(product, |product, n| product.saturating_mul(n));
            reached = reached.max(value);
            results[index] = product;
        }
        results
    }
}

/// The first number whose factorial does not fit in a `u64`: every factorial from it on saturates.
const FIRST_SATURATED: u64 = 21;

/// `value!`, saturating at u64::MAX. Bounded work whatever the value: a loop up to a huge `value`
/// would hold its worker for days, and no timeout can stop code that never yields.
fn factorial_of(value: u64) -> u64 {
    if value >= FIRST_SATURATED {
        return u64::MAX;
    }
    (1..=value).fold(1_u64, |product, n| product.saturating_mul(n))
}

/// Facts about a number; `factorial` is a nested action.
#[action(triggers = [web_get], example(name = "five", params = {"value": 5}, result = {"value": 5, "is_even": false}))]
pub fn number_stats(value: u64) -> NumberStats {
    NumberStats {
        value,
        is_even: value.is_multiple_of(2),
    }
}

/// Facts about `count` numbers from `start` on (at most 1000); select `factorial` to see batching.
#[action(
    triggers = [web_get],
    example(
        name = "three",
        params = {"start": 4, "count": 3},
        result = [
            {"value": 4, "is_even": true},
            {"value": 5, "is_even": false},
            {"value": 6, "is_even": true}
        ]
    ),
)]
pub fn number_range(
    start: u64,
    // Checked by servey before the call, on every transport: a count over 1000 is a 422 naming it.
    #[schema(maximum = 1000)] count: u32,
) -> Vec<NumberStats> {
    // The list stops where values would leave the documented range of a `u64` (JSON interop: at most
    // i64::MAX), as a range that reached the end of the numbers would.
    let last = i64::MAX.unsigned_abs();
    (0..u64::from(count))
        .map_while(|offset| start.checked_add(offset).filter(|value| *value <= last))
        .map(number_stats)
        .collect()
}

/// Counts how often the fixed-rate job ran.
static TICKS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// One run of the `tick` job.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Tick {
    /// How many times the job has run in this process.
    pub count: u64,
}

websocket_event_channel!(
    /// Each run of the `tick` job (`/subscription/clock/{subscriber_id}`).
    pub CLOCK, "clock", Tick
);

/// A job that runs every 10 seconds while the server is up, and tells `clock` subscribers.
#[action(triggers = [fixed_rate(10)])]
pub fn tick(context: Context) -> Result<u64, ActionError> {
    let count = TICKS.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
    CLOCK.publish(&context, &Tick { count })?;
    Ok(count)
}

/// The model of the current-time page.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CurrentTime {
    /// The time, RFC 3339.
    pub now: String,
}

/// A web page showing the current time.
#[action(triggers = [web_page])]
pub fn current_time_page() -> CurrentTime {
    CurrentTime {
        now: chrono::Utc::now().to_rfc3339(),
    }
}

websocket_event_channel!(
    /// Every broadcast message, to every subscriber (`/subscription/messenger/{subscriber_id}`).
    pub MESSENGER, "messenger", Message
);

/// Broadcast a message to everyone subscribed to `messenger`.
#[action(triggers = [web_post])]
pub fn broadcast_message(context: Context, message: Message) -> Result<Message, ActionError> {
    MESSENGER.publish(&context, &message)?;
    Ok(message)
}

/// A new member to welcome.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Welcome {
    /// Who joined.
    pub member: String,
}

background_channel!(
    /// New members to welcome: each event runs `send_welcome_note` once, in the background.
    pub WELCOMES, "welcomes", Welcome, action = "send_welcome_note"
);

/// Sign a member up: answers at once and welcomes them in the background (the `welcomes` channel).
///
/// From the command line, the call waits for the welcome before it exits:
/// `cargo run -p hello -- --run=action --action=sign_up --event='{"member":"Ann"}'`.
#[action]
pub fn sign_up(context: Context, member: String) -> Result<String, ActionError> {
    WELCOMES.publish(
        &context,
        &Welcome {
            member: member.clone(),
        },
    )?;
    Ok(format!("{member} signed up"))
}

/// Welcome a new member (what each `welcomes` event runs).
#[action]
pub fn send_welcome_note(member: String) -> String {
    let note = format!("Welcome aboard, {member}!");
    tracing::info!("sent a welcome note: {note}");
    note
}

/// Fails on purpose: shows that a failure is a 500 with a generic detail, the cause only in the log.
#[action(triggers = [web_get])]
pub fn fail_on_purpose(panic: Option<bool>) -> Result<String, ActionError> {
    if panic.unwrap_or(false) {
        panic!("this action panics on purpose");
    }
    Err(std::io::Error::other("this action fails on purpose").into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn factorials_past_20_saturate_without_counting_up_to_the_value() {
        assert_eq!(factorial_of(20), 2_432_902_008_176_640_000);
        assert_eq!(factorial_of(21), u64::MAX);
        // Counting up to this one took days: the attack that held every worker.
        assert_eq!(factorial_of(1_000_000_000_000_000), u64::MAX);
    }

    #[tokio::test]
    async fn the_batch_form_saturates_as_fast() {
        let parents = [number_stats(1_000_000_000_000_000), number_stats(5)];
        assert_eq!(NumberStats::factorials(&parents).await, [u64::MAX, 120]);
    }
}

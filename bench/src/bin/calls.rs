//! Calls per second through `servey::Client` against the tour app: in-process, over HTTP in JSON and
//! over HTTP in MessagePack (a struct in, a struct out: `store_message`), each for the given seconds
//! with 16 calls in flight. `cargo xtask bench` runs it: `calls [SECONDS]`, one `mode<TAB>calls/s`
//! line per mode on stdout.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use servey::{Client, ServeyConfig};

const IN_FLIGHT: usize = 16;

#[tokio::main]
async fn main() {
    let seconds: u64 = std::env::args()
        .nth(1)
        .and_then(|text| text.parse().ok())
        .unwrap_or(3);
    let registry = hello::registry_builder()
        .build()
        .expect("the tour app's registry builds");
    let app = servey::app(registry, ServeyConfig::default())
        .await
        .expect("the tour app builds");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds a free port");
    let base = format!("http://{}", listener.local_addr().expect("has an address"));
    let router = servey::router(&app).expect("the routes build");
    tokio::spawn(async move { axum::serve(listener, router).await });
    let input = json!({"message": {"sender": "ann", "text": "hello there"}, "id": 7});
    for (mode, client) in [
        ("local", Client::local(&app)),
        ("HTTP JSON", Client::http(&base)),
        ("HTTP MessagePack", Client::http(&base).msgpack()),
    ] {
        let expected: Value = client
            .call("store_message", &input)
            .await
            .expect("the call answers");
        assert_eq!(expected["length"], 11, "{mode} answers the right result");
        let rate = calls_per_second(&client, &input, Duration::from_secs(seconds)).await;
        println!("{mode}\t{rate:.0}");
    }
}

/// Completed calls per second over `period`, `IN_FLIGHT` at a time.
async fn calls_per_second(client: &Client, input: &Value, period: Duration) -> f64 {
    let done = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let deadline = start + period;
    let workers: Vec<_> = (0..IN_FLIGHT)
        .map(|_| {
            let (client, input, done) = (client.clone(), input.clone(), done.clone());
            tokio::spawn(async move {
                while Instant::now() < deadline {
                    client
                        .call_value("store_message", input.clone(), false)
                        .await
                        .expect("the call answers");
                    done.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.expect("the worker finishes");
    }
    done.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64()
}

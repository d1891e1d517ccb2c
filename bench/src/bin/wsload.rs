//! Websocket broadcast load driver of `cargo xtask bench`: connects N subscribers to
//! `/subscription/messenger/{id}`, then POSTs `/actions/broadcast-message` R times and reports, per
//! broadcast, the time until the last subscriber received it.
//!
//! The driver keeps its own cost per message small, so that it measures the server: each subscriber's
//! task counts into one shared atomic and only the delivery that completes a round wakes the main task
//! (rather than one channel message per delivery into a counting task), and each connection reads
//! through a small buffer.
//!
//! Usage: `wsload BASE_URL SUBSCRIBERS ROUNDS` -> prints `p50_ms p99_ms max_ms` on one line.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use tokio::sync::Notify;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

/// What the subscribers' tasks share with the main task.
#[derive(Default)]
struct Tally {
    /// Text messages received by all subscribers so far.
    received: AtomicUsize,
    /// Woken by the delivery that completes a round (every subscriber has that round's message).
    round_done: Notify,
    /// Subscriber tasks that ended (closed or failed): a round can no longer complete.
    ended: AtomicUsize,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, base, subscribers, rounds] = args.as_slice() else {
        return Err("usage: wsload BASE_URL SUBSCRIBERS ROUNDS".into());
    };
    let (subscribers, rounds): (usize, usize) = (subscribers.parse()?, rounds.parse()?);
    if subscribers == 0 {
        return Err("SUBSCRIBERS must be at least 1".into());
    }
    let ws_base = base.replacen("http://", "ws://", 1);
    let tally = Arc::new(Tally::default());
    // tungstenite zero-fills its whole free read buffer (128 KiB by default) before every read
    // attempt; the events are ~60 bytes, so a small buffer keeps that cost out of the measurement.
    let config = WebSocketConfig::default().read_buffer_size(4 * 1024);
    for index in 0..subscribers {
        let (mut socket, _) = tokio_tungstenite::connect_async_with_config(
            format!("{ws_base}/subscription/messenger/sub-{index}"),
            Some(config),
            false,
        )
        .await?;
        let tally = tally.clone();
        tokio::spawn(async move {
            while let Some(Ok(message)) = socket.next().await {
                if message.is_text() {
                    // Each round brings exactly one message per subscriber, so the count reaches a
                    // multiple of `subscribers` only when a round is complete.
                    let received = tally.received.fetch_add(1, Ordering::AcqRel) + 1;
                    if received % subscribers == 0 {
                        tally.round_done.notify_one();
                    }
                }
            }
            tally.ended.fetch_add(1, Ordering::AcqRel);
            tally.round_done.notify_one();
        });
    }
    // Let the server finish registering the subscribers before the first broadcast.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let client = reqwest::Client::new();
    let mut latencies = Vec::with_capacity(rounds);
    for round in 0..rounds {
        let body =
            serde_json::json!({"message": {"sender": "bench", "text": format!("round {round}")}});
        let expected = subscribers * (round + 1);
        let start = Instant::now();
        let response = client
            .post(format!("{base}/actions/broadcast-message"))
            .json(&body)
            .send()
            .await?;
        if !response.status().is_success() {
            return Err(format!("broadcast answered {}", response.status()).into());
        }
        while tally.received.load(Ordering::Acquire) < expected {
            if tally.ended.load(Ordering::Acquire) > 0 {
                return Err("subscribers closed".into());
            }
            tokio::time::timeout(Duration::from_secs(30), tally.round_done.notified()).await?;
        }
        latencies.push(start.elapsed());
    }
    latencies.sort();
    let at = |q: f64| {
        latencies[((latencies.len() as f64 - 1.0) * q).round() as usize].as_secs_f64() * 1000.0
    };
    println!("{:.2} {:.2} {:.2}", at(0.5), at(0.99), at(1.0));
    Ok(())
}

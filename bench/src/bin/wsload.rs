//! Websocket broadcast load driver of `cargo xtask bench`: connects N subscribers to
//! `/subscription/messenger/{id}`, then POSTs `/actions/broadcast-message` R times and reports, per
//! broadcast, the time until the last subscriber received it.
//!
//! Usage: `wsload BASE_URL SUBSCRIBERS ROUNDS` -> prints `p50_ms p99_ms max_ms` on one line.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use tokio::sync::mpsc;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, base, subscribers, rounds] = args.as_slice() else {
        return Err("usage: wsload BASE_URL SUBSCRIBERS ROUNDS".into());
    };
    let (subscribers, rounds): (usize, usize) = (subscribers.parse()?, rounds.parse()?);
    let ws_base = base.replacen("http://", "ws://", 1);
    let (received_tx, mut received_rx) = mpsc::unbounded_channel::<()>();
    for index in 0..subscribers {
        let (socket, _) = tokio_tungstenite::connect_async(format!(
            "{ws_base}/subscription/messenger/sub-{index}"
        ))
        .await?;
        let received = received_tx.clone();
        tokio::spawn(async move {
            let (_, mut reader) = socket.split();
            while let Some(Ok(message)) = reader.next().await {
                if message.is_text() && received.send(()).is_err() {
                    return;
                }
            }
        });
    }
    // Let the server finish registering the subscribers before the first broadcast.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let client = reqwest::Client::new();
    let mut latencies = Vec::with_capacity(rounds);
    for round in 0..rounds {
        let body =
            serde_json::json!({"message": {"sender": "bench", "text": format!("round {round}")}});
        let start = Instant::now();
        let response = client
            .post(format!("{base}/actions/broadcast-message"))
            .json(&body)
            .send()
            .await?;
        if !response.status().is_success() {
            return Err(format!("broadcast answered {}", response.status()).into());
        }
        for _ in 0..subscribers {
            tokio::time::timeout(Duration::from_secs(30), received_rx.recv())
                .await?
                .ok_or("subscribers closed")?;
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

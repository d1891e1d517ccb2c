//! Broadcast latency: one `publish` to N local websocket subscribers on loopback, measured from the
//! publish until the last subscriber has the event; prints p50 / p99 over many rounds.
//!
//! `cargo bench -p servey-schedule --bench broadcast`. The subscribers run in a child process (this
//! same binary), so each side needs about N file descriptors, not 2N: 10,000 subscribers fit under a
//! `ulimit -n` of 20,000. Sizes that do not fit the limit are reported and skipped.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use servey_core::{App, Extensions, Registry, ServeyConfig};
use servey_schedule::Channels;
use tokio_tungstenite::tungstenite::Message;

/// One benchmark event: its round and when it was published.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
struct Tick {
    seq: usize,
    sent_unix_nanos: u128,
    text: String,
}

servey_schedule::websocket_event_channel!(BENCH, "bench", Tick);

const SIZES: [usize; 2] = [1_000, 10_000];
const ROUNDS: usize = 200;

fn unix_nanos() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_nanos())
}

fn open_files_limit() -> Option<usize> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits
        .lines()
        .find(|line| line.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    match std::env::var("SERVEY_BENCH_CLIENT") {
        Ok(address) => runtime.block_on(clients(&address)),
        Err(_) => runtime.block_on(server()),
    }
}

async fn server() {
    let limit = open_files_limit();
    println!(
        "broadcast latency, publish -> last subscriber received ({ROUNDS} rounds per size); ulimit -n = {limit:?}"
    );
    for subscribers in SIZES {
        if limit.is_some_and(|limit| limit < subscribers + 200) {
            println!(
                "{subscribers:>6} subscribers: SKIPPED, needs about {} open files per process, ulimit -n is {limit:?}",
                subscribers + 200
            );
            continue;
        }
        let registry = Registry::builder().build().expect("empty");
        let channels = Channels::new(&registry).expect("the bench channel builds");
        let app = App::with_state(
            registry,
            ServeyConfig::default(),
            Extensions::new().with(channels.clone()),
        );
        let context = app.context();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binds");
        let address = listener.local_addr().expect("address").to_string();
        let router = servey_schedule::router(&app).expect("the routes build");
        let served = tokio::spawn(async move { axum::serve(listener, router).await });
        let mut child = Command::new(std::env::current_exe().expect("this binary"))
            .env("SERVEY_BENCH_CLIENT", &address)
            .env("SERVEY_BENCH_N", subscribers.to_string())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the client process starts");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        while channels.subscribers().count("bench") < subscribers {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let mut latencies = Vec::with_capacity(ROUNDS);
        for seq in 0..ROUNDS {
            let tick = Tick {
                seq,
                sent_unix_nanos: unix_nanos(),
                text: "a small chat message".into(),
            };
            BENCH.publish(&context, &tick).expect("published");
            let line = tokio::task::block_in_place(|| lines.next())
                .expect("the clients report")
                .expect("a line");
            let (reported, nanos) = line.split_once(' ').expect("`seq nanos`");
            assert_eq!(reported.parse::<usize>().expect("seq"), seq);
            latencies.push(nanos.parse::<u64>().expect("nanos"));
        }
        let _ = child.wait();
        served.abort();
        latencies.sort_unstable();
        let at =
            |q: f64| latencies[((latencies.len() - 1) as f64 * q).round() as usize] as f64 / 1e6;
        println!(
            "{subscribers:>6} subscribers: p50 {:>8.2} ms   p99 {:>8.2} ms   max {:>8.2} ms",
            at(0.50),
            at(0.99),
            at(1.0)
        );
        while channels.subscribers().count("bench") > 0 {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

async fn clients(address: &str) {
    let subscribers: usize = std::env::var("SERVEY_BENCH_N")
        .ok()
        .and_then(|n| n.parse().ok())
        .expect("N");
    let received: Arc<Vec<AtomicUsize>> =
        Arc::new((0..ROUNDS).map(|_| AtomicUsize::new(0)).collect());
    let done = Arc::new(tokio::sync::Notify::new());
    let mut tasks = Vec::with_capacity(subscribers);
    for batch in (0..subscribers).collect::<Vec<_>>().chunks(250) {
        let connecting = batch.iter().map(|n| {
            let url = format!("ws://{address}/subscription/bench/s{n}");
            async move {
                tokio_tungstenite::connect_async(url)
                    .await
                    .expect("connects")
                    .0
            }
        });
        for client in futures_util::future::join_all(connecting).await {
            let (received, done) = (received.clone(), done.clone());
            tasks.push(tokio::spawn(async move {
                let (_, mut events) = client.split();
                while let Some(Ok(frame)) = events.next().await {
                    let Message::Text(text) = frame else { continue };
                    let tick: Tick = serde_json::from_str(&text).expect("a tick");
                    if received[tick.seq].fetch_add(1, Ordering::AcqRel) + 1 == subscribers {
                        let nanos = unix_nanos().saturating_sub(tick.sent_unix_nanos);
                        let mut stdout = std::io::stdout().lock();
                        let _ = writeln!(stdout, "{} {nanos}", tick.seq);
                        let _ = stdout.flush();
                        if tick.seq + 1 == ROUNDS {
                            done.notify_one();
                        }
                    }
                }
            }));
        }
    }
    done.notified().await;
}

//! Throughput of the Redis backend beside the in-process one: websocket events per second delivered to
//! a subscriber on each of three instances (publishers on all three), and background jobs per second run
//! by three instances' workers. Prints Markdown table rows for `cargo xtask bench`.
//!
//! `cargo bench -p servey-redis --bench scale_out` starts its own redis-server (in memory) on a free
//! port: `SERVEY_BENCH_REDIS_SERVER` names the program, `redis-server` by default.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use servey_core::{Action, App, Backends, Registry, ServeyConfig};
use servey_redis::RedisBackend;
use servey_schedule::Channels;

/// One numbered benchmark event.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
struct Seq {
    seq: usize,
    text: String,
}

servey_schedule::websocket_event_channel!(EVENTS, "bench_events", Seq);
servey_schedule::background_channel!(JOBS, "bench_jobs", Seq, action = "bench_job");

const EVENTS_TOTAL: usize = 30_000;
const JOBS_TOTAL: usize = 6_000;
/// Events a publisher may be ahead of the slowest subscriber (its buffer holds 256).
const WINDOW: usize = 128;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let redis = RedisServer::start();
    let (events_local, jobs_local, events_redis, jobs_redis) = runtime.block_on(async {
        (
            fan_out(None).await,
            jobs(None).await,
            fan_out(Some(&redis.url)).await,
            jobs(Some(&redis.url)).await,
        )
    });
    println!("| scale-out (loopback, one redis-server) | in-process | Redis, 3 instances |");
    println!("|---|---|---|");
    println!(
        "| websocket events/s, each delivered to 3 subscribers ({EVENTS_TOTAL} events) | {events_local:.0} | {events_redis:.0} |"
    );
    println!("| background jobs/s run ({JOBS_TOTAL} jobs) | {jobs_local:.0} | {jobs_redis:.0} |");
}

/// The backend of one measured run: the Redis at `url` under a namespace of its own, or none.
async fn backend(url: Option<&str>, run: &str) -> Option<RedisBackend> {
    let url = url?;
    let backend = RedisBackend::connect(url)
        .await
        .expect("the bench's redis-server answers");
    Some(backend.namespace(format!("bench-{run}")))
}

/// An app (an instance) whose `bench_job` counts into `done`, with its channels through `backend`.
async fn instance(backend: Option<&RedisBackend>, done: &Arc<AtomicUsize>) -> App {
    let done = done.clone();
    let job = Action::builder("bench_job", move |_: Value, _| {
        let done = done.clone();
        async move {
            done.fetch_add(1, Ordering::Relaxed);
            Ok(Value::Null)
        }
    })
    .build();
    let registry = Registry::builder().action(job).build().expect("one action");
    let backends = match backend {
        Some(backend) => backend.backends(&registry).await.expect("subscribes"),
        None => Backends::in_process(&registry),
    };
    let channels = Channels::builder(&registry)
        .backends(&backends)
        .build()
        .expect("builds");
    App::builder(registry, ServeyConfig::default())
        .state(channels)
        .backends(backends)
        .build()
        .expect("builds")
}

/// Events/s reaching a subscriber on each of three instances (in-process: three on one app).
async fn fan_out(url: Option<&str>) -> f64 {
    let done = Arc::new(AtomicUsize::new(0));
    let backend = backend(url, "events").await;
    let count = if backend.is_some() { 3 } else { 1 };
    let mut apps = Vec::new();
    for _ in 0..count {
        apps.push(instance(backend.as_ref(), &done).await);
    }
    let received: Arc<Vec<AtomicUsize>> = Arc::new((0..3).map(|_| AtomicUsize::new(0)).collect());
    for subscriber in 0..3 {
        let app = &apps[subscriber % apps.len()];
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binds");
        let address = listener.local_addr().expect("address");
        let router = servey_schedule::router(app).expect("routes");
        tokio::spawn(async move { axum::serve(listener, router).await });
        let (mut socket, _) = tokio_tungstenite::connect_async(format!(
            "ws://{address}/subscription/bench_events/s{subscriber}"
        ))
        .await
        .expect("connects");
        let received = received.clone();
        tokio::spawn(async move {
            while let Some(Ok(frame)) = socket.next().await {
                if frame.is_text() {
                    received[subscriber].fetch_add(1, Ordering::Relaxed);
                }
            }
        });
    }
    for app in &apps {
        let subscribers = Channels::of(app).expect("channels").subscribers();
        while subscribers.count("bench_events") < 3 / apps.len() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
    let contexts: Vec<_> = apps.iter().map(App::context).collect();
    let slowest = || {
        received
            .iter()
            .map(|count| count.load(Ordering::Relaxed))
            .min()
            .unwrap_or(0)
    };
    let started = Instant::now();
    for seq in 0..EVENTS_TOTAL {
        while seq - slowest() >= WINDOW {
            tokio::task::yield_now().await;
        }
        let event = Seq {
            seq,
            text: "a small chat message".into(),
        };
        EVENTS
            .publish(&contexts[seq % contexts.len()], &event)
            .expect("published");
    }
    while slowest() < EVENTS_TOTAL {
        tokio::task::yield_now().await;
    }
    EVENTS_TOTAL as f64 / started.elapsed().as_secs_f64()
}

/// Jobs/s run: in-process by the publishing app, or by three instances' workers.
async fn jobs(url: Option<&str>) -> f64 {
    let done = Arc::new(AtomicUsize::new(0));
    let backend = backend(url, "jobs").await;
    let publisher = instance(backend.as_ref(), &done).await;
    let mut workers = Vec::new();
    if backend.is_some() {
        for _ in 0..3 {
            let worker = instance(backend.as_ref(), &done).await;
            let scheduler = servey_schedule::start(&worker).await.expect("starts");
            workers.push((worker, scheduler));
        }
    }
    let rate = measure_jobs(&publisher, &done).await;
    for (_, scheduler) in workers {
        let _ = scheduler.shutdown().await;
    }
    rate
}

async fn measure_jobs(publisher: &App, done: &Arc<AtomicUsize>) -> f64 {
    let context = publisher.context();
    let started = Instant::now();
    for seq in 0..JOBS_TOTAL {
        JOBS.publish(
            &context,
            &Seq {
                seq,
                text: "job".into(),
            },
        )
        .expect("published");
    }
    Channels::of(publisher).expect("channels").flush().await;
    while done.load(Ordering::Relaxed) < JOBS_TOTAL {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    JOBS_TOTAL as f64 / started.elapsed().as_secs_f64()
}

/// The bench's redis-server, in memory, killed when dropped.
struct RedisServer {
    child: Child,
    url: String,
}

impl RedisServer {
    fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let program = std::env::var("SERVEY_BENCH_REDIS_SERVER")
            .unwrap_or_else(|_| "redis-server".to_owned());
        let mut child = Command::new(&program)
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start `{program}`: {error}"));
        let mut lines = BufReader::new(child.stdout.take().expect("piped")).lines();
        let ready = lines
            .by_ref()
            .map_while(Result::ok)
            .any(|line| line.contains("Ready to accept connections"));
        assert!(ready, "redis-server exited before it was ready");
        std::thread::spawn(move || lines.for_each(drop));
        Self {
            child,
            url: format!("redis://127.0.0.1:{port}"),
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

//! A process whose every worker is held by an action that never yields: `/health` and `/metrics` still
//! answer (from the control thread), the stall is logged with the action's name and counted, and SIGTERM
//! ends the process within its grace period. The server is a separate process (this test binary run
//! again, as the ignored `stuck::stuck_server` test), serving the way `servey::main` does.

use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};
use servey::{Action, Builder, Registry, ServeyConfig, Trigger};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt};

/// Set in the child's environment; unset in a normal test run.
const CHILD: &str = "SERVEY_TEST_STUCK_CHILD";

/// An action that holds its worker for an hour without yielding.
fn stuck() -> Action {
    Action::builder("stuck", |_, _| async {
        std::thread::sleep(Duration::from_secs(3600));
        Ok(json!("never"))
    })
    .trigger(Trigger::web_get())
    .build()
}

#[test]
#[ignore = "the server process of the test above; runs only in its child"]
fn stuck_server() {
    if std::env::var_os(CHILD).is_none() {
        return;
    }
    let config = ServeyConfig::from_env();
    let _telemetry = servey::telemetry::init(&config);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let app = Builder::new(Registry::builder())
            .action(stuck())
            .config(config)
            .build()
            .await
            .expect("the app builds");
        servey::run(app, ["stuck-server", "--run=serve"].map(Into::into)).await;
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_every_worker_stuck_health_answers_and_sigterm_ends_the_process() {
    let free = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let address = free.local_addr().expect("an address");
    drop(free);
    let mut child = tokio::process::Command::new(std::env::current_exe().expect("the test binary"))
        .args(["--ignored", "--exact", "stuck::stuck_server", "--nocapture"])
        .env(CHILD, "1")
        .env("SERVER_PORT", address.port().to_string())
        .env("SERVEY_SHUTDOWN_GRACE", "2")
        .env("SERVEY_STALL_THRESHOLD", "0.5")
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the server starts");
    let mut log = tokio::io::BufReader::new(child.stderr.take().expect("piped")).lines();
    let mut seen = Vec::new();
    let started = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(line) = log.next_line().await.expect("reads the log") {
            let is_up = line.contains("servey listening on");
            seen.push(line);
            if is_up {
                return true;
            }
        }
        false
    })
    .await;
    assert_eq!(started.ok(), Some(true), "no 'listening' line: {seen:#?}");
    let (lines, mut line) = tokio::sync::mpsc::unbounded_channel::<String>();
    let log_lines = tokio::spawn(async move {
        while let Ok(Some(next)) = log.next_line().await {
            let _ = lines.send(next.clone());
            seen.push(next);
        }
        seen
    });

    // Each call holds one worker, as long as the call lasts; the server has two. Call until the
    // server says that no worker is free: a call may wait behind a held worker rather than take the
    // other one, which is why it can take more than two.
    let mut held = Vec::new();
    let mut is_stalled = false;
    for _ in 0..6 {
        held.push(hold_a_worker(address).await);
        let said = tokio::time::timeout(Duration::from_secs(3), async {
            while let Some(next) = line.recv().await {
                if next.contains("no worker has been free") {
                    return true;
                }
            }
            false
        })
        .await;
        if said == Ok(true) {
            is_stalled = true;
            break;
        }
    }
    assert!(is_stalled, "the server never said that no worker was free");

    let base = format!("http://{address}");
    // A connection kept alive may be one that a held worker serves: every request opens its own, as
    // a health probe does.
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .expect("a client");
    let health = tokio::time::timeout(
        Duration::from_secs(10),
        client.get(format!("{base}/health")).send(),
    )
    .await
    .expect("/health answers while every worker is held")
    .expect("a response");
    assert_eq!(health.status(), 503);
    let health = health.json::<Value>().await.expect("json");
    assert_eq!(health["status"], "stalled");
    assert_eq!(health["stalled_actions"][0], "stuck");

    let metrics = tokio::time::timeout(
        Duration::from_secs(10),
        client.get(format!("{base}/metrics")).send(),
    )
    .await
    .expect("/metrics answers while workers are held")
    .expect("a response");
    assert_eq!(metrics.status(), 200);

    // An HTTP/2 client (h2c with prior knowledge, as a proxy's health check may be) is answered too.
    #[cfg(feature = "http2")]
    h2c_is_answered_while_stalled(&base).await;

    let text = metrics.text().await.expect("text");
    assert!(
        text.contains("servey_stalled_polls_total{action=\"stuck\"}"),
        "{text}"
    );
    let other = tokio::time::timeout(
        Duration::from_secs(10),
        client.get(format!("{base}/actions/stuck")).send(),
    )
    .await
    .expect("a call answers while workers are held")
    .expect("a response");
    assert_eq!(other.status(), 503);
    assert!(other.headers().contains_key("retry-after"));

    let pid = child.id().expect("running").to_string();
    let killed = tokio::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .await
        .expect("kill runs");
    assert!(killed.success());
    let status = tokio::time::timeout(Duration::from_secs(20), child.wait())
        .await
        .expect("SIGTERM ends the process although its workers never yield")
        .expect("waited");
    assert_eq!(status.code(), Some(1), "a stop cut short is a failure");
    let text = log_lines.await.expect("the log").join("\n");
    assert!(
        text.contains("action `stuck` has held a worker"),
        "the stall is logged with the action's name: {text}"
    );
    assert!(text.contains("ending the process"), "{text}");
    drop(held);
}

/// Sends a call of `stuck` on a connection of its own and keeps the connection open.
async fn hold_a_worker(address: std::net::SocketAddr) -> tokio::net::TcpStream {
    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("connects");
    stream
        .write_all(b"GET /actions/stuck HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .expect("writes");
    stream
}

/// `/health/live` over h2c while every worker is held: the control thread answers it, stalled.
#[cfg(feature = "http2")]
async fn h2c_is_answered_while_stalled(base: &str) {
    let probe = format!("{base}/health/live");
    let h2 = tokio::task::spawn_blocking(move || {
        std::process::Command::new("curl")
            .args(["--silent", "--max-time", "10", "--http2-prior-knowledge"])
            .args(["--write-out", "\n%{http_version} %{http_code}", &probe])
            .output()
            .expect("curl runs")
    })
    .await
    .expect("curl ran");
    let h2 = String::from_utf8_lossy(&h2.stdout).into_owned();
    assert!(h2.ends_with("\n2 503"), "{h2}");
    assert!(h2.contains("stalled"), "{h2}");
}

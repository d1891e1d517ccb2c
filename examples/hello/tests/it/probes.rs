//! The orchestrator's probes on the real binary with a real Redis: `/health/live` answers while the
//! process serves; `/health/ready` is `503` naming Redis while Redis is away and `200` again once it is
//! back, unless `SERVEY_READY_REQUIRES=none`.

use std::io::BufRead;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::process::{Binary, client};

/// An in-memory redis-server on `port`, once it accepts connections.
fn redis_on(port: u16) -> Child {
    let program =
        std::env::var("SERVEY_TEST_REDIS_SERVER").unwrap_or_else(|_| "redis-server".to_owned());
    let mut child = Command::new(&program)
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args(["--save", "", "--appendonly", "no"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("cannot start `{program}` ({error}): install redis-server"));
    let mut lines = std::io::BufReader::new(child.stdout.take().expect("piped")).lines();
    let ready = lines
        .by_ref()
        .map_while(Result::ok)
        .any(|line| line.contains("Ready to accept connections"));
    assert!(ready, "redis-server exited before it was ready");
    std::thread::spawn(move || lines.for_each(drop));
    child
}

/// The status and body of `GET path`.
async fn probe(binary: &Binary, path: &str) -> (u16, Value) {
    let answer = client()
        .get(binary.url(path))
        .send()
        .await
        .expect("answered");
    let status = answer.status().as_u16();
    (status, answer.json().await.expect("a JSON body"))
}

/// Polls `path` (every 100 ms, at most 20 s) until it answers `status`.
async fn until(binary: &Binary, path: &str, status: u16) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let (now, body) = probe(binary, path).await;
        if now == status {
            return body;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{path} still answers {now}: {body}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn readiness_follows_redis_and_liveness_does_not() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port();
    let url = format!("redis://127.0.0.1:{port}");
    let mut redis = redis_on(port);
    let binary =
        Binary::start(&[("SERVEY_REDIS_URL", &url), ("SERVEY_REDIS_TIMEOUT", "0.5")]).await;
    let lenient = Binary::start(&[
        ("SERVEY_REDIS_URL", &url),
        ("SERVEY_READY_REQUIRES", "none"),
    ])
    .await;
    assert_eq!(probe(&binary, "/health/ready").await.0, 200);
    assert_eq!(probe(&binary, "/health/live").await.0, 200);

    let _ = redis.kill();
    let _ = redis.wait();
    let body = until(&binary, "/health/ready", 503).await;
    assert_eq!(body["status"], "not_ready", "{body}");
    assert_eq!(body["unreachable"][0]["backend"], "redis", "{body}");
    assert_eq!(
        probe(&binary, "/health/live").await.0,
        200,
        "alive without Redis"
    );
    assert_eq!(
        probe(&lenient, "/health/ready").await.0,
        200,
        "ready without Redis when none is required"
    );

    let mut redis = redis_on(port);
    until(&binary, "/health/ready", 200).await;
    for running in [binary, lenient] {
        running.signal("TERM").await;
        let (code, log) = running.exit().await;
        assert_eq!(code, Some(0), "{log}");
    }
    let _ = redis.kill();
    let _ = redis.wait();
}

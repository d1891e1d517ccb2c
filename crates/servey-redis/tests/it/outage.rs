//! A Redis that answers but keeps failing the background worker: the outage is logged once, not once
//! per restart, and the restarts back off.

use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};

use tracing_subscriber::fmt::MakeWriter;

use crate::common::eventually;
use crate::redis_server::RedisServer;
use crate::scale_out::{instance, shut_down};

/// Every log line written, in memory.
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl Logs {
    /// How many lines contain `text`.
    fn count(&self, text: &str) -> usize {
        let written = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        String::from_utf8_lossy(&written)
            .lines()
            .filter(|line| line.contains(text))
            .count()
    }
}

impl Write for Logs {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Logs {
    type Writer = Self;

    fn make_writer(&'a self) -> Self {
        self.clone()
    }
}

/// What apalis logs each time a worker cannot register: one line per failed worker.
const WORKER_DIED: &str = "poll_ready: HeartBeat failed -> Dead";

#[tokio::test]
async fn a_worker_failing_again_and_again_logs_one_outage_and_no_recovery() {
    // Answers PING, but every script of the queue fails: each new worker dies at once.
    let server = RedisServer::start_with(&["--rename-command", "EVALSHA", ""]);
    let logs = Logs::default();
    // This test's runtime has one thread, the test's: the default set here sees every task's logs.
    let _logging = tracing::subscriber::set_default(
        tracing_subscriber::fmt()
            .with_writer(logs.clone())
            .with_ansi(false)
            .with_max_level(tracing::Level::INFO)
            .finish(),
    );
    let (app, recorded) = instance(&server, vec![]).await;
    let scheduler = servey_schedule::start(&app).await.expect("starts");
    eventually("four workers died", || logs.count(WORKER_DIED) >= 4).await;
    shut_down(vec![(app, recorded, scheduler)]).await;
    assert_eq!(
        logs.count("Redis lost"),
        1,
        "one outage, however many restarts"
    );
    assert_eq!(logs.count("Redis is back"), 0, "no worker came back");
}

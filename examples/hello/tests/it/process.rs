//! The real binary as an operator meets it: SIGTERM drains a request and an upload in flight and the
//! process exits cleanly, and slow uploads neither keep their request slots nor block `/health`.

use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::net::TcpStream;
use tokio::process::{Child, ChildStderr};

/// The tour binary, started with `settings` on a free port, once it logs that it listens.
pub(crate) struct Binary {
    child: Child,
    address: std::net::SocketAddr,
    log: Lines<BufReader<ChildStderr>>,
    seen: Vec<String>,
}

impl Binary {
    pub(crate) async fn start(settings: &[(&str, &str)]) -> Self {
        Self::start_in(&crate::server::workspace_root(), settings).await
    }

    /// Like [`start`](Self::start), in the working directory `dir`.
    pub(crate) async fn start_in(dir: &std::path::Path, settings: &[(&str, &str)]) -> Self {
        let free = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        let address = free.local_addr().expect("an address");
        drop(free);
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_hello"));
        command
            .env("SERVER_PORT", address.port().to_string())
            .env("RUST_LOG", "info")
            .env_remove("NO_COLOR")
            .current_dir(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        for (key, value) in settings {
            command.env(key, value);
        }
        let mut child = command.spawn().expect("the binary starts");
        let log = BufReader::new(child.stderr.take().expect("piped")).lines();
        let mut binary = Self {
            child,
            address,
            log,
            seen: Vec::new(),
        };
        let started = tokio::time::timeout(
            Duration::from_secs(60),
            binary.wait_for_log("servey listening on"),
        )
        .await;
        assert_eq!(
            started.ok(),
            Some(true),
            "no 'listening' line: {:#?}",
            binary.seen
        );
        binary
    }

    /// Reads the log until a line contains `text`; false when the log ends first.
    async fn wait_for_log(&mut self, text: &str) -> bool {
        while let Some(line) = self.log.next_line().await.expect("reads the log") {
            let found = line.contains(text);
            self.seen.push(line);
            if found {
                return true;
            }
        }
        false
    }

    /// The address it listens on.
    pub(crate) fn address(&self) -> std::net::SocketAddr {
        self.address
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    pub(crate) async fn signal(&self, name: &str) {
        let pid = self.child.id().expect("running").to_string();
        let killed = tokio::process::Command::new("kill")
            .args([&format!("-{name}"), &pid])
            .status()
            .await
            .expect("kill runs");
        assert!(killed.success());
    }

    /// Waits for the process to end; its exit code and its whole log.
    pub(crate) async fn exit(mut self) -> (Option<i32>, String) {
        let status = tokio::time::timeout(Duration::from_secs(30), self.child.wait())
            .await
            .expect("the binary stops within its grace period")
            .expect("waited");
        while let Some(line) = self.log.next_line().await.expect("reads the log") {
            self.seen.push(line);
        }
        (status.code(), self.seen.join("\n"))
    }
}

/// A client that opens a connection per request, as a probe does.
pub(crate) fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .expect("a client")
}

/// The body of an upload to `/actions/store-message`.
pub(crate) const UPLOAD: &str =
    r#"{"message": {"sender": "ann", "text": "a slow upload"}, "id": 3}"#;

/// Starts an upload to `/actions/store-message` and returns once the server reads its body (it answers
/// `Expect: 100-continue`), having sent the first `sent` bytes of it.
async fn start_upload(binary: &Binary, sent: usize) -> TcpStream {
    let mut stream = TcpStream::connect(binary.address).await.expect("connects");
    let head = format!(
        "POST /actions/store-message HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nExpect: 100-continue\r\n\r\n",
        UPLOAD.len()
    );
    stream.write_all(head.as_bytes()).await.expect("writes");
    let continued = read_some(&mut stream).await;
    assert!(continued.starts_with("HTTP/1.1 100"), "{continued}");
    stream
        .write_all(&UPLOAD.as_bytes()[..sent])
        .await
        .expect("writes");
    stream
}

/// What the server sends next on `stream`, within 20 s.
async fn read_some(stream: &mut TcpStream) -> String {
    let mut buffer = vec![0_u8; 4096];
    let read = tokio::time::timeout(Duration::from_secs(20), stream.read(&mut buffer))
        .await
        .expect("the server answers")
        .expect("reads");
    String::from_utf8_lossy(&buffer[..read]).into_owned()
}

#[tokio::test]
async fn sigterm_drains_a_request_and_an_upload_in_flight_then_exits_cleanly() {
    let mut binary = Binary::start(&[("SERVEY_SHUTDOWN_GRACE", "20")]).await;
    let client = client();
    let slow = tokio::spawn(
        client
            .get(binary.url("/actions/slow-get-with-ttl?seconds=3"))
            .send(),
    );
    // The call is under way once the metrics count it.
    let in_flight = "servey_action_in_flight{action=\"slow_get_with_ttl\"} 1";
    let under_way = tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            let metrics = client
                .get(binary.url("/metrics"))
                .send()
                .await
                .expect("answers");
            if metrics.text().await.expect("text").contains(in_flight) {
                return;
            }
        }
    })
    .await;
    assert!(under_way.is_ok(), "the slow call never started");
    let mut upload = start_upload(&binary, 10).await;

    binary.signal("TERM").await;
    assert!(binary.wait_for_log("no longer accepting connections").await);
    let refused = TcpStream::connect(binary.address).await;
    assert!(
        refused.is_err(),
        "a stopping server refuses new connections rather than leaving them waiting"
    );
    upload
        .write_all(&UPLOAD.as_bytes()[10..])
        .await
        .expect("the upload goes on after the signal");
    let answer = read_some(&mut upload).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
    let stored: Value = serde_json::from_str(body).expect("a JSON body");
    assert_eq!(
        stored["message"],
        json!({"sender": "ann", "text": "a slow upload"})
    );

    let slow = slow
        .await
        .expect("joined")
        .expect("the request in flight is answered");
    assert_eq!(slow.status(), 200);
    assert_eq!(
        slow.json::<Value>().await.expect("json"),
        json!("Waited 3s. You should see this cached.")
    );
    let (code, log) = binary.exit().await;
    assert_eq!(code, Some(0), "{log}");
    assert!(
        log.contains("SIGTERM received") && log.contains("servey stopped"),
        "{log}"
    );
}

#[tokio::test]
async fn slow_uploads_are_answered_408_and_health_answers_while_they_hold_every_slot() {
    let binary = Binary::start(&[
        ("SERVEY_MAX_CONCURRENT_REQUESTS", "4"),
        ("SERVEY_BODY_READ_TIMEOUT", "2"),
    ])
    .await;
    let mut uploads = Vec::new();
    for _ in 0..4 {
        uploads.push(start_upload(&binary, 1).await);
    }
    let client = client();
    let busy = client
        .get(binary.url("/actions/say-hello?name=x"))
        .send()
        .await
        .expect("answers");
    assert_eq!(
        busy.status(),
        503,
        "the slow uploads hold every request slot"
    );
    let health = client
        .get(binary.url("/health"))
        .send()
        .await
        .expect("answers");
    assert_eq!(health.status(), 200, "/health needs no request slot");
    let metrics = client
        .get(binary.url("/metrics"))
        .send()
        .await
        .expect("answers");
    assert_eq!(metrics.status(), 200, "/metrics needs no request slot");

    for mut upload in uploads {
        let answer = read_some(&mut upload).await;
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
        assert!(answer.contains("did not arrive within 2 s"), "{answer}");
    }
    let free = client
        .get(binary.url("/actions/say-hello?name=x"))
        .send()
        .await
        .expect("answers");
    assert_eq!(free.status(), 200, "the slots are free again");
}

/// Log lines written to a pipe (a log collector, `docker logs`, a file) carry no ANSI colour codes,
/// `NO_COLOR` or not.
#[tokio::test]
async fn log_lines_on_a_pipe_carry_no_colour_codes() {
    let binary = Binary::start(&[]).await;
    let answered = client()
        .get(binary.url("/actions/say-hello?name=Ann"))
        .send()
        .await
        .expect("answered");
    assert_eq!(answered.status(), 200);
    binary.signal("TERM").await;
    let (code, log) = binary.exit().await;
    assert_eq!(code, Some(0), "{log}");
    assert!(log.contains(" INFO "), "{log}");
    assert!(
        !log.contains('\u{1b}'),
        "colour codes in a piped log: {log:?}"
    );
}

/// The tour builds its templates and static files into the binary: started in an empty directory, it
/// still serves its page and its stylesheet.
#[tokio::test]
async fn pages_and_static_files_are_served_from_the_binary() {
    let empty = crate::server::scratch_dir("no-templates");
    let binary = Binary::start_in(&empty, &[]).await;
    let page = client()
        .get(binary.url("/current-time-page"))
        .send()
        .await
        .expect("answered");
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("a page");
    assert!(html.contains("<h1>Current time</h1>"), "{html}");
    let css = client()
        .get(binary.url("/static/hello.css"))
        .send()
        .await
        .expect("answered");
    assert_eq!(css.status(), 200);
    assert_eq!(
        css.headers()["content-type"],
        "text/css",
        "the type follows the extension"
    );
    let expected = std::fs::read(crate::server::workspace_root().join("static/hello.css"))
        .expect("the stylesheet");
    assert_eq!(css.bytes().await.expect("a body"), expected);
    let missing = client()
        .get(binary.url("/static/../Cargo.toml"))
        .send()
        .await
        .expect("answered");
    assert_eq!(missing.status(), 404);
    binary.signal("TERM").await;
    let (code, log) = binary.exit().await;
    assert_eq!(code, Some(0), "{log}");
}

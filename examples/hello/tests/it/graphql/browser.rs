//! A headless Chromium driven over the DevTools protocol.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio_tungstenite::tungstenite::Message;

use crate::server::{headless_chromium, scratch_dir};

/// A headless Chromium driven over the DevTools protocol, killed when dropped.
pub(crate) struct Browser {
    child: tokio::process::Child,
    socket: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
    profile: PathBuf,
    next_id: u64,
}

const BROWSER_WAIT: Duration = Duration::from_secs(30);

impl Browser {
    pub(crate) async fn launch() -> Self {
        let profile = scratch_dir("graphiql");
        let mut child = headless_chromium(&profile)
            .args(["--remote-debugging-port=0", "about:blank"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("chromium starts");
        let mut lines = BufReader::new(child.stderr.take().expect("stderr is piped")).lines();
        let endpoint = tokio::time::timeout(BROWSER_WAIT, async {
            while let Some(line) = lines.next_line().await.expect("stderr is readable") {
                if let Some(url) = line.strip_prefix("DevTools listening on ") {
                    return url.trim().to_owned();
                }
            }
            panic!("chromium exited before listening for DevTools");
        })
        .await
        .expect("chromium listens for DevTools within 30 s");
        // Keep draining stderr so that chromium never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        let (socket, _) = tokio_tungstenite::connect_async(endpoint.as_str())
            .await
            .expect("connects to DevTools");
        Self {
            child,
            socket,
            profile,
            next_id: 0,
        }
    }

    /// Sends one DevTools command (to a page session if given) and returns its result.
    pub(crate) async fn call(
        &mut self,
        session: Option<&str>,
        method: &str,
        params: Value,
    ) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({ "id": id, "method": method, "params": params });
        if let Some(session) = session {
            message["sessionId"] = json!(session);
        }
        self.socket
            .send(Message::Text(message.to_string().into()))
            .await
            .expect("DevTools command sent");
        loop {
            let frame = tokio::time::timeout(BROWSER_WAIT, self.socket.next())
                .await
                .unwrap_or_else(|_| panic!("no answer to {method} within 30 s"))
                .expect("DevTools is connected")
                .expect("DevTools frame");
            let Message::Text(text) = frame else { continue };
            let reply: Value = serde_json::from_str(&text).expect("DevTools sends JSON");
            if reply["id"] == id {
                assert!(reply.get("error").is_none(), "{method} failed: {reply}");
                return reply["result"].clone();
            }
        }
    }

    /// Evaluates `expression` in the page and returns its value.
    pub(crate) async fn evaluate(&mut self, session: &str, expression: &str) -> Value {
        let result = self
            .call(
                Some(session),
                "Runtime.evaluate",
                json!({ "expression": expression, "returnByValue": true }),
            )
            .await;
        result["result"]["value"].clone()
    }

    /// Polls `expression` until it is a string containing `expected`; returns the last value.
    pub(crate) async fn wait_for_text(
        &mut self,
        session: &str,
        expression: &str,
        expected: &str,
    ) -> String {
        let deadline = tokio::time::Instant::now() + BROWSER_WAIT;
        loop {
            let text = self.evaluate(session, expression).await;
            let text = text.as_str().unwrap_or_default().to_owned();
            if text.contains(expected) {
                return text;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "`{expression}` never showed {expected:?} within 30 s; last: {text:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Kills the browser and removes its profile.
    pub(crate) async fn close(mut self) {
        let _ = self.child.kill().await;
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

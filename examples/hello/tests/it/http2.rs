//! HTTP/2 on the real binary, as curl and a raw h2 client meet it: h2c with prior knowledge and HTTP/1.1
//! on one port, `h2` by ALPN over TLS, and a flood of reset streams ("rapid reset") that does not stall
//! other clients.

use std::process::Command;
use std::time::Duration;

use crate::process::{Binary, UPLOAD, client};
use crate::server::scratch_dir;

/// curl's body and HTTP version for `url` with `flags`.
fn curl(flags: &[&str], url: &str) -> (String, String) {
    let output = Command::new("curl")
        .args(["--silent", "--show-error", "--max-time", "10"])
        .args(flags)
        .args(["--write-out", "\n%{http_version}", url])
        .output()
        .expect("curl runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).expect("UTF-8");
    let (body, version) = text.rsplit_once('\n').expect("the version line");
    (body.to_owned(), version.to_owned())
}

#[tokio::test]
async fn http2_with_prior_knowledge_and_http1_share_the_port() {
    let binary = Binary::start(&[]).await;
    let url = binary.url("/actions/say-hello?name=Ann");
    let url2 = url.clone();
    let (h2, h1) = tokio::task::spawn_blocking(move || {
        (
            curl(&["--http2-prior-knowledge"], &url),
            curl(&["--http1.1"], &url2),
        )
    })
    .await
    .expect("curl ran");
    assert_eq!(h2, ("\"Hello Ann!\"".to_owned(), "2".to_owned()));
    assert_eq!(h1, ("\"Hello Ann!\"".to_owned(), "1.1".to_owned()));
    binary.signal("TERM").await;
    let (code, log) = binary.exit().await;
    assert_eq!(code, Some(0), "{log}");
}

#[tokio::test]
async fn tls_offers_http2_by_alpn() {
    let dir = scratch_dir("http2-tls");
    let key = rcgen::KeyPair::generate().expect("a key");
    let certificate = rcgen::CertificateParams::new(vec!["localhost".to_owned()])
        .expect("params")
        .self_signed(&key)
        .expect("a certificate");
    let (cert_path, key_path) = (dir.join("server.pem"), dir.join("server.key"));
    std::fs::write(&cert_path, certificate.pem()).expect("written");
    std::fs::write(&key_path, key.serialize_pem()).expect("written");
    let binary = Binary::start(&[
        ("SERVEY_TLS_CERT", cert_path.to_str().expect("UTF-8")),
        ("SERVEY_TLS_KEY", key_path.to_str().expect("UTF-8")),
    ])
    .await;
    let url = format!(
        "https://localhost:{}/actions/say-hello?name=Ann",
        binary.address().port()
    );
    let resolve = format!("localhost:{}:127.0.0.1", binary.address().port());
    let (h2, h1) = tokio::task::spawn_blocking(move || {
        (
            curl(&["--insecure", "--resolve", &resolve, "--http2"], &url),
            curl(&["--insecure", "--resolve", &resolve, "--http1.1"], &url),
        )
    })
    .await
    .expect("curl ran");
    assert_eq!(h2.1, "2", "{h2:?}");
    assert_eq!(h1.1, "1.1", "{h1:?}");
    assert_eq!(h2.0, "\"Hello Ann!\"");
    binary.signal("TERM").await;
    let (code, log) = binary.exit().await;
    assert_eq!(code, Some(0), "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rapid_reset_flood_does_not_stall_other_clients() {
    let binary = Binary::start(&[]).await;
    let address = binary.address();
    let flood = tokio::spawn(async move {
        let tcp = tokio::net::TcpStream::connect(address)
            .await
            .expect("connects");
        let (mut sender, connection) = h2::client::handshake(tcp).await.expect("an h2 connection");
        tokio::spawn(connection);
        let mut reset = 0_u32;
        while reset < 50_000 {
            sender = match sender.ready().await {
                Ok(sender) => sender,
                Err(_) => break,
            };
            let request = http::Request::get(format!("http://{address}/actions/say-hello?name=x"))
                .body(())
                .expect("a request");
            let Ok((_, mut stream)) = sender.send_request(request, true) else {
                break;
            };
            stream.send_reset(h2::Reason::CANCEL);
            reset += 1;
        }
        reset
    });
    // While it lasts, every other client is answered as usual.
    let mut answered = 0;
    while !flood.is_finished() {
        let answer = tokio::time::timeout(
            Duration::from_secs(5),
            client().get(binary.url("/health")).send(),
        )
        .await
        .expect("answered within 5 s during the flood")
        .expect("answered");
        assert_eq!(answer.status(), 200);
        answered += 1;
    }
    let reset = flood.await.expect("the flood ran");
    assert!(
        answered > 0,
        "no request was sent during the flood of {reset} resets"
    );
    binary.signal("TERM").await;
    let (code, log) = binary.exit().await;
    assert_eq!(code, Some(0), "{log}");
}

/// SIGTERM while an HTTP/2 request's body is still arriving: the server sends GOAWAY, the stream in
/// flight is answered once its body is in, and the process exits cleanly.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_an_http2_stream_in_flight_finish() {
    let binary = Binary::start(&[]).await;
    let tcp = tokio::net::TcpStream::connect(binary.address())
        .await
        .expect("connects");
    let (sender, mut connection) = h2::client::handshake(tcp).await.expect("an h2 connection");
    let mut ping_pong = connection.ping_pong().expect("the ping handle");
    let connection = tokio::spawn(connection);
    let mut sender = sender.ready().await.expect("ready");
    let request = http::Request::post(binary.url("/actions/store-message"))
        .header("content-type", "application/json")
        .body(())
        .expect("a request");
    let (response, mut body) = sender.send_request(request, false).expect("sent");
    let (first, rest) = UPLOAD.split_at(10);
    body.send_data(first.as_bytes().to_vec().into(), false)
        .expect("the first bytes");
    // Frames are handled in order: once the ping is answered, the server has the stream.
    ping_pong
        .ping(h2::Ping::opaque())
        .await
        .expect("the ping is answered");
    binary.signal("TERM").await;
    body.send_data(rest.as_bytes().to_vec().into(), true)
        .expect("the rest of the body");
    let response = tokio::time::timeout(Duration::from_secs(10), response)
        .await
        .expect("answered within 10 s")
        .expect("answered");
    assert_eq!(response.status(), 200);
    let mut stream = response.into_body();
    let mut text = Vec::new();
    while let Some(chunk) = stream.data().await {
        let chunk = chunk.expect("a body chunk");
        let _ = stream.flow_control().release_capacity(chunk.len());
        text.extend_from_slice(&chunk);
    }
    assert!(
        String::from_utf8_lossy(&text).contains("a slow upload"),
        "{}",
        String::from_utf8_lossy(&text)
    );
    drop(sender);
    let _ = tokio::time::timeout(Duration::from_secs(10), connection).await;
    let (code, log) = binary.exit().await;
    assert_eq!(code, Some(0), "{log}");
}

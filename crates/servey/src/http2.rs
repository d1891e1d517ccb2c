//! HTTP/2 on servey's listener (the `http2` feature): over TLS when the client picks `h2` by ALPN, and
//! in clear text when it starts with the HTTP/2 preface (h2c with prior knowledge). Its bounds match
//! HTTP/1's: a request's head must come within the header-read timeout, bodies are bounded by the same
//! envelope (size, read timeout, request slots), streams per connection are capped, a flood of streams
//! reset by the client (CVE-2023-44487, "rapid reset") closes its connection, and idle peers are pinged.
//! A graceful stop sends GOAWAY and lets the streams in flight finish within the grace period.

use std::io;
use std::time::Duration;

use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::sync::watch;

/// The client connection preface every HTTP/2 connection starts with (RFC 9113, 3.4); its first three
/// bytes tell it from an HTTP/1 request line (`PRI` is no method; `PROPFIND` shares only two).
const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// Streams one connection may have open at once.
const MAX_STREAMS: u32 = 256;

/// hyper's HTTP/2 server settings for servey's listener.
pub(crate) fn builder() -> hyper::server::conn::http2::Builder<TokioExecutor> {
    let mut http2 = hyper::server::conn::http2::Builder::new(TokioExecutor::new());
    http2
        .timer(TokioTimer::new())
        .max_concurrent_streams(MAX_STREAMS)
        .max_header_list_size(64 * 1024)
        // Rapid reset: streams the client opened and reset before they were answered, beyond which
        // the connection is closed with ENHANCE_YOUR_CALM.
        .max_pending_accept_reset_streams(64)
        .max_local_error_reset_streams(1024)
        .keep_alive_interval(Duration::from_secs(20))
        .keep_alive_timeout(Duration::from_secs(20));
    http2
}

/// Whether a clear-text connection speaks HTTP/2 (it starts with the preface): `None` when it sends
/// nothing within `timeout`, or closes first.
pub(crate) async fn starts_with_preface(stream: &TcpStream, timeout: Duration) -> Option<bool> {
    let sniff = async {
        let mut start = [0_u8; 3];
        loop {
            let read = stream.peek(&mut start).await?;
            if read == 0 {
                return Ok::<_, io::Error>(None);
            }
            if read == start.len() || !PREFACE.starts_with(&start[..read]) {
                return Ok(Some(
                    start[..read] == PREFACE[..read] && read == start.len(),
                ));
            }
            // A request line sent a byte at a time: wait for more instead of peeking in a loop.
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    };
    tokio::time::timeout(timeout, sniff)
        .await
        .ok()
        .and_then(Result::ok)
        .flatten()
}

/// Serves one HTTP/2 connection until it ends; once `stopping` turns true it sends GOAWAY, lets the
/// streams in flight finish and closes.
pub(crate) async fn serve<I, S>(
    http2: &hyper::server::conn::http2::Builder<TokioExecutor>,
    io: I,
    service: S,
    mut stopping: watch::Receiver<bool>,
    peer: std::net::SocketAddr,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    S: hyper::service::HttpService<Incoming, ResBody = axum::body::Body> + Send,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    S::Future: Send + 'static,
{
    let connection = http2.serve_connection(TokioIo::new(io), service);
    let mut connection = std::pin::pin!(connection);
    let _alive = stopping.clone();
    let stop = async move {
        let _ = stopping.wait_for(|stopping| *stopping).await;
    };
    let outcome = tokio::select! {
        outcome = connection.as_mut() => outcome,
        () = stop => {
            connection.as_mut().graceful_shutdown();
            connection.await
        }
    };
    if let Err(error) = outcome {
        tracing::debug!(%peer, %error, "HTTP/2 connection ended with an error");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_preface_tells_http2_from_http1_and_silence_from_both() {
        use tokio::io::AsyncWriteExt;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port");
        let address = listener.local_addr().expect("an address");
        for (sent, expected) in [
            (PREFACE, Some(true)),
            (b"PROPFIND / HTTP/1.1\r\n".as_slice(), Some(false)),
            (b"GET / HTTP/1.1\r\n".as_slice(), Some(false)),
            (b"".as_slice(), None),
        ] {
            let mut client = TcpStream::connect(address).await.expect("connects");
            let (server, _) = listener.accept().await.expect("accepts");
            client.write_all(sent).await.expect("sends");
            if sent.is_empty() {
                let silent = starts_with_preface(&server, Duration::from_millis(100)).await;
                assert_eq!(silent, expected, "nothing sent");
                continue;
            }
            assert_eq!(
                starts_with_preface(&server, Duration::from_secs(5)).await,
                expected,
                "{}",
                String::from_utf8_lossy(sent)
            );
        }
    }
}

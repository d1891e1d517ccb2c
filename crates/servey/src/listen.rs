//! The accept loop: each connection served by hyper with the header-read timeout (which also ends idle
//! keep-alive connections), over TLS when configured, and stopped gracefully: no new connections, the
//! requests in progress answered, all within the grace period. The signal that stops it comes from the
//! control thread (see `control`), which also answers in its place while no worker is free.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use std::convert::Infallible;

use axum::body::Body;
use axum::extract::Request;
use axum::response::Response;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use servey_core::Limits;
use servey_core::context::{Client, ClientCertificate};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, watch};

use crate::tls::Tls;

/// Serves `router` (the app's enveloped routes) on `listener` until `signal`, then drains for at most
/// the grace period: every connection finishes the request it is on (its body included) and closes.
pub(crate) async fn serve<R>(
    listener: TcpListener,
    router: R,
    limits: &Limits,
    tls: Option<Tls>,
    signal: impl Future<Output = ()>,
) -> io::Result<()>
where
    R: servey_web::Answer + servey_web::ForClient + Clone + Send + 'static,
{
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    #[cfg(feature = "http2")]
    let http2 = crate::http2::builder();
    // Every connection task holds a receiver: `closed` resolves once the last one has ended.
    let (stop, stopping) = watch::channel(false);
    let mut signal = std::pin::pin!(signal);
    loop {
        let (stream, peer) = tokio::select! {
            () = &mut signal => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                // Out of file descriptors and the like: pause instead of spinning on the error.
                Err(error) => {
                    tracing::warn!(%error, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        // Responses are written whole; waiting to coalesce small writes only adds latency.
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let http = http.clone();
        #[cfg(feature = "http2")]
        let http2 = http2.clone();
        let stopping = stopping.clone();
        let tls = tls.clone();
        let handshake_timeout = limits.header_read_timeout;
        let first = FirstRequest::default();
        tokio::spawn(async move {
            match tls {
                None => {
                    #[cfg(feature = "http2")]
                    match crate::http2::starts_with_preface(&stream, handshake_timeout).await {
                        Some(true) => {
                            let service = service(&router, peer, None, first);
                            return crate::http2::serve(&http2, stream, service, stopping, peer)
                                .await;
                        }
                        Some(false) => {}
                        // Silent past the header-read timeout, or closed: as HTTP/1 would.
                        None => return,
                    }
                    let service = service(&router, peer, None, first.clone());
                    serve_io(&http, stream, service, stopping, first, peer).await;
                }
                Some(tls) => {
                    let Some((stream, certificate, is_h2)) =
                        accept_tls(&tls, stream, peer, handshake_timeout).await
                    else {
                        return;
                    };
                    let service = service(&router, peer, certificate, first.clone());
                    #[cfg(feature = "http2")]
                    if is_h2 {
                        return crate::http2::serve(&http2, stream, service, stopping, peer).await;
                    }
                    let _ = is_h2;
                    serve_io(&http, stream, service, stopping, first, peer).await;
                }
            }
        });
    }
    drop(listener);
    drop(stopping);
    tracing::info!("no longer accepting connections; finishing the requests in progress");
    let _ = stop.send(true);
    if tokio::time::timeout(limits.shutdown_grace, stop.closed())
        .await
        .is_err()
    {
        tracing::warn!(
            "requests still in progress after {:?} are dropped",
            limits.shutdown_grace
        );
    }
    Ok(())
}

/// Whether a connection's first request has begun, and a wake for whoever waits for it.
#[derive(Debug, Clone, Default)]
struct FirstRequest(Arc<(AtomicBool, Notify)>);

impl FirstRequest {
    /// Marks the first request begun (later ones cost one load).
    fn begin(&self) {
        let (has_begun, begun) = &*self.0;
        if !has_begun.load(Ordering::Relaxed) && !has_begun.swap(true, Ordering::AcqRel) {
            begun.notify_one();
        }
    }

    /// Resolves once the first request has begun (at once if it has).
    async fn begun(&self) {
        let (has_begun, begun) = &*self.0;
        if !has_begun.load(Ordering::Acquire) {
            // `notify_one` keeps its permit when nobody waits yet: a request that began meanwhile wakes this.
            begun.notified().await;
        }
    }
}

/// Serves one connection until it ends; once `stopping` turns true, it finishes the request in progress
/// and closes (keep-alive ends, an upgraded websocket lives on in its own task).
///
/// A connection accepted just before the stop, whose first request is still on its way, gets that
/// request answered: hyper would close it unread as idle, and its client would see an empty reply,
/// though nothing refused it (a new build taking over a shared socket stops the old one so). The wait
/// is bounded by the header-read timeout, which ends a connection that sends nothing.
async fn serve_io<I, S>(
    http: &hyper::server::conn::http1::Builder,
    io: I,
    service: S,
    mut stopping: watch::Receiver<bool>,
    first: FirstRequest,
    peer: SocketAddr,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    S: hyper::service::HttpService<Incoming, ResBody = axum::body::Body>,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    S::Future: Send,
{
    let connection = http
        .serve_connection(
            TokioIo::new(crate::refused::ProblemOnRefusal::new(io)),
            service,
        )
        .with_upgrades();
    let mut connection = std::pin::pin!(connection);
    // The listener waits for every connection to end by waiting for every receiver to go: this one
    // stays until the connection is over, while `stopping` goes with the signal that ends the wait below.
    let _alive = stopping.clone();
    // The guard `wait_for` returns is not `Send`: drop it inside.
    let stop = async move {
        let _ = stopping.wait_for(|stopping| *stopping).await;
        first.begun().await;
    };
    let outcome = tokio::select! {
        outcome = connection.as_mut() => outcome,
        () = stop => {
            connection.as_mut().graceful_shutdown();
            connection.await
        }
    };
    if let Err(error) = outcome {
        // Timeouts, resets and malformed requests: the client's doing, not a server failure.
        tracing::debug!(%peer, %error, "connection ended with an error");
    }
}

/// The TLS handshake, bounded like a request head: the stream, the verified client certificate and
/// whether the client chose HTTP/2 by ALPN; `None` (logged) when it fails.
pub(crate) async fn accept_tls(
    tls: &Tls,
    stream: TcpStream,
    peer: SocketAddr,
    timeout: Duration,
) -> Option<(
    impl AsyncRead + AsyncWrite + Unpin + Send + 'static,
    Option<ClientCertificate>,
    bool,
)> {
    match tokio::time::timeout(timeout, tls.accept(stream)).await {
        Ok(Ok(accepted)) => Some(accepted),
        Ok(Err(error)) => {
            tracing::debug!(%peer, %error, "TLS handshake refused");
            None
        }
        Err(_) => {
            tracing::debug!(%peer, "TLS handshake timed out");
            None
        }
    }
}

/// The router as a hyper service for one connection: told the connection's [`Client`] (peer address
/// and verified client certificate), which adapters put in its requests' contexts.
fn service<R: servey_web::ForClient>(
    router: &R,
    peer: SocketAddr,
    certificate: Option<ClientCertificate>,
    first: FirstRequest,
) -> Connection<R> {
    let client = Client {
        address: Some(peer.ip()),
        certificate,
    };
    Connection {
        router: router.for_client(client),
        first,
    }
}

/// One connection's service: each request answered by shared reference (no copy of the service).
struct Connection<R> {
    router: R,
    first: FirstRequest,
}

impl<R: servey_web::Answer> hyper::service::Service<Request<Incoming>> for Connection<R> {
    type Response = Response;
    type Error = Infallible;
    type Future = R::Future;

    fn call(&self, request: Request<Incoming>) -> Self::Future {
        self.first.begin();
        self.router.answer(request.map(Body::new))
    }
}

//! The control plane of a served app, on a thread of its own so that it never waits for a worker: it
//! waits for the stop signal, watches the workers (a heartbeat, and each action's polls), answers new
//! connections itself while no worker is free (`/health` `503`, `/metrics`, the rest `503`), and, for a
//! process that owns its signals, ends the process when a stop outlives its grace period.

use std::future::Future;
use std::io;
use std::time::Duration;

use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use servey_core::App;
use tokio::net::TcpListener;
use tokio::runtime::Handle;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::tls::Tls;

/// How much longer than its grace period a stop may take before the control thread ends the process:
/// the drain itself ends at the deadline, and a process whose workers still answer is gone by then.
const EXIT_MARGIN: Duration = Duration::from_millis(500);

/// The running control thread of one served app. Dropping it (once serving and draining are over)
/// ends the thread.
#[derive(Debug)]
pub(crate) struct ControlThread {
    signalled: Option<oneshot::Receiver<()>>,
    _finished: oneshot::Sender<()>,
}

impl ControlThread {
    /// Resolves when the stop signal came (or the control thread is gone).
    pub(crate) fn signalled(&mut self) -> impl Future<Output = ()> + Send + 'static {
        let signalled = self.signalled.take();
        async move {
            if let Some(signalled) = signalled {
                let _ = signalled.await;
            }
        }
    }
}

/// What the control thread serves and watches.
pub(crate) struct Plane {
    /// The app: its metrics, its limits and how it renders errors.
    pub(crate) app: App,
    /// A second handle on the server's listening socket, accepted from only while no worker is free.
    pub(crate) listener: std::net::TcpListener,
    /// The server's TLS, when it has one.
    pub(crate) tls: Option<Tls>,
    /// Whether a stop that outlives the grace period ends the process (a server that owns the
    /// process's signals), rather than leaving the caller to decide.
    pub(crate) exits_at_deadline: bool,
}

/// Starts the control thread of `plane`, which waits for `stopping` (polled on that thread) and watches
/// the workers of the current runtime.
pub(crate) fn start(
    plane: Plane,
    stopping: impl Future<Output = ()> + Send + 'static,
) -> io::Result<ControlThread> {
    let workers = Handle::current();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let (signal, signalled) = oneshot::channel();
    let (finished, done) = oneshot::channel();
    std::thread::Builder::new()
        .name("servey-control".into())
        .spawn(move || runtime.block_on(run(plane, workers, stopping, signal, done)))?;
    Ok(ControlThread {
        signalled: Some(signalled),
        _finished: finished,
    })
}

async fn run(
    plane: Plane,
    workers: Handle,
    stopping: impl Future<Output = ()>,
    signal: oneshot::Sender<()>,
    mut done: oneshot::Receiver<()>,
) {
    let limits = plane.app.config().limits.clone();
    let listener = TcpListener::from_std(plane.listener)
        .inspect_err(|error| tracing::warn!(%error, "the control thread cannot accept connections"))
        .ok();
    let mut watch = Watch::new(workers, limits.stall_threshold);
    let mut tick = tokio::time::interval(watch.period());
    let mut stopping = std::pin::pin!(stopping);
    loop {
        tokio::select! {
            () = &mut stopping => break,
            _ = &mut done => return,
            _ = tick.tick() => watch.check(&plane.app),
            accepted = accept(listener.as_ref()), if watch.is_stalled => match accepted {
                Ok((stream, peer)) => {
                    let (app, tls) = (plane.app.clone(), plane.tls.clone());
                    let stalls = watch.stalls(&plane.app);
                    tokio::spawn(answer_stalled(app, stream, peer, tls, stalls, limits.header_read_timeout));
                }
                // Out of file descriptors and the like: pause instead of spinning on the error.
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            },
        }
    }
    // This handle on the socket goes first, so that once the workers' one goes too, new connections
    // are refused rather than left waiting in the backlog.
    drop(listener);
    let _ = signal.send(());
    let deadline = Instant::now() + limits.shutdown_grace + EXIT_MARGIN;
    loop {
        tokio::select! {
            _ = &mut done => return,
            _ = tick.tick() => watch.check(&plane.app),
            () = tokio::time::sleep_until(deadline), if plane.exits_at_deadline => {
                let held: Vec<String> = watch
                    .stalls(&plane.app)
                    .iter()
                    .map(|stall| stall.action.to_string())
                    .collect();
                tracing::error!(
                    ?held,
                    "the stop outlived its grace period of {:?} (workers held by: {held:?}); ending the \
                     process",
                    limits.shutdown_grace
                );
                std::process::exit(1);
            }
        }
    }
}

async fn accept(
    listener: Option<&TcpListener>,
) -> io::Result<(tokio::net::TcpStream, std::net::SocketAddr)> {
    match listener {
        Some(listener) => listener.accept().await,
        None => std::future::pending().await,
    }
}

/// The workers as the control thread sees them: whether one took a heartbeat lately, and which actions
/// hold one without yielding.
struct Watch {
    workers: Handle,
    threshold: Duration,
    heartbeat: Option<(Instant, JoinHandle<()>)>,
    is_stalled: bool,
}

impl Watch {
    fn new(workers: Handle, threshold: Duration) -> Self {
        Self {
            workers,
            threshold,
            heartbeat: None,
            is_stalled: false,
        }
    }

    /// How often the workers are checked: often enough to see a stall within a quarter of the threshold.
    fn period(&self) -> Duration {
        (self.threshold / 4).clamp(Duration::from_millis(10), Duration::from_millis(250))
    }

    fn check(&mut self, app: &App) {
        if let Some(metrics) = app.metrics() {
            for stall in metrics.report_stalls(self.threshold) {
                tracing::warn!(
                    action = %stall.action,
                    "action `{}` has held a worker for {:.1} s without yielding: nothing else runs on that \
                     worker meanwhile and its timeout cannot fire; declare it `blocking = true`, or let it \
                     yield",
                    stall.action,
                    stall.running_for.as_secs_f64()
                );
            }
        }
        match &self.heartbeat {
            Some((_, beat)) if beat.is_finished() => {
                if self.is_stalled {
                    tracing::info!("a worker is free again: the server answers as usual");
                }
                self.is_stalled = false;
                self.heartbeat = None;
            }
            Some((sent, _)) if !self.is_stalled && sent.elapsed() >= self.threshold => {
                self.is_stalled = true;
                let held: Vec<String> = self
                    .stalls(app)
                    .iter()
                    .map(|stall| stall.action.to_string())
                    .collect();
                tracing::error!(
                    ?held,
                    "no worker has been free for {:?}: the listener answers new connections itself \
                     (/health 503, /metrics, the rest 503) until one is",
                    self.threshold
                );
            }
            Some(_) => {}
            None => {}
        }
        if self.heartbeat.is_none() {
            self.heartbeat = Some((Instant::now(), self.workers.spawn(async {})));
        }
    }

    fn stalls(&self, app: &App) -> Vec<servey_core::metrics::Stall> {
        app.metrics()
            .map(|metrics| metrics.stalled(self.threshold))
            .unwrap_or_default()
    }
}

/// Answers one connection on the control thread while no worker is free: one request, then it closes.
async fn answer_stalled(
    app: App,
    stream: tokio::net::TcpStream,
    peer: std::net::SocketAddr,
    tls: Option<Tls>,
    stalls: Vec<servey_core::metrics::Stall>,
    header_read_timeout: Duration,
) {
    let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
        let response = servey_web::stalled_answer(&app, request.uri().path(), &stalls);
        std::future::ready(Ok::<_, std::convert::Infallible>(response))
    });
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(header_read_timeout)
        .keep_alive(false);
    let served = match tls {
        None => {
            #[cfg(feature = "http2")]
            match crate::http2::starts_with_preface(&stream, header_read_timeout).await {
                Some(true) => {
                    let http2 = crate::http2::builder();
                    return report(
                        peer,
                        http2.serve_connection(TokioIo::new(stream), service).await,
                    );
                }
                Some(false) => {}
                None => return,
            }
            http.serve_connection(TokioIo::new(stream), service).await
        }
        Some(tls) => {
            let Some((stream, _, is_h2)) =
                crate::listen::accept_tls(&tls, stream, peer, header_read_timeout).await
            else {
                return;
            };
            #[cfg(feature = "http2")]
            if is_h2 {
                let http2 = crate::http2::builder();
                return report(
                    peer,
                    http2.serve_connection(TokioIo::new(stream), service).await,
                );
            }
            let _ = is_h2;
            http.serve_connection(TokioIo::new(stream), service).await
        }
    };
    report(peer, served);
}

/// Logs how a connection answered by the control thread ended, when it ended with an error.
fn report(peer: std::net::SocketAddr, served: Result<(), hyper::Error>) {
    if let Err(error) = served {
        tracing::debug!(%peer, %error, "a connection answered by the control thread ended with an error");
    }
}

/// Ctrl-C (SIGINT) or SIGTERM, whichever comes first; never for one that cannot be listened for.
///
/// The handlers are installed now, before the server says it listens: a signal that arrives right after
/// is a graceful stop, never the default action (which kills the process).
pub(crate) fn stop_signal() -> impl Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    let (interrupt, terminate) = {
        use tokio::signal::unix::{SignalKind, signal};
        (
            signal(SignalKind::interrupt()).ok(),
            signal(SignalKind::terminate()).ok(),
        )
    };
    async move {
        #[cfg(unix)]
        {
            let received = |signal: Option<tokio::signal::unix::Signal>| async move {
                match signal {
                    Some(mut signal) => {
                        signal.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                () = received(interrupt) => tracing::info!("Ctrl-C received"),
                () = received(terminate) => tracing::info!("SIGTERM received"),
            }
        }
        #[cfg(not(unix))]
        {
            if tokio::signal::ctrl_c().await.is_ok() {
                tracing::info!("Ctrl-C received");
            } else {
                std::future::pending::<()>().await;
            }
        }
    }
}

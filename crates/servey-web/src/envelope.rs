//! The envelope of every request: its `X-Request-Id` (the caller's when usable, else a fresh one, echoed on
//! the response), its tracing span (continuing the caller's trace through the app's `TracePropagation`), a
//! panic caught as a 500 problem, and problem details for the bare error responses of axum (404, 405, 413).
//! A request body must arrive within the body-read deadline (else `408`), and `/health` and `/metrics`
//! never wait for a request slot, so an operator still sees the server when every slot is taken.
//! The plain action routes ([`DirectRoutes`]) it calls itself, with the request id it settled; every
//! other request goes to the router. One hand-written service, because it runs on every request: a
//! stack of generic layers costs a boxed future and a boxed body each.

use std::convert::Infallible;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, HttpBody};
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::Response;
use servey_core::context::{Client, is_usable_request_id};
use servey_core::{ErrorRendering, RequestSlot, RequestSlots, TracePropagation};
use tower::util::Oneshot;
use tower::{Layer, Service};

use crate::deadline::DeadlineBody;
use crate::direct::DirectRoutes;
use crate::problem::{
    overloaded_response, panic_response, problem_for_bare_error, status_response,
};

/// The header a request id travels in.
pub(crate) const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Wraps a router in the [`Envelope`].
#[derive(Debug, Clone)]
pub(crate) struct EnvelopeLayer {
    body_limit: usize,
    body_read_timeout: Duration,
    slots: RequestSlots,
    errors: ErrorRendering,
    trace: Option<TracePropagation>,
    direct: DirectRoutes,
}

impl EnvelopeLayer {
    /// An envelope answering `503` when every one of the app's request `slots` is held, and `408` to a
    /// body that takes longer than `body_read_timeout` to arrive.
    pub(crate) fn new(
        body_limit: usize,
        body_read_timeout: Duration,
        slots: RequestSlots,
        errors: ErrorRendering,
    ) -> Self {
        Self {
            body_limit,
            body_read_timeout,
            slots,
            errors,
            trace: None,
            direct: DirectRoutes::none(),
        }
    }

    /// This envelope, answering the plain REST routes of `direct` itself instead of through the router.
    pub(crate) fn direct(mut self, direct: DirectRoutes) -> Self {
        self.direct = direct;
        self
    }

    /// This envelope, making each request's span a child of the caller's span through `trace`.
    pub(crate) fn trace(mut self, trace: Option<TracePropagation>) -> Self {
        self.trace = trace;
        self
    }
}

impl<S> Layer<S> for EnvelopeLayer {
    type Service = Envelope<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Envelope {
            inner,
            // One shared copy: the server clones the service for every request.
            layer: Arc::new(self.clone()),
            client: None,
        }
    }
}

/// Sets the request id, holds a request slot, and turns bare errors into problem details.
#[derive(Debug, Clone)]
pub(crate) struct Envelope<S> {
    inner: S,
    layer: Arc<EnvelopeLayer>,
    /// Who is on the other end of the connection, when the server said (see [`ForClient`]).
    client: Option<Client>,
}

/// A service told once per connection who is on its other end: its requests then carry that
/// [`Client`] without each being given it.
pub trait ForClient {
    /// This service for the requests of `client`'s connection.
    #[must_use]
    fn for_client(&self, client: Client) -> Self;
}

impl<S: Clone> ForClient for Envelope<S> {
    fn for_client(&self, client: Client) -> Self {
        Self {
            inner: self.inner.clone(),
            layer: self.layer.clone(),
            client: Some(client),
        }
    }
}

/// A service the server calls by shared reference for each request of a connection. A tower
/// [`Service`] takes `&mut self`, so a server holding one per connection clones it for every request
/// (hyper does); this answers without that clone, and the request's future carries only what it needs.
pub trait Answer {
    /// The response to one request.
    type Future: Future<Output = Result<Response, Infallible>> + Send;

    /// Answers `request`.
    fn answer(&self, request: Request) -> Self::Future;
}

impl<S> Answer for Envelope<S>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send,
{
    type Future = EnvelopeFuture<Oneshot<S, Request>>;

    fn answer(&self, mut request: Request) -> Self::Future {
        let given = request
            .headers()
            .get(X_REQUEST_ID)
            .filter(|id| is_usable_request_id(id.as_bytes()))
            .cloned();
        let layer = &*self.layer;
        let direct = layer
            .direct
            .find(request.method(), request.uri().path())
            .cloned();
        let request_id = given.unwrap_or_else(|| {
            let fresh = servey_core::context::new_request_id().into_bytes();
            let fresh = HeaderValue::from_maybe_shared(axum::body::Bytes::from(fresh))
                .unwrap_or(HeaderValue::from_static("unknown"));
            // A direct route gets the id from here; every other handler reads the request's headers.
            if direct.is_none() {
                request.headers_mut().insert(X_REQUEST_ID, fresh.clone());
            }
            fresh
        });
        let span = tracing::info_span!(
            "request",
            method = %request.method(),
            path = %request.uri().path(),
            request_id = request_id.to_str().unwrap_or_default(),
        );
        if let Some(trace) = layer.trace.as_ref().filter(|_| !span.is_disabled()) {
            trace.continue_trace(&span, request.headers());
        }
        // What a bare error's problem names; a direct route's endpoint answers problems itself.
        let named = direct
            .is_none()
            .then(|| (request.method().clone(), request.uri().clone()));
        // A body still to come must come within the deadline; most requests have none, and skip this.
        let body_timed_out = (!request.body().is_end_stream()).then(|| {
            let timed_out = Arc::new(AtomicBool::new(false));
            let limit = layer.body_read_timeout;
            let flag = timed_out.clone();
            request = std::mem::take(&mut request)
                .map(|body| Body::new(DeadlineBody::new(body, limit, flag)));
            timed_out
        });
        let is_operator_route = matches!(
            request.uri().path(),
            "/health" | "/health/live" | "/health/ready" | "/metrics"
        );
        let slot = layer.slots.try_acquire();
        let inner = match (slot.is_some() || is_operator_route, direct) {
            (true, Some(endpoint)) => {
                let id: Arc<str> = Arc::from(request_id.to_str().unwrap_or_default());
                let client = self.client.clone();
                let future =
                    Box::pin(async move { endpoint.handle(request, Some(id), client).await });
                Some(Inner::Direct { future })
            }
            (true, None) => {
                // Handlers behind the router read the client from the request.
                if let Some(client) = &self.client {
                    request.extensions_mut().insert(client.clone());
                }
                // Called on the first poll, inside the span and the panic catching. Boxed: the
                // service and the request it holds would make every request's future as large.
                let future = Box::pin(Oneshot::new(self.inner.clone(), request));
                Some(Inner::Routed { future })
            }
            (false, _) => None,
        };
        EnvelopeFuture {
            inner,
            request_id: Some(request_id),
            named,
            body_limit: layer.body_limit,
            body_read_timeout: layer.body_read_timeout,
            body_timed_out,
            errors: layer.errors.clone(),
            slot,
            span,
        }
    }
}

impl<S> Service<Request> for Envelope<S>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send,
{
    type Response = Response;
    type Error = Infallible;
    type Future = EnvelopeFuture<Oneshot<S, Request>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        // The wrapped service is made ready by each request's own copy (see `answer`).
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request) -> Self::Future {
        self.answer(request)
    }
}

/// Who answers a request the envelope let through (boxed either way, so the envelope's own future
/// stays small).
pub(crate) enum Inner<F> {
    /// The router (every route but the direct ones).
    Routed { future: Pin<Box<F>> },
    /// A direct route's endpoint.
    Direct {
        future: Pin<Box<dyn Future<Output = Response> + Send>>,
    },
}

impl<F> Future for Inner<F>
where
    F: Future<Output = Result<Response, Infallible>>,
{
    type Output = Response;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Response> {
        match self.get_mut() {
            Inner::Routed { future } => future.as_mut().poll(cx).map(|Ok(response)| response),
            Inner::Direct { future } => future.as_mut().poll(cx),
        }
    }
}

pin_project_lite::pin_project! {
    /// The response of the wrapped service, enveloped.
    pub(crate) struct EnvelopeFuture<F> {
        // `None` when every request slot was taken.
        inner: Option<Inner<F>>,
        request_id: Option<HeaderValue>,
        // The request's method and URI, when the router answers it.
        named: Option<(Method, Uri)>,
        body_limit: usize,
        body_read_timeout: Duration,
        // Set when the request's body missed its deadline.
        body_timed_out: Option<Arc<AtomicBool>>,
        errors: ErrorRendering,
        // Held until the response is ready.
        slot: Option<RequestSlot>,
        span: tracing::Span,
    }
}

impl<F> Future for EnvelopeFuture<F>
where
    F: Future<Output = Result<Response, Infallible>>,
{
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let _entered = this.span.enter();
        let response = match this.inner.as_mut() {
            None => overloaded_response(this.errors),
            Some(inner) => match catch_unwind(AssertUnwindSafe(|| Pin::new(inner).poll(cx))) {
                Ok(Poll::Pending) => return Poll::Pending,
                Ok(Poll::Ready(response)) => match this.named {
                    Some((method, uri)) => problem_for_bare_error(
                        this.errors,
                        method,
                        uri.path(),
                        *this.body_limit,
                        response,
                    ),
                    // A direct route's endpoint answers problems itself; only the router's are bare.
                    None => response,
                },
                Err(panic) => panic_response(this.errors, panic),
            },
        };
        this.slot.take();
        let mut response = response;
        if this
            .body_timed_out
            .as_ref()
            .is_some_and(|flag| flag.load(Ordering::Relaxed))
        {
            let detail = format!(
                "The request body did not arrive within {} s.",
                this.body_read_timeout.as_secs_f64()
            );
            response = status_response(this.errors, StatusCode::REQUEST_TIMEOUT, detail);
            // The rest of the body may still be on its way: the connection cannot carry another request.
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        if let Some(request_id) = this.request_id.take() {
            response.headers_mut().insert(X_REQUEST_ID, request_id);
        }
        if response.status().is_server_error() {
            tracing::warn!(status = response.status().as_u16(), "request failed");
        } else {
            tracing::debug!(status = response.status().as_u16(), "answered");
        }
        Poll::Ready(Ok(response))
    }
}

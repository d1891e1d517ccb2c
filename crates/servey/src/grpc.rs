//! The gRPC face beside the HTTP routes on one port (the `grpc` feature): a request whose content type
//! is `application/grpc` goes to servey-grpc, any other to the enveloped routes.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::extract::Request;
use axum::response::Response;
use servey_grpc::GrpcService;
use tower::Service;

/// The app's routes and its gRPC service, told apart by content type.
#[derive(Clone)]
pub(crate) struct WithGrpc<S> {
    web: S,
    grpc: GrpcService,
}

impl<S> WithGrpc<S> {
    /// `web` for HTTP requests, `grpc` for gRPC calls.
    pub(crate) fn new(web: S, grpc: GrpcService) -> Self {
        Self { web, grpc }
    }
}

impl<S: servey_web::ForClient> servey_web::ForClient for WithGrpc<S> {
    fn for_client(&self, client: servey_core::context::Client) -> Self {
        Self {
            web: self.web.for_client(client),
            grpc: self.grpc.clone(),
        }
    }
}

impl<S: servey_web::Answer> servey_web::Answer for WithGrpc<S> {
    type Future = Side<S::Future, <GrpcService as Service<Request>>::Future>;

    fn answer(&self, request: Request) -> Self::Future {
        // gRPC rides on HTTP/2 only: an HTTP/1.1 request's headers are not even looked at.
        if request.version() == http::Version::HTTP_2 && GrpcService::is_grpc(&request) {
            Side::Grpc {
                future: self.grpc.clone().call(request),
            }
        } else {
            Side::Web {
                future: self.web.answer(request),
            }
        }
    }
}

impl<S> Service<Request> for WithGrpc<S>
where
    S: Service<Request, Response = Response, Error = Infallible>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Side<S::Future, <GrpcService as Service<Request>>::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        // The gRPC service is always ready.
        self.web.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        // gRPC rides on HTTP/2 only: an HTTP/1.1 request's headers are not even looked at.
        if request.version() == http::Version::HTTP_2 && GrpcService::is_grpc(&request) {
            Side::Grpc {
                future: self.grpc.call(request),
            }
        } else {
            Side::Web {
                future: self.web.call(request),
            }
        }
    }
}

pin_project_lite::pin_project! {
    /// The answer of whichever side took the request.
    #[project = SideProj]
    pub(crate) enum Side<W, G> {
        Web { #[pin] future: W },
        Grpc { #[pin] future: G },
    }
}

impl<W, G> Future for Side<W, G>
where
    W: Future<Output = Result<Response, Infallible>>,
    G: Future<Output = Result<Response, Infallible>>,
{
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            SideProj::Web { future } => future.poll(cx),
            SideProj::Grpc { future } => future.poll(cx),
        }
    }
}

//! The gRPC baseline: `say_hello` as a plain tonic server would serve it, with the message types and the
//! service written the way `tonic-build` generates them, on tonic's own transport. `cargo xtask bench`
//! runs it on `SERVER_PORT` beside the tour app's gRPC face.

use std::convert::Infallible;
use std::task::{Context, Poll};

use tonic::body::Body;
use tonic::codegen::{BoxFuture, Service, http};
use tonic::server::{Grpc, NamedService, UnaryService};
use tonic::{Request, Response, Status};
use tonic_prost::ProstCodec;

/// `servey.SayHelloRequest`, as prost derives it.
#[derive(Clone, PartialEq, prost::Message)]
struct SayHelloRequest {
    #[prost(string, tag = "1")]
    name: String,
}

/// `servey.SayHelloResponse`.
#[derive(Clone, PartialEq, prost::Message)]
struct SayHelloResponse {
    #[prost(string, tag = "1")]
    result: String,
}

/// The service `servey.Servey` with its one method.
#[derive(Clone, Copy)]
struct Servey;

impl NamedService for Servey {
    const NAME: &'static str = "servey.Servey";
}

struct SayHello;

impl UnaryService<SayHelloRequest> for SayHello {
    type Response = SayHelloResponse;
    type Future = BoxFuture<Response<SayHelloResponse>, Status>;

    fn call(&mut self, request: Request<SayHelloRequest>) -> Self::Future {
        Box::pin(async move {
            let name = request.into_inner().name;
            Ok(Response::new(SayHelloResponse {
                result: format!("Hello {name}!"),
            }))
        })
    }
}

impl<B> Service<http::Request<B>> for Servey
where
    B: tonic::codegen::Body + Send + 'static,
    B::Error: Into<tonic::codegen::StdError> + Send + 'static,
{
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future = BoxFuture<Self::Response, Self::Error>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        match request.uri().path() {
            "/servey.Servey/SayHello" => Box::pin(async move {
                let codec = ProstCodec::<SayHelloResponse, SayHelloRequest>::default();
                Ok(Grpc::new(codec).unary(SayHello, request).await)
            }),
            _ => Box::pin(async move { Ok(Status::unimplemented("no such method").into_http()) }),
        }
    }
}

#[tokio::main]
async fn main() {
    let port: u16 = std::env::var("SERVER_PORT")
        .ok()
        .and_then(|port| port.parse().ok())
        .unwrap_or(50_051);
    let address = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    println!("grpc baseline listening on {address}");
    tonic::transport::Server::builder()
        .add_service(Servey)
        .serve(address)
        .await
        .expect("the baseline serves");
}

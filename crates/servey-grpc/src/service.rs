//! The gRPC face as one tower service: each request routed by its path (`/package.Service/Method`) to
//! an action, a channel, reflection or health; tonic frames, decodes and encodes.

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};

use axum::body::Body;
use axum::extract::Request;
use axum::response::Response;
use prost_reflect::DescriptorPool;
use prost_types::FileDescriptorSet;
use servey_core::App;
use tonic::Status;
use tonic::server::Grpc;
use tower::util::BoxCloneSyncService;
use tower::{Service, ServiceExt};

use crate::GrpcError;
use crate::call::ActionCall;
use crate::codec::DynamicCodec;
use crate::health::AppHealth;
use crate::proto::{ProtoFile, Target};
use crate::stream::ChannelCall;

/// A whole gRPC service of tonic's own (reflection, health), with its body made axum's.
type Builtin = BoxCloneSyncService<Request, Response, Infallible>;

/// What an RPC path runs.
enum Route {
    Action(ActionCall, DynamicCodec),
    Channel(ChannelCall, DynamicCodec),
}

/// What answers the RPCs, built from the app's `.proto` on the first call.
struct Inner {
    routes: HashMap<String, Route>,
    /// Reflection (v1, v1alpha) and health, by service name.
    builtins: HashMap<&'static str, Builtin>,
}

/// The app, its `.proto`, and what answers its RPCs once a call needed it.
struct Shared {
    app: App,
    file: Arc<ProtoFile>,
    built: OnceLock<Result<Inner, GrpcError>>,
}

/// The app's gRPC face: serve it for requests whose content type is `application/grpc`. Cheap to
/// clone. The `.proto` is made (and a clash of names refused) when the service is; the descriptors,
/// codecs, reflection and health only on the first call, so that an app that is not called over gRPC
/// does not build or hold them.
#[derive(Clone)]
pub struct GrpcService {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for GrpcService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GrpcService")
            .field("rpcs", &self.shared.file.methods.len())
            .finish_non_exhaustive()
    }
}

impl GrpcService {
    /// The gRPC face of `app`: its actions and channels, reflection and health.
    pub fn new(app: &App) -> Result<Self, GrpcError> {
        Ok(Self {
            shared: Arc::new(Shared {
                app: app.clone(),
                file: crate::read(app)?,
                built: OnceLock::new(),
            }),
        })
    }
}

impl Inner {
    /// The routes and built-in services of `app`'s `file`.
    fn build(app: &App, file: &ProtoFile) -> Result<Self, GrpcError> {
        let descriptor = file.descriptor();
        let mut pool = DescriptorPool::global();
        pool.add_file_descriptor_proto(descriptor.clone())
            .map_err(|error| GrpcError::Descriptor(error.to_string()))?;
        let routes = routes(app, file, &pool)?;
        let mut files: Vec<_> = file
            .imports
            .iter()
            .filter_map(|import| pool.get_file_by_name(import))
            .map(|import| import.file_descriptor_proto().clone())
            .collect();
        files.push(descriptor);
        let set = FileDescriptorSet { file: files };
        let builtins = builtins(app, file, set)?;
        Ok(Self { routes, builtins })
    }
}

impl GrpcService {
    /// Whether `request` is a gRPC call: its content type `application/grpc`, or that with a `+proto`
    /// (or other) suffix (not gRPC-Web's `application/grpc-web`, which this service does not speak).
    pub fn is_grpc(request: &Request) -> bool {
        request
            .headers()
            .get(http::header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("application/grpc"))
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(['+', ';']))
    }

    async fn answer(self, request: Request) -> Response {
        let app = &self.shared.app;
        let built = self
            .shared
            .built
            .get_or_init(|| Inner::build(app, &self.shared.file));
        let inner = match built {
            Ok(inner) => inner,
            Err(error) => {
                tracing::error!(%error, "the gRPC service cannot be built");
                return Status::internal(error.to_string()).into_http::<Body>();
            }
        };
        let path = request.uri().path();
        if let Some(route) = inner.routes.get(path) {
            return match route {
                Route::Action(call, codec) => {
                    // A call holds one of the app's request slots while its action runs, as a REST
                    // request does (taken once the message has arrived: a client sending slowly holds
                    // none); a stream, like a websocket, holds none.
                    let service = tower::service_fn(|request| async move {
                        let Some(_slot) = app.request_slots().try_acquire() else {
                            return Err(Status::unavailable(
                                "the server is at its limit of requests in flight; retry shortly",
                            ));
                        };
                        call.call(app, request).await
                    });
                    Grpc::new(codec.clone())
                        .unary(service, request)
                        .await
                        .map(Body::new)
                }
                Route::Channel(call, codec) => {
                    let service =
                        tower::service_fn(|request| std::future::ready(call.call(app, request)));
                    Grpc::new(codec.clone())
                        .server_streaming(service, request)
                        .await
                        .map(Body::new)
                }
            };
        }
        let service_name = path.trim_start_matches('/').split('/').next().unwrap_or("");
        if let Some(builtin) = inner.builtins.get(service_name) {
            return match builtin.clone().oneshot(request).await {
                Ok(response) => response,
                Err(never) => match never {},
            };
        }
        let status = Status::unimplemented(format!("no RPC at `{path}`"));
        status.into_http::<Body>()
    }
}

impl Service<Request> for GrpcService {
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let this = self.clone();
        Box::pin(async move { Ok(this.answer(request).await) })
    }
}

/// Each method's path and what it runs.
fn routes(
    app: &App,
    file: &ProtoFile,
    pool: &DescriptorPool,
) -> Result<HashMap<String, Route>, GrpcError> {
    let message = |name: &str| {
        pool.get_message_by_name(name.trim_start_matches('.'))
            .ok_or_else(|| GrpcError::Descriptor(format!("no message `{name}`")))
    };
    let service = file.service_name();
    let mut routes = HashMap::new();
    for method in &file.methods {
        let codec = DynamicCodec::new(message(&method.input)?);
        let output = message(&method.output)?;
        let route = match &method.target {
            Target::Action(name) => {
                let action = app
                    .registry()
                    .get(name)
                    .cloned()
                    .ok_or_else(|| GrpcError::Descriptor(format!("no action `{name}`")))?;
                Route::Action(
                    ActionCall {
                        action,
                        output,
                        reply: method.reply,
                    },
                    codec,
                )
            }
            Target::Channel(name) => Route::Channel(
                ChannelCall {
                    channel: name.clone(),
                    output,
                },
                codec,
            ),
        };
        routes.insert(format!("/{service}/{}", method.name), route);
    }
    Ok(routes)
}

/// Reflection over the app's file (and health's), and the health service.
fn builtins(
    app: &App,
    file: &ProtoFile,
    set: FileDescriptorSet,
) -> Result<HashMap<&'static str, Builtin>, GrpcError> {
    let invalid = |error: tonic_reflection::server::Error| GrpcError::Descriptor(error.to_string());
    let reflection = || {
        tonic_reflection::server::Builder::configure()
            .register_file_descriptor_set(set.clone())
            .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
    };
    let v1 = reflection().build_v1().map_err(invalid)?;
    let v1alpha = reflection().build_v1alpha().map_err(invalid)?;
    let health = tonic_health::pb::health_server::HealthServer::new(AppHealth {
        service: file.service_name(),
        probes: app.backends().probes().required(&app.config().settings),
    });
    Ok(HashMap::from([
        ("grpc.reflection.v1.ServerReflection", boxed(v1)),
        ("grpc.reflection.v1alpha.ServerReflection", boxed(v1alpha)),
        ("grpc.health.v1.Health", boxed(health)),
    ]))
}

fn boxed<S>(service: S) -> Builtin
where
    S: Service<Request, Response = http::Response<tonic::body::Body>, Error = Infallible>
        + Clone
        + Send
        + Sync
        + 'static,
    S::Future: Send + 'static,
{
    BoxCloneSyncService::new(service.map_response(|response| response.map(Body::new)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_type(content_type: &str) -> Request {
        axum::http::Request::post("/servey.Servey/SayHello")
            .header("content-type", content_type)
            .body(Body::empty())
            .expect("a request")
    }

    #[test]
    fn grpc_is_told_by_content_type() {
        assert!(GrpcService::is_grpc(&with_type("application/grpc")));
        assert!(GrpcService::is_grpc(&with_type("application/grpc+proto")));
        assert!(!GrpcService::is_grpc(&with_type("application/grpc-web")));
        assert!(!GrpcService::is_grpc(&with_type("application/json")));
    }
}

//! servey's gRPC adapter: the app's actions as one gRPC service on the app's own port.
//!
//! Every action served over REST is a unary RPC, and every websocket channel a server-streaming one,
//! in a `.proto` read from the schema model (the same model OpenAPI and GraphQL are projections of):
//! package and service from the app's title, a request message per action, the result's own message
//! (or a response holding it), `optional` for keys that may be absent or `null`, `Timestamp` for
//! `date-time`, `Value` for any JSON. Messages are decoded and encoded from descriptors at run time, and
//! every call goes through the one invoke path: credentials from the `authorization` metadata, the
//! deadline from `grpc-timeout`, errors as gRPC codes with Google's rich details (`BadRequest` field
//! violations with the same paths and codes as REST, `RetryInfo` for rate limits, `ErrorInfo` naming
//! servey's code). Server reflection (v1 and v1alpha) and the standard health service are served too.

use std::sync::Arc;

use servey_core::App;
use servey_core::event::SubscribableChannel;

mod call;
mod codec;
mod health;
mod proto;
mod service;
mod status;
mod stream;

pub use service::GrpcService;
pub use status::{ERROR_DOMAIN, status_of};

/// Why the gRPC face cannot be built from the app's schemas.
#[derive(Debug, thiserror::Error)]
pub enum GrpcError {
    /// Two messages, methods or fields would have one name.
    #[error(
        "two gRPC messages, methods or fields would be named `{name}`: rename one of the Rust types, \
         actions or fields behind it"
    )]
    NameClash {
        /// The name taken twice.
        name: String,
    },
    /// One schema name is given to two different types.
    #[error("the schema `{name}` of {owner} differs from another schema of that name: rename one")]
    TypeClash {
        /// The schema name.
        name: String,
        /// The action or channel with the second type.
        owner: String,
    },
    /// The descriptors made from the schemas do not hold together (a bug in servey).
    #[error("the gRPC descriptors made from the schemas are invalid: {0}")]
    Descriptor(String),
}

/// The `.proto` of `app`'s actions and channels (`--run=proto`).
pub fn proto(app: &App) -> Result<String, GrpcError> {
    Ok(read(app)?.to_text())
}

/// The descriptor of `app`'s `.proto`, as `protoc` would compile it (what reflection serves).
pub fn descriptor(app: &App) -> Result<prost_types::FileDescriptorProto, GrpcError> {
    Ok(read(app)?.descriptor())
}

/// The full name of `app`'s gRPC service (`servey.Servey`), the first segment of each method's path.
pub fn service_name(app: &App) -> String {
    let (package, service) = names(app);
    format!("{package}.{service}")
}

/// The gRPC package and service names of an app: its title in snake case and in Pascal case (`Servey
/// tour` serves `servey_tour.ServeyTour`).
fn names(app: &App) -> (String, String) {
    let title = &app.config().api_title;
    let service = proto::pascal_case(title);
    let mut package = String::new();
    for (index, c) in service.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if index > 0 {
                package.push('_');
            }
            package.push(c.to_ascii_lowercase());
        } else {
            package.push(c);
        }
    }
    (package, service)
}

/// The channels GraphQL and gRPC may subscribe to, from the app's backends.
fn channels(app: &App) -> Vec<SubscribableChannel> {
    app.backends()
        .event_subscriptions()
        .map(|source| source.channels())
        .unwrap_or_default()
}

fn read(app: &App) -> Result<Arc<proto::ProtoFile>, GrpcError> {
    let (package, service) = names(app);
    let file = proto::ProtoFile::read(app.registry(), &channels(app), &package, &service)?;
    Ok(Arc::new(file))
}

//! The gRPC side of the registry as plain data: one service whose methods are the actions (unary) and
//! the channels (server-streaming), and the messages their inputs, outputs and events become. Built once
//! from the schema model; the `.proto` text and the descriptors the server decodes with are both
//! projections of it, so they cannot disagree.

use std::collections::{BTreeMap, BTreeSet};

use servey_core::Registry;
use servey_core::event::SubscribableChannel;
use servey_core::schema::{ObjectType, SchemaModel, TypeKind, TypeModel};

use crate::GrpcError;

mod build;
mod descriptor;
mod naming;
mod text;
mod types;

pub(crate) use naming::pascal_case;

/// `google.protobuf.Value`: any JSON value.
pub(crate) const VALUE: &str = ".google.protobuf.Value";
/// `google.protobuf.Struct`: any JSON object.
pub(crate) const STRUCT: &str = ".google.protobuf.Struct";
/// `google.protobuf.Timestamp`: a `date-time` string.
pub(crate) const TIMESTAMP: &str = ".google.protobuf.Timestamp";

/// The type of a field's values (of one item, for a repeated field).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FieldType {
    Double,
    Int32,
    Int64,
    Uint32,
    Uint64,
    Bool,
    String,
    /// A message, by its full name with a leading dot (`.hello.Message`, `.google.protobuf.Value`).
    Message(String),
}

/// How many values a field holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Label {
    /// Exactly one (a scalar's zero value when not sent; a message may be absent).
    Singular,
    /// Zero or one, with presence (`optional`): a JSON key that may be absent or `null`.
    Optional,
    /// A list.
    Repeated,
    /// A JSON object with any keys: `map<string, T>`.
    Map,
}

/// One field of a message.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Field {
    /// The proto field name (an identifier).
    pub(crate) name: String,
    /// The JSON key it stands for (the field's `json_name`).
    pub(crate) json_name: String,
    /// Its number: its position among the JSON keys, from 1.
    pub(crate) number: i32,
    pub(crate) ty: FieldType,
    pub(crate) label: Label,
    pub(crate) description: Option<String>,
}

/// One message.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Message {
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    pub(crate) fields: Vec<Field>,
}

/// What an RPC runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// An action, by name: a unary call.
    Action(String),
    /// A channel, by name: a server-streaming call of its events.
    Channel(String),
}

/// How a result becomes the response message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reply {
    /// The result is the response message itself (an object, or any JSON value as `Value`).
    Direct,
    /// The result is the `result` field of a response message of its own.
    Wrapped,
}

/// One RPC of the service.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Method {
    pub(crate) name: String,
    pub(crate) target: Target,
    /// The request message's full name.
    pub(crate) input: String,
    /// The response message's full name (of each streamed event, for a channel).
    pub(crate) output: String,
    pub(crate) reply: Reply,
    pub(crate) description: Option<String>,
}

impl Method {
    /// Whether the call streams (a channel's events).
    pub(crate) fn is_streaming(&self) -> bool {
        matches!(self.target, Target::Channel(_))
    }
}

/// The whole `.proto`: a package, its one service, and every message.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ProtoFile {
    pub(crate) package: String,
    pub(crate) service: String,
    pub(crate) messages: Vec<Message>,
    pub(crate) methods: Vec<Method>,
    /// The well-known type files the messages use.
    pub(crate) imports: BTreeSet<&'static str>,
}

impl ProtoFile {
    /// The file's name in descriptors and reflection (`hello.proto`).
    pub(crate) fn file_name(&self) -> String {
        format!("{}.proto", self.package.replace('.', "/"))
    }

    /// The service's full name (`hello.Hello`), the first segment of every method's path.
    pub(crate) fn service_name(&self) -> String {
        format!("{}.{}", self.package, self.service)
    }

    /// The actions' and channels' model as a `.proto` file: package `package`, service `service`.
    pub(crate) fn read(
        registry: &Registry,
        channels: &[SubscribableChannel],
        package: &str,
        service: &str,
    ) -> Result<Self, GrpcError> {
        build::read(registry, channels, package, service)
    }
}

/// The components of every action and channel, merged; one name with two shapes is an error.
pub(crate) fn components<'a>(
    models: impl Iterator<Item = (&'a SchemaModel, String)>,
) -> Result<BTreeMap<String, TypeModel>, GrpcError> {
    let mut components: BTreeMap<String, TypeModel> = BTreeMap::new();
    for (model, owner) in models {
        for (name, ty) in &model.components {
            match components.get(name) {
                Some(existing) if existing != ty => {
                    return Err(GrpcError::TypeClash {
                        name: name.clone(),
                        owner,
                    });
                }
                Some(_) => {}
                None => {
                    components.insert(name.clone(), ty.clone());
                }
            }
        }
    }
    Ok(components)
}

/// Whether `object` is a map (no declared keys, any others allowed) rather than a record.
pub(crate) fn is_map(object: &ObjectType) -> bool {
    object.properties.is_empty() && !object.closed
}

/// Whether `ty` is a `date-time` string.
pub(crate) fn is_timestamp(ty: &TypeModel) -> bool {
    matches!(ty.kind, TypeKind::String) && ty.constraints.format.as_deref() == Some("date-time")
}

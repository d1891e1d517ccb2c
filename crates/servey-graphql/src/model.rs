//! The GraphQL side of the registry as plain data: query and mutation fields, object, input and enum
//! types, and how each GraphQL name maps back to a JSON key. Built once at start by
//! [`reader`](crate::reader); the schema and the resolvers read it.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use async_graphql::dynamic::TypeRef;
use servey_core::Action;

use crate::error::GraphqlError;

/// The scalar for values no GraphQL type describes: maps, free-form objects, unions, "any".
pub(crate) const JSON: &str = "JSON";
/// The scalar for integers that may not fit GraphQL's 32-bit `Int` (i64, u32, u64, usize).
pub(crate) const BIG_INT: &str = "BigInt";

/// What a GraphQL type is, as far as converting JSON to and from it goes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Kind {
    /// `Int`, `Float`, `String`, `Boolean`, [`BIG_INT`] or [`JSON`]: the JSON value as it is.
    Scalar(&'static str),
    /// A GraphQL enum whose values are the JSON strings.
    Enum(String),
    /// An object (output) or input object type, by name.
    Object(String),
    /// A list.
    List(Box<Ty>),
}

/// A GraphQL type reference: the kind plus whether `null` is allowed.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Ty {
    /// What it is.
    pub(crate) kind: Kind,
    /// Whether it may be null (no `!`).
    pub(crate) nullable: bool,
}

impl Ty {
    /// A non-null type of `kind`.
    pub(crate) fn required(kind: Kind) -> Self {
        Self {
            kind,
            nullable: false,
        }
    }

    /// This type, nullable.
    pub(crate) fn or_null(mut self) -> Self {
        self.nullable = true;
        self
    }

    /// The async-graphql type reference (`[String!]!`).
    pub(crate) fn type_ref(&self) -> TypeRef {
        let inner = match &self.kind {
            Kind::Scalar(name) => TypeRef::named(*name),
            Kind::Enum(name) | Kind::Object(name) => TypeRef::named(name.clone()),
            Kind::List(item) => TypeRef::List(Box::new(item.type_ref())),
        };
        if self.nullable {
            inner
        } else {
            TypeRef::NonNull(Box::new(inner))
        }
    }
}

/// A field of an object or input object, or an argument.
#[derive(Debug, Clone)]
pub(crate) struct Field {
    /// The GraphQL name (`isEven`).
    pub(crate) name: String,
    /// The JSON key it reads or writes (`is_even`).
    pub(crate) key: String,
    /// Its type.
    pub(crate) ty: Ty,
    /// Its docs.
    pub(crate) description: Option<String>,
}

/// An object or input object type.
#[derive(Debug, Clone)]
pub(crate) struct ObjectType {
    /// The GraphQL name.
    pub(crate) name: String,
    /// The docs of the Rust type.
    pub(crate) description: Option<String>,
    /// One field per JSON property.
    pub(crate) fields: Vec<Field>,
    /// Fields resolved by nested actions (output types only).
    pub(crate) nested: Vec<ActionField>,
}

/// An enum type.
#[derive(Debug, Clone)]
pub(crate) struct EnumType {
    /// The GraphQL name.
    pub(crate) name: String,
    /// Its docs.
    pub(crate) description: Option<String>,
    /// The values, as the JSON strings.
    pub(crate) values: Vec<String>,
}

/// How an action's input object becomes arguments.
#[derive(Debug, Clone)]
pub(crate) enum Args {
    /// One argument per input property.
    Fields(Vec<Field>),
    /// An input with no declared properties but any allowed: one optional `input: JSON` argument
    /// that is the whole input object.
    FreeForm,
}

/// The name of the one argument of a [`Args::FreeForm`] action.
pub(crate) const FREE_FORM_ARG: &str = "input";

/// A field that runs an action: top-level on `Query` / `Mutation`, or nested on its owner type.
#[derive(Debug, Clone)]
pub(crate) struct ActionField {
    /// The GraphQL name (`sayHello`, `factorial`).
    pub(crate) name: String,
    /// Summary, description and examples.
    pub(crate) description: Option<String>,
    /// The action it invokes.
    pub(crate) action: Arc<Action>,
    /// Its arguments.
    pub(crate) args: Args,
    /// Its result type (always nullable, so that one failing field leaves the others' data).
    pub(crate) output: Ty,
}

/// A `Subscription` field: the events of one websocket channel.
#[derive(Debug, Clone)]
pub(crate) struct SubscriptionField {
    /// The GraphQL name (`messenger`).
    pub(crate) name: String,
    /// The channel's name.
    pub(crate) channel: &'static str,
    /// The channel's docs.
    pub(crate) description: Option<String>,
    /// The event's type.
    pub(crate) event: Ty,
    /// The channel's subscription parameters, as arguments.
    pub(crate) args: Args,
}

/// The optional argument of a subscription field: the id targeted publishes and event filters see.
pub(crate) const SUBSCRIBER_ID_ARG: &str = "subscriberId";
/// The optional argument of a subscription field: the event id to resume after.
pub(crate) const SINCE_ARG: &str = "since";

/// Everything the GraphQL schema is built from.
#[derive(Debug, Default)]
pub(crate) struct Model {
    /// `Query` fields, by action name order.
    pub(crate) query: Vec<ActionField>,
    /// `Mutation` fields.
    pub(crate) mutation: Vec<ActionField>,
    /// `Subscription` fields, one per websocket channel.
    pub(crate) subscription: Vec<SubscriptionField>,
    /// Output object types by name.
    pub(crate) outputs: BTreeMap<String, ObjectType>,
    /// Input object types by name.
    pub(crate) inputs: BTreeMap<String, ObjectType>,
    /// Enum types by name.
    pub(crate) enums: BTreeMap<String, EnumType>,
    /// Whether the `JSON` scalar is referenced.
    pub(crate) uses_json: bool,
    /// Whether the `BigInt` scalar is referenced.
    pub(crate) uses_big_int: bool,
}

impl Model {
    /// Fails when two fields of one type (or two root fields, or two arguments) share a GraphQL name.
    pub(crate) fn check_names(&self) -> Result<(), GraphqlError> {
        let unique = |what: String, names: Vec<(&str, &str)>| -> Result<(), GraphqlError> {
            let mut seen: HashMap<&str, &str> = HashMap::new();
            for (name, source) in names {
                if let Some(first) = seen.insert(name, source) {
                    return Err(GraphqlError::NameClash {
                        what,
                        name: name.to_owned(),
                        first: first.to_owned(),
                        second: source.to_owned(),
                    });
                }
            }
            Ok(())
        };
        let roots = [
            ("Query fields", &self.query),
            ("Mutation fields", &self.mutation),
        ];
        for (what, fields) in roots {
            unique(
                what.to_owned(),
                fields
                    .iter()
                    .map(|f| (f.name.as_str(), f.action.name.as_str()))
                    .collect(),
            )?;
            for field in fields {
                if let Args::Fields(args) = &field.args {
                    unique(
                        format!("arguments of `{}`", field.name),
                        args.iter()
                            .map(|a| (a.name.as_str(), a.key.as_str()))
                            .collect(),
                    )?;
                }
            }
        }
        unique(
            "Subscription fields".to_owned(),
            self.subscription
                .iter()
                .map(|field| (field.name.as_str(), field.channel))
                .collect(),
        )?;
        for field in &self.subscription {
            if let Args::Fields(args) = &field.args {
                unique(
                    format!("arguments of `{}`", field.name),
                    args.iter()
                        .map(|a| (a.name.as_str(), a.key.as_str()))
                        .chain([
                            (SUBSCRIBER_ID_ARG, "the subscriber's id"),
                            (SINCE_ARG, "the event id to resume after"),
                        ])
                        .collect(),
                )?;
            }
        }
        for object in self.outputs.values().chain(self.inputs.values()) {
            let names = object
                .fields
                .iter()
                .map(|f| (f.name.as_str(), f.key.as_str()))
                .chain(
                    object
                        .nested
                        .iter()
                        .map(|n| (n.name.as_str(), n.action.name.as_str())),
                )
                .collect();
            unique(format!("fields of `{}`", object.name), names)?;
        }
        Ok(())
    }
}

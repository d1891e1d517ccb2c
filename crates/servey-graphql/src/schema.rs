//! The dynamic async-graphql schema, built once at start from the [`Model`]: `Query` and `Mutation`
//! action fields, `Subscription` fields of the app's websocket channels, object types with their property
//! and nested-action fields, input objects, enums and the `JSON` / `BigInt` scalars.

use std::collections::HashSet;
use std::sync::Arc;

use async_graphql::Value as GqlValue;
use async_graphql::dynamic::{
    Enum, Field, FieldFuture, InputObject, InputValue, Object, Scalar, Schema, Subscription,
    TypeRef,
};
use servey_core::App;

use crate::cost::Costs;
use crate::documents::Documents;
use crate::error::GraphqlError;
use crate::extension::ServeyExtension;
use crate::limits::GraphqlLimits;
use crate::model::{ActionField, Args, BIG_INT, FREE_FORM_ARG, JSON, Model, ObjectType};
use crate::prefetch::BatchedFields;
use crate::property::property_resolver;
use crate::reader::read_model;
use crate::resolve::{Types, action_resolver};
use crate::subscription::subscription_field;
use crate::trace::ActionSpans;

/// The field `Query` gets when no action is a query: GraphQL requires at least one.
pub(crate) const EMPTY_QUERY_FIELD: &str = "_empty";

/// A built schema, with the model it was built from, the costs of its fields and the names of its types.
pub(crate) struct Built {
    pub(crate) schema: Schema,
    pub(crate) model: Model,
    pub(crate) costs: Arc<Costs>,
    /// Every type the schema defines, GraphQL's built-in scalars included: what a variable may be
    /// declared as.
    pub(crate) type_names: HashSet<String>,
}

/// Builds the GraphQL schema of `app`'s actions and channels, with its limits and `documents`'
/// validation cache.
pub(crate) fn build_schema(
    app: &App,
    documents: &Documents,
    limits: GraphqlLimits,
) -> Result<Built, GraphqlError> {
    let source = app.backends().event_subscriptions();
    let channels = source.map(|source| source.channels()).unwrap_or_default();
    let model = read_model(app.registry(), &channels)?;
    let types = Types {
        inputs: Arc::new(model.inputs.clone()),
        batched: BatchedFields::of(&model),
    };
    let has_mutation = !model.mutation.is_empty();
    let subscription = source.filter(|_| !model.subscription.is_empty());
    let mut builder = Schema::build(
        "Query",
        has_mutation.then_some("Mutation"),
        subscription.is_some().then_some("Subscription"),
    );
    if let Some(source) = subscription {
        let root = model
            .subscription
            .iter()
            .fold(Subscription::new("Subscription"), |root, field| {
                root.field(subscription_field(field, source, &types.inputs))
            });
        builder = builder.register(root);
    }

    let mut query = Object::new("Query");
    for field in &model.query {
        query = query.field(action_field(field, &types, false));
    }
    if model.query.is_empty() {
        query = query.field(
            Field::new(EMPTY_QUERY_FIELD, TypeRef::named(TypeRef::BOOLEAN), |_| {
                FieldFuture::from_value(None)
            })
            .description(
                "Always null: this app has no query actions, and GraphQL needs one field.",
            ),
        );
    }
    builder = builder.register(query);
    if has_mutation {
        let mutation = model
            .mutation
            .iter()
            .fold(Object::new("Mutation"), |object, field| {
                object.field(action_field(field, &types, false))
            });
        builder = builder.register(mutation);
    }
    for object in model.outputs.values() {
        builder = builder.register(output_object(object, &types));
    }
    for object in model.inputs.values() {
        builder = builder.register(input_object(object));
    }
    for enumeration in model.enums.values() {
        let mut item =
            Enum::new(&enumeration.name).items(enumeration.values.iter().map(String::as_str));
        if let Some(description) = &enumeration.description {
            item = item.description(description);
        }
        builder = builder.register(item);
    }
    builder = register_scalars(builder, &model);
    let costs = Arc::new(Costs::of(&model));
    let type_names = type_names(&model, subscription.is_some());
    let schema = builder
        .extension(
            ServeyExtension {
                documents: documents.clone(),
                limits,
                spans: ActionSpans::of(&model),
                costs: costs.clone(),
                objects: Arc::new(model.outputs.keys().cloned().collect()),
            }
            .shared(),
        )
        .finish()?;
    Ok(Built {
        schema,
        model,
        costs,
        type_names,
    })
}

/// The names of the types [`build_schema`] registers for `model` (the `Subscription` root when it
/// `subscribes`), and GraphQL's built-in scalars: read from the model, not from the schema's SDL, whose
/// writing and parsing cost more than building the schema.
fn type_names(model: &Model, subscribes: bool) -> HashSet<String> {
    let roots = [
        Some("Query"),
        (!model.mutation.is_empty()).then_some("Mutation"),
        subscribes.then_some("Subscription"),
        model.uses_json.then_some(JSON),
        model.uses_big_int.then_some(BIG_INT),
    ];
    ["Int", "Float", "String", "Boolean", "ID"]
        .into_iter()
        .chain(roots.into_iter().flatten())
        .map(str::to_owned)
        .chain(model.outputs.keys().cloned())
        .chain(model.inputs.keys().cloned())
        .chain(model.enums.values().map(|item| item.name.clone()))
        .collect()
}

fn action_field(field: &ActionField, types: &Types, is_nested: bool) -> Field {
    let mut graphql = Field::new(
        &field.name,
        field.output.type_ref(),
        action_resolver(field, types, is_nested),
    );
    if let Some(description) = &field.description {
        graphql = graphql.description(description);
    }
    for argument in arguments_of(&field.args) {
        graphql = graphql.argument(argument);
    }
    graphql
}

/// The GraphQL arguments of an input object (an action's, or a channel's subscription parameters).
pub(crate) fn arguments_of(args: &Args) -> Vec<InputValue> {
    match args {
        Args::Fields(args) => args
            .iter()
            .map(|arg| {
                let input = InputValue::new(&arg.name, arg.ty.type_ref());
                match &arg.description {
                    Some(description) => input.description(description),
                    None => input,
                }
            })
            .collect(),
        Args::FreeForm => vec![
            InputValue::new(FREE_FORM_ARG, TypeRef::named(JSON))
                .description("The whole input object (this action declares no parameters)."),
        ],
    }
}

fn output_object(object: &ObjectType, types: &Types) -> Object {
    let mut graphql = Object::new(&object.name);
    if let Some(description) = &object.description {
        graphql = graphql.description(description);
    }
    for field in &object.fields {
        let mut property = Field::new(&field.name, field.ty.type_ref(), property_resolver(field));
        if let Some(description) = &field.description {
            property = property.description(description);
        }
        graphql = graphql.field(property);
    }
    for nested in &object.nested {
        graphql = graphql.field(action_field(nested, types, true));
    }
    graphql
}

fn input_object(object: &ObjectType) -> InputObject {
    let mut graphql = InputObject::new(&object.name);
    if let Some(description) = &object.description {
        graphql = graphql.description(description);
    }
    for field in &object.fields {
        let mut input = InputValue::new(&field.name, field.ty.type_ref());
        if let Some(description) = &field.description {
            input = input.description(description);
        }
        graphql = graphql.field(input);
    }
    graphql
}

fn register_scalars(
    mut builder: async_graphql::dynamic::SchemaBuilder,
    model: &Model,
) -> async_graphql::dynamic::SchemaBuilder {
    if model.uses_json {
        builder = builder.register(Scalar::new(JSON).description(
            "Any JSON value: maps, free-form objects and values no other GraphQL type describes.",
        ));
    }
    if model.uses_big_int {
        builder = builder.register(
            Scalar::new(BIG_INT)
                .description(
                    "A whole number that may not fit GraphQL's 32-bit Int (Rust i64, u32, u64, usize), \
                     written as a JSON number. JavaScript clients lose precision above 2^53.",
                )
                .validator(|value| match value {
                    GqlValue::Number(number) => number.is_i64() || number.is_u64(),
                    _ => false,
                }),
        );
    }
    builder
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};
    use servey_core::{Action, ActionSchema, Registry, ServeyConfig, Trigger};
    use utoipa::openapi::RefOr;
    use utoipa::openapi::schema::Schema as JsonSchema;

    use super::*;

    fn schema(json: Value) -> RefOr<JsonSchema> {
        serde_json::from_value(json).expect("a valid utoipa schema")
    }

    /// An action whose input and output use an input object, enums, a free-form object (`JSON`) and a
    /// 64-bit integer (`BigInt`).
    fn catalog(name: &str, trigger: Trigger) -> Action {
        let filter = json!({"type": "object", "required": ["kind"], "properties": {
            "kind": {"$ref": "#/components/schemas/Kind"},
            "max_items": {"type": ["integer", "null"], "format": "int64"},
            "extra": {"type": "object", "additionalProperties": true}
        }});
        let input = json!({"type": "object", "required": ["filter"], "properties": {
            "filter": {"$ref": "#/components/schemas/Filter"}
        }});
        let output = json!({"type": "object", "properties": {
            "mood": {"type": "string", "enum": ["happy", "sad"]},
            "filter": {"$ref": "#/components/schemas/Filter"}
        }});
        let kind = json!({"type": "string", "enum": ["BOOK", "MUSIC"]});
        let components = [("Filter", filter), ("Kind", kind)]
            .into_iter()
            .map(|(name, json)| (name.to_owned(), schema(json)))
            .collect();
        Action::builder(name, |input: Value, _| async move { Ok(input) })
            .trigger(trigger)
            .schema(ActionSchema::new(schema(input), schema(output), components))
            .build()
    }

    #[test]
    fn the_type_names_read_from_the_model_are_those_the_sdl_defines() {
        let registry = Registry::builder()
            .action(catalog("catalog", Trigger::web_get()))
            .action(catalog("store", Trigger::web_post()))
            .build()
            .expect("unique names");
        let app = App::new(registry, ServeyConfig::default());
        let built = build_schema(&app, &Documents::new(0), GraphqlLimits::default())
            .expect("the schema builds");
        let from_sdl = crate::document::type_names(&built.schema.sdl());
        for name in [
            "Mutation",
            "JSON",
            "BigInt",
            "Kind",
            "FilterInput",
            "Filter",
        ] {
            assert!(
                from_sdl.contains(name),
                "{name} is in the SDL: {from_sdl:?}"
            );
        }
        assert_eq!(built.type_names, from_sdl);
    }
}

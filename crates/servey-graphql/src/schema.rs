//! The dynamic async-graphql schema, built once at start from the [`Model`]: `Query` and `Mutation`
//! action fields, `Subscription` fields of the app's websocket channels, object types with their property
//! and nested-action fields, input objects, enums and the `JSON` / `BigInt` scalars.

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

/// Builds the GraphQL schema of `app`'s actions and channels, with its limits and `documents`'
/// validation cache; with the model it was built from and the costs of its fields.
pub(crate) fn build_schema(
    app: &App,
    documents: &Documents,
    limits: GraphqlLimits,
) -> Result<(Schema, Model, Arc<Costs>), GraphqlError> {
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
                root.field(subscription_field(field, source))
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
    let schema = builder
        .extension(ServeyExtension {
            documents: documents.clone(),
            limits,
            spans: ActionSpans::of(&model),
            costs: costs.clone(),
            objects: Arc::new(model.outputs.keys().cloned().collect()),
        })
        .finish()?;
    Ok((schema, model, costs))
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
    match &field.args {
        Args::Fields(args) => {
            for arg in args {
                let mut input = InputValue::new(&arg.name, arg.ty.type_ref());
                if let Some(description) = &arg.description {
                    input = input.description(description);
                }
                graphql = graphql.argument(input);
            }
        }
        Args::FreeForm => {
            graphql = graphql.argument(
                InputValue::new(FREE_FORM_ARG, TypeRef::named(JSON))
                    .description("The whole input object (this action declares no parameters)."),
            );
        }
    }
    graphql
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

//! The type mapping on a model with every kind the tour lacks: enums (named and inline), inline
//! objects, maps, widths and signedness, free-form values, dangling names and keyword fields.

use quote::quote;
use servey_core::schema::{IntegerType, ObjectType, Property, SchemaModel, TypeKind, TypeModel};

use super::types::Types;

fn integer(
    signed: bool,
    bits: Option<u8>,
    minimum: Option<f64>,
    maximum: Option<f64>,
) -> TypeModel {
    TypeModel::of(TypeKind::Integer(IntegerType {
        bits,
        signed,
        minimum,
        maximum,
    }))
}

fn property(name: &str, required: bool, ty: TypeModel) -> Property {
    Property {
        name: name.to_owned(),
        required,
        ty,
    }
}

fn enumeration(values: &[&str]) -> TypeModel {
    TypeModel::of(TypeKind::Enum {
        values: values.iter().map(|value| (*value).to_owned()).collect(),
    })
}

fn model() -> SchemaModel {
    let object = |properties| {
        TypeModel::of(TypeKind::Object(ObjectType {
            properties,
            additional: None,
            closed: false,
        }))
    };
    let mut order = object(vec![
        property("orderId", true, integer(true, Some(32), None, None)),
        property("type", true, TypeModel::of(TypeKind::String)),
        property(
            "count",
            true,
            integer(false, Some(32), Some(0.0), Some(200.0)),
        ),
        property("delta", true, integer(true, Some(16), None, None)),
        property("total", true, integer(true, Some(64), None, None)),
        // A Rust `u64` is documented and served as `0..=i64::MAX`.
        property(
            "sequence",
            true,
            integer(false, Some(64), Some(0.0), Some(i64::MAX as f64)),
        ),
        property(
            "port",
            true,
            integer(false, Some(32), Some(0.0), Some(f64::from(u32::MAX))),
        ),
        property(
            "hash",
            true,
            integer(false, None, Some(0.0), Some(u64::MAX as f64)),
        ),
        property(
            "tags",
            false,
            TypeModel::of(TypeKind::List {
                items: Box::new(TypeModel::of(TypeKind::String)),
            })
            .or_null(),
        ),
        property(
            "weights",
            true,
            TypeModel::of(TypeKind::Map {
                values: Box::new(TypeModel::of(TypeKind::Number)),
            }),
        ),
        property(
            "shipping",
            true,
            object(vec![property(
                "city",
                true,
                TypeModel::of(TypeKind::String),
            )]),
        ),
        property("kind", true, enumeration(&["a", "b"])),
        property(
            "status",
            true,
            TypeModel::of(TypeKind::Named {
                name: "Status".into(),
            }),
        ),
        property("blob", true, TypeModel::any()),
        property(
            "ghost",
            true,
            TypeModel::of(TypeKind::Named {
                name: "Missing".into(),
            }),
        ),
    ]);
    if let TypeKind::Object(order) = &mut order.kind {
        order.additional = Some(Box::new(TypeModel::of(TypeKind::Boolean)));
    }
    SchemaModel {
        components: [
            ("Order".to_owned(), order),
            ("Node".to_owned(), node()),
            (
                "Status".to_owned(),
                enumeration(&["in-progress", "done", "Done"]),
            ),
        ]
        .into_iter()
        .collect(),
        ..SchemaModel::default()
    }
}

/// A component that holds itself, directly and through a list.
fn node() -> TypeModel {
    let named = || {
        TypeModel::of(TypeKind::Named {
            name: "Node".into(),
        })
    };
    TypeModel::of(TypeKind::Object(ObjectType {
        properties: vec![
            property("next", false, named().or_null()),
            property("parent", false, named()),
            property(
                "children",
                true,
                TypeModel::of(TypeKind::List {
                    items: Box::new(named()),
                }),
            ),
        ],
        additional: None,
        closed: false,
    }))
}

#[test]
fn every_kind_of_the_model_becomes_a_rust_type() {
    let model = model();
    let mut types = Types::default();
    for name in model.components.keys() {
        let rust_name = types.claim(name);
        types.named.insert(name.clone(), rust_name);
    }
    for (name, ty) in &model.components {
        types.component(&model, name, ty);
    }
    let items = &types.items;
    let file: syn::File = syn::parse2(quote! { #(#items)* }).expect("the items parse");
    let source = prettyplease::unparse(&file);
    for expected in [
        "#[serde(rename = \"orderId\")]\n    pub order_id: i32,",
        "pub r#type: String,",
        "pub count: u8,",
        "pub delta: i16,",
        "pub total: i64,",
        "pub sequence: i64,",
        "pub port: u32,",
        "pub hash: u64,",
        "#[serde(default, skip_serializing_if = \"Option::is_none\")]\n    pub tags: Option<Vec<String>>,",
        "pub weights: std::collections::BTreeMap<String, f64>,",
        "pub shipping: OrderShipping,",
        "pub struct OrderShipping {",
        "pub kind: OrderKind,",
        "pub enum OrderKind {",
        "pub status: Status,",
        "pub next: Option<Box<Node>>,",
        "pub parent: Option<Box<Node>>,",
        "pub children: Vec<Node>,",
        "#[serde(flatten)]\n    pub additional: std::collections::BTreeMap<String, bool>,",
        "pub blob: serde_json::Value,",
        "pub ghost: serde_json::Value,",
        "#[serde(rename = \"in-progress\")]\n    InProgress,",
        "#[serde(rename = \"Done\")]\n    Done2,",
    ] {
        assert!(
            source.contains(expected),
            "{expected:?} is missing from:\n{source}"
        );
    }
}

#[test]
fn actions_whose_names_make_one_function_name_get_two_functions() {
    use servey_core::{Action, Registry, ServeyConfig, Trigger};
    let action = |name: &str| {
        Action::builder(name, |_input, _context| async {
            Ok(serde_json::Value::Null)
        })
        .trigger(Trigger::web_get())
        .build()
    };
    let hidden = Action::builder("no_route", |_input, _context| async {
        Ok(serde_json::Value::Null)
    })
    .build();
    let registry = Registry::builder()
        .action(action("getUser"))
        .action(action("get_user"))
        .action(hidden)
        .build()
        .expect("the names are unique");
    let app = servey_core::App::builder(registry, ServeyConfig::default())
        .build()
        .expect("the app builds");
    let source = super::client_source(&app);
    assert!(source.contains("pub async fn get_user("), "{source}");
    assert!(source.contains("pub async fn get_user_2("), "{source}");
    assert!(source.contains("client.call_value(\"getUser\""), "{source}");
    assert!(!source.contains("no_route"), "{source}");
}

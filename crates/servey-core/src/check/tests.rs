use serde_json::json;
use utoipa::ToSchema;

use super::*;

#[derive(ToSchema)]
#[allow(dead_code)]
struct Credentials {
    #[schema(format = "email")]
    email: String,
    #[schema(min_length = 8)]
    password: String,
}

#[derive(ToSchema)]
#[allow(dead_code)]
enum Color {
    Red,
    Blue,
}

#[derive(ToSchema)]
#[allow(dead_code)]
#[serde(deny_unknown_fields)]
struct Closed {
    only: bool,
}

#[derive(ToSchema)]
#[allow(dead_code)]
struct Constrained {
    #[schema(min_length = 1, max_length = 5, pattern = "^[a-z]+$")]
    name: String,
    #[schema(maximum = 1000)]
    count: u32,
    #[schema(exclusive_minimum = 0.0, multiple_of = 0.5)]
    ratio: f64,
    #[schema(min_items = 1, max_items = 3)]
    tags: std::collections::BTreeSet<String>,
    user: Credentials,
    color: Option<Color>,
    closed: Option<Closed>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
struct Line {
    count: u32,
}

#[derive(ToSchema)]
#[allow(dead_code)]
struct Plain {
    price: u64,
    ratio: f64,
    anything: serde_json::Value,
    lines: Vec<Line>,
    small: Option<u8>,
    offset: i64,
}

fn checker<T: ToSchema>() -> Checker {
    let schema = crate::schema::action_schema::<T, ()>();
    Checker::new(schema.model().clone())
}

fn errors(checker: &Checker, mut value: Value, unknown: UnknownFields) -> Vec<(String, String)> {
    checker
        .check(&mut value, unknown)
        .into_iter()
        .map(|error| (error.path, format!("{}: {}", error.code, error.message)))
        .collect()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(path, text)| ((*path).to_owned(), (*text).to_owned()))
        .collect()
}

#[test]
fn only_declared_constraints_make_an_input_walked_on_every_call() {
    assert!(checker::<Constrained>().constrained());
    let plain = checker::<Plain>();
    assert!(!plain.constrained(), "widths alone are decoding's to check");
    assert!(plain.has_integers());
}

#[test]
fn a_valid_input_passes() {
    let valid = json!({
        "name": "abc", "count": 1000, "ratio": 1.5, "tags": ["a", "b"],
        "user": {"email": "jake@jake.jake", "password": "12345678"},
        "color": "Red", "closed": {"only": true}, "extra": 1
    });
    assert_eq!(
        errors(&checker::<Constrained>(), valid, UnknownFields::Ignore),
        []
    );
}

#[test]
fn every_broken_constraint_is_named_with_its_path_and_code() {
    let bad = json!({
        "name": "Abcdef", "count": 1001, "ratio": 0.75, "tags": ["a", "a", "b", "c"],
        "user": {"email": "jake", "password": "short"}, "color": "Pink"
    });
    assert_eq!(
        errors(&checker::<Constrained>(), bad, UnknownFields::Ignore),
        pairs(&[
            (
                "name",
                "max_length: must be at most 5 characters long, not 6"
            ),
            ("name", "pattern: must match the pattern `^[a-z]+$`"),
            ("count", "range: must be an integer from 0 to 1000"),
            ("ratio", "multiple_of: must be a multiple of 0.5"),
            ("tags", "max_items: must have at most 3 items, not 4"),
            (
                "tags",
                "unique_items: must not repeat an item; items 0 and 1 are equal"
            ),
            ("user.email", "format: must be an email address"),
            (
                "user.password",
                "min_length: must be at least 8 characters long, not 5"
            ),
            ("color", "enum: must be one of `Red`, `Blue`"),
        ])
    );
}

#[test]
fn missing_and_mistyped_fields_are_reported_where_they_are() {
    let bad = json!({
        "name": "", "count": "many", "ratio": 0, "tags": [],
        "user": {"email": "jake@jake.jake"}, "closed": null
    });
    assert_eq!(
        errors(&checker::<Constrained>(), bad, UnknownFields::Ignore),
        pairs(&[
            ("name", "min_length: must not be empty"),
            ("name", "pattern: must match the pattern `^[a-z]+$`"),
            ("count", "type: must be an integer, not a string"),
            ("ratio", "range: must be greater than 0"),
            ("tags", "min_items: must not be empty"),
            ("user.password", "missing: is required"),
        ])
    );
    assert_eq!(
        errors(
            &checker::<Constrained>(),
            json!({"name": null}),
            UnknownFields::Ignore
        )[..2],
        pairs(&[
            ("name", "type: must be a string, not null"),
            ("count", "missing: is required"),
        ])[..]
    );
}

#[test]
fn unknown_keys_are_refused_by_policy_or_by_a_closed_type() {
    let input = json!({
        "name": "a", "count": 1, "ratio": 1, "tags": ["a"],
        "user": {"email": "a@b.c", "password": "12345678", "admin": true},
        "closed": {"only": true, "more": 1}, "extra": 1
    });
    let checker = checker::<Constrained>();
    assert_eq!(
        errors(&checker, input.clone(), UnknownFields::Ignore),
        pairs(&[(
            "closed.more",
            "unknown_field: is not a field here; the fields are `only`"
        )])
    );
    let refused = errors(&checker, input, UnknownFields::Refuse);
    let paths: Vec<&str> = refused.iter().map(|(path, _)| path.as_str()).collect();
    assert_eq!(paths, ["user.admin", "closed.more", "extra"]);
    assert_eq!(
        errors(
            &checker,
            json!({"closed": null, "color": null}),
            UnknownFields::Ignore
        )
        .len(),
        5,
        "only the five required fields: null is an `Option`'s none"
    );
}

#[test]
fn whole_floats_become_integers_only_where_the_schema_says_integer() {
    let mut value = json!({
        "price": 1999.0, "ratio": 2.0, "anything": 3.0, "lines": [{"count": 4.0}], "small": 5e0,
        "offset": -1
    });
    assert_eq!(
        checker::<Plain>().check(&mut value, UnknownFields::Ignore),
        []
    );
    assert_eq!(
        value.to_string(),
        r#"{"anything":3.0,"lines":[{"count":4}],"offset":-1,"price":1999,"ratio":2.0,"small":5}"#
    );
}

#[test]
fn integers_outside_their_range_or_with_a_fraction_are_named() {
    let value = json!({
        "price": u64::MAX, "ratio": 1.0, "anything": u64::MAX, "offset": 1.5,
        "lines": [{"count": 1}, {"count": 4294967296.0}], "small": 256
    });
    assert_eq!(
        errors(&checker::<Plain>(), value, UnknownFields::Ignore),
        pairs(&[
            (
                "price",
                "range: must be an integer from 0 to 9223372036854775807"
            ),
            (
                "lines[1].count",
                "range: must be an integer from 0 to 4294967295"
            ),
            ("small", "range: must be an integer from 0 to 255"),
            (
                "offset",
                "type: must be an integer, not a number with a fraction"
            ),
        ])
    );
}

#[test]
fn a_pattern_that_is_no_regular_expression_is_reported_at_start() {
    #[derive(ToSchema)]
    #[allow(dead_code)]
    struct Broken {
        #[schema(pattern = "[a-")]
        code: String,
    }
    let checker = checker::<Broken>();
    assert_eq!(checker.bad_patterns().len(), 1);
    assert_eq!(checker.bad_patterns()[0].0, "[a-");
}

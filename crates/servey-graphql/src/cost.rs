//! What an operation costs, checked against `SERVEY_GRAPHQL_MAX_COMPLEXITY` before it runs. async-graphql's
//! dynamic schema counts every field once, whatever list it sits in, so `numberRange(count: 1000)` cost
//! as much as `numberStats`; this module counts list sizes instead, from the schema's model.
//!
//! The rule: a field costs 1 plus the cost of its selection, and a field whose type is a list
//! multiplies its selection's cost by its size. The size is the value of the field's integer argument
//! named one of [`SIZE_ARGUMENTS`] (`count`, `limit`, `first`, ...), written in the query or passed as
//! a variable; without one (or when it is null), it is [`DEFAULT_LIST_SIZE`]. A list of scalars has no
//! selection, so it costs 1 (its length is bounded by the answer-size limit instead). Fields the model
//! does not know (`__schema`, `__typename`) cost 1 plus their selection.

use std::cell::Cell;
use std::collections::{HashMap, HashSet};

use async_graphql::Variables;
use async_graphql::dynamic::TypeRef;
use async_graphql::parser::types::{
    ExecutableDocument, Field, OperationDefinition, OperationType, Selection, SelectionSet,
};
use async_graphql::{Name, Positioned, Value as ConstValue};

use crate::document::selected_operation;
use crate::model::{ActionField, Args, BIG_INT, Kind, Model, Ty};

/// The names of the integer arguments that bound the length of a list field's result.
pub(crate) const SIZE_ARGUMENTS: [&str; 7] = [
    "count", "limit", "first", "last", "size", "take", "pageSize",
];

/// The size counted for a list field without a size argument.
pub(crate) const DEFAULT_LIST_SIZE: usize = 10;

/// How deep (selections and fragment spreads together) a document is walked: deeper ones are refused
/// by async-graphql's own recursion limit, and cost as much as can be counted here.
const MAX_WALK_DEPTH: usize = 128;

/// The cost of each field of the schema, by type name and field name.
#[derive(Debug, Default)]
pub(crate) struct Costs {
    fields: HashMap<String, HashMap<String, FieldCost>>,
}

/// What a field's cost depends on.
#[derive(Debug)]
struct FieldCost {
    /// For a list field: its size argument, if it has one (`None`: [`DEFAULT_LIST_SIZE`]).
    list: Option<Option<String>>,
    /// The object type its selection is made on.
    object: Option<String>,
}

impl Costs {
    /// The costs of `model`'s fields.
    pub(crate) fn of(model: &Model) -> Self {
        let mut fields: HashMap<String, HashMap<String, FieldCost>> = HashMap::new();
        let mut add = |owner: &str, name: &str, ty: &Ty, args: Option<&Args>| {
            let size_argument = match args {
                Some(Args::Fields(args)) => args
                    .iter()
                    .find(|arg| SIZE_ARGUMENTS.contains(&arg.name.as_str()) && is_integer(&arg.ty))
                    .map(|arg| arg.name.clone()),
                _ => None,
            };
            let cost = FieldCost {
                list: matches!(ty.kind, Kind::List(_)).then_some(size_argument),
                object: object_of(ty),
            };
            fields
                .entry(owner.to_owned())
                .or_default()
                .insert(name.to_owned(), cost);
        };
        let mut add_action = |owner: &str, field: &ActionField| {
            add(owner, &field.name, &field.output, Some(&field.args));
        };
        for field in &model.query {
            add_action("Query", field);
        }
        for field in &model.mutation {
            add_action("Mutation", field);
        }
        for object in model.outputs.values() {
            for nested in &object.nested {
                add_action(&object.name, nested);
            }
        }
        for object in model.outputs.values() {
            for field in &object.fields {
                add(&object.name, &field.name, &field.ty, None);
            }
        }
        for field in &model.subscription {
            add("Subscription", &field.name, &field.event, None);
        }
        Self { fields }
    }

    /// The cost of the operation `operation_name` picks from `document` (when it picks none, the
    /// highest of its operations'), with `variables` giving the sizes passed as variables.
    pub(crate) fn of_operation(
        &self,
        document: &ExecutableDocument,
        operation_name: Option<&str>,
        variables: &Variables,
    ) -> Costed {
        let picked = selected_operation(document, operation_name);
        let reads_variables = Cell::new(false);
        let of = |operation: &Positioned<OperationDefinition>| {
            Walk {
                costs: self,
                document,
                operation: &operation.node,
                variables,
                reads_variables: &reads_variables,
                fragments: HashMap::new(),
                visiting: HashSet::new(),
            }
            .operation()
        };
        let cost = match picked {
            Some(operation) => of(operation),
            None => document
                .operations
                .iter()
                .map(|(_, operation)| of(operation))
                .max()
                .unwrap_or(0),
        };
        Costed {
            cost,
            reads_variables: reads_variables.get(),
        }
    }
}

/// What an operation costs, and whether that depends on the values of its variables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Costed {
    /// The cost.
    pub(crate) cost: usize,
    /// Whether a size came from a variable: the same document may cost otherwise with other values.
    pub(crate) reads_variables: bool,
}

/// Whether `ty` is `Int` or `BigInt`.
fn is_integer(ty: &Ty) -> bool {
    matches!(ty.kind, Kind::Scalar(name) if name == TypeRef::INT || name == BIG_INT)
}

/// The object type a selection on a field of type `ty` is made on, through lists.
fn object_of(ty: &Ty) -> Option<String> {
    match &ty.kind {
        Kind::Object(name) => Some(name.clone()),
        Kind::List(item) => object_of(item),
        Kind::Scalar(_) | Kind::Enum(_) => None,
    }
}

/// One walk over one operation; a fragment's cost is counted once and remembered.
struct Walk<'a> {
    costs: &'a Costs,
    document: &'a ExecutableDocument,
    operation: &'a OperationDefinition,
    variables: &'a Variables,
    reads_variables: &'a Cell<bool>,
    fragments: HashMap<&'a str, usize>,
    /// The fragments being walked: a spread of one of them is a cycle, which validation refuses.
    visiting: HashSet<&'a str>,
}

impl<'a> Walk<'a> {
    fn operation(&mut self) -> usize {
        let root = match self.operation.ty {
            OperationType::Query => "Query",
            OperationType::Mutation => "Mutation",
            OperationType::Subscription => "Subscription",
        };
        self.selection_set(&self.operation.selection_set.node, Some(root), 0)
    }

    fn selection_set(
        &mut self,
        set: &'a SelectionSet,
        owner: Option<&'a str>,
        depth: usize,
    ) -> usize {
        if depth > MAX_WALK_DEPTH {
            return usize::MAX;
        }
        let mut total = 0_usize;
        for selection in &set.items {
            let cost = match &selection.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    let known = owner.and_then(|owner| {
                        self.costs.fields.get(owner)?.get(field.name.node.as_str())
                    });
                    let object = known.and_then(|known| known.object.as_deref());
                    let selection =
                        self.selection_set(&field.selection_set.node, object, depth + 1);
                    let size = match known.and_then(|known| known.list.as_ref()) {
                        Some(argument) => argument
                            .as_deref()
                            .and_then(|argument| self.size(field, argument))
                            .unwrap_or(DEFAULT_LIST_SIZE),
                        None => 1,
                    };
                    size.saturating_mul(selection).saturating_add(1)
                }
                Selection::InlineFragment(fragment) => {
                    let fragment = &fragment.node;
                    let on = fragment
                        .type_condition
                        .as_ref()
                        .map(|condition| condition.node.on.node.as_str());
                    self.selection_set(&fragment.selection_set.node, on.or(owner), depth + 1)
                }
                Selection::FragmentSpread(spread) => {
                    self.fragment(spread.node.fragment_name.node.as_str(), depth + 1)
                }
            };
            total = total.saturating_add(cost);
        }
        total
    }

    fn fragment(&mut self, name: &'a str, depth: usize) -> usize {
        if let Some(cost) = self.fragments.get(name) {
            return *cost;
        }
        let Some((name, definition)) = self.document.fragments.get_key_value(name) else {
            return 0;
        };
        if !self.visiting.insert(name.as_str()) {
            return 0;
        }
        let on = definition.node.type_condition.node.on.node.as_str();
        let cost = self.selection_set(&definition.node.selection_set.node, Some(on), depth);
        self.visiting.remove(name.as_str());
        self.fragments.insert(name.as_str(), cost);
        cost
    }

    /// The size `field` gives in its `argument`: a whole number, written or passed as a variable.
    fn size(&self, field: &Field, argument: &str) -> Option<usize> {
        let value = field.get_argument(argument)?.node.clone();
        let value = value
            .into_const_with(|variable| self.variable(&variable).ok_or(()))
            .ok()?;
        let ConstValue::Number(number) = value else {
            return None;
        };
        // A negative size lists nothing.
        number
            .as_u64()
            .map(|size| usize::try_from(size).unwrap_or(usize::MAX))
            .or_else(|| number.as_i64().map(|_| 0))
    }

    /// The value of `$variable`: as passed, else its default.
    fn variable(&self, variable: &Name) -> Option<ConstValue> {
        self.reads_variables.set(true);
        self.variables.get(variable).cloned().or_else(|| {
            self.operation
                .variable_definitions
                .iter()
                .find(|definition| definition.node.name.node == *variable)?
                .node
                .default_value
                .as_ref()
                .map(|value| value.node.clone())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Field, ObjectType};

    fn required(kind: Kind) -> Ty {
        Ty::required(kind)
    }

    /// `numberRange(start, count): [NumberStats]` on `Query`; `NumberStats { value factorial }`.
    fn model() -> Model {
        let action = servey_core::Action::builder("number_range", |_, _| async {
            Ok(serde_json::Value::Null)
        })
        .build();
        let int = |name: &str| Field {
            name: name.to_owned(),
            key: name.to_owned(),
            ty: required(Kind::Scalar(TypeRef::INT)),
            description: None,
        };
        let mut model = Model::default();
        model.query.push(ActionField {
            name: "numberRange".to_owned(),
            description: None,
            action: std::sync::Arc::new(action),
            args: Args::Fields(vec![int("start"), int("count")]),
            output: Ty::required(Kind::List(Box::new(required(Kind::Object(
                "NumberStats".to_owned(),
            )))))
            .or_null(),
        });
        model.outputs.insert(
            "NumberStats".to_owned(),
            ObjectType {
                name: "NumberStats".to_owned(),
                description: None,
                fields: vec![int("value"), int("factorial")],
                nested: Vec::new(),
            },
        );
        model
    }

    fn cost(query: &str, variables: serde_json::Value) -> usize {
        let document = async_graphql::parser::parse_query(query).expect("parses");
        Costs::of(&model())
            .of_operation(&document, None, &Variables::from_json(variables))
            .cost
    }

    #[test]
    fn a_size_argument_multiplies_its_selection() {
        assert_eq!(
            cost(
                "{ numberRange(start: 1, count: 1000) { value factorial } }",
                json()
            ),
            2001
        );
        assert_eq!(
            cost(
                "query($n: Int) { numberRange(start: 1, count: $n) { value } }",
                serde_json::json!({"n": 50})
            ),
            51
        );
        assert_eq!(
            cost(
                "query($n: Int = 7) { numberRange(start: 1, count: $n) { value } }",
                json()
            ),
            8
        );
        assert_eq!(
            cost("{ numberRange(start: 1, count: -3) { value } }", json()),
            1
        );
    }

    #[test]
    fn a_cost_says_whether_it_read_a_variable() {
        let costed = |query: &str| {
            let document = async_graphql::parser::parse_query(query).expect("parses");
            Costs::of(&model()).of_operation(&document, None, &Variables::default())
        };
        assert!(!costed("{ numberRange(start: 1, count: 5) { value } }").reads_variables);
        assert!(
            costed("query($n: Int = 7) { numberRange(start: 1, count: $n) { value } }")
                .reads_variables
        );
        assert!(
            !costed("query($s: Int!) { numberRange(start: $s, count: 2) { value } }")
                .reads_variables,
            "only a size argument is read"
        );
    }

    #[test]
    fn fragments_and_aliases_count_every_time_they_are_selected() {
        let query = "{ a: numberRange(start: 1, count: 100) { ...F } b: numberRange(start: 1, count: 100) { ...F } }
                     fragment F on NumberStats { value ... on NumberStats { factorial } }";
        assert_eq!(cost(query, json()), 2 * 201);
        let cyclic =
            "{ numberRange(start: 1, count: 2) { ...A } } fragment A on NumberStats { value ...B }
                      fragment B on NumberStats { ...A }";
        assert_eq!(
            cost(cyclic, json()),
            3,
            "a cycle (refused by validation) ends the walk"
        );
    }

    #[test]
    fn unknown_fields_cost_one_plus_their_selection() {
        assert_eq!(
            cost("{ __schema { types { name fields { name } } } }", json()),
            5
        );
    }

    fn json() -> serde_json::Value {
        serde_json::json!({})
    }
}

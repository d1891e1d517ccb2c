//! What a parsed GraphQL document asks for: whether it only introspects (the depth limit is relaxed for
//! the standard introspection query), whether the operation to run is a mutation (not over GET),
//! whether its variables name only known types, and about how much memory its syntax tree holds.

use std::collections::HashSet;

use async_graphql::parser::types::{
    BaseType, Directive, DocumentOperations, ExecutableDocument, FragmentDefinition,
    OperationDefinition, OperationType, Selection, SelectionSet, VariableDefinition,
};
use async_graphql::{Name, Positioned};

/// Whether every operation of `document` only selects `__schema`, `__type` and `__typename` at its root.
pub(crate) fn is_introspection_only(document: &ExecutableDocument) -> bool {
    document.operations.iter().all(|(_, operation)| {
        operation.node.ty == OperationType::Query
            && root_is_introspection(document, &operation.node.selection_set.node, 0)
    })
}

fn root_is_introspection(
    document: &ExecutableDocument,
    set: &SelectionSet,
    spreads: usize,
) -> bool {
    // Fragment cycles are rejected by validation later; stop following them here.
    spreads < 16
        && set.items.iter().all(|selection| match &selection.node {
            Selection::Field(field) => field.node.name.node.starts_with("__"),
            Selection::InlineFragment(fragment) => {
                root_is_introspection(document, &fragment.node.selection_set.node, spreads + 1)
            }
            Selection::FragmentSpread(spread) => document
                .fragments
                .get(&spread.node.fragment_name.node)
                .is_some_and(|fragment| {
                    root_is_introspection(document, &fragment.node.selection_set.node, spreads + 1)
                }),
        })
}

/// The operation that `operation_name` selects from `document`, as async-graphql picks it: `None` when
/// the name picks none, or there is no name and several operations.
pub(crate) fn selected_operation<'a>(
    document: &'a ExecutableDocument,
    operation_name: Option<&str>,
) -> Option<&'a Positioned<OperationDefinition>> {
    match (&document.operations, operation_name) {
        (DocumentOperations::Single(operation), _) => Some(operation),
        (DocumentOperations::Multiple(operations), Some(name)) => operations
            .iter()
            .find(|(key, _)| key.as_str() == name)
            .map(|(_, op)| op),
        (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => {
            operations.values().next()
        }
        (DocumentOperations::Multiple(_), None) => None,
    }
}

/// Whether the operation that `operation_name` selects from `document` is a mutation.
pub(crate) fn selects_mutation(
    document: &ExecutableDocument,
    operation_name: Option<&str>,
) -> bool {
    selected_operation(document, operation_name)
        .is_some_and(|operation| operation.node.ty == OperationType::Mutation)
}

/// The first variable of `document` whose type names no type of the schema (`known`), with that name.
/// async-graphql panics on some of them (a list of an unknown type with a default value), so they are
/// refused before it runs.
pub(crate) fn unknown_variable_type<'a>(
    document: &'a ExecutableDocument,
    known: &HashSet<String>,
) -> Option<(&'a str, &'a str)> {
    document.operations.iter().find_map(|(_, operation)| {
        operation
            .node
            .variable_definitions
            .iter()
            .find_map(|variable| {
                let mut ty = &variable.node.var_type.node.base;
                while let BaseType::List(inner) = ty {
                    ty = &inner.base;
                }
                match ty {
                    BaseType::Named(name) if !known.contains(name.as_str()) => {
                        Some((variable.node.name.node.as_str(), name.as_str()))
                    }
                    _ => None,
                }
            })
    })
}

/// About how many bytes `document`'s syntax tree holds in memory: each node, and the text of its names
/// and argument values. A floor (allocators round up), computed once per parse so that the document
/// cache weighs what it keeps, which for a query of many short fields is many times its text.
pub(crate) fn tree_bytes(document: &ExecutableDocument) -> usize {
    // A name is an `Arc<str>`: its text and two counters.
    let name = |name: &str| name.len() + 2 * size_of::<usize>();
    let directives = |directives: &[Positioned<Directive>]| {
        directives.iter().fold(0_usize, |sum, directive| {
            let arguments = arguments_bytes(&directive.node.arguments);
            sum.saturating_add(size_of::<Positioned<Directive>>() + name(&directive.node.name.node))
                .saturating_add(arguments)
        })
    };
    let mut bytes = 0_usize;
    let mut sets: Vec<&SelectionSet> = Vec::new();
    for (_, operation) in document.operations.iter() {
        let operation = &operation.node;
        bytes = bytes
            .saturating_add(size_of::<Positioned<OperationDefinition>>())
            .saturating_add(
                operation.variable_definitions.len() * size_of::<Positioned<VariableDefinition>>(),
            )
            .saturating_add(directives(&operation.directives));
        sets.push(&operation.selection_set.node);
    }
    for (fragment_name, fragment) in &document.fragments {
        bytes = bytes
            .saturating_add(size_of::<Positioned<FragmentDefinition>>() + name(fragment_name))
            .saturating_add(directives(&fragment.node.directives));
        sets.push(&fragment.node.selection_set.node);
    }
    // A stack rather than recursion: the document may be nested deeper than the stack allows.
    while let Some(set) = sets.pop() {
        for selection in &set.items {
            let node = match &selection.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    sets.push(&field.selection_set.node);
                    name(&field.name.node)
                        + field.alias.as_ref().map_or(0, |alias| name(&alias.node))
                        + arguments_bytes(&field.arguments)
                        + directives(&field.directives)
                }
                Selection::FragmentSpread(spread) => {
                    name(&spread.node.fragment_name.node) + directives(&spread.node.directives)
                }
                Selection::InlineFragment(fragment) => {
                    sets.push(&fragment.node.selection_set.node);
                    directives(&fragment.node.directives)
                }
            };
            bytes = bytes
                .saturating_add(size_of::<Positioned<Selection>>())
                .saturating_add(node);
        }
    }
    bytes
}

/// The bytes of the arguments of a field or directive: each pair, and its value's text.
fn arguments_bytes<V: std::fmt::Display>(arguments: &[(Positioned<Name>, Positioned<V>)]) -> usize {
    arguments.iter().fold(0_usize, |sum, (name, value)| {
        sum.saturating_add(size_of::<(Positioned<Name>, Positioned<V>)>() + name.node.len())
            .saturating_add(value.node.to_string().len())
    })
}

/// The names of every type `sdl` defines, plus the built-in scalars (the test of the names the schema
/// builder reads from its model).
#[cfg(test)]
pub(crate) fn type_names(sdl: &str) -> HashSet<String> {
    let mut names: HashSet<String> = ["Int", "Float", "String", "Boolean", "ID"]
        .into_iter()
        .map(str::to_owned)
        .collect();
    if let Ok(document) = async_graphql::parser::parse_schema(sdl) {
        for definition in document.definitions {
            if let async_graphql::parser::types::TypeSystemDefinition::Type(ty) = definition {
                names.insert(ty.node.name.node.to_string());
            }
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::parse_query;

    use super::*;

    fn doc(query: &str) -> ExecutableDocument {
        parse_query(query).expect("the test query parses")
    }

    #[test]
    fn introspection_only_documents_are_recognised() {
        assert!(is_introspection_only(&doc(
            "{ __schema { types { name } } }"
        )));
        assert!(is_introspection_only(&doc(
            "query Q { ...F } fragment F on Query { __type(name: \"X\") { name } __typename }"
        )));
        assert!(!is_introspection_only(&doc(
            "{ __typename sayHello(name: \"a\") }"
        )));
        assert!(!is_introspection_only(&doc(
            "{ ... on Query { sayHello(name: \"a\") } }"
        )));
        assert!(!is_introspection_only(&doc("mutation { __typename }")));
    }

    #[test]
    fn mutations_are_found_by_operation_name() {
        assert!(selects_mutation(&doc("mutation { a }"), None));
        assert!(!selects_mutation(&doc("{ a }"), None));
        let two = doc("query Q { a } mutation M { b }");
        assert!(selects_mutation(&two, Some("M")));
        assert!(!selects_mutation(&two, Some("Q")));
        assert!(!selects_mutation(&two, None));
    }
}

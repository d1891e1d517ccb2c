//! What a parsed GraphQL document asks for: whether it only introspects (the depth limit is relaxed for
//! the standard introspection query), whether the operation to run is a mutation (not over GET), and
//! whether its variables name only known types.

use std::collections::HashSet;

use async_graphql::parser::types::{
    BaseType, DocumentOperations, ExecutableDocument, OperationType, Selection, SelectionSet,
    TypeSystemDefinition,
};

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

/// Whether the operation that `operation_name` selects from `document` is a mutation.
pub(crate) fn selects_mutation(
    document: &ExecutableDocument,
    operation_name: Option<&str>,
) -> bool {
    let operation = match (&document.operations, operation_name) {
        (DocumentOperations::Single(operation), _) => Some(operation),
        (DocumentOperations::Multiple(operations), Some(name)) => operations
            .iter()
            .find(|(key, _)| key.as_str() == name)
            .map(|(_, op)| op),
        (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => {
            operations.values().next()
        }
        (DocumentOperations::Multiple(_), None) => None,
    };
    operation.is_some_and(|operation| operation.node.ty == OperationType::Mutation)
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

/// The names of every type `sdl` defines, plus the built-in scalars.
pub(crate) fn type_names(sdl: &str) -> HashSet<String> {
    let mut names: HashSet<String> = ["Int", "Float", "String", "Boolean", "ID"]
        .into_iter()
        .map(str::to_owned)
        .collect();
    if let Ok(document) = async_graphql::parser::parse_schema(sdl) {
        for definition in document.definitions {
            if let TypeSystemDefinition::Type(ty) = definition {
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

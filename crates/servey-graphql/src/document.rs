//! What a parsed GraphQL document asks for: whether it only introspects (the depth limit is relaxed for
//! the standard introspection query) and whether the operation to run is a mutation (not over GET).

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationType, Selection, SelectionSet,
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

//! GraphQL descriptions: an action's summary, description and examples, and a property's docs and
//! examples, as Markdown.

use servey_core::Action;

use servey_core::schema::TypeModel;

/// A property's docs, for an input the constraints servey checks (which SDL cannot say), and its
/// examples.
pub(crate) fn property_description(ty: &TypeModel, input: bool) -> Option<String> {
    let mut parts: Vec<String> = ty.description.iter().cloned().collect();
    if let Some(words) = servey_core::schema::describe_type(ty).filter(|_| input) {
        parts.push(format!("Constraints: {words}."));
    }
    for example in &ty.examples {
        parts.push(format!("Example: `{example}`"));
    }
    (!parts.is_empty()).then(|| parts.join("\n\n"))
}

/// An action's summary, description and examples, as one Markdown description.
pub(crate) fn action_description(action: &Action) -> Option<String> {
    let mut parts: Vec<String> = [&action.summary, &action.description]
        .into_iter()
        .filter(|text| !text.trim().is_empty())
        .map(|text| text.trim().to_owned())
        .collect();
    if !action.examples.is_empty() {
        let lines: Vec<String> = action
            .examples
            .iter()
            .map(|example| {
                let name = example
                    .name
                    .as_deref()
                    .map(|name| format!("{name}: "))
                    .unwrap_or_default();
                let about = example
                    .description
                    .as_deref()
                    .map(|d| format!(" ({d})"))
                    .unwrap_or_default();
                format!(
                    "- {name}`{}` returns `{}`{about}",
                    example.params, example.result
                )
            })
            .collect();
        parts.push(format!("Examples:\n{}", lines.join("\n")));
    }
    (!parts.is_empty()).then(|| parts.join("\n\n"))
}

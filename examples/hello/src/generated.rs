//! Actions made at run time: `generated_1` to `generated_3`, with the same metadata as declared ones.

use servey::{Action, Example, RegistryBuilder, Trigger};

/// The collected actions plus the three generated ones.
pub fn actions() -> RegistryBuilder {
    (1..=3).fold(servey::Registry::builder().collected(), |builder, index| {
        let action = Action::builder(
            format!("generated_{index}"),
            move |input, _context| async move {
                Ok(serde_json::json!({ "generated": index, "input": input }))
            },
        )
        .doc(&format!(
            "Generated action number {index}.\n\nMade at run time by `Action::builder`."
        ))
        .trigger(Trigger::web_get())
        .tag("generated")
        .example(Example {
            name: Some("echo".into()),
            ..Example::new(
                serde_json::json!({"a": 1}),
                serde_json::json!({"generated": index, "input": {"a": 1}}),
            )
        })
        .build();
        builder.action(action)
    })
}

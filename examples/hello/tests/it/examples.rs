//! Every example of the tour holds, the run-time actions' (`generated_1..3`) included: the macro makes
//! a `#[test]` for each declared one, and `check_examples` runs the rest.

#[tokio::test]
async fn every_example_holds_run_time_actions_included() {
    let registry = hello::registry_builder().build().expect("unique names");
    let run_time: usize = registry
        .iter()
        .filter(|action| action.name.starts_with("generated_"))
        .map(|action| action.examples.len())
        .sum();
    assert_eq!(run_time, 3, "each generated action declares one example");
    let checked = servey::check_examples(&registry)
        .await
        .unwrap_or_else(|failures| {
            let failures: Vec<String> = failures.iter().map(ToString::to_string).collect();
            panic!("{}", failures.join("\n"))
        });
    assert!(
        checked > run_time,
        "declared and run-time examples: {checked}"
    );
}

#[tokio::test]
async fn a_wrong_run_time_example_is_reported_with_both_results() {
    let action = servey::Action::builder("echo", |input, _| async move { Ok(input) })
        .example(servey::Example {
            name: Some("wrong".into()),
            ..servey::Example::new(serde_json::json!({"a": 1}), serde_json::json!({"a": 2}))
        })
        .build();
    let registry = servey::Registry::builder()
        .action(action)
        .build()
        .expect("unique");
    let failures = servey::check_examples(&registry).await.expect_err("wrong");
    assert_eq!(
        failures[0].to_string(),
        "example `wrong` of action `echo` returned a different result\n  params:   {\"a\":1}\n  \
         expected: {\"a\":2}\n  actual:   {\"a\":1}"
    );
}

//! The app's own checks: shared values reach its contexts, a missing `State<T>`, a bad prefix and an
//! unknown route to switch off are refused.

use super::*;
use crate::action::Action;
use crate::state::StateNeed;

#[test]
fn contexts_of_an_app_carry_its_shared_values() {
    let app = App::with_state(
        Registry::default(),
        ServeyConfig::default(),
        Extensions::new().with("pool"),
    );
    assert_eq!(app.state::<&str>(), Some(&"pool"));
    assert_eq!(app.context().state::<&str>(), Some(&"pool"));
    let other = App::new(Registry::default(), ServeyConfig::default());
    assert_eq!(other.context().state::<&str>(), None);
}

struct Pool;

#[test]
fn missing_state_names_the_action_and_the_type() {
    let action = Action::builder("list_articles", |_, _| async {
        Ok(serde_json::Value::Null)
    })
    .needs_state(StateNeed::of::<Pool>())
    .build();
    let registry = Registry::builder()
        .action(action)
        .build()
        .expect("registry");
    let error = App::builder(registry.clone(), ServeyConfig::default())
        .build()
        .expect_err("no pool");
    assert!(matches!(
        &error,
        AppError::MissingState { action, type_name, .. }
            if action == "list_articles" && type_name.ends_with("Pool")
    ));
    assert!(
        App::builder(registry, ServeyConfig::default())
            .state(Pool)
            .build()
            .is_ok()
    );
}

#[test]
fn prefixes_and_switched_off_routes_are_checked() {
    const ROUTES: &[ReservedRoute] = &[
        ReservedRoute::exact("/graphql", "the GraphQL endpoint"),
        ReservedRoute::prefix("/graphiql", "GraphiQL"),
    ];
    let builder = || App::builder(Registry::default(), ServeyConfig::default()).reserve(ROUTES);
    let app = builder()
        .path_prefix("/api")
        .without_route("/graphiql")
        .build()
        .expect("valid");
    assert_eq!(app.route_path("/users"), "/api/users");
    assert!(!app.serves("/graphiql") && app.serves("/graphql"));
    assert!(!app.serves("/login"), "the debug login is opt-in");
    assert_eq!(
        builder().path_prefix("api/").build().map(|_| ()),
        Err(AppError::InvalidPrefix("api/".into()))
    );
    assert_eq!(
        builder().without_route("/nope").build().map(|_| ()),
        Err(AppError::UnknownRoute("/nope".into()))
    );
}

//! Web pages and their templates: compiled once and kept, or, in dev mode (`SERVEY_DEV`, as
//! `cargo servey dev` runs an app), recompiled on the next render once their file changed.

use serde_json::json;
use servey::{Action, Trigger};

use crate::support::{builder, config, start};

/// `GET /home`, rendered by `home.j2` with the model `{"name": "servey"}`.
fn home() -> Action {
    Action::builder("home", |_input, _context| async {
        Ok(json!({"name": "servey"}))
    })
    .trigger(Trigger::WebPage {
        path: Some("/home".into()),
        template: Some("home.j2".into()),
    })
    .build()
}

/// The body of `GET /home` from an app with `settings` and its templates in `directory`, which holds
/// `home.j2` as `first` when the app starts and as `second` after.
async fn pages(
    settings: &[(&str, &str)],
    directory: &str,
    first: &str,
    second: &str,
) -> [String; 2] {
    let templates =
        std::env::temp_dir().join(format!("servey-it-{directory}-{}", std::process::id()));
    std::fs::create_dir_all(&templates).expect("a templates directory");
    std::fs::write(templates.join("home.j2"), first).expect("written");
    let mut config = config(settings);
    config.templates_dir = templates.clone();
    let server = start(builder([home()]).config(config)).await;
    let before = server.get("/home").await.text().await.expect("a page");
    std::fs::write(templates.join("home.j2"), second).expect("rewritten");
    let after = server.get("/home").await.text().await.expect("a page");
    let _ = std::fs::remove_dir_all(&templates);
    [before, after]
}

#[tokio::test]
async fn a_template_is_compiled_once_and_kept() {
    let pages = pages(&[], "kept", "<p>{{ model.name }}</p>", "<h1>edited</h1>").await;
    assert_eq!(pages, ["<p>servey</p>", "<p>servey</p>"]);
}

#[tokio::test]
async fn in_dev_mode_an_edited_template_shows_on_the_next_request() {
    let pages = pages(
        &[("SERVEY_DEV", "1")],
        "dev",
        "<p>{{ model.name }}</p>",
        "<h1>edited: {{ model.name }}</h1>",
    )
    .await;
    assert_eq!(pages, ["<p>servey</p>", "<h1>edited: servey</h1>"]);
}

//! The whole loop on a new app: `cargo servey new`, its tests and its pass-through commands, then
//! `cargo servey dev` while its source and its template are edited, with a client polling all along.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::support::{Answer, Watched, cargo_servey, free_port, get, scratch, servey_checkout};

/// A cold build of servey and its dependencies on two cores takes minutes; later ones seconds.
const FIRST_BUILD: Duration = Duration::from_secs(20 * 60);
const REBUILD: Duration = Duration::from_secs(5 * 60);

#[test]
fn a_new_app_is_served_rebuilt_on_save_without_refusing_and_its_templates_are_live() {
    let scratch = scratch();
    // One name for every run: its build artifacts are replaced, not piled up, in the shared target.
    let name = "dev-loop-app".to_owned();
    let app = scratch.join(&name);
    let _ = std::fs::remove_dir_all(&app);
    let target = scratch.join("target");
    let in_app = |mut command: std::process::Command| {
        command
            .current_dir(&app)
            .env("CARGO_TARGET_DIR", &target)
            // No debug info: a third of the disk and of the link time, and nothing here reads it.
            .env("CARGO_PROFILE_DEV_DEBUG", "false")
            .env_remove("LISTEN_FDS")
            .env_remove("NOTIFY_SOCKET");
        command
    };

    // `new`, minimal: only servey's `web` feature, by path to this checkout.
    let created = cargo_servey()
        .current_dir(&scratch)
        .args([
            "servey",
            "new",
            &name,
            "--no-default-features",
            "--features",
            "web",
        ])
        .arg("--path-to-servey")
        .arg(servey_checkout())
        .output()
        .expect("cargo servey new runs");
    assert!(created.status.success(), "{created:?}");
    for file in [
        "Cargo.toml",
        "README.md",
        "src/main.rs",
        "templates/home.j2",
        "static/site.css",
    ] {
        assert!(app.join(file).is_file(), "{file} was created");
    }
    let readme = std::fs::read_to_string(app.join("README.md")).expect("a README");
    assert!(readme.contains("cargo servey dev") && readme.contains("cargo test"));

    // It passes its own tests at once: the actions' examples.
    let mut test = in_app(std::process::Command::new(env!("CARGO")));
    let tested = test
        .args(["test", "--quiet"])
        .output()
        .expect("cargo test runs");
    let tested_output = String::from_utf8_lossy(&tested.stdout);
    assert!(tested.status.success(), "{tested:?}");
    assert!(
        tested_output.contains("test result: ok. 3 passed"),
        "{tested_output}"
    );

    // The app's own command line, through `cargo servey`.
    let mut run = in_app(cargo_servey());
    let ran = run
        .args([
            "servey",
            "run",
            "say_hello",
            "--event",
            r#"{"name": "Shell"}"#,
        ])
        .output()
        .expect("cargo servey run runs");
    assert!(ran.status.success(), "{ran:?}");
    assert_eq!(
        String::from_utf8_lossy(&ran.stdout).trim(),
        r#""Hello Shell!""#
    );
    let mut openapi = in_app(cargo_servey());
    let document = openapi.args(["servey", "openapi"]).output().expect("runs");
    let document: serde_json::Value =
        serde_json::from_slice(&document.stdout).expect("an OpenAPI document on stdout");
    assert!(document["paths"]["/actions/say-hello"]["get"].is_object());

    // `dev`: the first build serves.
    let port = free_port();
    let mut dev_command = in_app(cargo_servey());
    dev_command
        .args(["servey", "dev"])
        .env("SERVER_PORT", port.to_string());
    let dev = Watched::start(dev_command);
    dev.wait_for(0, "build 1 serves", FIRST_BUILD);
    assert_eq!(
        get(port, "/actions/say-hello?name=World"),
        Ok(answer(r#""Hello World!""#))
    );

    let poller = Poller::start(port);

    // An edited action: the swap is over when the new build serves and the old one has stopped.
    let main = app.join("src/main.rs");
    let seen = dev.line_count();
    edit(
        &main,
        r#"format!("Hello {name}!")"#,
        r#"format!("Howdy {name}!")"#,
    );
    dev.wait_for(seen, "build 2 serves", REBUILD);
    assert_eq!(
        get(port, "/actions/say-hello?name=World"),
        Ok(answer(r#""Howdy World!""#))
    );

    // An edited template: on the next page, with no rebuild.
    let template = app.join("templates/home.j2");
    let seen = dev.line_count();
    std::fs::write(&template, "<h1>Edited: {{ model.app }}</h1>\n").expect("written");
    let page = get(port, "/").expect("the home page answers");
    assert_eq!(page, answer(&format!("<h1>Edited: {name}</h1>")));
    let noticed = dev.wait_for(
        seen,
        "templates/home.j2 changed: served as is, no rebuild",
        REBUILD,
    );
    assert!(
        !dev.lines_from(seen)
            .iter()
            .any(|line| line.contains("rebuilding") || line.contains("Compiling")),
        "a template change rebuilt the app: {:?}",
        dev.lines_from(seen)
    );

    // Broken code: the compiler's error is printed, and build 2 keeps serving.
    let seen = noticed + 1;
    append(&main, "\nfn broken() -> u32 {\n    \"not a number\"\n}\n");
    dev.wait_for(
        seen,
        "the build failed (errors above); build 2 keeps serving",
        REBUILD,
    );
    let output = dev.lines_from(seen).join("\n");
    assert!(
        output.contains("error[E0308]: mismatched types"),
        "{output}"
    );
    assert!(output.contains("src/main.rs"), "{output}");
    assert_eq!(
        get(port, "/actions/say-hello?name=World"),
        Ok(answer(r#""Howdy World!""#))
    );

    let (answered, failures) = poller.stop();
    assert!(
        failures.is_empty(),
        "refused or dropped requests: {failures:?}"
    );
    assert!(answered > 0, "the poller got answers throughout");
    eprintln!("the poller got {answered} answers and no failure");

    // Stopping the dev loop stops the app: nothing holds the port any more.
    let mut dev = dev;
    assert!(dev.terminate(Duration::from_secs(30)).success());
    assert!(matches!(get(port, "/health"), Err(error) if error.starts_with("connect")));
    let _ = std::fs::remove_dir_all(&app);
}

/// A 200 with `body`.
fn answer(body: &str) -> Answer {
    Answer {
        status: 200,
        body: body.to_owned(),
    }
}

/// Replaces `from` with `to` in the file at `path` (which must contain it).
fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).expect("read");
    assert!(text.contains(from), "{} contains {from}", path.display());
    std::fs::write(path, text.replace(from, to)).expect("written");
}

/// Appends `more` to the file at `path`.
fn append(path: &Path, more: &str) {
    let text = std::fs::read_to_string(path).expect("read");
    std::fs::write(path, text + more).expect("written");
}

/// A client asking `/health` on a fresh connection, again and again, until stopped.
struct Poller {
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<(usize, Vec<String>)>,
}

impl Poller {
    fn start(port: u16) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        let thread = std::thread::spawn(move || {
            let (mut answered, mut failures) = (0, Vec::new());
            while !stopping.load(Ordering::Relaxed) {
                match get(port, "/health") {
                    Ok(Answer { status: 200, .. }) => answered += 1,
                    Ok(other) => failures.push(format!("{other:?}")),
                    Err(error) => failures.push(error),
                }
            }
            (answered, failures)
        });
        Self { stop, thread }
    }

    /// Stops polling: how many requests were answered, and every failure.
    fn stop(self) -> (usize, Vec<String>) {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().expect("the poller does not panic")
    }
}

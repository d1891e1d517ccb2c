//! The app binary: `servey::main()` parses the command line and runs one mode (serve, one action, a
//! schema document, the list of actions).

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, ValueEnum};
use servey_core::{ActionError, App, ErrorCode, Input, Registry};

/// The command line every servey app understands.
#[derive(Debug, Parser)]
#[command(about = "A servey app: serve its actions, run one, or write its schemas.")]
struct Cli {
    /// What to do.
    #[arg(long, value_enum, default_value_t = Mode::Serve)]
    run: Mode,
    /// With `--run=action`: the action's name.
    #[arg(long)]
    action: Option<String>,
    /// With `--run=action`: the input object as JSON, or `-` to read it from stdin.
    #[arg(long, default_value = "{}")]
    event: String,
    /// With `--run=action`: a bearer token to call protected actions.
    #[arg(long)]
    token: Option<String>,
    /// With `--run=openapi`, `graphql-schema`, `asyncapi`, `proto`, `sam` or `client`: the file to write (default: stdout).
    #[arg(long)]
    output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Mode {
    /// Serve every action over HTTP.
    Serve,
    /// Run one action and print its result.
    Action,
    /// List the actions with their triggers and schemas.
    List,
    /// Write the OpenAPI document.
    Openapi,
    /// Write the GraphQL SDL.
    GraphqlSchema,
    /// Write the AsyncAPI document.
    Asyncapi,
    /// Write the `.proto` of the gRPC service.
    Proto,
    /// Write the AWS SAM template that deploys the app to Lambda.
    Sam,
    /// Write a typed Rust client of the actions served over HTTP.
    Client,
}

impl Mode {
    /// Whether the mode only writes a document or lists the actions (no serving, no action run).
    fn is_document(self) -> bool {
        !matches!(self, Self::Serve | Self::Action)
    }
}

/// Runs the app with the actions linked into this binary; exits non-zero on failure.
///
/// The whole `main` of an app. It reads the command line (serve, `--run=action`, `--run=list`,
/// `--run=openapi`, `--run=graphql-schema`, `--run=asyncapi`, `--run=sam`, `--run=client`), the environment and
/// `RUST_LOG`, and serves until Ctrl-C or SIGTERM; built with the `lambda` feature and started by AWS
/// Lambda, it answers Lambda's events instead. `servey::main()` is `servey::builder().main()`.
///
/// ```rust,no_run
/// use servey::prelude::*;
///
/// /// Greet a user!
/// #[action(triggers = [web_get])]
/// fn say_hello(name: String) -> String {
///     format!("Hello {name}!")
/// }
///
/// fn main() {
///     servey::main()
/// }
/// ```
pub fn main() {
    crate::builder().main();
}

/// Runs the app with actions collected at link time plus any added to `builder`; exits non-zero on failure.
///
/// Short for `Builder::new(builder).main()`: for actions made at run time.
///
/// ```rust,no_run
/// use serde_json::json;
/// use servey::{Action, Registry, Trigger};
///
/// fn main() {
///     let ping = Action::builder("ping", |_input, _context| async { Ok(json!("pong")) })
///         .trigger(Trigger::web_get())
///         .build();
///     servey::main_with(Registry::builder().collected().action(ping));
/// }
/// ```
pub fn main_with(builder: servey_core::registry::RegistryBuilder) {
    crate::Builder::new(builder).main();
}

/// Starts the runtime, builds the app and runs the command line (inside Lambda, with the `lambda`
/// feature: answers Lambda's events).
pub(crate) fn start(mut builder: crate::Builder) -> ExitCode {
    let _telemetry = init_tracing();
    // Writing a document or listing the actions needs no Redis: the app is built in-process, so these
    // commands work where the Redis of `SERVEY_REDIS_URL` is not reachable (a build machine, CI).
    builder.in_process =
        Cli::try_parse_from(std::env::args_os()).is_ok_and(|cli| cli.run.is_document());
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => return fail_start(&error),
    };
    runtime.block_on(async {
        match builder.build().await {
            #[cfg(feature = "lambda")]
            Ok(app) if crate::lambda::is_lambda() => match crate::lambda::run(app).await {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => fail_start(&error),
            },
            Ok(app) => run(app, std::env::args_os()).await,
            #[cfg(feature = "lambda")]
            Err(error) if crate::lambda::is_lambda() => {
                let error = crate::lambda::LambdaError::Start(error);
                crate::lambda::report_init_error(&error).await;
                fail_start(&error)
            }
            Err(error) => fail_start(&error),
        }
    })
}

/// Runs one command line against `app` (what `main` does after start-up; usable from tests).
///
/// `args` starts with the program's name, as `std::env::args_os()` does. The exit code is `0` on success,
/// `1` when the action or the start failed, `2` for a command line that does not parse.
///
/// ```rust,standalone_crate
/// use std::process::ExitCode;
///
/// use servey::prelude::*;
/// use servey::ServeyConfig;
///
/// #[action(triggers = [web_get])]
/// fn say_hello(name: String) -> String {
///     format!("Hello {name}!")
/// }
///
/// #[tokio::main]
/// async fn main() {
///     let app = servey::builder().config(ServeyConfig::default()).build().await.expect("builds");
///     let args = ["my-app", "--run=action", "--action=say_hello", r#"--event={"name":"World"}"#];
///     assert_eq!(servey::run(app, args.map(Into::into)).await, ExitCode::SUCCESS);
/// }
/// ```
pub async fn run(app: App, args: impl IntoIterator<Item = std::ffi::OsString>) -> ExitCode {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return if error.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match cli.run {
        Mode::Action => run_action(&app, &cli).await,
        Mode::List => {
            print!("{}", list(app.registry()));
            ExitCode::SUCCESS
        }
        Mode::Serve => match crate::serve(app).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => fail_start(&error),
        },
        Mode::Openapi => write_document(crate::openapi_json(&app), cli.output.as_deref()),
        Mode::GraphqlSchema => document(crate::adapters::graphql_sdl(&app), cli.output.as_deref()),
        Mode::Asyncapi => document(crate::adapters::asyncapi_json(&app), cli.output.as_deref()),
        Mode::Proto => document(crate::adapters::proto(&app), cli.output.as_deref()),
        #[cfg(feature = "codegen")]
        Mode::Client => write_document(crate::client_source(&app), cli.output.as_deref()),
        #[cfg(not(feature = "codegen"))]
        Mode::Client | Mode::Sam => {
            eprintln!("{}", codegen_off(cli.run));
            ExitCode::from(2)
        }
        #[cfg(feature = "codegen")]
        Mode::Sam => {
            if !cfg!(feature = "lambda") {
                eprintln!(
                    "note: this binary was built without servey's `lambda` feature; the one you deploy \
                     needs it (`servey = {{ features = [\"lambda\"] }}`) to answer Lambda's events"
                );
            }
            write_document(crate::sam::template_json(&app), cli.output.as_deref())
        }
    }
}

/// Why `mode` (`client` or `sam`) cannot run in a binary built without the `codegen` feature.
#[cfg(not(feature = "codegen"))]
fn codegen_off(mode: Mode) -> String {
    let name = mode
        .to_possible_value()
        .map(|value| value.get_name().to_owned())
        .unwrap_or_default();
    format!(
        "`--run={name}` needs servey's `codegen` feature, which this binary was built without: \
         servey = {{ features = [\"codegen\"] }}"
    )
}

/// Writes a document the app made, or says why it could not (exit code 2 for a feature left out).
fn document(made: Result<String, crate::StartError>, output: Option<&std::path::Path>) -> ExitCode {
    match made {
        Ok(document) => write_document(document, output),
        Err(crate::StartError::FeatureOff(off)) => {
            eprintln!("{off}");
            ExitCode::from(2)
        }
        Err(error) => fail_start(&error),
    }
}

/// Writes a schema document to `output`, or to stdout when none is given.
fn write_document(document: String, output: Option<&std::path::Path>) -> ExitCode {
    let written = match output {
        Some(path) => std::fs::write(path, document.as_bytes())
            .map(|()| eprintln!("wrote {}", path.display())),
        None => std::io::stdout().lock().write_all(document.as_bytes()),
    };
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("could not write the document: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run_action(app: &App, cli: &Cli) -> ExitCode {
    let outcome = async {
        let name = cli.action.as_deref().ok_or_else(|| {
            ActionError::new(
                ErrorCode::NotFound,
                format!(
                    "Name the action with `--action=NAME`; known actions: {}.",
                    names(app.registry())
                ),
            )
        })?;
        let action = app.registry().get(name).ok_or_else(|| {
            ActionError::new(
                ErrorCode::NotFound,
                format!(
                    "No action is named `{name}`; known actions: {}.",
                    names(app.registry())
                ),
            )
        })?;
        let event = read_event(&cli.event)?;
        let context = app
            .token_context(cli.token.as_deref())
            .with_origin(servey_core::Origin::Cli);
        let output = servey_core::invoke(action, Input::from_json_bytes(event), context).await?;
        output.to_json_bytes()
    }
    .await;
    // Background events and webhook deliveries the action published run on this runtime: finish them
    // before the process exits, whatever the action's outcome.
    crate::adapters::flush(app).await;
    match outcome {
        Ok(body) => {
            let mut stdout = std::io::stdout().lock();
            let _ = stdout
                .write_all(&body)
                .and_then(|()| stdout.write_all(b"\n"));
            ExitCode::SUCCESS
        }
        Err(error) => {
            // An action's failure is logged by the invoke path; the caller gets the problem.
            let problem =
                serde_json::to_string(&error.problem()).unwrap_or_else(|_| error.to_string());
            eprintln!("{problem}");
            ExitCode::FAILURE
        }
    }
}

fn read_event(event: &str) -> Result<Vec<u8>, ActionError> {
    if event != "-" {
        return Ok(event.as_bytes().to_vec());
    }
    let mut buffer = Vec::new();
    std::io::stdin().read_to_end(&mut buffer).map_err(|error| {
        ActionError::new(
            ErrorCode::MalformedInput,
            format!("Could not read the event from stdin: {error}."),
        )
    })?;
    Ok(buffer)
}

fn names(registry: &Registry) -> String {
    registry
        .iter()
        .map(|action| action.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Each action on its own block: name, summary, triggers, and its input, output and named types as the
/// schema model has them.
fn list(registry: &Registry) -> String {
    let mut text = String::new();
    for action in registry.iter() {
        let triggers: Vec<String> = action
            .triggers
            .iter()
            .map(|trigger| trigger.describe())
            .collect();
        let schema = |ty: &servey_core::schema::TypeModel| {
            serde_json::to_string(ty).unwrap_or_else(|error| format!("(unprintable: {error})"))
        };
        let model = action.schema.model();
        text.push_str(&format!("{}\n", action.name));
        if !action.summary.is_empty() {
            text.push_str(&format!("  summary:  {}\n", action.summary));
        }
        if let Some(owner) = &action.owner {
            text.push_str(&format!("  field of: {owner} (as `{}`)\n", action.fn_name));
        }
        text.push_str(&format!(
            "  triggers: {}\n",
            if triggers.is_empty() {
                "(none)".to_owned()
            } else {
                triggers.join(", ")
            }
        ));
        text.push_str(&format!("  input:    {}\n", schema(&model.input)));
        text.push_str(&format!("  output:   {}\n", schema(&model.output)));
        for (name, ty) in &model.components {
            text.push_str(&format!("  type {name}: {}\n", schema(ty)));
        }
    }
    text
}

fn fail_start(error: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("servey could not start: {error}");
    ExitCode::FAILURE
}

fn init_tracing() -> crate::telemetry::Telemetry {
    let telemetry = crate::telemetry::init(&servey_core::ServeyConfig::from_env());
    // A panicking action is answered as a 500; its message belongs in the log, not raw on stderr.
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let message = servey_core::error::panic_message(info.payload());
        tracing::error!(%location, "panic: {message}");
    }));
    telemetry
}

#[cfg(all(test, not(feature = "codegen")))]
mod tests {
    use super::*;

    #[test]
    fn generators_without_codegen_name_the_feature() {
        assert_eq!(
            codegen_off(Mode::Client),
            "`--run=client` needs servey's `codegen` feature, which this binary was built without: \
             servey = { features = [\"codegen\"] }"
        );
        assert_eq!(
            codegen_off(Mode::Sam),
            "`--run=sam` needs servey's `codegen` feature, which this binary was built without: \
             servey = { features = [\"codegen\"] }"
        );
    }
}

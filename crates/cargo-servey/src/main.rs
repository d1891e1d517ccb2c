//! `cargo servey`: the developer loop of a servey app.
//!
//! Install it from a checkout with `cargo install --path crates/cargo-servey` (or `cargo xtask setup`),
//! then: `cargo servey new my-app` makes an app; `cargo servey dev` serves it on :8000 and rebuilds and
//! restarts it on save, on the same port; `cargo servey openapi | graphql-schema | asyncapi | client |
//! list | run ACTION` build the app and run its own command line.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};

mod compile;
#[cfg(unix)]
mod dev;
#[cfg(unix)]
mod instance;
mod new;
mod project;
#[cfg(unix)]
mod watch;

/// How cargo calls a subcommand: `cargo-servey servey ARGS`.
#[derive(Debug, Parser)]
#[command(name = "cargo", bin_name = "cargo")]
enum CargoCli {
    /// The servey developer loop.
    Servey(ServeyCli),
}

#[derive(Debug, Args)]
#[command(
    version,
    about = "The servey developer loop: new apps, a dev server that rebuilds on save, the app's documents."
)]
struct ServeyCli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create a new app crate in ./NAME, ready for `cargo servey dev` and `cargo test`.
    New {
        /// The package name (and directory).
        name: String,
        /// Depend on the servey checkout at DIR (its root or crates/servey) by path. By default the
        /// checkout around the current directory, else the one this tool was built from, else crates.io.
        #[arg(long, value_name = "DIR", conflicts_with = "servey_version")]
        path_to_servey: Option<PathBuf>,
        /// Depend on servey from crates.io at this version.
        #[arg(long, value_name = "VERSION")]
        servey_version: Option<String>,
        /// Without servey's default features.
        #[arg(long)]
        no_default_features: bool,
        /// servey's features to turn on (comma separated: `web,graphql`).
        #[arg(long, value_delimiter = ',')]
        features: Vec<String>,
    },
    /// Serve the app on :8000 (SERVER_PORT), rebuilding and restarting it on the same port on save.
    Dev(Package),
    /// Print the app's OpenAPI document.
    Openapi(PassThrough),
    /// Print the app's GraphQL SDL.
    GraphqlSchema(PassThrough),
    /// Print the app's AsyncAPI document.
    Asyncapi(PassThrough),
    /// Print a typed Rust client of the app (servey's `codegen` feature).
    Client(PassThrough),
    /// List the app's actions with their triggers and schemas.
    List(PassThrough),
    /// Run one action and print its result: `cargo servey run say_hello --event '{"name": "World"}'`.
    Run {
        /// The action's name.
        action: String,
        #[command(flatten)]
        pass: PassThrough,
    },
}

/// Which app, when the workspace has several.
#[derive(Debug, Args)]
struct Package {
    /// The app's package (default: the one around the current directory, or the only binary package).
    #[arg(short = 'p', long = "package", value_name = "PACKAGE")]
    package: Option<String>,
}

/// Which app, and the arguments its own command line takes (`--output FILE`, `--event JSON`, ...).
#[derive(Debug, Args)]
struct PassThrough {
    #[command(flatten)]
    package: Package,
    /// Passed to the app's binary as they are.
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "APP ARGS"
    )]
    args: Vec<OsString>,
}

fn main() -> ExitCode {
    let mut args: Vec<OsString> = std::env::args_os().collect();
    // Run as `cargo-servey dev` rather than `cargo servey dev`: the same, minus cargo's word.
    if args.get(1).is_none_or(|word| word != "servey") {
        args.insert(1, "servey".into());
    }
    let CargoCli::Servey(cli) = CargoCli::parse_from(args);
    match execute(cli.command) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn execute(command: Command) -> Result<ExitCode> {
    match command {
        Command::New {
            name,
            path_to_servey,
            servey_version,
            no_default_features,
            features,
        } => {
            let here = std::env::current_dir().context("reading the current directory")?;
            let source = match (path_to_servey, servey_version) {
                (Some(directory), _) => new::ServeySource::checkout(&directory)?,
                (None, Some(version)) => new::ServeySource::Version(version),
                (None, None) => new::ServeySource::around(&here)
                    .or_else(|| new::ServeySource::around(env!("CARGO_MANIFEST_DIR").as_ref()))
                    .unwrap_or_else(|| {
                        new::ServeySource::Version(env!("CARGO_PKG_VERSION").into())
                    }),
            };
            let features = new::Features {
                no_default: no_default_features,
                wanted: features,
            };
            let directory = new::create(&here, &name, &source, &features)?;
            println!(
                "created the servey app `{name}` in {}\n\n    cd {name}\n    cargo servey dev    # serve on http://127.0.0.1:8000, rebuilt on save\n    cargo test          # its examples, as tests",
                directory.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Dev(package) => dev(package),
        Command::Openapi(pass) => pass_through(pass, &["--run=openapi"]),
        Command::GraphqlSchema(pass) => pass_through(pass, &["--run=graphql-schema"]),
        Command::Asyncapi(pass) => pass_through(pass, &["--run=asyncapi"]),
        Command::Client(pass) => pass_through(pass, &["--run=client"]),
        Command::List(pass) => pass_through(pass, &["--run=list"]),
        Command::Run { action, pass } => {
            let action = format!("--action={action}");
            pass_through(pass, &["--run=action", &action])
        }
    }
}

#[cfg(unix)]
fn dev(package: Package) -> Result<ExitCode> {
    let app = project::App::find(package.package.as_deref())?;
    runtime()?.block_on(dev::run(app))?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(not(unix))]
fn dev(_package: Package) -> Result<ExitCode> {
    anyhow::bail!(
        "`cargo servey dev` hands its socket to the app the unix way; it runs on unix only"
    )
}

/// Builds the app, then runs its binary with `mode` and the caller's own arguments; its exit code.
fn pass_through(pass: PassThrough, mode: &[&str]) -> Result<ExitCode> {
    let app = project::App::find(pass.package.package.as_deref())?;
    let Some(executable) = runtime()?.block_on(compile::build(&app))? else {
        anyhow::bail!("`{}` does not compile (errors above)", app.package);
    };
    let status = std::process::Command::new(&executable)
        .args(mode)
        .args(&pass.args)
        .status()
        .with_context(|| format!("running {}", executable.display()))?;
    Ok(match status.code() {
        Some(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        None => ExitCode::FAILURE,
    })
}

/// A runtime on this thread: the dev loop waits on processes, files and signals, never on CPU.
fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

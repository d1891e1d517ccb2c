//! Project automation: `cargo xtask ci` (what CI runs: provision, fmt, clippy, tests), `cargo xtask setup`
//! (provision only: Chromium and the Python checkers the tests use; and install `cargo servey`), `cargo xtask bench` (servey vs bare axum),
//! `cargo xtask fuzz` (the fuzz targets, bounded in time), `cargo xtask conduit` (the RealWorld API suite
//! against the Conduit example), `cargo xtask interop` (generated Python and TypeScript clients against the
//! tour app), `cargo xtask docs` (rustdoc with warnings denied, no ignored doctest).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

mod bench;
mod conduit;
mod docs;
mod features;
mod fuzz;
mod interop;
mod lint_docs;
mod moto;
mod realtime;
mod redis;
mod schemas;

fn main() -> Result<()> {
    let task = std::env::args().nth(1).unwrap_or_default();
    let root = workspace_root();
    match task.as_str() {
        "ci" => {
            let tools = setup(&root)?;
            run(cargo(&root).args(["fmt", "--all", "--", "--check"]))?;
            run(cargo(&root).args([
                "clippy",
                "--workspace",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ]))?;
            let redis = redis::TestRedis::start(&tools.redis_server)?;
            // The serverless example turns on servey's `lambda`: left out here, so that the AWS SDK is
            // not built into every test binary (nor the UI tests' own build), and tested below with
            // servey's every feature, where it is built anyway.
            run(tools
                .apply(cargo(&root).args(["test", "--workspace", "--exclude", "serverless"]))
                .env("SERVEY_TEST_REDIS_URL", redis.url()))?;
            // A backlog of 100,000 background jobs (past Redis's Lua unpack limit, which once stopped
            // the queue for good) drained by three instances: minutes, so not part of every
            // `cargo test`, but of every CI run.
            run(tools
                .apply(cargo(&root).args([
                    "test",
                    "-p",
                    "servey-redis",
                    "--test",
                    "it",
                    "backlog::a_backlog_of_100_000_due_jobs_is_drained_once_by_three_instances",
                    "--",
                    "--ignored",
                    "--exact",
                ]))
                .env("SERVEY_TEST_REDIS_URL", redis.url()))?;
            // The facade's cargo features: none, each alone, the defaults and all must build and lint
            // clean (the workspace build above has only the ones the examples turn on).
            features::lint_each(&root)?;
            features::crates_without_defaults(&root)?;
            features::bench_apps_locked(&root)?;
            // Its tests with every feature (the OTLP export, Lambda; with the serverless example, run as
            // Lambda runs it against moto) and with none (what a feature that is off answers); the
            // doctests and UI tests do not change with them.
            let moto = moto::TestMoto::start(&tools.python)?;
            run(tools
                .apply(cargo(&root).args([
                    "test",
                    "-p",
                    "servey",
                    "-p",
                    "serverless",
                    "--all-features",
                    "--lib",
                    "--test",
                    "it",
                ]))
                .env("SERVEY_TEST_REDIS_URL", redis.url())
                .env("SERVEY_TEST_MOTO_URL", moto.url()))?;
            drop(moto);
            run(tools
                .apply(cargo(&root).args([
                    "test",
                    "-p",
                    "servey",
                    "--no-default-features",
                    "--lib",
                    "--test",
                    "it",
                ]))
                .env("SERVEY_TEST_REDIS_URL", redis.url()))?;
            drop(redis);
            docs::docs(&root)?;
            realtime::check(&root)?;
            interop::interop(&root, &tools)?;
            schemas::schemas(&root, ["check".to_owned()].into_iter())?;
            lint_docs::lint_docs(&root)?;
            conduit::conduit(&root)
        }
        "setup" => {
            let tools = setup(&root)?;
            install_cargo_servey(&root)?;
            println!("tools ready: {tools:?}");
            Ok(())
        }
        "bench" => bench::bench(&root, std::env::args().skip(2)),
        "fuzz" => fuzz::fuzz(&root, std::env::args().skip(2)),
        "conduit" => conduit::conduit(&root),
        "interop" => interop::interop(&root, &setup(&root)?),
        "docs" => docs::docs(&root),
        "lint-docs" => lint_docs::lint_docs(&root),
        "realtime" => realtime::check(&root),
        "schemas" => schemas::schemas(&root, std::env::args().skip(2)),
        "test" => {
            let tools = setup(&root)?;
            let redis = redis::TestRedis::start(&tools.redis_server)?;
            let moto = moto::TestMoto::start(&tools.python)?;
            run(tools
                .apply(cargo(&root).args(["test", "--workspace"]))
                .env("SERVEY_TEST_REDIS_URL", redis.url())
                .env("SERVEY_TEST_MOTO_URL", moto.url()))
        }
        _ => {
            eprintln!(
                "usage: cargo xtask <ci | setup | test | bench | schemas | fuzz | conduit | interop | realtime | docs | lint-docs>"
            );
            eprintln!(
                "  ci     provision test tools, then fmt --check, clippy -D warnings, every test (and servey's features: each alone, none, all), the docs and the Conduit suite (what CI runs)"
            );
            eprintln!(
                "  setup  provision only: Debian's chromium and redis-server, a Python venv of checkers and newman under target/; and install `cargo servey` (crates/cargo-servey)"
            );
            eprintln!("  test   provision, then cargo test --workspace");
            eprintln!(
                "  schemas  re-bless the tour app's OpenAPI, SDL, .proto, AsyncAPI, SAM and typed-client golden files (examples/hello/golden/)"
            );
            eprintln!(
                "  schemas check [--bin NAME] [--golden DIR]  compare the live OpenAPI, SDL and .proto with the goldens (optic, graphql-inspector, buf); fails on breaking changes"
            );
            eprintln!(
                "  bench [--instructions | --instructions-only | --build]  release build; servey's tour app vs a bare axum baseline under wrk (and instructions per request under callgrind); --build: cold debug and release builds of a REST-only app, the tour and axum + utoipa (about 20 minutes on 2 cores); writes BENCHMARKS.md"
            );
            eprintln!(
                "  fuzz [--seconds N] [requests|inputs]  replay fuzz/regressions/, then libFuzzer for N s in all (default 300); fails on a crash"
            );
            eprintln!(
                "  conduit  the official RealWorld API suite (newman) against examples/conduit; fails on any failed assertion"
            );
            eprintln!(
                "  interop  clients generated from the tour app's /openapi.json: openapi-python-client calls every operation (answers compared with curl's), openapi-typescript under tsc --strict"
            );
            eprintln!(
                "  docs   cargo doc --workspace with warnings denied; fails on any doctest marked `ignore`"
            );
            eprintln!(
                "  realtime  @asyncapi/parser (no warnings) and graphql-codegen + tsc --strict on the tour app's golden documents"
            );
            eprintln!(
                "  lint-docs  Redocly CLI (recommended) and Spectral (spectral:oas) on the OpenAPI documents of the tour app and Conduit; fails on any error"
            );
            bail!("unknown task `{task}`")
        }
    }
}

/// Where the provisioned tools are, handed to the tests through the environment.
#[derive(Debug)]
struct Tools {
    python: PathBuf,
    chromium: PathBuf,
    redis_server: PathBuf,
}

impl Tools {
    fn apply<'a>(&self, command: &'a mut Command) -> &'a mut Command {
        command
            .env("SERVEY_TEST_PYTHON", &self.python)
            .env("SERVEY_TEST_CHROMIUM", &self.chromium)
            .env("SERVEY_TEST_REDIS_SERVER", &self.redis_server)
    }
}

/// Installs what the tests need when it is missing: Debian's chromium and redis-server, the Python
/// checkers in a venv, and newman for the Conduit suite.
fn setup(root: &Path) -> Result<Tools> {
    let redis_server = redis::install()?;
    let chromium = PathBuf::from("/usr/bin/chromium");
    if !chromium.exists() {
        println!("xtask: installing Debian's chromium (headless browser tests)");
        apt_install(&["chromium"])?;
    }
    if !["/usr/bin/kill", "/bin/kill"]
        .iter()
        .any(|kill| Path::new(kill).exists())
    {
        println!("xtask: installing procps (`kill`, for the SIGTERM test)");
        apt_install(&["procps"])?;
    }
    // Under the target directory the tests look in (`CARGO_TARGET_DIR`), so a shared one shares it.
    let venv = conduit::target_dir(root).join("servey-tools/venv");
    let python = venv.join("bin/python");
    let requirements = root.join("xtask/requirements.txt");
    let stamp = venv.join("requirements.installed");
    let wanted =
        std::fs::read_to_string(&requirements).context("reading xtask/requirements.txt")?;
    if std::fs::read_to_string(&stamp).ok().as_deref() != Some(wanted.as_str()) {
        println!(
            "xtask: creating the Python checkers' venv in {}",
            venv.display()
        );
        run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
        run(Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "-r",
            ])
            .arg(&requirements))?;
        std::fs::write(&stamp, wanted)?;
    }
    conduit::install_newman(root)?;
    schemas::install_tools(root)?;
    Ok(Tools {
        python,
        chromium,
        redis_server,
    })
}

pub(crate) fn apt_install(packages: &[&str]) -> Result<()> {
    let sudo = if is_root() { None } else { Some("sudo") };
    let apt = |args: &[&str]| {
        let mut command = Command::new(sudo.unwrap_or("apt-get"));
        if sudo.is_some() {
            command.arg("apt-get");
        }
        command.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        command
    };
    run(&mut apt(&["update", "-qq"]))?;
    let mut install = apt(&["install", "-y", "-qq"]);
    run(install.args(packages))
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
}

/// Cargo in the workspace root, without incremental state: xtask builds once per run, and the
/// incremental caches of every test binary would double the disk a `ci` run needs.
/// `cargo servey` (crates/cargo-servey) for the developer, in cargo's bin directory: a debug build in
/// the workspace's target directory, where its dependencies are usually built already (the tool spends its
/// time waiting on cargo, not computing). Not part of `ci`: the tests run the binary they build.
fn install_cargo_servey(root: &Path) -> Result<()> {
    run(cargo(root)
        .args([
            "install",
            "--locked",
            "--debug",
            "--path",
            "crates/cargo-servey",
        ])
        .arg("--target-dir")
        .arg(conduit::target_dir(root)))
}

pub(crate) fn cargo(root: &Path) -> Command {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command.current_dir(root).env("CARGO_INCREMENTAL", "0");
    command
}

pub(crate) fn run(command: &mut Command) -> Result<()> {
    println!("xtask: running {command:?}");
    let status = command
        .status()
        .with_context(|| format!("starting {command:?}"))?;
    if !status.success() {
        bail!("{command:?} failed with {status}");
    }
    Ok(())
}

pub(crate) fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace root")
        .to_path_buf()
}

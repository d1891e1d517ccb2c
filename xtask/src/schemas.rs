//! `cargo xtask schemas`: re-bless the tour app's golden documents; `cargo xtask schemas check [--bin
//! NAME] [--golden DIR]`: compare an app's live OpenAPI document, GraphQL SDL and `.proto` with its
//! committed goldens using maintained diff tools (Optic's `diff --check` for OpenAPI 3.1,
//! `graphql-inspector diff` for SDL, `buf breaking` for the `.proto`), print the changelog they write,
//! and fail on a breaking change until it is blessed.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::conduit::target_dir;
use crate::{cargo, run};

/// The npm tools, pinned.
const NPM_TOOLS: [&str; 4] = [
    "@useoptic/optic@1.0.9",
    "@graphql-inspector/cli@7.0.0",
    "graphql@16.11.0",
    // Buf's own binary, as npm packages it: its breaking-change rules for the `.proto`.
    "@bufbuild/buf@1.75.0",
];

/// `{"overrides": ..}` for the tools' prefix: Optic 1.0.9's tree resolves two ajv 8 copies, and
/// spectral's schemas compiled by one with ajv-errors of the other do not load; one ajv fixes it.
const PACKAGE_JSON: &str = r#"{"private": true, "overrides": {"ajv": "8.17.1"}}"#;

/// `schemas` alone blesses; `schemas check [--bin NAME] [--golden DIR]` compares.
pub(crate) fn schemas(root: &Path, mut args: impl Iterator<Item = String>) -> Result<()> {
    match args.next().as_deref() {
        None | Some("bless") => run(cargo(root)
            .args(["test", "-p", "hello", "--test", "it", "golden::"])
            .env("SERVEY_BLESS", "1")),
        Some("check") => {
            let (mut bin, mut golden) = ("hello".to_owned(), root.join("examples/hello/golden"));
            while let Some(flag) = args.next() {
                let value = args
                    .next()
                    .with_context(|| format!("`{flag}` needs a value"))?;
                match flag.as_str() {
                    "--bin" => bin = value,
                    "--golden" => golden = PathBuf::from(value),
                    _ => bail!("unknown option `{flag}`; expected --bin NAME or --golden DIR"),
                }
            }
            check(root, &bin, &golden)
        }
        Some(other) => bail!("unknown `schemas` task `{other}`; expected `check` or nothing"),
    }
}

/// Writes the live documents of binary `bin` and compares them with the goldens in `golden`.
fn check(root: &Path, bin: &str, golden: &Path) -> Result<()> {
    let tools = install_tools(root)?;
    run(cargo(root).args(["build", "-p", bin]))?;
    let live = target_dir(root).join("schemas").join(bin);
    std::fs::create_dir_all(&live)?;
    let binary = target_dir(root).join("debug").join(bin);
    for (run_mode, file) in [
        ("openapi", "openapi.json"),
        ("graphql-schema", "schema.graphql"),
    ] {
        run(Command::new(&binary)
            .current_dir(root)
            .arg(format!("--run={run_mode}"))
            .arg(format!("--output={}", live.join(file).display())))?;
    }
    println!(
        "xtask: changes from {} to the live documents:",
        golden.display()
    );
    let openapi_ok = openapi_compatible(
        &tools,
        &golden.join("openapi.json"),
        &live.join("openapi.json"),
    )?;
    let sdl_ok = sdl_compatible(
        &tools,
        &golden.join("schema.graphql"),
        &live.join("schema.graphql"),
    )?;
    let proto_ok = proto_check(&tools, &binary, root, golden, &live)?;
    if !(openapi_ok && sdl_ok && proto_ok) {
        bail!(
            "breaking API changes (listed above): keep the old shape, or bless the new one with \
             `cargo xtask schemas` and say so in the release notes"
        );
    }
    println!("xtask: no breaking change in the OpenAPI document, the GraphQL schema or the .proto");
    Ok(())
}

/// Writes the binary's `.proto` and compares it with the golden one, when the app serves gRPC (built
/// with servey's `grpc` feature) and has a golden `.proto`; true when there is nothing to compare.
fn proto_check(
    tools: &DiffTools,
    binary: &Path,
    root: &Path,
    golden: &Path,
    live: &Path,
) -> Result<bool> {
    let Some(golden_proto) = std::fs::read_dir(golden)?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .find(|path| path.extension().is_some_and(|ext| ext == "proto"))
    else {
        return Ok(true);
    };
    let file_name = golden_proto.file_name().unwrap_or_default();
    let (old, new) = (live.join("proto-golden"), live.join("proto-live"));
    for dir in [&old, &new] {
        let _ = std::fs::remove_dir_all(dir);
        std::fs::create_dir_all(dir)?;
    }
    std::fs::copy(&golden_proto, old.join(file_name))?;
    run(Command::new(binary)
        .current_dir(root)
        .arg("--run=proto")
        .arg(format!("--output={}", new.join(file_name).display())))?;
    proto_compatible(tools, &old, &new)
}

/// buf's breaking-change check of the `.proto` files in `new` against those in `old` (field numbers,
/// types, names, services and methods); whether it passes.
pub(crate) fn proto_compatible(tools: &DiffTools, old: &Path, new: &Path) -> Result<bool> {
    let status = Command::new(tools.bin.join("buf"))
        .arg("breaking")
        .arg(new)
        .arg("--against")
        .arg(old)
        .status()
        .context("starting buf")?;
    Ok(status.success())
}

/// Where the diff tools are.
pub(crate) struct DiffTools {
    bin: PathBuf,
}

/// Installs the pinned diff tools under `target/servey-tools/npm-schemas` unless they are there.
pub(crate) fn install_tools(root: &Path) -> Result<DiffTools> {
    let prefix = target_dir(root).join("servey-tools/npm-schemas");
    let bin = prefix.join("node_modules/.bin");
    let stamp = prefix.join("tools.installed");
    let wanted = format!("{} {PACKAGE_JSON}", NPM_TOOLS.join(" "));
    if bin.join("optic").exists()
        && bin.join("buf").exists()
        && std::fs::read_to_string(&stamp).ok().as_deref() == Some(&wanted)
    {
        return Ok(DiffTools { bin });
    }
    std::fs::create_dir_all(&prefix).with_context(|| format!("creating {}", prefix.display()))?;
    std::fs::write(prefix.join("package.json"), PACKAGE_JSON)?;
    run(Command::new("npm")
        .args(["install", "--prefix"])
        .arg(&prefix)
        .args(["--no-audit", "--no-fund", "--save-exact"])
        .args(NPM_TOOLS))?;
    std::fs::write(&stamp, &wanted)?;
    Ok(DiffTools { bin })
}

/// Optic's changelog of `old` -> `new`; whether its breaking-change checks pass.
pub(crate) fn openapi_compatible(tools: &DiffTools, old: &Path, new: &Path) -> Result<bool> {
    let status = Command::new(tools.bin.join("optic"))
        .arg("diff")
        .arg(old)
        .arg(new)
        .arg("--check")
        .env("OPTIC_TELEMETRY_LEVEL", "off")
        .status()
        .context("starting optic")?;
    Ok(status.success())
}

/// graphql-inspector's changelog of `old` -> `new`; whether it found no breaking change.
pub(crate) fn sdl_compatible(tools: &DiffTools, old: &Path, new: &Path) -> Result<bool> {
    let status = Command::new(tools.bin.join("graphql-inspector"))
        .arg("diff")
        .arg(old)
        .arg(new)
        .status()
        .context("starting graphql-inspector")?;
    Ok(status.success())
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;

    /// One npm install at a time: the tests run in parallel and share the prefix.
    static INSTALL: std::sync::Mutex<()> = std::sync::Mutex::new(());

    fn root() -> PathBuf {
        crate::workspace_root()
    }

    fn tools() -> DiffTools {
        let _one_at_a_time = INSTALL
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        install_tools(&root()).expect("the diff tools install")
    }

    fn scratch(name: &str) -> PathBuf {
        let dir = target_dir(&root()).join(format!("schemas-test-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("scratch directory");
        dir
    }

    fn golden_openapi() -> Value {
        let text = std::fs::read_to_string(root().join("examples/hello/golden/openapi.json"))
            .expect("the golden OpenAPI document");
        serde_json::from_str(&text).expect("JSON")
    }

    fn openapi_check(name: &str, change: impl FnOnce(&mut Value)) -> bool {
        let tools = tools();
        let dir = scratch(name);
        let old = golden_openapi();
        let mut new = old.clone();
        change(&mut new);
        let (old_path, new_path) = (dir.join("old.json"), dir.join("new.json"));
        std::fs::write(&old_path, old.to_string()).expect("written");
        std::fs::write(&new_path, new.to_string()).expect("written");
        let compatible = openapi_compatible(&tools, &old_path, &new_path).expect("optic runs");
        let _ = std::fs::remove_dir_all(dir);
        compatible
    }

    fn sdl_check(name: &str, change: impl FnOnce(&str) -> String) -> bool {
        let tools = tools();
        let dir = scratch(name);
        let old = std::fs::read_to_string(root().join("examples/hello/golden/schema.graphql"))
            .expect("the golden SDL");
        let (old_path, new_path) = (dir.join("old.graphql"), dir.join("new.graphql"));
        std::fs::write(&old_path, &old).expect("written");
        std::fs::write(&new_path, change(&old)).expect("written");
        let compatible =
            sdl_compatible(&tools, &old_path, &new_path).expect("graphql-inspector runs");
        let _ = std::fs::remove_dir_all(dir);
        compatible
    }

    #[test]
    fn a_renamed_field_is_a_breaking_openapi_change() {
        assert!(!openapi_check("renamed", |document| {
            let item = &mut document["components"]["schemas"]["Item"];
            let name = item["properties"]["name"].take();
            let properties = item["properties"].as_object_mut().expect("properties");
            properties.remove("name");
            properties.insert("title".to_owned(), name);
            item["required"] = serde_json::json!(["id", "title", "price_cents"]);
        }));
    }

    #[test]
    fn an_added_optional_field_is_a_compatible_openapi_change() {
        assert!(openapi_check("added", |document| {
            let input = &mut document["components"]["schemas"]["StoreMessageInput"];
            input["properties"]["note"] = serde_json::json!({"type": ["string", "null"]});
        }));
    }

    fn proto_check(name: &str, change: impl FnOnce(&str) -> String) -> bool {
        let tools = tools();
        let dir = scratch(name);
        let old = std::fs::read_to_string(root().join("examples/hello/golden/servey.proto"))
            .expect("the golden .proto");
        let (old_dir, new_dir) = (dir.join("old"), dir.join("new"));
        for (path, text) in [(&old_dir, old.clone()), (&new_dir, change(&old))] {
            std::fs::create_dir_all(path).expect("a directory");
            std::fs::write(path.join("servey.proto"), text).expect("written");
        }
        let compatible = proto_compatible(&tools, &old_dir, &new_dir).expect("buf runs");
        let _ = std::fs::remove_dir_all(dir);
        compatible
    }

    #[test]
    fn a_retyped_field_is_a_breaking_proto_change() {
        assert!(!proto_check("retyped", |proto| {
            proto.replacen("uint64 price_cents = 3", "string price_cents = 3", 1)
        }));
    }

    #[test]
    fn an_added_field_is_a_compatible_proto_change() {
        assert!(proto_check("added-field", |proto| {
            proto.replacen(
                "message SayHelloRequest {\n  string name = 1;\n",
                "message SayHelloRequest {\n  string name = 1;\n  optional string greeting = 2;\n",
                1,
            )
        }));
    }

    #[test]
    fn a_renamed_field_is_a_breaking_sdl_change() {
        assert!(!sdl_check("renamed", |sdl| {
            sdl.replacen("\tpriceCents: BigInt!", "\tprice: BigInt!", 1)
        }));
    }

    #[test]
    fn an_added_optional_argument_is_a_compatible_sdl_change() {
        assert!(sdl_check("added", |sdl| {
            sdl.replacen(
                "sayHello(name: String!)",
                "sayHello(name: String!, greeting: String)",
                1,
            )
        }));
    }
}

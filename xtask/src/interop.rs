//! `cargo xtask interop` (also part of `ci`): clients generated from the tour app's live `/openapi.json` by
//! tools nobody here wrote, and used. openapi-python-client writes a Python package, through which
//! `xtask/interop/call_every_action.py` calls every operation and compares each answer with curl's;
//! openapi-typescript writes the TypeScript types, which `tsc --strict` checks together with typed
//! openapi-fetch calls (`xtask/interop/client.ts`). Everything it writes is under `target/interop/`, the
//! server's output in `target/interop/server.log`.

use std::fs::File;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use anyhow::{Context, Result, bail};

use crate::conduit::{
    HEALTH_POLL_INTERVAL, HEALTH_POLL_TRIES, free_address, health_is_ok, random_secret, target_dir,
};
use crate::{Tools, cargo, run};

/// The npm tools, pinned: openapi-typescript 7 wants TypeScript 5.
const NPM_TOOLS: [&str; 3] = [
    "openapi-typescript@7.13.0",
    "openapi-fetch@0.17.0",
    "typescript@5.9.3",
];

/// Builds and starts the tour app, generates the clients from its document and uses them.
pub(crate) fn interop(root: &Path, tools: &Tools) -> Result<()> {
    let bin = install_npm_tools(root)?;
    run(cargo(root).args(["build", "-p", "hello"]))?;
    let out = target_dir(root).join("interop");
    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    let password = random_secret()?;
    let server = TourServer::start(root, &out, &password)?;
    let base = format!("http://{}", server.address);

    let document = out.join("openapi.json");
    run(Command::new(&tools.python)
        .args(["-c", "import sys, urllib.request; open(sys.argv[2], 'wb').write(urllib.request.urlopen(sys.argv[1]).read())"])
        .arg(format!("{base}/openapi.json"))
        .arg(&document))?;

    let python_out = out.join("python");
    let package = python_out.join("tour_client");
    if python_out.exists() {
        std::fs::remove_dir_all(&python_out)?;
    }
    let generator = tools
        .python
        .parent()
        .context("the venv's bin directory")?
        .join("openapi-python-client");
    run(Command::new(generator)
        .args(["generate", "--meta", "none", "--overwrite", "--config"])
        .arg(root.join("xtask/interop/openapi-python-client.yaml"))
        .arg("--path")
        .arg(&document)
        .arg("--output-path")
        .arg(&package))?;
    run(Command::new(&tools.python)
        .arg(root.join("xtask/interop/call_every_action.py"))
        .arg(&base)
        .arg(&document)
        .arg(&python_out)
        .arg("tour_client")
        .arg(&password))?;
    drop(server);

    let typescript = out.join("typescript");
    std::fs::create_dir_all(&typescript)?;
    run(Command::new(bin.join("openapi-typescript"))
        .arg(&document)
        .arg("--output")
        .arg(typescript.join("schema.d.ts")))?;
    std::fs::copy(
        root.join("xtask/interop/client.ts"),
        typescript.join("client.ts"),
    )?;
    // tsc finds packages in a `node_modules` beside the sources (or above): link the tools' one there.
    let modules = typescript.join("node_modules");
    // A link left dangling (a target directory moved or its tools reinstalled) is made anew.
    if !modules.exists() && std::fs::symlink_metadata(&modules).is_ok() {
        std::fs::remove_file(&modules)?;
    }
    if !modules.exists() {
        std::os::unix::fs::symlink(npm_prefix(root).join("node_modules"), &modules)?;
    }
    run(Command::new(bin.join("tsc"))
        .args([
            "--strict",
            "--noEmit",
            "--target",
            "es2022",
            "--module",
            "esnext",
            "--moduleResolution",
            "bundler",
        ])
        .arg(typescript.join("client.ts"))
        .current_dir(&typescript))?;
    println!("xtask: the generated TypeScript types pass `tsc --strict`");
    Ok(())
}

fn npm_prefix(root: &Path) -> PathBuf {
    target_dir(root).join("servey-tools/npm-interop")
}

/// Installs the pinned npm tools under `target/servey-tools/npm-interop` unless they are there; the
/// directory of their executables.
fn install_npm_tools(root: &Path) -> Result<PathBuf> {
    let prefix = npm_prefix(root);
    let bin = prefix.join("node_modules/.bin");
    let stamp = prefix.join("tools.installed");
    let wanted = NPM_TOOLS.join(" ");
    if bin.join("tsc").exists() && std::fs::read_to_string(&stamp).ok().as_deref() == Some(&wanted)
    {
        return Ok(bin);
    }
    if Command::new("npm").arg("--version").output().is_err() {
        println!("xtask: installing Debian's nodejs and npm (the TypeScript client check)");
        crate::apt_install(&["nodejs", "npm"])?;
    }
    std::fs::create_dir_all(&prefix).with_context(|| format!("creating {}", prefix.display()))?;
    run(Command::new("npm")
        .args(["install", "--prefix"])
        .arg(&prefix)
        .args(["--no-audit", "--no-fund", "--save-exact"])
        .args(NPM_TOOLS))?;
    std::fs::write(&stamp, &wanted)?;
    Ok(bin)
}

/// The tour app as a child process with the debug login on, killed when this is dropped.
struct TourServer {
    child: Child,
    address: SocketAddr,
}

impl TourServer {
    fn start(root: &Path, out: &Path, password: &str) -> Result<Self> {
        let address = free_address()?;
        let log_path = out.join("server.log");
        let log =
            File::create(&log_path).with_context(|| format!("creating {}", log_path.display()))?;
        let binary = target_dir(root).join("debug/hello");
        println!("xtask: starting {} on {address}", binary.display());
        let child = Command::new(&binary)
            .current_dir(root)
            .env("SERVER_PORT", address.port().to_string())
            .env("JWT_SECRET_KEY", random_secret()?)
            .env("SERVEY_DEBUG_AUTHENTICATOR_PASSWORD", password)
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let mut server = Self { child, address };
        for _ in 0..HEALTH_POLL_TRIES {
            if let Some(status) = server.child.try_wait()? {
                bail!(
                    "the tour app exited with {status} before answering GET /health (see {})",
                    log_path.display()
                );
            }
            if health_is_ok(address) {
                return Ok(server);
            }
            std::thread::sleep(HEALTH_POLL_INTERVAL);
        }
        bail!(
            "the tour app did not answer GET /health (see {})",
            log_path.display()
        )
    }

    fn stop(&mut self) {
        // Already gone is fine; anything else has no better handling than trying.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for TourServer {
    fn drop(&mut self) {
        self.stop();
    }
}

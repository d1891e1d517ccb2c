//! Driving the load: wrk rounds against one app, parsed into requests/s and latency percentiles.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use super::{ROUND_SECONDS, Server};

/// What wrk measured in one round.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Load {
    pub(super) requests_per_second: f64,
    pub(super) p50_ms: f64,
    pub(super) p99_ms: f64,
}

pub(super) fn wrk(server: &Server, path: &str, script: Option<&Path>) -> Result<Load> {
    let mut command = Command::new("wrk");
    command.args(["-t2", "-c64", &format!("-d{ROUND_SECONDS}s"), "--latency"]);
    if let Some(script) = script {
        command.arg("-s").arg(script);
    }
    let output = command
        .arg(format!("http://127.0.0.1:{}{path}", server.port))
        .output()
        .context("running wrk")?;
    let text = String::from_utf8_lossy(&output.stdout);
    if text.contains("Non-2xx") {
        bail!(
            "wrk saw non-2xx answers from {} on {path}:\n{text}",
            server.name
        );
    }
    let number = |prefix: &str| -> Option<f64> {
        text.lines()
            .find_map(|line| line.trim().strip_prefix(prefix))
            .map(str::trim)
            .and_then(parse_duration_ms)
    };
    let requests_per_second = text
        .lines()
        .find_map(|line| line.strip_prefix("Requests/sec:"))
        .and_then(|value| value.trim().parse().ok())
        .with_context(|| format!("no Requests/sec in wrk's output:\n{text}"))?;
    Ok(Load {
        requests_per_second,
        p50_ms: number("50%").unwrap_or(f64::NAN),
        p99_ms: number("99%").unwrap_or(f64::NAN),
    })
}

fn parse_duration_ms(value: &str) -> Option<f64> {
    let split = value.find(|c: char| c.is_alphabetic())?;
    let (number, unit) = value.split_at(split);
    let number: f64 = number.parse().ok()?;
    Some(match unit {
        "us" => number / 1000.0,
        "ms" => number,
        "s" => number * 1000.0,
        "m" => number * 60_000.0,
        _ => return None,
    })
}

/// A wrk Lua script POSTing `body`; a `{n}` in it becomes `<thread>_<request>` so every request differs.
pub(super) fn write_post_script(dir: &Path, name: &str, body: &str) -> Result<PathBuf> {
    let path = dir.join(format!(
        "{}.lua",
        name.replace(|c: char| !c.is_alphanumeric(), "_")
    ));
    std::fs::write(&path, post_script(body))?;
    Ok(path)
}

fn post_script(body: &str) -> String {
    let lua = |text: &str| text.replace('\\', "\\\\").replace('"', "\\\"");
    let head = "wrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\n";
    match body.split_once("{n}") {
        None => format!("{head}wrk.body = \"{}\"\n", lua(body)),
        Some((before, after)) => format!(
            "{head}local threads = 0\nfunction setup(thread)\n  thread:set(\"tag\", threads)\n  threads = threads + 1\nend\n\
             local n = 0\nfunction request()\n  n = n + 1\n  return wrk.format(nil, nil, nil, \"{}\" .. tag .. \"_\" .. n .. \"{}\")\nend\n",
            lua(before),
            lua(after)
        ),
    }
}

pub(super) fn median(loads: &[Load]) -> Load {
    let pick = |key: fn(&Load) -> f64| {
        let mut values: Vec<f64> = loads.iter().map(key).collect();
        values.sort_by(f64::total_cmp);
        values[values.len() / 2]
    };
    Load {
        requests_per_second: pick(|l| l.requests_per_second),
        p50_ms: pick(|l| l.p50_ms),
        p99_ms: pick(|l| l.p99_ms),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_numbered_body_gets_a_per_request_counter() {
        let fixed = super::post_script(r#"{"query": "{ a }"}"#);
        assert!(
            fixed.contains(r#"wrk.body = "{\"query\": \"{ a }\"}""#),
            "{fixed}"
        );
        let numbered = super::post_script(r#"{"query": "query Q{n} { a }"}"#);
        assert!(
            numbered.contains(r#""{\"query\": \"query Q" .. tag .. "_" .. n .. " { a }\"}""#),
            "{numbered}"
        );
        assert!(numbered.contains("function request()"), "{numbered}");
    }
}

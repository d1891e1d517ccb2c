//! Batched nested actions: a GraphQL list of 100 rows selecting a nested field with a batch form (one
//! call for the list) against the same work without one (one call per row), served by servey-bench's
//! `nested` app, as a section of BENCHMARKS.md.

use std::path::Path;

use anyhow::{Result, bail};

use super::answers::http;
use super::load::{Load, median, write_post_script, wrk};
use super::{ROUND_SECONDS, ROUNDS, start, tempdir};

const PORT: u16 = 18_002;

/// The two queries: identical work per row, batched and not.
const QUERIES: [(&str, &str); 2] = [
    (
        "batched",
        r#"{"query": "{ rows(count: 100) { value checksum } }"}"#,
    ),
    (
        "unbatched",
        r#"{"query": "{ rows(count: 100) { value checksumUnbatched } }"}"#,
    ),
];

/// The section: requests/s and latency of each query, in alternating rounds.
pub(super) fn section(root: &Path) -> Result<String> {
    let server = start(root, "nested", &root.join("target/release/nested"), PORT)?;
    let scripts = tempdir()?;
    let mut loads: [Vec<Load>; 2] = [Vec::new(), Vec::new()];
    let mut paths = Vec::new();
    for (name, body) in QUERIES {
        let answer = http(PORT, "POST", "/graphql", Some(body))?;
        if !answer.starts_with("HTTP/1.1 200") || answer.contains("\"errors\"") {
            bail!("the nested app answered the {name} query with an error:\n{answer}");
        }
        paths.push(write_post_script(&scripts, name, body)?);
    }
    for round in 0..ROUNDS {
        // Alternate which query goes first so drift in machine load hits both alike.
        let order = if round % 2 == 0 { [0, 1] } else { [1, 0] };
        for index in order {
            let load = wrk(&server, "/graphql", Some(&paths[index]))?;
            println!(
                "xtask bench: GraphQL list of 100, {} round {}: {:.0} req/s",
                QUERIES[index].0,
                round + 1,
                load.requests_per_second
            );
            loads[index].push(load);
        }
    }
    let (batched, unbatched) = (median(&loads[0]), median(&loads[1]));
    let mut section = format!(
        "\n## Batched nested actions\n\n`{{ rows(count: 100) {{ value checksum }} }}` (a nested field with a batch \
         form: one call for the list) against the same work per row without one (`checksumUnbatched`: 100 \
         calls), served by servey-bench's `nested` app, wrk -t2 -c64, median of {ROUNDS} alternating rounds of \
         {ROUND_SECONDS} s, release build.\n\n| query | req/s | p50 ms | p99 ms |\n|---|---:|---:|---:|\n"
    );
    for (name, load) in [("batched", batched), ("unbatched", unbatched)] {
        section.push_str(&format!(
            "| {name} | {:.0} | {:.2} | {:.2} |\n",
            load.requests_per_second, load.p50_ms, load.p99_ms
        ));
    }
    section.push_str(&format!(
        "\nBatched / unbatched: {:.2}x requests/s.\n",
        batched.requests_per_second / unbatched.requests_per_second
    ));
    Ok(section)
}

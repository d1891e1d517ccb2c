//! Both apps must answer a scenario alike (a 200, no GraphQL errors, the same JSON) before it is measured.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use anyhow::{Result, bail};

use super::{Scenario, Server};

/// A minimal HTTP/1.1 request (no dependencies): the whole response as text.
pub(super) fn http(port: u16, method: &str, path: &str, body: Option<&str>) -> Result<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let body = body.unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    Ok(response)
}

/// Both apps must give the same answer, or the comparison means nothing.
pub(super) fn check_answers(servey: &Server, baseline: &Server, scenario: &Scenario) -> Result<()> {
    let method = if scenario.body.is_some() {
        "POST"
    } else {
        "GET"
    };
    let answer = |server: &Server| -> Result<serde_like::Json> {
        let body = scenario.body.map(|body| body.replace("{n}", "0"));
        let response = http(server.port, method, scenario.path, body.as_deref())?;
        let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
        if !head.starts_with("HTTP/1.1 200") {
            bail!(
                "{} answered {} for {}",
                server.name,
                head.lines().next().unwrap_or_default(),
                scenario.name
            );
        }
        if body.contains("\"errors\"") {
            bail!("{} answered errors: {}", server.name, body.trim());
        }
        Ok(serde_like::Json(body.trim().to_owned()))
    };
    let (a, b) = (answer(servey)?, answer(baseline)?);
    if a.normalized() != b.normalized() {
        bail!(
            "{}: servey answered {} but the baseline {}",
            scenario.name,
            a.0,
            b.0
        );
    }
    Ok(())
}

/// JSON compared without a JSON parser: whitespace outside strings removed.
mod serde_like {
    pub(super) struct Json(pub(super) String);

    impl Json {
        pub(super) fn normalized(&self) -> String {
            let mut out = String::new();
            let mut in_string = false;
            let mut escaped = false;
            for c in self.0.chars() {
                if in_string {
                    out.push(c);
                    escaped = !escaped && c == '\\';
                    in_string = escaped || c != '"';
                } else if !c.is_whitespace() {
                    in_string = c == '"';
                    out.push(c);
                }
            }
            out
        }
    }
}

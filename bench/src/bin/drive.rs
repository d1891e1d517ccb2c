//! The fixed-count request driver of `cargo xtask bench --instructions`: sends COUNT requests one after
//! another over ONE keep-alive connection (no concurrency, so the server's work per request is exact and
//! repeatable) and fails on any answer that is not a 200 or that carries GraphQL `errors`.
//!
//! Usage: `drive PORT COUNT METHOD PATH [BODY]`; every `{n}` in BODY becomes the request's number, so each
//! request can carry a different text (a GraphQL document cache cannot hit).

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;

fn main() {
    if let Err(error) = run() {
        eprintln!("drive: {error}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (port, count, method, path, body) = match args.as_slice() {
        [_, port, count, method, path] => (port, count, method, path, None),
        [_, port, count, method, path, body] => (port, count, method, path, Some(body)),
        _ => return Err("usage: drive PORT COUNT METHOD PATH [BODY]".into()),
    };
    let count: u64 = count.parse()?;
    let stream = TcpStream::connect(("127.0.0.1", port.parse::<u16>()?))?;
    stream.set_nodelay(true)?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    for n in 0..count {
        let body = body.map(|body| body.replace("{n}", &n.to_string()));
        let mut request = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        if let Some(body) = &body {
            request.push_str(&format!(
                "Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            ));
        } else {
            request.push_str("\r\n");
        }
        writer.write_all(request.as_bytes())?;
        let (status, answer) = read_response(&mut reader)?;
        if status != 200 {
            return Err(format!("request {n}: {method} {path} answered {status}: {answer}").into());
        }
        if answer.contains("\"errors\"") {
            return Err(format!("request {n}: {method} {path} answered errors: {answer}").into());
        }
    }
    Ok(())
}

/// One HTTP/1.1 response (Content-Length or chunked): its status and body.
fn read_response(reader: &mut impl BufRead) -> Result<(u16, String), Box<dyn std::error::Error>> {
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .ok_or_else(|| format!("no status line: {line:?}"))?
        .parse()?;
    let (mut length, mut chunked) = (None, false);
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Err("the connection closed inside the headers".into());
        }
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':').unwrap_or((header, ""));
        if name.eq_ignore_ascii_case("content-length") {
            length = Some(value.trim().parse::<usize>()?);
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            chunked = value.to_ascii_lowercase().contains("chunked");
        }
    }
    let mut body = Vec::new();
    if chunked {
        loop {
            line.clear();
            reader.read_line(&mut line)?;
            let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or("0"), 16)?;
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk)?;
            if size == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..size]);
        }
    } else {
        body.resize(length.unwrap_or(0), 0);
        reader.read_exact(&mut body)?;
    }
    Ok((status, String::from_utf8_lossy(&body).into_owned()))
}

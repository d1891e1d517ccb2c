//! The answers hyper writes itself, before any route sees the request (a request target or head too
//! large, bytes that are not HTTP/1.1), given the problem body every other error has.

use axum::http::StatusCode;

use crate::problem::status_problem;

/// `written`, when it is hyper's own bodiless answer to a request it refused (`400`, `414` or `431`),
/// rewritten with a problem document as its body; `None` for anything else.
pub fn refusal_answer(written: &[u8]) -> Option<Vec<u8>> {
    let (status, detail) = match written.get(..13)? {
        b"HTTP/1.1 400 " => (
            StatusCode::BAD_REQUEST,
            "The request is not valid HTTP/1.1.",
        ),
        b"HTTP/1.1 414 " => (
            StatusCode::URI_TOO_LONG,
            "The request target (path and query) is longer than the server accepts.",
        ),
        b"HTTP/1.1 431 " => (
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "The request head has more or larger header fields than the server accepts.",
        ),
        _ => return None,
    };
    // Exactly a head, and one without a body: what hyper writes for a refusal, never a route's answer.
    let head = written.strip_suffix(b"\r\n\r\n")?;
    let head = std::str::from_utf8(head).ok()?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next()?;
    let mut kept = Vec::new();
    let mut is_empty = false;
    for line in lines {
        let name = line.split(':').next().unwrap_or_default().trim();
        if name.eq_ignore_ascii_case("content-length") {
            is_empty = line[name.len() + 1..].trim() == "0";
        } else if name.eq_ignore_ascii_case("content-type") || line.is_empty() {
            return None;
        } else {
            kept.push(line);
        }
    }
    if !is_empty {
        return None;
    }
    let body = serde_json::to_vec(&status_problem(status, detail)).ok()?;
    let mut answer = format!(
        "{status_line}\r\ncontent-type: application/problem+json\r\ncontent-length: {}\r\n",
        body.len()
    );
    for line in kept {
        answer.push_str(line);
        answer.push_str("\r\n");
    }
    answer.push_str("\r\n");
    let mut answer = answer.into_bytes();
    answer.extend_from_slice(&body);
    Some(answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hypers_431_gets_a_problem_body() {
        let hyper = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\ndate: Sun, 06 Dec 2026 22:00:00 GMT\r\n\r\n";
        let answer = String::from_utf8(refusal_answer(hyper).expect("rewritten")).expect("text");
        let (head, body) = answer.split_once("\r\n\r\n").expect("a head and a body");
        assert!(
            head.starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n"),
            "{head}"
        );
        assert!(
            head.contains("content-type: application/problem+json"),
            "{head}"
        );
        assert!(
            head.contains(&format!("content-length: {}", body.len())),
            "{head}"
        );
        assert!(
            head.contains("date: Sun, 06 Dec 2026 22:00:00 GMT"),
            "{head}"
        );
        let problem: serde_json::Value = serde_json::from_str(body).expect("json");
        assert_eq!(problem["status"], 431);
        assert_eq!(problem["code"], "request_header_fields_too_large");
    }

    #[test]
    fn a_routes_answer_is_left_as_it_is() {
        let with_body = b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/problem+json\r\ncontent-length: 2\r\n\r\n{}";
        assert!(refusal_answer(with_body).is_none());
        let head_of_a_body = b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/problem+json\r\ncontent-length: 120\r\n\r\n";
        assert!(refusal_answer(head_of_a_body).is_none());
        assert!(refusal_answer(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").is_none());
    }
}

//! One request sent two ways: over HTTP to the server, and as a recorded Lambda event (the event's
//! method, path, query, headers and body set to the request's); and both answers in one comparable form.

use std::collections::BTreeMap;

use serde_json::value::RawValue;
use serde_json::{Map, Value, json};

use crate::support::Server;

/// The recorded events (see `README.md` beside them).
const REST: &str = include_str!("apigw-rest.json");
const HTTP: &str = include_str!("apigw-http.json");
const FUNCTION_URL: &str = include_str!("function-url.json");
const SCHEDULE: &str = include_str!("eventbridge-schedule.json");

/// Which kind of event carries the request.
#[derive(Debug, Clone, Copy)]
pub(super) enum Shape {
    /// API Gateway REST API (payload 1.0).
    RestV1,
    /// API Gateway HTTP API (payload 2.0).
    HttpV2,
    /// A Lambda function URL (the 2.0 shape, its own request context).
    FunctionUrl,
}

/// One request.
#[derive(Debug, Clone)]
pub(super) struct Case {
    method: &'static str,
    path: &'static str,
    query: &'static str,
    headers: Vec<(&'static str, String)>,
    body: &'static str,
}

/// What came back: status, headers without the transport's own (`date`, `content-length`), body.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Answer {
    status: u16,
    headers: BTreeMap<String, String>,
    body: String,
}

impl Answer {
    /// The header `name`, if sent.
    pub(super) fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).cloned()
    }
}

/// Headers hyper adds on the socket, which a Lambda answer leaves to API Gateway.
const TRANSPORT_HEADERS: [&str; 4] = ["date", "content-length", "transfer-encoding", "connection"];

impl Case {
    /// A request with `method`, `path`, `query` (without `?`) and `body`.
    pub(super) fn new(
        method: &'static str,
        path: &'static str,
        query: &'static str,
        body: &'static str,
    ) -> Self {
        let mut headers = vec![("x-request-id", super::REQUEST_ID.to_owned())];
        if !body.is_empty() {
            headers.push(("content-type", "application/json".to_owned()));
        }
        Self {
            method,
            path,
            query,
            headers,
            body,
        }
    }

    /// `GET path?query`.
    pub(super) fn get(path: &'static str, query: &'static str) -> Self {
        Self::new("GET", path, query, "")
    }

    /// `POST path` with a JSON `body`.
    pub(super) fn post(path: &'static str, body: &'static str) -> Self {
        Self::new("POST", path, "", body)
    }

    /// With the header `name: value` too.
    pub(super) fn header(mut self, name: &'static str, value: &str) -> Self {
        self.headers.push((name, value.to_owned()));
        self
    }

    /// The server's answer, the app being served under `prefix`.
    pub(super) async fn send(&self, server: &Server, prefix: &str) -> Answer {
        let method = reqwest::Method::from_bytes(self.method.as_bytes()).expect("a method");
        let mut path = format!("{prefix}{}", self.path);
        if !self.query.is_empty() {
            path = format!("{path}?{}", self.query);
        }
        let mut request = server.request(method, &path);
        for (name, value) in &self.headers {
            request = request.header(*name, value);
        }
        if !self.body.is_empty() {
            request = request.body(self.body);
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status().as_u16();
        let mut headers: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (name, value) in response.headers() {
            let value = value.to_str().expect("text headers").to_owned();
            headers
                .entry(name.as_str().to_owned())
                .or_default()
                .push(value);
        }
        let body = response.text().await.expect("a text body");
        Answer {
            status,
            headers: comparable(headers),
            body,
        }
    }

    /// The recorded event of `shape` carrying this request, the app being served under `prefix`.
    pub(super) fn event(&self, shape: Shape, prefix: &str) -> Box<RawValue> {
        let recorded = match shape {
            Shape::RestV1 => REST,
            Shape::HttpV2 => HTTP,
            Shape::FunctionUrl => FUNCTION_URL,
        };
        let mut event: Value = serde_json::from_str(recorded).expect("a recorded event is JSON");
        let body = (!self.body.is_empty()).then_some(self.body);
        match shape {
            Shape::RestV1 => {
                // API Gateway's `path` is the resource's; the stage is in the request context's.
                let mut headers = Map::new();
                let mut multi = Map::new();
                for (name, value) in self.headers_over(&event["headers"]) {
                    headers.insert(name.clone(), json!(value));
                    multi.insert(name, json!([value]));
                }
                let mut single = Map::new();
                let mut multi_query = Map::new();
                for (name, value) in query_pairs(self.query) {
                    single.insert(name.clone(), json!(value));
                    multi_query
                        .entry(name)
                        .or_insert_with(|| json!([]))
                        .as_array_mut()
                        .expect("an array")
                        .push(json!(value));
                }
                event["path"] = json!(self.path);
                event["httpMethod"] = json!(self.method);
                event["headers"] = Value::Object(headers);
                event["multiValueHeaders"] = Value::Object(multi);
                event["queryStringParameters"] = Value::Object(single);
                event["multiValueQueryStringParameters"] = Value::Object(multi_query);
                event["pathParameters"] = json!({"proxy": self.path.trim_start_matches('/')});
                event["requestContext"]["path"] = json!(format!("{prefix}{}", self.path));
                event["requestContext"]["httpMethod"] = json!(self.method);
                event["body"] = json!(body);
            }
            Shape::HttpV2 | Shape::FunctionUrl => {
                let mut query = Map::new();
                for (name, value) in query_pairs(self.query) {
                    let joined = match query.get(&name).and_then(Value::as_str) {
                        Some(earlier) => format!("{earlier},{value}"),
                        None => value,
                    };
                    query.insert(name, json!(joined));
                }
                let headers: Map<String, Value> = self
                    .headers_over(&event["headers"])
                    .into_iter()
                    .map(|(name, value)| (name.to_ascii_lowercase(), json!(value)))
                    .collect();
                event["rawPath"] = json!(format!("{prefix}{}", self.path));
                event["rawQueryString"] = json!(self.query);
                event["queryStringParameters"] = Value::Object(query);
                event["headers"] = Value::Object(headers);
                event["requestContext"]["http"]["method"] = json!(self.method);
                event["requestContext"]["http"]["path"] = json!(format!("{prefix}{}", self.path));
                event["body"] = json!(body);
                if let Some(object) = event.as_object_mut() {
                    object.remove("cookies");
                }
            }
        }
        raw(&event.to_string())
    }

    /// The recorded event's headers with the request's own over them (and no recorded body headers).
    fn headers_over(&self, recorded: &Value) -> Vec<(String, String)> {
        let mut headers: Vec<(String, String)> = recorded
            .as_object()
            .map(|recorded| {
                recorded
                    .iter()
                    .filter(|(name, _)| {
                        !name.eq_ignore_ascii_case("content-length")
                            && !name.eq_ignore_ascii_case("content-type")
                            && !self
                                .headers
                                .iter()
                                .any(|(own, _)| own.eq_ignore_ascii_case(name))
                    })
                    .map(|(name, value)| (name.clone(), value.as_str().unwrap_or("").to_owned()))
                    .collect()
            })
            .unwrap_or_default();
        headers.extend(
            self.headers
                .iter()
                .map(|(name, value)| ((*name).to_owned(), value.clone())),
        );
        headers
    }
}

/// The answer the handler gave for an event of `shape`, in the server's terms.
pub(super) fn answered(shape: Shape, answer: &Value) -> Answer {
    assert_eq!(
        answer["isBase64Encoded"],
        json!(false),
        "text bodies only here: {answer}"
    );
    let mut headers: BTreeMap<String, Vec<String>> = BTreeMap::new();
    match shape {
        Shape::RestV1 => {
            assert_eq!(
                answer["headers"],
                json!({}),
                "REST answers use multiValueHeaders"
            );
            for (name, values) in answer["multiValueHeaders"].as_object().expect("headers") {
                for value in values.as_array().expect("a list of values") {
                    let value = value.as_str().expect("text").to_owned();
                    headers.entry(name.clone()).or_default().push(value);
                }
            }
        }
        Shape::HttpV2 | Shape::FunctionUrl => {
            for (name, value) in answer["headers"].as_object().expect("headers") {
                let value = value.as_str().expect("text").to_owned();
                headers.entry(name.clone()).or_default().push(value);
            }
            for cookie in answer["cookies"].as_array().into_iter().flatten() {
                let cookie = cookie.as_str().expect("text").to_owned();
                headers
                    .entry("set-cookie".to_owned())
                    .or_default()
                    .push(cookie);
            }
        }
    }
    Answer {
        status: u16::try_from(answer["statusCode"].as_u64().expect("a status")).expect("a u16"),
        headers: comparable(headers),
        body: answer["body"].as_str().unwrap_or("").to_owned(),
    }
}

/// Headers as one value per name (repeated ones joined with `, `), without the transport's own.
fn comparable(headers: BTreeMap<String, Vec<String>>) -> BTreeMap<String, String> {
    headers
        .into_iter()
        .filter(|(name, _)| !TRANSPORT_HEADERS.contains(&name.as_str()))
        .map(|(name, values)| (name, values.join(", ")))
        .collect()
}

/// `a=1&b=2` as pairs (the tests' queries need no decoding).
fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (name.to_owned(), value.to_owned())
        })
        .collect()
}

/// `text` as the raw event Lambda hands over.
pub(super) fn raw(text: &str) -> Box<RawValue> {
    RawValue::from_string(text.to_owned()).expect("the event is JSON")
}

/// The recorded EventBridge scheduled event, from the rule `rule_arn`.
pub(super) fn scheduled_event(rule_arn: &str) -> Box<RawValue> {
    let mut event: Value = serde_json::from_str(SCHEDULE).expect("a recorded event is JSON");
    event["resources"] = json!([rule_arn]);
    raw(&event.to_string())
}

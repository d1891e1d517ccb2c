//! The arbitrary request: a method, one of the app's routes with its `{segments}` filled, a query string,
//! the headers servey reads (each with well-formed and arbitrary values), and a body (raw bytes, JSON, a
//! login form or a GraphQL request).

use arbitrary::Arbitrary;
use servey::axum::body::Body as AxumBody;
use servey::axum::http::{HeaderName, HeaderValue, Method as HttpMethod, Request, header};

use crate::graphql::GraphqlRequest;
use crate::json::{Json, Scalar, Text};
use crate::{Harness, Route};

/// One request, as the fuzzer sees it.
#[derive(Arbitrary, Debug)]
pub struct FuzzRequest {
    method: Method,
    /// Index into [`Harness::routes`] (modulo).
    route: u8,
    /// What fills each `{segment}` of the route's path, in order (missing ones are `x`).
    segments: Vec<Vec<u8>>,
    query: Query,
    headers: Headers,
    body: Body,
}

/// The request method.
#[derive(Arbitrary, Debug, Clone, Copy)]
enum Method {
    Get,
    Head,
    Post,
    Put,
    Patch,
    Delete,
    Options,
    /// An extension method (`PURGE`, ...): three ASCII letters from the input.
    Extension([u8; 3]),
}

/// The query string.
#[derive(Arbitrary, Debug)]
enum Query {
    None,
    /// Arbitrary bytes; those a URI may not hold are percent-encoded, a stray `%` is kept.
    Raw(Vec<u8>),
    /// `key=value` pairs, form-encoded.
    Pairs(Vec<(Text, Scalar)>),
}

/// The headers servey reads.
#[derive(Arbitrary, Debug)]
struct Headers {
    content_type: Option<ContentType>,
    authorization: Option<Credentials>,
    request_id: Option<Vec<u8>>,
    if_none_match: Option<Vec<u8>>,
    accept: Option<Vec<u8>>,
}

/// A `Content-Type`.
#[derive(Arbitrary, Debug)]
enum ContentType {
    Json,
    JsonUtf8,
    ProblemJson,
    VendorJson,
    Form,
    TextPlain,
    Raw(Vec<u8>),
}

/// An `Authorization` header.
#[derive(Arbitrary, Debug)]
enum Credentials {
    Root,
    Plain,
    Expired,
    NotYet,
    Foreign,
    /// The root token with one byte changed.
    Tampered(u16, u8),
    /// `Bearer <anything>`.
    Bearer(Vec<u8>),
    /// Anything.
    Raw(Vec<u8>),
}

/// The body.
#[derive(Arbitrary, Debug)]
enum Body {
    Empty,
    Raw(Vec<u8>),
    Json(Json),
    /// `username=..&password=..` (`/login`).
    Login(Text, Text),
    /// A GraphQL request: the JSON body on POST, the query string on GET.
    Graphql(GraphqlRequest),
}

/// What the checks need to know about a request that was sent.
pub struct Sent {
    /// The method.
    pub method: HttpMethod,
    /// The URI (path and query).
    pub uri: String,
    /// The route it goes to.
    pub route: &'static Route,
    /// Whether the method is `HEAD` (the response has no body).
    pub is_head: bool,
    /// Whether it presents the valid root token.
    pub is_root: bool,
    /// Whether it sent `If-None-Match` (a 304 is only expected then).
    pub has_if_none_match: bool,
    /// Everything it says, decoded (to tell whether GraphQL asked for the failing action).
    pub text: String,
}

impl FuzzRequest {
    /// The HTTP request and what was sent, or `None` when the input does not make a valid URI.
    pub fn render(&self, harness: &'static Harness) -> Option<(Request<AxumBody>, Sent)> {
        let route = &harness.routes[usize::from(self.route) % harness.routes.len()];
        let method = self.method.render();
        let mut uri = fill_segments(&route.template, &self.segments);
        let mut body = Vec::new();
        let mut text = String::new();
        let mut query = self.query.render(harness);
        match &self.body {
            Body::Empty => {}
            Body::Raw(bytes) => body.clone_from(bytes),
            Body::Json(json) => body = json.render(harness).to_string().into_bytes(),
            Body::Login(username, password) => {
                body = form(&[
                    ("username", username.render(harness)),
                    ("password", password.render(harness)),
                ])
                .into_bytes();
            }
            Body::Graphql(graphql) => {
                let (document, variables, operation_name) = graphql.render(harness);
                text.push_str(&document);
                if method == HttpMethod::GET {
                    let mut pairs = vec![("query", document)];
                    pairs.extend(variables.map(|v| ("variables", v.to_string())));
                    pairs.extend(operation_name.map(|name| ("operationName", name)));
                    query = Some(form(&pairs));
                } else {
                    let request = serde_json::json!({
                        "query": document,
                        "variables": variables,
                        "operationName": operation_name,
                    });
                    body = request.to_string().into_bytes();
                }
            }
        }
        if let Some(query) = &query {
            uri.push('?');
            uri.push_str(query);
            text.extend(form_urlencoded::parse(query.as_bytes()).map(|(k, v)| k + "=" + v + "\n"));
        }
        text.push_str(&String::from_utf8_lossy(&body));
        if let Ok(value) = serde_json::from_slice::<serde_json::Value>(&body) {
            collect_strings(&value, &mut text);
        }
        let mut request = Request::builder()
            .method(method.clone())
            .uri(uri.as_str())
            .body(AxumBody::from(body))
            .ok()?;
        let headers = request.headers_mut();
        let tokens = &harness.tokens;
        let mut is_root = false;
        if let Some(credentials) = &self.headers.authorization {
            let value = match credentials {
                Credentials::Root => {
                    is_root = true;
                    bearer(&tokens.root)
                }
                Credentials::Plain => bearer(&tokens.plain),
                Credentials::Expired => bearer(&tokens.expired),
                Credentials::NotYet => bearer(&tokens.not_yet),
                Credentials::Foreign => bearer(&tokens.foreign),
                Credentials::Tampered(at, byte) => {
                    let mut token = tokens.root.clone().into_bytes();
                    let at = usize::from(*at) % token.len();
                    // The same byte again would be the valid token.
                    token[at] = if token[at] == *byte { byte ^ 1 } else { *byte };
                    [b"Bearer ".as_slice(), &token].concat()
                }
                Credentials::Bearer(token) => [b"Bearer ".as_slice(), token].concat(),
                Credentials::Raw(raw) => raw.clone(),
            };
            insert(headers, header::AUTHORIZATION, &value);
        }
        if let Some(kind) = &self.headers.content_type {
            insert(headers, header::CONTENT_TYPE, kind.render());
        }
        let optional = [
            (
                HeaderName::from_static("x-request-id"),
                &self.headers.request_id,
            ),
            (header::IF_NONE_MATCH, &self.headers.if_none_match),
            (header::ACCEPT, &self.headers.accept),
        ];
        for (name, value) in optional {
            if let Some(value) = value {
                insert(headers, name, value);
            }
        }
        let has_if_none_match = headers.contains_key(header::IF_NONE_MATCH);
        let sent = Sent {
            method: method.clone(),
            uri,
            route,
            is_head: method == HttpMethod::HEAD,
            is_root,
            has_if_none_match,
            text,
        };
        Some((request, sent))
    }
}

impl Method {
    fn render(self) -> HttpMethod {
        match self {
            Self::Get => HttpMethod::GET,
            Self::Head => HttpMethod::HEAD,
            Self::Post => HttpMethod::POST,
            Self::Put => HttpMethod::PUT,
            Self::Patch => HttpMethod::PATCH,
            Self::Delete => HttpMethod::DELETE,
            Self::Options => HttpMethod::OPTIONS,
            Self::Extension(letters) => {
                let name = letters.map(|byte| b'A' + byte % 26);
                HttpMethod::from_bytes(&name).unwrap_or(HttpMethod::GET)
            }
        }
    }
}

impl Query {
    fn render(&self, harness: &Harness) -> Option<String> {
        match self {
            Self::None => None,
            Self::Raw(bytes) => Some(escape(bytes, b"/?")),
            Self::Pairs(pairs) => {
                let rendered: Vec<_> = pairs
                    .iter()
                    .map(|(key, value)| (key.render(harness), value.render(harness)))
                    .collect();
                let borrowed: Vec<_> = rendered
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.clone()))
                    .collect();
                Some(form(&borrowed))
            }
        }
    }
}

impl ContentType {
    fn render(&self) -> &[u8] {
        match self {
            Self::Json => b"application/json",
            Self::JsonUtf8 => b"application/json; charset=utf-8",
            Self::ProblemJson => b"application/problem+json",
            Self::VendorJson => b"application/vnd.servey+json",
            Self::Form => b"application/x-www-form-urlencoded",
            Self::TextPlain => b"text/plain",
            Self::Raw(bytes) => bytes,
        }
    }
}

/// The route's path with each `{name}` or `{*name}` replaced by the next segment, percent-encoded.
fn fill_segments(template: &str, segments: &[Vec<u8>]) -> String {
    let mut path = String::new();
    let mut rest = template;
    let mut next = segments.iter();
    while let Some(open) = rest.find('{') {
        path.push_str(&rest[..open]);
        let close = rest[open..]
            .find('}')
            .map_or(rest.len(), |at| open + at + 1);
        match next.next() {
            Some(segment) => path.push_str(&escape(segment, b"")),
            None => path.push('x'),
        }
        rest = &rest[close..];
    }
    path.push_str(rest);
    path
}

/// `bytes` with every byte but the URI's unreserved and sub-delimiter characters (and `extra`)
/// percent-encoded; `%` is kept as is, so that malformed escapes reach the decoders.
fn escape(bytes: &[u8], extra: &[u8]) -> String {
    const KEPT: &[u8] = b"-._~!$&'()*+,;=:@%";
    let mut out = String::with_capacity(bytes.len());
    for &byte in bytes {
        if byte.is_ascii_alphanumeric() || KEPT.contains(&byte) || extra.contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn form(pairs: &[(&str, String)]) -> String {
    let mut serializer = form_urlencoded::Serializer::new(String::new());
    for (key, value) in pairs {
        serializer.append_pair(key, value);
    }
    serializer.finish()
}

fn bearer(token: &str) -> Vec<u8> {
    format!("Bearer {token}").into_bytes()
}

/// Sets `name` when `value` is a valid header value (an invalid one cannot be sent at all).
fn insert(headers: &mut servey::axum::http::HeaderMap, name: HeaderName, value: &[u8]) {
    if let Ok(value) = HeaderValue::from_bytes(value) {
        headers.insert(name, value);
    }
}

fn collect_strings(value: &serde_json::Value, text: &mut String) {
    match value {
        serde_json::Value::String(string) => {
            text.push_str(string);
            text.push('\n');
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_strings(v, text)),
        serde_json::Value::Object(map) => map.values().for_each(|v| collect_strings(v, text)),
        _ => {}
    }
}

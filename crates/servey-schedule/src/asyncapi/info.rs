//! The document's `info` and `id`: what the app's configuration says about the API.

use serde_json::{Map, Value, json};

/// The `contact` object of `Name <email> (url)` (npm's form of a person; each part optional), or of a
/// bare URL or email address.
pub(super) fn contact_object(contact: &str) -> Value {
    let between = |open: char, close: char| {
        let start = contact.find(open)? + 1;
        let end = start + contact[start..].find(close)?;
        Some(contact[start..end].trim()).filter(|part| !part.is_empty())
    };
    let mut object = Map::new();
    let name = contact
        .split(['<', '('])
        .next()
        .map(str::trim)
        .filter(|name| !name.is_empty());
    match (between('<', '>'), between('(', ')')) {
        (None, None) if contact.contains('@') && !contact.contains("://") => {
            object.insert("email".into(), json!(contact.trim()));
        }
        (None, None) if contact.contains("://") => {
            object.insert("url".into(), json!(contact.trim()));
        }
        (email, url) => {
            if let Some(name) = name {
                object.insert("name".into(), json!(name));
            }
            if let Some(url) = url {
                object.insert("url".into(), json!(url));
            }
            if let Some(email) = email {
                object.insert("email".into(), json!(email));
            }
        }
    }
    Value::Object(object)
}

/// The document's `id`: a URN from the API's title (`Servey Tour` -> `urn:servey-tour`).
pub(super) fn document_id(title: &str) -> String {
    let mut slug = String::new();
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    format!("urn:{}", if slug.is_empty() { "servey" } else { slug })
}

//! Rust names for wire names: `PascalCase` types and variants, `snake_case` fields and functions, with
//! a `#[serde(rename)]` wherever the Rust name is not the wire name.

use proc_macro2::Ident;
use quote::format_ident;

/// Words Rust reserves, which a field or function takes as a raw identifier (`r#type`).
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "dyn", "else", "enum", "extern", "false",
    "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "static", "struct", "trait", "true", "type", "unsafe", "use", "where",
    "while", "abstract", "become", "box", "do", "final", "macro", "override", "priv", "try",
    "typeof", "unsized", "virtual", "yield",
];

/// Words that cannot be identifiers at all, not even raw ones.
const NOT_RAW: &[&str] = &["crate", "self", "super", "Self", "_"];

/// The words of a wire name: split at non-alphanumerics and at lower-to-upper case changes.
fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if !c.is_alphanumeric() {
            words.push(std::mem::take(&mut current));
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower {
            words.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_lowercase() || c.is_numeric();
        current.push(c);
    }
    words.push(current);
    words.retain(|word| !word.is_empty());
    words
}

/// `name` in `PascalCase`, a valid type name (`Value` for one with no letters, `_` before a digit).
pub(super) fn type_ident(name: &str) -> String {
    let pascal: String = words(name)
        .iter()
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_uppercase().chain(chars).collect::<String>()
            })
        })
        .collect();
    match pascal.chars().next() {
        None => "Value".to_owned(),
        Some(first) if first.is_numeric() => format!("_{pascal}"),
        Some(_) if pascal == "Self" => "Self_".to_owned(),
        Some(_) => pascal,
    }
}

/// An enum variant for the string `value`.
pub(super) fn variant_ident(value: &str) -> Ident {
    format_ident!("{}", type_ident(value))
}

/// `name` in `snake_case` as a field or parameter, and the wire name when the two differ.
pub(super) fn field_ident(name: &str) -> (Ident, Option<String>) {
    let mut snake = words(name)
        .iter()
        .map(|word| word.to_lowercase())
        .collect::<Vec<_>>()
        .join("_");
    if snake.is_empty() || snake.starts_with(|c: char| c.is_numeric()) || NOT_RAW.contains(&&*snake)
    {
        snake = format!("_{snake}");
    }
    let rename = (snake != name).then(|| name.to_owned());
    let ident = if KEYWORDS.contains(&&*snake) {
        format_ident!("r#{}", snake)
    } else {
        format_ident!("{}", snake)
    };
    (ident, rename)
}

#[cfg(test)]
mod tests {
    use super::{field_ident, type_ident};

    #[test]
    fn wire_names_become_rust_names() {
        assert_eq!(type_ident("say_hello"), "SayHello");
        assert_eq!(type_ident("Message"), "Message");
        assert_eq!(type_ident("in-progress"), "InProgress");
        assert_eq!(type_ident("2xx"), "_2xx");
        assert_eq!(type_ident("--"), "Value");
        let (ident, rename) = field_ident("priceCents");
        assert_eq!(
            (ident.to_string(), rename.as_deref()),
            ("price_cents".to_owned(), Some("priceCents"))
        );
        let (ident, rename) = field_ident("type");
        assert_eq!((ident.to_string(), rename), ("r#type".to_owned(), None));
        let (ident, rename) = field_ident("is_even");
        assert_eq!((ident.to_string(), rename), ("is_even".to_owned(), None));
    }
}

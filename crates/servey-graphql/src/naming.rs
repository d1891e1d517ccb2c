//! GraphQL names from Rust and JSON names: `say_hello` -> `sayHello` (fields and arguments),
//! `number_stats` -> `NumberStats` (generated type names), and error paths in GraphQL spelling. The word
//! split is core's ([`servey_core::naming`]); the guards against names GraphQL forbids are here.

use servey_core::naming::{push_capitalized, words};

/// The camelCase GraphQL name of an action, function or property name (`say_hello` -> `sayHello`).
///
/// Characters GraphQL names cannot hold act as word breaks; a leading digit gets a `_` prefix, and a
/// leading `_` is kept (`_private` -> `_private`) so that the name stays recognisable.
pub(crate) fn camel_case(name: &str) -> String {
    let leading = name.len() - name.trim_start_matches('_').len();
    let mut out = "_".repeat(leading.min(1));
    let mut first = true;
    for word in words(name) {
        if first {
            out.push_str(word);
            first = false;
        } else {
            push_capitalized(&mut out, word);
        }
    }
    guard_start(out)
}

/// The PascalCase name of a generated type (`number_stats` -> `NumberStats`, `sayHello` -> `SayHello`).
pub(crate) fn pascal_case(name: &str) -> String {
    guard_start(servey_core::naming::pascal_case(name))
}

/// A type name from a schema component name: kept as written where GraphQL allows it (`NumberStats`),
/// other characters (generics, paths: `Page<Item>`, `a::B`) become `_`.
pub(crate) fn type_name(component: &str) -> String {
    let mut out: String = component
        .chars()
        .map(|c| if is_name_char(c) { c } else { '_' })
        .collect();
    while out.ends_with('_') && out.len() > 1 {
        out.pop();
    }
    guard_start(out)
}

/// A field error path from the invoke path (`message.sender_name`, `items[2].zip_code`) in the
/// spelling the GraphQL caller used (`message.senderName`, `items[2].zipCode`).
pub(crate) fn camel_path(path: &str) -> String {
    path.split('.')
        .map(|segment| match segment.find('[') {
            Some(index) => format!("{}{}", camel_case(&segment[..index]), &segment[index..]),
            None if segment.is_empty() => String::new(),
            None => camel_case(segment),
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// Whether `name` is a valid GraphQL name (`/[_A-Za-z][_0-9A-Za-z]*/`), as enum values must be.
pub(crate) fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
        && chars.all(is_name_char)
}

fn is_name_char(c: char) -> bool {
    c == '_' || c.is_ascii_alphanumeric()
}

fn guard_start(name: String) -> String {
    match name.chars().next() {
        None => "_".to_owned(),
        Some(c) if c.is_ascii_digit() => format!("_{name}"),
        // Names starting with `__` are reserved for introspection.
        Some(_) if name.starts_with("__") => format!("_{}", name.trim_start_matches('_')),
        Some(_) => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_camel_case() {
        assert_eq!(camel_case("say_hello"), "sayHello");
        assert_eq!(camel_case("generated_1"), "generated1");
        assert_eq!(camel_case("isEven"), "isEven");
        assert_eq!(camel_case("_private_thing"), "_privateThing");
        assert_eq!(camel_case("1st"), "_1st");
        assert_eq!(camel_case("a-b c"), "aBC");
        assert_eq!(camel_case("__schema"), "_schema");
        assert_eq!(type_name("__Type"), "_Type");
    }

    #[test]
    fn types_are_pascal_case_or_sanitized() {
        assert_eq!(pascal_case("sayHello"), "SayHello");
        assert_eq!(pascal_case("number_stats"), "NumberStats");
        assert_eq!(type_name("NumberStats"), "NumberStats");
        assert_eq!(type_name("Page<Item>"), "Page_Item");
    }

    #[test]
    fn error_paths_use_graphql_spelling() {
        assert_eq!(camel_path("message.sender_name"), "message.senderName");
        assert_eq!(camel_path("items[2].zip_code"), "items[2].zipCode");
        assert_eq!(camel_path(""), "");
    }

    #[test]
    fn enum_values_must_be_names() {
        assert!(is_name("RED") && is_name("_x1"));
        assert!(!is_name("1x") && !is_name("a-b") && !is_name(""));
    }
}

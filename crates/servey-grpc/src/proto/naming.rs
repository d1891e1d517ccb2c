//! Proto names from JSON keys, action names and schema names.

/// `say_hello` -> `SayHello`, `number-stats` -> `NumberStats`, `isEven` -> `IsEven` (core's word split),
/// with an `X` in front of a name that would start with a digit or be empty.
pub(crate) fn pascal_case(name: &str) -> String {
    let mut out = servey_core::naming::pascal_case(name);
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'X');
    }
    out
}

/// A field name for the JSON key `key`: the key itself when it is an identifier, else its letters and
/// digits with `_` for the rest (the key stays the field's `json_name`).
pub(crate) fn field_name(key: &str) -> String {
    let mut name: String = key
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, '_');
    }
    name
}

/// A message name for the schema name `component` (`Page_Item`, `Page<Item>` -> `PageItem`).
pub(crate) fn message_name(component: &str) -> String {
    pascal_case(component)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_identifiers() {
        assert_eq!(pascal_case("say_hello"), "SayHello");
        assert_eq!(pascal_case("number_stats"), "NumberStats");
        assert_eq!(pascal_case("generated_1"), "Generated1");
        assert_eq!(pascal_case("9lives"), "X9lives");
        assert_eq!(field_name("price_cents"), "price_cents");
        assert_eq!(field_name("content-type"), "content_type");
        assert_eq!(field_name("2fa"), "_2fa");
        assert_eq!(message_name("Page<Item>"), "PageItem");
    }
}

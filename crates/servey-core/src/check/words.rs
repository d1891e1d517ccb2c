//! serde's messages (`invalid type: integer `5`, expected a string`, `missing field `x``) in a caller's
//! words, with a code: for what the schema walk cannot see, a type whose `Deserialize` has its own rules.

use crate::error::{FieldError, Violation};

/// The field error for serde's `message` about the value at `path`.
pub(crate) fn from_serde(path: &str, message: &str) -> FieldError {
    // serde_json appends ` at line 1 column 9` to errors from text.
    let message = message
        .rsplit_once(" at line ")
        .filter(|(_, place)| place.contains(" column "))
        .map_or(message, |(message, _)| message);
    if let Some(name) = quoted_after(message, "missing field ") {
        let path = match path {
            "" => name.to_owned(),
            _ => format!("{path}.{name}"),
        };
        return FieldError::new(path, Violation::Missing, "is required");
    }
    if let Some(rest) = message.strip_prefix("invalid type: ")
        && let Some((found, expected)) = rest.split_once(", expected ")
    {
        let words = format!(
            "must be {}, not {}",
            rust_free(expected),
            found_words(found)
        );
        return FieldError::new(path, Violation::Type, words);
    }
    if let Some(rest) = message.strip_prefix("invalid value: ")
        && let Some((_, expected)) = rest.split_once(", expected ")
    {
        let words = format!("must be {}", rust_free(expected));
        return FieldError::new(path, Violation::Range, words);
    }
    if let Some(rest) = message.strip_prefix("unknown variant ")
        && let Some((_, expected)) = rest.split_once(", expected ")
    {
        return FieldError::new(path, Violation::Enum, format!("must be {expected}"));
    }
    if let Some(name) = quoted_after(message, "unknown field ") {
        let path = match path {
            "" => name.to_owned(),
            _ => format!("{path}.{name}"),
        };
        return FieldError::new(path, Violation::UnknownField, "is not a field here");
    }
    FieldError::new(path, Violation::Invalid, message)
}

/// The text between the backticks right after `prefix`.
fn quoted_after<'m>(message: &'m str, prefix: &str) -> Option<&'m str> {
    let rest = message.strip_prefix(prefix)?.strip_prefix('`')?;
    rest.split_once('`').map(|(name, _)| name)
}

/// serde's "expected" in words a caller knows: Rust type names become JSON ones.
fn rust_free(expected: &str) -> String {
    let expected = expected.trim();
    let integer = |name: &str| {
        let (signed, bits) = match name.split_at_checked(1) {
            Some(("u", bits)) => (false, bits),
            Some(("i", bits)) => (true, bits),
            _ => return None,
        };
        let bits: u32 = match bits {
            "size" => 64,
            bits => bits.parse().ok()?,
        };
        let (min, max) = match (signed, bits) {
            (_, 128) | (false, 64) => {
                return Some(format!("an integer of at least {}", u8::from(!signed)));
            }
            (true, bits) => (-(1_i128 << (bits - 1)), (1_i128 << (bits - 1)) - 1),
            (false, bits) => (0, (1_i128 << bits) - 1),
        };
        Some(format!("an integer from {min} to {max}"))
    };
    if let Some(words) = integer(expected) {
        return words;
    }
    match expected {
        "f32" | "f64" => "a number".to_owned(),
        "a sequence" | "a tuple" => "an array".to_owned(),
        "a map" => "an object".to_owned(),
        "a boolean" | "bool" => "true or false".to_owned(),
        "a character" | "char" => "a single character".to_owned(),
        "unit" => "null".to_owned(),
        _ if expected.starts_with("struct ") || expected.starts_with("map ") => {
            "an object".to_owned()
        }
        _ if expected.starts_with("tuple ") => "an array".to_owned(),
        _ => expected.replace("a borrowed string", "a string"),
    }
}

/// serde's "found" (`integer `5``, `string "x"`, `map`) as what the value is.
fn found_words(found: &str) -> &'static str {
    let kind = found.split([' ', '`', '"']).next().unwrap_or(found);
    match kind {
        "integer" => "an integer",
        "floating" => "a number",
        "string" | "character" => "a string",
        "boolean" => "a boolean",
        "map" => "an object",
        "sequence" => "an array",
        "null" | "unit" => "null",
        _ => "something else",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(path: &str, message: &str) -> (String, String, String) {
        let error = from_serde(path, message);
        (error.path, error.code, error.message)
    }

    #[test]
    fn serde_messages_become_codes_and_words_without_rust() {
        assert_eq!(
            words("user", "missing field `password`"),
            (
                "user.password".into(),
                "missing".into(),
                "is required".into()
            )
        );
        assert_eq!(
            words(
                "name",
                "invalid type: integer `5`, expected a string at line 1 column 9"
            ),
            (
                "name".into(),
                "type".into(),
                "must be a string, not an integer".into()
            )
        );
        assert_eq!(
            words("zip", "invalid type: string \"x\", expected u32"),
            (
                "zip".into(),
                "type".into(),
                "must be an integer from 0 to 4294967295, not a string".into()
            )
        );
        assert_eq!(
            words("size", "invalid value: integer `300`, expected u8"),
            (
                "size".into(),
                "range".into(),
                "must be an integer from 0 to 255".into()
            )
        );
        assert_eq!(
            words(
                "color",
                "unknown variant `pink`, expected one of `red`, `blue`"
            ),
            (
                "color".into(),
                "enum".into(),
                "must be one of `red`, `blue`".into()
            )
        );
        assert_eq!(
            words("", "input contains invalid characters"),
            (
                "".into(),
                "invalid".into(),
                "input contains invalid characters".into()
            )
        );
    }
}

//! What a value must satisfy beyond its type, as declared with utoipa's `#[schema(..)]` attributes
//! (`min_length`, `maximum`, `pattern`, `format`, `min_items`, ...): plain data in the type model, read
//! from the published schema, checked before an action runs (`crate::check`) and described to GraphQL
//! and CLI users in the same words.

use serde::Serialize;

/// The constraints of one type; all `None` (the most common case) costs nothing to check.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Constraints {
    /// Fewest characters (Unicode scalar values) a string may have.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_length: Option<usize>,
    /// Most characters a string may have.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_length: Option<usize>,
    /// A regular expression a string must match somewhere (anchor it with `^..$` to match whole).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// A string format servey checks: `date`, `date-time`, `email`, `uri` or `uuid` (others are
    /// published, not checked).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// The least a (non-integer) number may be; integers keep theirs in [`IntegerType`](super::IntegerType).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minimum: Option<f64>,
    /// The most a (non-integer) number may be.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maximum: Option<f64>,
    /// A number must be greater than this.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exclusive_minimum: Option<f64>,
    /// A number must be less than this.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exclusive_maximum: Option<f64>,
    /// A number must be a multiple of this.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multiple_of: Option<f64>,
    /// Fewest items a list may have.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_items: Option<usize>,
    /// Most items a list may have.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_items: Option<usize>,
    /// Whether a list's items must all differ.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub unique_items: bool,
    /// Fewest keys an object or map may have.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_properties: Option<usize>,
    /// Most keys an object or map may have.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_properties: Option<usize>,
}

/// The string formats servey checks; any other `format` is documentation only.
pub const CHECKED_FORMATS: [&str; 5] = ["date", "date-time", "email", "uri", "uuid"];

impl Constraints {
    /// No constraint at all.
    pub const NONE: Self = Self {
        min_length: None,
        max_length: None,
        pattern: None,
        format: None,
        minimum: None,
        maximum: None,
        exclusive_minimum: None,
        exclusive_maximum: None,
        multiple_of: None,
        min_items: None,
        max_items: None,
        unique_items: false,
        min_properties: None,
        max_properties: None,
    };

    /// Whether nothing is declared that a check would look at.
    pub fn is_empty(&self) -> bool {
        let format_checked = self
            .format
            .as_deref()
            .is_some_and(|format| CHECKED_FORMATS.contains(&format));
        *self
            == Self {
                format: self.format.clone(),
                ..Self::NONE
            }
            && !format_checked
    }

    /// The constraints in words, for descriptions where the schema language cannot say them (GraphQL's
    /// SDL): `1 to 20 characters; matches ^[a-z]+$`. `None` when there are none.
    pub fn describe(&self) -> Option<String> {
        let mut parts = Vec::new();
        if let Some(text) = between(self.min_length, self.max_length, "character") {
            parts.push(text);
        }
        if let Some(pattern) = &self.pattern {
            parts.push(format!("matches `{pattern}`"));
        }
        if let Some(format) = self
            .format
            .as_deref()
            .filter(|format| CHECKED_FORMATS.contains(format))
        {
            parts.push(format!("format {format}"));
        }
        if let Some(minimum) = self.minimum {
            parts.push(format!("at least {}", number(minimum)));
        }
        if let Some(maximum) = self.maximum {
            parts.push(format!("at most {}", number(maximum)));
        }
        if let Some(bound) = self.exclusive_minimum {
            parts.push(format!("greater than {}", number(bound)));
        }
        if let Some(bound) = self.exclusive_maximum {
            parts.push(format!("less than {}", number(bound)));
        }
        if let Some(factor) = self.multiple_of {
            parts.push(format!("a multiple of {}", number(factor)));
        }
        if let Some(text) = between(self.min_items, self.max_items, "item") {
            parts.push(text);
        }
        if self.unique_items {
            parts.push("no item twice".to_owned());
        }
        if let Some(text) = between(self.min_properties, self.max_properties, "key") {
            parts.push(text);
        }
        (!parts.is_empty()).then(|| parts.join("; "))
    }
}

/// What values of `ty` must satisfy beyond their type, in words: its constraints and an integer's
/// declared range (not its width's); `None` when nothing is declared.
pub fn describe_type(ty: &super::TypeModel) -> Option<String> {
    let range = match &ty.kind {
        super::TypeKind::Integer(integer) if !crate::numbers::is_width_range(integer) => {
            let (min, max) = crate::numbers::range(integer);
            Some(format!("from {min} to {max}"))
        }
        _ => None,
    };
    let words: Vec<String> = range.into_iter().chain(ty.constraints.describe()).collect();
    (!words.is_empty()).then(|| words.join("; "))
}

/// `1 to 20 characters`, `at least 1 item`, `at most 5 keys`.
fn between(min: Option<usize>, max: Option<usize>, unit: &str) -> Option<String> {
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    match (min, max) {
        (Some(min), Some(max)) if min == max => {
            Some(format!("exactly {min} {unit}{}", plural(max)))
        }
        (Some(min), Some(max)) => Some(format!("{min} to {max} {unit}s")),
        (Some(min), None) => Some(format!("at least {min} {unit}{}", plural(min))),
        (None, Some(max)) => Some(format!("at most {max} {unit}{}", plural(max))),
        (None, None) => None,
    }
}

/// A bound as people write it: `1000`, not `1000.0`.
pub(crate) fn number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constraints_read_as_words() {
        let constraints = Constraints {
            min_length: Some(1),
            max_length: Some(20),
            pattern: Some("^[a-z]+$".into()),
            ..Constraints::NONE
        };
        assert_eq!(
            constraints.describe().as_deref(),
            Some("1 to 20 characters; matches `^[a-z]+$`")
        );
        let numbers = Constraints {
            maximum: Some(1000.0),
            exclusive_minimum: Some(0.5),
            min_items: Some(1),
            ..Constraints::NONE
        };
        assert_eq!(
            numbers.describe().as_deref(),
            Some("at most 1000; greater than 0.5; at least 1 item")
        );
        assert_eq!(Constraints::NONE.describe(), None);
    }

    #[test]
    fn an_unchecked_format_is_no_constraint() {
        let documented = Constraints {
            format: Some("password".into()),
            ..Constraints::NONE
        };
        assert!(documented.is_empty());
        let checked = Constraints {
            format: Some("email".into()),
            ..Constraints::NONE
        };
        assert!(!checked.is_empty());
    }
}

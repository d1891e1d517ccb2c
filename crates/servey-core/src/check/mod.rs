//! The input checks every call gets before its action runs, whatever the transport: the value is walked
//! against the action's schema model, the published schema, and every field that does not fit is named
//! with its path, a stable [`Violation`] code and words without Rust in them. Built once per action
//! (patterns compiled at start); an input whose schema declares no constraint is only walked when
//! decoding already failed, to explain why.

use std::collections::HashMap;

use regex::Regex;
use serde_json::{Map, Number, Value};

use crate::error::{FieldError, Violation};
use crate::schema::{Constraints, IntegerType, SchemaModel, TypeKind, TypeModel};

mod formats;
mod words;

pub(crate) use words::from_serde;

/// How deep input is followed through the model (recursive types stop here; decoding reports the rest).
const MAX_DEPTH: usize = 32;

/// What an action does with input keys it does not declare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UnknownFields {
    /// Ignore them, as serde does by default.
    #[default]
    Ignore,
    /// Refuse the call with an `unknown_field` error for each.
    Refuse,
}

/// An action's input checks: its schema model and the compiled patterns it declares.
#[derive(Debug)]
pub struct Checker {
    model: SchemaModel,
    patterns: HashMap<String, Regex>,
    bad_patterns: Vec<(String, String)>,
    constrained: bool,
    has_integers: bool,
}

impl Checker {
    /// The checks of an input described by `model`.
    pub(crate) fn new(model: SchemaModel) -> Self {
        let mut found = Found::default();
        found.visit(&model.input, &model, 0);
        let mut patterns = HashMap::new();
        let mut bad_patterns = Vec::new();
        for pattern in found.patterns {
            match Regex::new(&pattern) {
                Ok(regex) => {
                    patterns.insert(pattern, regex);
                }
                Err(error) => bad_patterns.push((pattern, error.to_string())),
            }
        }
        Self {
            model,
            patterns,
            bad_patterns,
            constrained: found.constrained,
            has_integers: found.integers,
        }
    }

    /// The model checked against.
    pub(crate) fn model(&self) -> &SchemaModel {
        &self.model
    }

    /// Whether the input declares any constraint (so a valid-looking value must still be walked).
    pub(crate) fn constrained(&self) -> bool {
        self.constrained
    }

    /// Whether the input has an integer anywhere (whose whole floats and range are checked).
    pub(crate) fn has_integers(&self) -> bool {
        self.has_integers
    }

    /// Patterns the schema declares that are not regular expressions, with why.
    pub fn bad_patterns(&self) -> &[(String, String)] {
        &self.bad_patterns
    }

    /// Checks `value` (the input object), making whole floats at integer places integers; every field
    /// that does not fit, in order.
    pub(crate) fn check(&self, value: &mut Value, unknown: UnknownFields) -> Vec<FieldError> {
        let mut walk = Walk {
            checker: self,
            unknown,
            errors: Vec::new(),
        };
        walk.value(value, &self.model.input, &mut String::new(), 0);
        walk.errors
    }
}

/// What a model declares anywhere in its input.
#[derive(Default)]
struct Found {
    patterns: Vec<String>,
    constrained: bool,
    integers: bool,
    seen: Vec<String>,
}

impl Found {
    fn visit(&mut self, ty: &TypeModel, model: &SchemaModel, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        if let TypeKind::Named { name } = &ty.kind {
            if self.seen.contains(name) {
                return;
            }
            self.seen.push(name.clone());
        }
        let ty = model.resolve(ty);
        if !ty.constraints.is_empty() {
            self.constrained = true;
        }
        if let Some(pattern) = &ty.constraints.pattern
            && !self.patterns.contains(pattern)
        {
            self.patterns.push(pattern.clone());
        }
        match &ty.kind {
            TypeKind::Integer(integer) => {
                self.integers = true;
                self.constrained |= !crate::numbers::is_width_range(integer);
            }
            TypeKind::List { items } => self.visit(items, model, depth + 1),
            TypeKind::Map { values } => self.visit(values, model, depth + 1),
            TypeKind::Object(object) => {
                // Refused keys need a walk like constraints do.
                self.constrained |= object.closed;
                for property in &object.properties {
                    self.visit(&property.ty, model, depth + 1);
                }
                if let Some(values) = &object.additional {
                    self.visit(values, model, depth + 1);
                }
            }
            _ => {}
        }
    }
}

struct Walk<'c> {
    checker: &'c Checker,
    unknown: UnknownFields,
    errors: Vec<FieldError>,
}

impl Walk<'_> {
    fn fail(&mut self, path: &str, violation: Violation, message: impl Into<String>) {
        self.errors
            .push(FieldError::new(path, violation, message.into()));
    }

    fn value(&mut self, value: &mut Value, ty: &TypeModel, path: &mut String, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        // An `Option` of a named type is nullable where it names it, not in the component.
        let nullable = ty.nullable;
        let ty = self.checker.model.resolve(ty);
        if value.is_null() {
            if !nullable && !ty.nullable && ty.kind != TypeKind::Any {
                let expected = expected(&ty.kind);
                self.fail(
                    path,
                    Violation::Type,
                    format!("must be {expected}, not null"),
                );
            }
            return;
        }
        match (&ty.kind, value) {
            (TypeKind::Any, _) => {}
            (TypeKind::String, Value::String(text)) => self.string(text, &ty.constraints, path),
            (TypeKind::Enum { values }, Value::String(text)) => {
                if !values.iter().any(|allowed| allowed == text) {
                    let listed: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
                    let message = format!("must be one of {}", listed.join(", "));
                    self.fail(path, Violation::Enum, message);
                }
            }
            (TypeKind::Integer(integer), Value::Number(number)) => {
                self.integer(number, integer, &ty.constraints, path);
            }
            (TypeKind::Number, Value::Number(number)) => {
                if let Some(float) = number.as_f64() {
                    self.number(float, &ty.constraints, path);
                }
            }
            (TypeKind::Boolean, Value::Bool(_)) => {}
            (TypeKind::List { items }, Value::Array(values)) => {
                self.list(values, &ty.constraints, path);
                for (index, item) in values.iter_mut().enumerate() {
                    let length = path.len();
                    path.push_str(&format!("[{index}]"));
                    self.value(item, items, path, depth + 1);
                    path.truncate(length);
                }
            }
            (TypeKind::Map { values: of }, Value::Object(entries)) => {
                self.keys(entries.len(), &ty.constraints, path);
                for (key, item) in entries.iter_mut() {
                    let length = push_key(path, key);
                    self.value(item, of, path, depth + 1);
                    path.truncate(length);
                }
            }
            (TypeKind::Object(object), Value::Object(entries)) => {
                self.keys(entries.len(), &ty.constraints, path);
                self.object(entries, object, path, depth);
            }
            (kind, value) => {
                let message = format!("must be {}, not {}", expected(kind), kind_of(value));
                self.fail(path, Violation::Type, message);
            }
        }
    }

    fn object(
        &mut self,
        entries: &mut Map<String, Value>,
        object: &crate::schema::ObjectType,
        path: &mut String,
        depth: usize,
    ) {
        // In the order the type declares its fields, then the keys it does not declare.
        for property in &object.properties {
            let length = push_key(path, &property.name);
            match entries.get_mut(&property.name) {
                Some(item) => self.value(item, &property.ty, path, depth + 1),
                None if property.required => self.fail(path, Violation::Missing, "is required"),
                None => {}
            }
            path.truncate(length);
        }
        for (key, item) in entries.iter_mut() {
            if object.property(key).is_some() {
                continue;
            }
            let length = push_key(path, key);
            {
                match &object.additional {
                    Some(values) => self.value(item, values, path, depth + 1),
                    None if object.closed || self.unknown == UnknownFields::Refuse => {
                        let names: Vec<String> = object
                            .properties
                            .iter()
                            .map(|property| format!("`{}`", property.name))
                            .collect();
                        let message = match names.is_empty() {
                            true => "is not a field here; this input takes none".to_owned(),
                            false => {
                                format!("is not a field here; the fields are {}", names.join(", "))
                            }
                        };
                        self.fail(path, Violation::UnknownField, message);
                    }
                    None => {}
                }
            }
            path.truncate(length);
        }
    }

    fn string(&mut self, text: &str, constraints: &Constraints, path: &str) {
        if constraints.min_length.is_some() || constraints.max_length.is_some() {
            let length = text.chars().count();
            if let Some(min) = constraints.min_length.filter(|&min| length < min) {
                let message = match min {
                    1 => "must not be empty".to_owned(),
                    _ => format!("must be at least {min} characters long, not {length}"),
                };
                self.fail(path, Violation::MinLength, message);
            }
            if let Some(max) = constraints.max_length.filter(|&max| length > max) {
                let message = format!("must be at most {max} characters long, not {length}");
                self.fail(path, Violation::MaxLength, message);
            }
        }
        if let Some(pattern) = &constraints.pattern
            && let Some(regex) = self.checker.patterns.get(pattern)
            && !regex.is_match(text)
        {
            self.fail(
                path,
                Violation::Pattern,
                format!("must match the pattern `{pattern}`"),
            );
        }
        if let Some(format) = &constraints.format
            && let Some(message) = formats::violation(format, text)
        {
            self.fail(path, Violation::Format, message);
        }
    }

    fn integer(
        &mut self,
        number: &mut Number,
        integer: &IntegerType,
        constraints: &Constraints,
        path: &str,
    ) {
        match crate::numbers::conform_integer(number, integer) {
            Ok(()) => {}
            Err(crate::numbers::NotInteger::Fraction) => {
                self.fail(
                    path,
                    Violation::Type,
                    "must be an integer, not a number with a fraction",
                );
                return;
            }
            Err(crate::numbers::NotInteger::OutOfRange { minimum, maximum }) => {
                let message = format!("must be an integer from {minimum} to {maximum}");
                self.fail(path, Violation::Range, message);
                return;
            }
        }
        if let Some(float) = number.as_f64() {
            self.number(float, constraints, path);
        }
    }

    fn number(&mut self, value: f64, constraints: &Constraints, path: &str) {
        use crate::schema::constraints::number as shown;
        let mut range = |violated: bool, message: String| {
            if violated {
                self.errors
                    .push(FieldError::new(path, Violation::Range, message));
            }
        };
        if let Some(min) = constraints.minimum {
            range(value < min, format!("must be at least {}", shown(min)));
        }
        if let Some(max) = constraints.maximum {
            range(value > max, format!("must be at most {}", shown(max)));
        }
        if let Some(bound) = constraints.exclusive_minimum {
            range(
                value <= bound,
                format!("must be greater than {}", shown(bound)),
            );
        }
        if let Some(bound) = constraints.exclusive_maximum {
            range(
                value >= bound,
                format!("must be less than {}", shown(bound)),
            );
        }
        if let Some(factor) = constraints.multiple_of.filter(|factor| *factor > 0.0) {
            let quotient = value / factor;
            if (quotient - quotient.round()).abs() > 1e-9 {
                let message = format!("must be a multiple of {}", shown(factor));
                self.fail(path, Violation::MultipleOf, message);
            }
        }
    }

    fn list(&mut self, values: &[Value], constraints: &Constraints, path: &str) {
        let count = values.len();
        if let Some(min) = constraints.min_items.filter(|&min| count < min) {
            let message = match min {
                1 => "must not be empty".to_owned(),
                _ => format!("must have at least {min} items, not {count}"),
            };
            self.fail(path, Violation::MinItems, message);
        }
        if let Some(max) = constraints.max_items.filter(|&max| count > max) {
            let message = format!("must have at most {max} items, not {count}");
            self.fail(path, Violation::MaxItems, message);
        }
        if constraints.unique_items {
            let repeated = (1..count).find_map(|later| {
                (0..later)
                    .find(|&earlier| values[earlier] == values[later])
                    .map(|earlier| (earlier, later))
            });
            if let Some((earlier, later)) = repeated {
                let message =
                    format!("must not repeat an item; items {earlier} and {later} are equal");
                self.fail(path, Violation::UniqueItems, message);
            }
        }
    }

    fn keys(&mut self, count: usize, constraints: &Constraints, path: &str) {
        if let Some(min) = constraints.min_properties.filter(|&min| count < min) {
            let message = format!("must have at least {min} keys, not {count}");
            self.fail(path, Violation::MinProperties, message);
        }
        if let Some(max) = constraints.max_properties.filter(|&max| count > max) {
            let message = format!("must have at most {max} keys, not {count}");
            self.fail(path, Violation::MaxProperties, message);
        }
    }
}

/// Appends `.key` (or `key` at the root) to `path`; the length to truncate back to.
fn push_key(path: &mut String, key: &str) -> usize {
    let length = path.len();
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(key);
    length
}

/// What a value of `kind` is, in words.
fn expected(kind: &TypeKind) -> String {
    match kind {
        TypeKind::Any => "any value".to_owned(),
        TypeKind::String => "a string".to_owned(),
        TypeKind::Integer(_) => "an integer".to_owned(),
        TypeKind::Number => "a number".to_owned(),
        TypeKind::Boolean => "true or false".to_owned(),
        TypeKind::List { .. } => "an array".to_owned(),
        TypeKind::Map { .. } | TypeKind::Object(_) => "an object".to_owned(),
        TypeKind::Enum { values } => {
            let listed: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
            format!("one of {}", listed.join(", "))
        }
        TypeKind::Named { name } => format!("a {name}"),
    }
}

/// What `value` is, in words.
pub(crate) fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(number) if number.is_f64() => "a number",
        Value::Number(_) => "an integer",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests;

//! Arbitrary GraphQL requests: a raw document, or one built from the schema's own names (operations,
//! aliases, arguments of every kind, variables, nested selections, fragments), with arbitrary variables.

use std::fmt::Write;

use arbitrary::Arbitrary;
use serde_json::Value;

use crate::Harness;
use crate::json::{Json, Text};

/// A GraphQL request as `/graphql` takes it (a JSON body for POST, query parameters for GET).
#[derive(Arbitrary, Debug)]
pub struct GraphqlRequest {
    /// The document.
    pub document: Document,
    /// The `variables` object (any JSON, not always an object).
    pub variables: Option<Json>,
    /// The `operationName`.
    pub operation_name: Option<Text>,
}

impl GraphqlRequest {
    /// The document text, the variables and the operation name.
    pub fn render(&self, harness: &Harness) -> (String, Option<Value>, Option<String>) {
        (
            self.document.render(harness),
            self.variables.as_ref().map(|json| json.render(harness)),
            self.operation_name
                .as_ref()
                .map(|name| name.render(harness)),
        )
    }
}

/// A GraphQL document.
#[derive(Arbitrary, Debug)]
pub enum Document {
    /// Any text.
    Raw(String),
    /// Operations and fragments built from names.
    Built {
        /// The operations.
        operations: Vec<Operation>,
        /// The fragment definitions.
        fragments: Vec<Fragment>,
    },
}

impl Document {
    fn render(&self, harness: &Harness) -> String {
        match self {
            Self::Raw(text) => text.clone(),
            Self::Built {
                operations,
                fragments,
            } => {
                let mut out = String::new();
                for operation in operations {
                    operation.write(harness, &mut out);
                }
                for fragment in fragments {
                    fragment.write(harness, &mut out);
                }
                out
            }
        }
    }
}

/// The kind of an operation.
#[derive(Arbitrary, Debug)]
pub enum OperationKind {
    /// `{ ... }` with no keyword.
    Shorthand,
    /// `query`.
    Query,
    /// `mutation`.
    Mutation,
    /// `subscription` (the schema has none).
    Subscription,
}

/// One operation.
#[derive(Arbitrary, Debug)]
pub struct Operation {
    kind: OperationKind,
    name: Option<Text>,
    variables: Vec<(Text, TypeRef, Option<Argument>)>,
    selection: Vec<Selection>,
}

impl Operation {
    fn write(&self, harness: &Harness, out: &mut String) {
        let keyword = match self.kind {
            OperationKind::Shorthand => None,
            OperationKind::Query => Some("query"),
            OperationKind::Mutation => Some("mutation"),
            OperationKind::Subscription => Some("subscription"),
        };
        if let Some(keyword) = keyword {
            out.push_str(keyword);
            if let Some(name) = &self.name {
                let _ = write!(out, " {}", name.render(harness));
            }
            if !self.variables.is_empty() {
                out.push('(');
                for (name, kind, default) in &self.variables {
                    let _ = write!(out, "${}: ", name.render(harness));
                    kind.write(harness, out);
                    if let Some(default) = default {
                        out.push_str(" = ");
                        default.write(harness, out);
                    }
                    out.push(' ');
                }
                out.push(')');
            }
        }
        write_selection(&self.selection, harness, out);
        out.push('\n');
    }
}

/// A variable's type: a named type, maybe in a list, maybe non-null.
#[derive(Arbitrary, Debug)]
pub struct TypeRef {
    name: Text,
    is_list: bool,
    is_non_null: bool,
}

impl TypeRef {
    fn write(&self, harness: &Harness, out: &mut String) {
        let name = self.name.render(harness);
        let bang = if self.is_non_null { "!" } else { "" };
        if self.is_list {
            let _ = write!(out, "[{name}]{bang}");
        } else {
            let _ = write!(out, "{name}{bang}");
        }
    }
}

/// A fragment definition.
#[derive(Arbitrary, Debug)]
pub struct Fragment {
    name: Text,
    on: Text,
    selection: Vec<Selection>,
}

impl Fragment {
    fn write(&self, harness: &Harness, out: &mut String) {
        let _ = write!(
            out,
            "fragment {} on {} ",
            self.name.render(harness),
            self.on.render(harness)
        );
        write_selection(&self.selection, harness, out);
        out.push('\n');
    }
}

/// One entry of a selection set.
#[derive(Arbitrary, Debug)]
pub enum Selection {
    /// A field, maybe aliased, with arguments and its own selection.
    Field {
        /// The alias.
        alias: Option<Text>,
        /// The field name.
        name: Text,
        /// The arguments.
        arguments: Vec<(Text, Argument)>,
        /// The sub-selection.
        selection: Vec<Selection>,
    },
    /// `...Name`.
    Spread(Text),
    /// `... on Type { ... }`.
    Inline(Option<Text>, Vec<Selection>),
}

fn write_selection(selection: &[Selection], harness: &Harness, out: &mut String) {
    if selection.is_empty() {
        return;
    }
    out.push_str("{ ");
    for entry in selection {
        match entry {
            Selection::Field {
                alias,
                name,
                arguments,
                selection,
            } => {
                if let Some(alias) = alias {
                    let _ = write!(out, "{}: ", alias.render(harness));
                }
                out.push_str(&name.render(harness));
                if !arguments.is_empty() {
                    out.push('(');
                    for (name, value) in arguments {
                        let _ = write!(out, "{}: ", name.render(harness));
                        value.write(harness, out);
                        out.push(' ');
                    }
                    out.push(')');
                }
                out.push(' ');
                write_selection(selection, harness, out);
            }
            Selection::Spread(name) => {
                let _ = write!(out, "...{} ", name.render(harness));
            }
            Selection::Inline(on, selection) => {
                out.push_str("... ");
                if let Some(on) = on {
                    let _ = write!(out, "on {} ", on.render(harness));
                }
                write_selection(selection, harness, out);
            }
        }
    }
    out.push_str("} ");
}

/// An argument value.
#[derive(Arbitrary, Debug)]
pub enum Argument {
    /// An integer literal.
    Int(i64),
    /// A large unsigned literal (past GraphQL's 32-bit `Int`).
    Uint(u64),
    /// A float literal, as Rust prints it (`NaN` and `inf` are not GraphQL).
    Float(f64),
    /// A string literal.
    Str(Text),
    /// `true` or `false`.
    Bool(bool),
    /// `null`.
    Null,
    /// An enum value (a bare name).
    Enum(Text),
    /// A list.
    List(Vec<Argument>),
    /// An input object.
    Object(Vec<(Text, Argument)>),
    /// `$name`.
    Variable(Text),
}

impl Argument {
    fn write(&self, harness: &Harness, out: &mut String) {
        match self {
            Self::Int(value) => {
                let _ = write!(out, "{value}");
            }
            Self::Uint(value) => {
                let _ = write!(out, "{value}");
            }
            Self::Float(value) => {
                let _ = write!(out, "{value:?}");
            }
            Self::Str(text) => {
                out.push_str(&Value::String(text.render(harness)).to_string());
            }
            Self::Bool(value) => {
                let _ = write!(out, "{value}");
            }
            Self::Null => out.push_str("null"),
            Self::Enum(name) => out.push_str(&name.render(harness)),
            Self::List(items) => {
                out.push('[');
                for item in items {
                    item.write(harness, out);
                    out.push(' ');
                }
                out.push(']');
            }
            Self::Object(fields) => {
                out.push('{');
                for (name, value) in fields {
                    let _ = write!(out, "{}: ", name.render(harness));
                    value.write(harness, out);
                    out.push(' ');
                }
                out.push('}');
            }
            Self::Variable(name) => {
                let _ = write!(out, "${}", name.render(harness));
            }
        }
    }
}

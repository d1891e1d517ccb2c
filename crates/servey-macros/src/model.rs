//! The action as plain data, between parsing and expansion.

use proc_macro2::{Span, TokenStream};
use syn::{Ident, Path, Type};

/// One `#[action]` function or method.
pub(crate) struct ActionModel {
    /// The action's name (the function's unless `name = ".."`).
    pub(crate) name: String,
    /// Where the name is written: the `name = ".."` literal, or the function's name.
    pub(crate) name_span: Span,
    /// The function's name, after its type's for a nested action (`stats_double`): names the generated
    /// items, which are then unique in the module whatever the action is named.
    pub(crate) rust_name: String,
    /// The function's name.
    pub(crate) fn_ident: Ident,
    /// The function's doc comment, lines joined.
    pub(crate) doc: String,
    pub(crate) triggers: Vec<TriggerModel>,
    pub(crate) examples: Vec<ExampleModel>,
    pub(crate) access_control: Option<AccessModel>,
    pub(crate) cache_control: Option<CacheModel>,
    pub(crate) timeout_secs: Option<u64>,
    /// `blocking = true | false`, for synchronous functions.
    pub(crate) blocking: Option<bool>,
    /// `rate_limit = per_minute(N)`: calls and the period in seconds.
    pub(crate) rate_limit: Option<(u32, u64)>,
    /// `deny_unknown_fields` (`= false`).
    pub(crate) deny_unknown_fields: Option<bool>,
    /// The status of a success: `status = ..`, else 204 for a `()` result, else none (200).
    pub(crate) status: Option<u16>,
    /// `headers = [..]`: the response headers a `Reply` result sets.
    pub(crate) response_headers: Vec<String>,
    /// `errors = [404]`: error statuses the action's own errors answer with.
    pub(crate) error_statuses: Vec<u16>,
    /// `tags = [..]`: the groups it is listed under (none: its module's name, decided in core).
    pub(crate) tags: Vec<String>,
    pub(crate) params: Vec<ParamModel>,
    pub(crate) output: OutputModel,
    pub(crate) is_async: bool,
    /// For nested actions: the type whose method this is.
    pub(crate) owner: Option<Type>,
    /// `batch = Self::factorials`: the nested action's batch form.
    pub(crate) batch: Option<BatchModel>,
    /// The function's visibility, which its module of typed calls takes.
    pub(crate) vis: syn::Visibility,
    /// Where the attribute is, for spans of generated items.
    pub(crate) span: Span,
}

/// A nested action's batch form: an associated fn of the same `#[actions]` block taking
/// `parents: &[Self]` and returning one result per parent (`Vec<T>` or `Result<Vec<T>, E>`).
pub(crate) struct BatchModel {
    /// The fn's name, as written in `batch = Self::name`.
    pub(crate) ident: Ident,
    /// Whether it is an `async fn` (read from the fn in the block).
    pub(crate) is_async: bool,
    /// Whether it returns a `Result` (read from the fn in the block).
    pub(crate) is_result: bool,
}

/// The HTTP methods `web(method = ..)` accepts.
pub(crate) const METHODS: &[&str] = &["get", "post", "put", "patch", "delete"];

pub(crate) enum TriggerModel {
    Web {
        method: String,
        path: Option<String>,
    },
    WebPage {
        path: Option<String>,
        template: Option<String>,
    },
    FixedRate(u64),
    Cron(String),
}

pub(crate) struct ExampleModel {
    pub(crate) name: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) params: TokenStream,
    pub(crate) result: TokenStream,
    pub(crate) include_in_tests: bool,
    /// `as = ".."`: the caller's subject (default `example`).
    pub(crate) caller: Option<String>,
    /// `scopes = [..]`: the caller's scopes (default: those the access policy requires).
    pub(crate) scopes: Option<Vec<String>>,
    /// `anonymous`: run with no caller at all.
    pub(crate) is_anonymous: bool,
    /// `partial`: the result only needs to hold the listed keys.
    pub(crate) is_partial: bool,
}

pub(crate) enum AccessModel {
    Scope(String),
    Custom(Path),
}

pub(crate) enum CacheModel {
    Ttl { seconds: u64, server_cache: bool },
    ETag,
    LastModified(String),
    Custom(Path),
}

pub(crate) enum ParamKind {
    /// Read from the input object.
    Input,
    /// `Authorization`: injected, caller must be authenticated.
    Authorization,
    /// `Option<Authorization>`: injected.
    OptionalAuthorization,
    /// `Context`: injected.
    Context,
    /// `State<T>`: the app's shared `T`, injected; the type is `T`.
    State(Box<Type>),
}

pub(crate) struct ParamModel {
    pub(crate) ident: Ident,
    /// The key in the input object (the identifier without `r#`).
    pub(crate) key: String,
    pub(crate) ty: Type,
    pub(crate) kind: ParamKind,
    /// `#[schema(maximum = 1000)]` on the parameter: utoipa's field attributes for the input schema.
    pub(crate) schema_attrs: Vec<syn::Attribute>,
}

pub(crate) struct OutputModel {
    /// The success value's type: `T` of `T`, `Result<T, E>`, `Reply<T>` or `Result<Reply<T>, E>`; `()`
    /// when the function returns nothing.
    pub(crate) ty: Type,
    pub(crate) is_result: bool,
    /// Whether the value comes in a `Reply` (with response headers).
    pub(crate) is_reply: bool,
}

impl OutputModel {
    /// Whether the value is `()`: a success without a body.
    pub(crate) fn is_unit(&self) -> bool {
        matches!(&self.ty, Type::Tuple(tuple) if tuple.elems.is_empty())
    }
}

/// A `#[servey::fixture]` function.
pub(crate) struct FixtureModel {
    pub(crate) fn_ident: Ident,
    pub(crate) is_async: bool,
    /// The values' type as written: `Extensions` of `-> Extensions` or of `-> Result<Extensions, E>`.
    pub(crate) values: Type,
    /// Where the error type `E` is written, when the fixture returns a `Result`.
    pub(crate) error_span: Option<Span>,
}

impl ActionModel {
    /// Where a synchronous body runs: on the blocking pool when the action says `blocking = true` or
    /// declares a timeout (so the timeout can fire while the body runs), otherwise inline on the worker.
    pub(crate) fn runs_on_pool(&self) -> bool {
        self.blocking == Some(true) || self.timeout_secs.is_some()
    }

    /// How the function is called in messages: `fn greet`, or `Stats::double` for a nested action.
    pub(crate) fn function_label(&self) -> String {
        let function = syn::ext::IdentExt::unraw(&self.fn_ident);
        match &self.owner {
            Some(owner) => format!("{}::{function}", quote::ToTokens::to_token_stream(owner)),
            None => format!("fn {function}"),
        }
    }

    /// The `T` of each `State<T>` parameter.
    pub(crate) fn state_types(&self) -> impl Iterator<Item = &Type> {
        self.params.iter().filter_map(|param| match &param.kind {
            ParamKind::State(ty) => Some(&**ty),
            _ => None,
        })
    }

    /// Whether calling the action twice does no more than calling it once: it is served by `GET`,
    /// `PUT` or `DELETE`, or as a page.
    pub(crate) fn is_idempotent(&self) -> bool {
        self.triggers.iter().any(|trigger| match trigger {
            TriggerModel::Web { method, .. } => matches!(method.as_str(), "get" | "put" | "delete"),
            TriggerModel::WebPage { .. } => true,
            TriggerModel::FixedRate(_) | TriggerModel::Cron(_) => false,
        })
    }

    /// Whether any parameter is the required `Authorization`.
    pub(crate) fn requires_authorization(&self) -> bool {
        self.params
            .iter()
            .any(|param| matches!(param.kind, ParamKind::Authorization))
    }
}

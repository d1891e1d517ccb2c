//! `Trigger`: what makes an action run (a web route, a page, a fixed rate, a cron schedule).

use std::borrow::Cow;

/// An HTTP method a web trigger answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// `GET` (and `HEAD`): input from the query string.
    Get,
    /// `POST`: input from the JSON body.
    Post,
    /// `PUT`: input from the JSON body.
    Put,
    /// `PATCH`: input from the JSON body.
    Patch,
    /// `DELETE`: input from the query string.
    Delete,
}

impl Method {
    /// The method's name as written on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Put => "PUT",
            Self::Patch => "PATCH",
            Self::Delete => "DELETE",
        }
    }

    /// Whether input comes from the query string rather than a body.
    pub fn reads_query(self) -> bool {
        matches!(self, Self::Get | Self::Delete)
    }

    /// Whether the action changes state (a GraphQL mutation rather than a query).
    pub fn is_mutation(self) -> bool {
        !matches!(self, Self::Get)
    }
}

/// What makes an action run. Paths left `None` take their defaults when the action is registered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trigger {
    /// An HTTP route: `web_get`, `web_post`, or `web(method = .., path = "..")`.
    Web {
        /// The HTTP method.
        method: Method,
        /// The route; default `/actions/{name with _ as -}`.
        path: Option<Cow<'static, str>>,
    },
    /// A rendered Jinja page.
    WebPage {
        /// The route; default `/{name with _ as -}`.
        path: Option<Cow<'static, str>>,
        /// The template file; default `{name}.j2`.
        template: Option<Cow<'static, str>>,
    },
    /// Run every so many seconds in the background.
    FixedRate {
        /// Seconds between runs.
        seconds: u64,
    },
    /// Run on a six-field cron schedule (seconds first).
    Cron(Cow<'static, str>),
}

impl Trigger {
    /// Whether it runs the action on a schedule (`fixed_rate`, `cron`) rather than on a request.
    pub fn is_scheduled(&self) -> bool {
        matches!(self, Self::FixedRate { .. } | Self::Cron(_))
    }

    /// `web_get`: `GET /actions/{name}`.
    pub const fn web_get() -> Self {
        Self::Web {
            method: Method::Get,
            path: None,
        }
    }

    /// `web_post`: `POST /actions/{name}`.
    pub const fn web_post() -> Self {
        Self::Web {
            method: Method::Post,
            path: None,
        }
    }

    /// Short words for listings: `GET /actions/say-hello`, `every 5s`, `cron 0 * * * * *`.
    pub fn describe(&self) -> String {
        match self {
            Self::Web { method, path } => {
                format!("{} {}", method.as_str(), path.as_deref().unwrap_or("?"))
            }
            Self::WebPage { path, .. } => format!("page {}", path.as_deref().unwrap_or("?")),
            Self::FixedRate { seconds } => format!("every {seconds}s"),
            Self::Cron(expression) => format!("cron {expression}"),
        }
    }

    /// This trigger with its default path and template filled in for the action `name`.
    pub(crate) fn resolved(&self, name: &str) -> Self {
        let slug = name.replace('_', "-");
        match self {
            Self::Web { method, path } => Self::Web {
                method: *method,
                path: Some(
                    path.clone()
                        .unwrap_or_else(|| format!("/actions/{slug}").into()),
                ),
            },
            Self::WebPage { path, template } => Self::WebPage {
                path: Some(path.clone().unwrap_or_else(|| format!("/{slug}").into())),
                template: Some(
                    template
                        .clone()
                        .unwrap_or_else(|| format!("{name}.j2").into()),
                ),
            },
            other => other.clone(),
        }
    }
}

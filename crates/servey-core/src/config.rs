//! `ServeyConfig`: the settings every transport shares, read from the environment once at start; each
//! adapter reads its own through the [`Settings`] it keeps.

use std::path::PathBuf;

use crate::limits::Limits;
use crate::settings::Settings;

/// Settings read once at start (from the environment, or built by hand in tests).
#[derive(Debug, Clone)]
pub struct ServeyConfig {
    /// `SERVER_HOST` (default `127.0.0.1`).
    pub host: String,
    /// `SERVER_PORT` (default `8000`).
    pub port: u16,
    /// `JWT_SECRET_KEY`; `None` generates an ephemeral key.
    pub jwt_secret_key: Option<String>,
    /// `SERVEY_DEBUG_AUTHENTICATOR_PASSWORD`; `None` generates one, printed at start.
    pub debug_authenticator_password: Option<String>,
    /// `SERVEY_DEBUG_LOGIN` (`true`/`1`): serve `POST /login`, the debug authenticator that issues
    /// `root` tokens. Off unless switched on (here or with the app builder).
    pub debug_login: bool,
    /// `SERVEY_TEMPLATES` (default `templates/`).
    pub templates_dir: PathBuf,
    /// `SERVEY_STATIC` (default `static/`).
    pub static_dir: PathBuf,
    /// The templates built into the binary (`Builder::embedded_templates`): read instead of
    /// `templates_dir`, except in dev mode.
    pub embedded_templates: Option<crate::EmbeddedDir>,
    /// The static files built into the binary (`Builder::embedded_static`): served instead of
    /// `static_dir`'s, except in dev mode.
    pub embedded_static: Option<crate::EmbeddedDir>,
    /// `SERVEY_STATIC_SITE_DIR` (default `static_site/`), served at `/` behind every other route.
    pub static_site_dir: PathBuf,
    /// `SERVEY_METRICS_ADDR` (`127.0.0.1:9100`): when set, `/metrics` is served on its own listener
    /// there, and not on the main port.
    pub metrics_addr: Option<String>,
    /// `CORS_ALLOWED_ORIGINS`, comma separated; empty leaves CORS off.
    pub cors_allowed_origins: Vec<String>,
    /// `SERVEY_API_TITLE`.
    pub api_title: String,
    /// `SERVEY_API_VERSION`.
    pub api_version: String,
    /// `SERVEY_API_DESCRIPTION`.
    pub api_description: Option<String>,
    /// `SERVEY_API_CONTACT`: who answers for the API, as npm writes a person: `Name <email> (url)`, each
    /// part optional (a bare URL or email address will do).
    pub api_contact: Option<String>,
    /// `SERVEY_PUBLIC_URL`: where callers reach the API (`https://api.example.com`), the OpenAPI
    /// document's server; `None` documents the relative `/` (the host that served the document).
    pub public_url: Option<String>,
    /// `SERVEY_API_LICENSE`: the API's license, an SPDX expression (`MIT OR Apache-2.0`).
    pub api_license: Option<String>,
    /// Every bound on what callers send and how long they take (body size, timeouts, concurrency, ...).
    pub limits: Limits,
    /// `SERVEY_LOG_FORMAT`: `text` (default) or `json` (one JSON object a line).
    pub log_format: LogFormat,
    /// `SERVEY_DEV` (`1`/`true`, set by `cargo servey dev`): a page template whose file changed is
    /// recompiled on its next render, and a stop closes websockets with 1012 (restart) rather than 1001
    /// (going away).
    pub dev: bool,
    /// What these settings were read from, through which each part reads its own when it is built
    /// (GraphQL's limits, the Redis URL, the TLS files, the OTLP endpoint, ...).
    pub settings: Settings,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines (`SERVEY_LOG_FORMAT=text`, the default).
    #[default]
    Text,
    /// One JSON object a line, with the fields of the event and its spans (`SERVEY_LOG_FORMAT=json`).
    Json,
}

impl Default for ServeyConfig {
    fn default() -> Self {
        Self::from_lookup(|_| None)
    }
}

impl ServeyConfig {
    /// The templates built into the binary that pages read: none in dev mode, where the directory on
    /// disk is read so that edits show at once.
    pub fn templates_in_binary(&self) -> Option<crate::EmbeddedDir> {
        self.embedded_templates.filter(|_| !self.dev)
    }

    /// The static files built into the binary that `/static/` serves: none in dev mode, as for templates.
    pub fn static_in_binary(&self) -> Option<crate::EmbeddedDir> {
        self.embedded_static.filter(|_| !self.dev)
    }

    /// Reads the settings from the process environment.
    pub fn from_env() -> Self {
        Self::from_lookup(|key| std::env::var(key).ok().filter(|value| !value.is_empty()))
    }

    /// Reads the settings through `lookup` (a map in tests, the environment in `from_env`), and keeps
    /// it for the adapters' own settings.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Self {
        Self::from_settings(Settings::new(lookup))
    }

    /// Reads the settings from `settings`, and keeps them for the adapters' own.
    pub fn from_settings(settings: Settings) -> Self {
        let lookup = |key: &str| settings.get(key);
        Self {
            host: lookup("SERVER_HOST").unwrap_or_else(|| "127.0.0.1".to_owned()),
            port: lookup("SERVER_PORT")
                .and_then(|port| port.parse().ok())
                .unwrap_or(8000),
            jwt_secret_key: lookup("JWT_SECRET_KEY"),
            debug_authenticator_password: lookup("SERVEY_DEBUG_AUTHENTICATOR_PASSWORD"),
            debug_login: lookup("SERVEY_DEBUG_LOGIN").is_some_and(|value| is_true(&value)),
            templates_dir: lookup("SERVEY_TEMPLATES")
                .unwrap_or_else(|| "templates/".to_owned())
                .into(),
            static_dir: lookup("SERVEY_STATIC")
                .unwrap_or_else(|| "static/".to_owned())
                .into(),
            embedded_templates: None,
            embedded_static: None,
            static_site_dir: lookup("SERVEY_STATIC_SITE_DIR")
                .unwrap_or_else(|| "static_site/".to_owned())
                .into(),
            metrics_addr: lookup("SERVEY_METRICS_ADDR"),
            cors_allowed_origins: lookup("CORS_ALLOWED_ORIGINS")
                .map(|origins| {
                    origins
                        .split(',')
                        .map(|o| o.trim().to_owned())
                        .filter(|o| !o.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            api_title: lookup("SERVEY_API_TITLE").unwrap_or_else(|| "Servey".to_owned()),
            api_version: lookup("SERVEY_API_VERSION").unwrap_or_else(|| "0.1.0".to_owned()),
            api_description: lookup("SERVEY_API_DESCRIPTION"),
            api_contact: lookup("SERVEY_API_CONTACT"),
            api_license: lookup("SERVEY_API_LICENSE"),
            public_url: lookup("SERVEY_PUBLIC_URL"),
            limits: Limits::from_lookup(&lookup),
            log_format: match lookup("SERVEY_LOG_FORMAT") {
                Some(format) if format.eq_ignore_ascii_case("json") => LogFormat::Json,
                _ => LogFormat::Text,
            },
            dev: lookup("SERVEY_DEV").is_some_and(|value| is_true(&value)),
            settings: settings.clone(),
        }
    }
}

/// Whether a switch's value turns it on.
fn is_true(value: &str) -> bool {
    matches!(value, "1" | "true" | "yes" | "on")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_in_the_binary_yield_to_the_disk_in_dev_mode() {
        static FILES: &[(&str, &[u8])] = &[("page.j2", b"<p>")];
        let mut config = ServeyConfig {
            embedded_templates: Some(crate::EmbeddedDir::new(FILES)),
            embedded_static: Some(crate::EmbeddedDir::new(FILES)),
            ..ServeyConfig::default()
        };
        assert!(config.templates_in_binary().is_some() && config.static_in_binary().is_some());
        config.dev = true;
        assert!(config.templates_in_binary().is_none() && config.static_in_binary().is_none());
    }
}

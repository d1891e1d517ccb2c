//! Route paths: the one parser of `{param}` path templates, and the mechanism of reserved routes:
//! each adapter lists the routes it serves itself (`servey_web::RESERVED_ROUTES`, ...), the app is
//! given them when it is built ([`AppBuilder::reserve`](crate::AppBuilder::reserve)), and no action
//! may take one.

/// A route that an adapter serves itself, whatever the actions are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReservedRoute {
    /// The path (or the prefix, for `is_prefix`).
    pub path: &'static str,
    /// What serves it, for error messages and the start-up log.
    pub owner: &'static str,
    /// Whether every path below `path/` is taken too.
    pub is_prefix: bool,
    /// The methods it answers, for the start-up log (`GET`, `POST`, `GET, POST`).
    pub methods: &'static str,
}

impl ReservedRoute {
    /// The route at exactly `path`, served by `owner`.
    pub const fn exact(path: &'static str, owner: &'static str) -> Self {
        Self {
            path,
            owner,
            is_prefix: false,
            methods: "GET",
        }
    }

    /// The route at `path` and every path below `path/`, served by `owner`.
    pub const fn prefix(path: &'static str, owner: &'static str) -> Self {
        Self {
            path,
            owner,
            is_prefix: true,
            methods: "GET",
        }
    }

    /// This route, answering `methods` rather than `GET` alone.
    pub const fn answering(self, methods: &'static str) -> Self {
        Self { methods, ..self }
    }

    /// Whether `path` (a trailing `/` ignored) falls on this route.
    pub fn covers(&self, path: &str) -> bool {
        let path = path.trim_end_matches('/');
        path == self.path
            || (self.is_prefix
                && path
                    .strip_prefix(self.path)
                    .is_some_and(|rest| rest.starts_with('/')))
    }
}

/// The route among `routes` that `path` falls on, if any.
pub fn reserved_route<'a>(routes: &'a [ReservedRoute], path: &str) -> Option<&'a ReservedRoute> {
    routes.iter().find(|route| route.covers(path))
}

/// A parsed route path: literal segments and `{name}` / `{*name}` parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathTemplate {
    segments: Vec<Segment>,
}

/// One `/`-separated piece of a [`PathTemplate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// Matched as written.
    Literal(String),
    /// `{name}` (one segment) or, with `catch_all`, `{*name}` (the rest of the path).
    Param {
        /// The parameter it fills.
        name: String,
        /// Whether it takes the rest of the path.
        catch_all: bool,
    },
}

impl PathTemplate {
    /// Parses `path`; the error says what is wrong, to follow "has the path `...`, which ...".
    pub fn parse(path: &str) -> Result<Self, String> {
        let Some(rest) = path.strip_prefix('/') else {
            return Err("does not start with `/`".to_owned());
        };
        let pieces: Vec<&str> = rest.split('/').collect();
        let mut segments = Vec::with_capacity(pieces.len());
        for (index, piece) in pieces.iter().enumerate() {
            let Some(inner) = piece.strip_prefix('{').and_then(|p| p.strip_suffix('}')) else {
                if piece.contains(['{', '}']) {
                    return Err(format!(
                        "has the segment `{piece}`; a parameter takes a whole segment, as `{{id}}`"
                    ));
                }
                segments.push(Segment::Literal((*piece).to_owned()));
                continue;
            };
            let (name, catch_all) = match inner.strip_prefix('*') {
                Some(name) => (name, true),
                None => (inner, false),
            };
            if catch_all && index + 1 != pieces.len() {
                return Err(format!(
                    "has the catch-all `{piece}` before its end; a catch-all must be the last segment"
                ));
            }
            if name.is_empty() || name.contains(['{', '}', '*']) {
                return Err(format!(
                    "has the segment `{piece}`; a parameter is named, as `{{id}}` or `{{*rest}}`"
                ));
            }
            segments.push(Segment::Param {
                name: name.to_owned(),
                catch_all,
            });
        }
        Ok(Self { segments })
    }

    /// The segments, in order.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// The names of the parameters, in order.
    pub fn params(&self) -> impl Iterator<Item = &str> {
        self.segments.iter().filter_map(|segment| match segment {
            Segment::Param { name, .. } => Some(name.as_str()),
            Segment::Literal(_) => None,
        })
    }

    /// The path as a router sees it: parameter names erased (`/items/{}`), so that `{id}` and `{key}`
    /// in the same place are the same route.
    pub fn route_shape(&self) -> String {
        let mut shape = String::new();
        for segment in &self.segments {
            shape.push('/');
            match segment {
                Segment::Literal(text) => shape.push_str(text),
                Segment::Param { catch_all, .. } => {
                    shape.push_str(if *catch_all { "{*}" } else { "{}" });
                }
            }
        }
        shape
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_list_their_params_and_erase_names_in_the_shape() {
        let template = PathTemplate::parse("/items/{id}/files/{*rest}").expect("valid");
        assert_eq!(template.params().collect::<Vec<_>>(), ["id", "rest"]);
        assert_eq!(template.route_shape(), "/items/{}/files/{*}");
    }

    #[test]
    fn malformed_templates_say_what_is_wrong() {
        for (path, says) in [
            ("items", "does not start with `/`"),
            ("/items/x{id}", "a parameter takes a whole segment"),
            ("/{*rest}/more", "a catch-all must be the last segment"),
            ("/items/{}", "a parameter is named"),
        ] {
            let error = PathTemplate::parse(path).expect_err(path);
            assert!(error.contains(says), "{path}: {error}");
        }
    }

    #[test]
    fn reserved_routes_cover_their_prefixes_only() {
        const ROUTES: &[ReservedRoute] = &[
            ReservedRoute::exact("/graphql", "the GraphQL endpoint"),
            ReservedRoute::prefix("/static", "the static files"),
            ReservedRoute::prefix("/docs", "the docs page (Swagger UI)"),
            ReservedRoute::exact("/actions", "the action list"),
        ];
        let reserved_route = |path| reserved_route(ROUTES, path);
        assert_eq!(
            reserved_route("/graphql").map(|r| r.owner),
            Some("the GraphQL endpoint")
        );
        assert!(reserved_route("/static/app.js").is_some());
        assert!(reserved_route("/docs/").is_some());
        assert!(reserved_route("/graphql-tools").is_none());
        assert!(reserved_route("/statics").is_none());
        assert!(reserved_route("/actions/say-hello").is_none());
    }
}

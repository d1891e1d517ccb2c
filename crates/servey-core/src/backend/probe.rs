//! Readiness: whether the backends an app requires answer now, for `/health/ready` (an orchestrator sends
//! no traffic to an instance that is not ready). HTTP itself keeps serving while a backend is away, so
//! an app can say with `SERVEY_READY_REQUIRES=none` that it is ready regardless.

use std::sync::Arc;

use futures_util::future::BoxFuture;

use crate::settings::Settings;

/// Asks one backend whether it answers now (a Redis `PING`, say).
pub trait Probe: Send + Sync + 'static {
    /// `Ok` when the backend answers, else why not.
    fn probe(&self) -> BoxFuture<'_, Result<(), String>>;
}

/// A backend that did not answer its probe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unready {
    /// The backend's name (`redis`).
    pub backend: &'static str,
    /// Why it is not ready.
    pub error: String,
}

/// The probes of an app's backends, each with its backend's name.
#[derive(Clone, Default)]
pub struct Probes(pub(crate) Vec<(&'static str, Arc<dyn Probe>)>);

impl std::fmt::Debug for Probes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(name, _)| name))
            .finish()
    }
}

impl Probes {
    /// The backends readiness waits for, by `SERVEY_READY_REQUIRES` in `settings`: every backend
    /// (`all`, the default) or none (`none`: ready whenever the process serves).
    pub fn required(&self, settings: &Settings) -> Self {
        match settings
            .get("SERVEY_READY_REQUIRES")
            .as_deref()
            .map(str::trim)
        {
            Some("none") => Self::default(),
            _ => self.clone(),
        }
    }

    /// The backends that did not answer, all probed at once.
    pub async fn unready(&self) -> Vec<Unready> {
        let answers =
            futures_util::future::join_all(self.0.iter().map(|(_, probe)| probe.probe())).await;
        self.0
            .iter()
            .zip(answers)
            .filter_map(|((backend, _), answer)| {
                answer.err().map(|error| Unready { backend, error })
            })
            .collect()
    }

    /// Whether there is nothing to probe.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Answers(Result<(), &'static str>);

    impl Probe for Answers {
        fn probe(&self) -> BoxFuture<'_, Result<(), String>> {
            Box::pin(async move { self.0.map_err(str::to_owned) })
        }
    }

    #[tokio::test]
    async fn unready_names_each_backend_that_did_not_answer_unless_none_is_required() {
        let probes = Probes(vec![
            ("up", Arc::new(Answers(Ok(())))),
            ("redis", Arc::new(Answers(Err("connection refused")))),
        ]);
        let all = probes.required(&Settings::new(|_| None));
        assert_eq!(
            all.unready().await,
            vec![Unready {
                backend: "redis",
                error: "connection refused".to_owned()
            }]
        );
        let none = probes.required(&Settings::new(|key| {
            (key == "SERVEY_READY_REQUIRES").then(|| "none".to_owned())
        }));
        assert!(none.unready().await.is_empty());
    }
}

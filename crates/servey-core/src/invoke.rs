//! The one invoke path: credentials -> access control -> input checks -> server-side cache -> run
//! (timeout, panics caught) -> cache headers. Every adapter calls actions through [`invoke`].

use tracing::Instrument;

use crate::action::Action;
use crate::context::Context;
use crate::error::ActionError;
use crate::input::Input;
use crate::metrics::CallRecorder;
use crate::output::ActionOutput;

mod batch;
mod failure;
mod guard;

pub(crate) use failure::log_failure;
use guard::guarded;

pub use batch::invoke_batch;

/// Runs `action` with `input` on behalf of the caller in `context`, in its own
/// [`action_span`](crate::trace::action_span) (so that the actions it calls in turn are children),
/// recording the call in the app's metrics when the context carries them.
pub async fn invoke(
    action: &Action,
    input: Input,
    context: Context,
) -> Result<ActionOutput, ActionError> {
    let span = crate::trace::action_span(action, &context);
    invoke_in_current_span(action, input, context)
        .instrument(span)
        .await
}

/// Like [`invoke`], in the caller's span rather than a new one: for an adapter that opens the
/// [`action_span`](crate::trace::action_span) itself around more than the call (GraphQL: around the
/// field's selection, so that the nested actions it selects are the action's children).
pub async fn invoke_in_current_span(
    action: &Action,
    input: Input,
    context: Context,
) -> Result<ActionOutput, ActionError> {
    let request_id = context.shared_request_id();
    let result = match context.metrics() {
        None => checked(action, input, context, None).await,
        Some(metrics) => {
            let recorder = metrics.start_action(action, context.origin());
            let result = checked(action, input, context, Some(&recorder)).await;
            recorder.finish(result.as_ref().err());
            result
        }
    };
    if let Err(error) = &result {
        log_failure(&action.name, &request_id, error);
    }
    result
}

async fn checked(
    action: &Action,
    input: Input,
    context: Context,
    recorder: Option<&CallRecorder>,
) -> Result<ActionOutput, ActionError> {
    admit(action, &context, recorder).await?;
    let unknown = action.unknown_fields.unwrap_or(context.unknown_fields());
    let input = input.checked(action.schema.checker(), unknown)?;
    let principal = context
        .authorization()
        .and_then(|auth| auth.subject.clone());
    // Any caller with credentials may get a result made for them (an action can read them through
    // `Option<Authorization>` without a policy saying so): only anonymous results are public.
    let is_private = context.authorization().is_some();
    let shared = context.shared_results().cloned();
    let stored = match (&action.result_store, &action.cache_control) {
        (Some(store), Some(policy)) => match store.key(&input) {
            Some(key) => {
                let kept = match &shared {
                    Some(shared) => shared.0.get(&action.name, &key, principal.as_deref()).await,
                    None => store.get(&key, principal.as_deref()),
                };
                if let Some(kept) = kept {
                    if let Some(recorder) = recorder {
                        recorder.cache_hit();
                    }
                    let headers = policy.headers(&kept.body, is_private);
                    return Ok(ActionOutput::from_json_bytes(kept.body)
                        .with_cache(headers)
                        .with_headers(kept.headers.to_vec()));
                }
                if let Some(recorder) = recorder {
                    recorder.cache_miss();
                }
                Some((store, key))
            }
            None => None,
        },
        _ => None,
    };

    let output = run(action, input, context, recorder).await?;

    let Some(policy) = &action.cache_control else {
        return Ok(output);
    };
    let body = output.to_json_bytes()?;
    let headers = policy.headers(&body, is_private);
    if let Some((store, key)) = stored {
        let kept = crate::cache::KeptResult {
            body: body.clone(),
            headers: output.headers().into(),
        };
        match shared {
            Some(shared) => {
                shared
                    .0
                    .put(&action.name, &key, principal.as_deref(), &kept, store.ttl())
                    .await;
            }
            None => store.put(key, principal.as_deref(), kept),
        }
    }
    Ok(ActionOutput::from_json_bytes(body)
        .with_cache(headers)
        .with_headers(output.headers().to_vec()))
}

/// Credentials, access control and rate limits: whether the caller in `context` may call `action` now.
async fn admit(
    action: &Action,
    context: &Context,
    recorder: Option<&CallRecorder>,
) -> Result<(), ActionError> {
    // A token that is presented is checked, whatever the action: a bad one is never taken as anonymous.
    context.raw_credentials().authorization()?;
    if let Some(policy) = &action.access_control {
        policy.check(context.authorization())?;
    }
    let (limiter, is_own) = match (&action.rate_limit, context.default_rate_limiter()) {
        (Some(limiter), _) => (&**limiter, true),
        (None, Some(limiter)) => (limiter, false),
        (None, None) => return Ok(()),
    };
    let bucket = || format!("{} {}", action.name, context.caller_key());
    // The action's own buckets are per action already; the app's default ones are keyed by action too.
    let local = || {
        if is_own {
            limiter.check(&context.caller_key())
        } else {
            limiter.check(&bucket())
        }
    };
    let admitted = match context.shared_limits() {
        // While the shared store does not answer, this instance applies the limit on its own.
        Some(shared) => match shared.0.take(&bucket(), limiter.limit()).await {
            Ok(None) => Ok(()),
            Ok(Some(wait)) => Err(ActionError::rate_limited(limiter.limit(), wait)),
            Err(()) => local(),
        },
        None => local(),
    };
    if let Err(refused) = admitted {
        if let Some(recorder) = recorder {
            recorder.rate_limited();
        }
        return Err(refused);
    }
    Ok(())
}

async fn run(
    action: &Action,
    input: Input,
    context: Context,
    recorder: Option<&CallRecorder>,
) -> Result<ActionOutput, ActionError> {
    let limit = action.timeout.or(context.time_limit());
    guarded(
        action,
        limit,
        "The action",
        recorder.map(CallRecorder::poll_watcher),
        (action.invoker)(input, context),
    )
    .await
}

#[cfg(test)]
mod tests {
    use std::panic::AssertUnwindSafe;
    use std::time::Duration;

    use futures_util::FutureExt;

    use serde_json::{Value, json};

    #[cfg(feature = "cache")]
    use std::sync::Arc;

    use super::*;
    use crate::auth::{Authorization, Credentials, Scope};
    #[cfg(feature = "cache")]
    use crate::cache::Ttl;
    #[cfg(feature = "cache")]
    use crate::trigger::Trigger;

    #[cfg(feature = "cache")]
    fn counter_action(counter: Arc<std::sync::atomic::AtomicUsize>) -> Action {
        Action::builder("count", move |_, _| {
            let counter = counter.clone();
            async move {
                Ok(json!(
                    counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
                ))
            }
        })
        .trigger(Trigger::web_get())
        .cache_control(Ttl {
            seconds: 60,
            server_cache: true,
        })
        .build()
    }

    #[tokio::test]
    async fn access_control_separates_401_and_403() {
        let action = Action::builder("secret", |_, _| async { Ok(json!("s")) })
            .access_control(Scope("root".into()))
            .build();
        let anonymous = invoke(&action, Input::empty(), Context::new())
            .await
            .expect_err("denied");
        assert_eq!(anonymous.status(), 401);
        let user = Context::new().authorized(Authorization::new("bob", ["user"]));
        assert_eq!(
            invoke(&action, Input::empty(), user)
                .await
                .expect_err("denied")
                .status(),
            403
        );
        let rejected =
            Context::new().credentials(Credentials::Rejected("the token has expired".into()));
        let error = invoke(&action, Input::empty(), rejected)
            .await
            .expect_err("denied");
        assert_eq!(
            (error.status(), error.detail()),
            (401, "The credentials were rejected: the token has expired.")
        );
        let root = Context::new().authorized(Authorization::new("root", ["root"]));
        assert_eq!(
            invoke(&action, Input::empty(), root)
                .await
                .expect("allowed")
                .to_value()
                .expect("json"),
            json!("s")
        );
    }

    #[tokio::test]
    async fn panics_become_internal_errors() {
        let action = Action::builder("boom", |_, _| async { panic!("kaboom") }).build();
        let error = invoke(&action, Input::empty(), Context::new())
            .await
            .expect_err("panicked");
        assert_eq!((error.status(), error.code_str()), (500, "internal_error"));
        assert!(error.to_string().contains("kaboom"));
        let caught = AssertUnwindSafe(crate::__private::run_blocking(|| panic!("sync kaboom")))
            .catch_unwind()
            .await;
        assert!(
            caught.is_err(),
            "a blocking panic resumes in the caller, where invoke catches it"
        );
    }

    #[tokio::test]
    async fn slow_actions_time_out() {
        let action = Action::builder("slow", |_, _| async {
            tokio::time::sleep(Duration::from_secs(5)).await;
            Ok(Value::Null)
        })
        .timeout(Duration::from_millis(10))
        .build();
        let error = invoke(&action, Input::empty(), Context::new())
            .await
            .expect_err("timed out");
        assert_eq!((error.status(), error.code_str()), (504, "timeout"));
    }

    #[tokio::test]
    #[cfg(feature = "cache")]
    async fn ttl_results_are_kept_per_input() {
        let counter = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let action = counter_action(counter.clone());
        let first = invoke(&action, Input::from_value(json!({"a": 1})), Context::new())
            .await
            .expect("ok");
        let again = invoke(&action, Input::from_value(json!({"a": 1})), Context::new())
            .await
            .expect("ok");
        let other = invoke(&action, Input::from_value(json!({"a": 2})), Context::new())
            .await
            .expect("ok");
        assert_eq!(first.to_value().expect("json"), json!(0));
        assert_eq!(again.to_value().expect("json"), json!(0));
        assert_eq!(other.to_value().expect("json"), json!(1));
        assert_eq!(
            first
                .cache()
                .and_then(|c| c.cache_control.clone())
                .as_deref(),
            Some("public, max-age=60")
        );
        assert_eq!(counter.load(std::sync::atomic::Ordering::SeqCst), 2);
    }

    #[tokio::test]
    #[cfg(feature = "cache")]
    async fn kept_results_keep_their_headers_and_personal_ones_are_private() {
        let counter = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let calls = counter.clone();
        let action = Action::output_builder("located", move |_, _| {
            let calls = calls.clone();
            async move {
                calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                Ok(ActionOutput::from_reply(
                    crate::output::Reply::new(1).header("Location", "/things/1"),
                ))
            }
        })
        .cache_control(Ttl {
            seconds: 60,
            server_cache: true,
        })
        .build();
        let ann = || Context::new().authorized(Authorization::new("ann", [] as [&str; 0]));
        for _ in 0..2 {
            let output = invoke(&action, Input::from_value(json!({})), ann())
                .await
                .expect("ok");
            assert_eq!(
                output.headers(),
                &[("Location".to_owned(), "/things/1".to_owned())]
            );
            assert_eq!(
                output.cache().and_then(|c| c.cache_control.as_deref()),
                Some("private, max-age=60")
            );
        }
        assert_eq!(counter.load(std::sync::atomic::Ordering::SeqCst), 1);
    }
}

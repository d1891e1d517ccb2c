//! The app's backends are typed slots: the invoke path keeps cached results in the slot's shared store,
//! and a store left in the shared values (the old type-map) is not one.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures_util::future::BoxFuture;
use serde_json::{Value, json};
use servey_core::backend::{SharedResultStore, SharedResults};
use servey_core::cache::KeptResult;
use servey_core::{Action, App, Backends, Input, Registry, ServeyConfig, Ttl};

/// A kept result's key: the action and its input key.
type Key = (String, Vec<u8>);

/// Results kept in a map, as a shared store would keep them for every instance.
#[derive(Default, Clone)]
struct Kept(Arc<Mutex<HashMap<Key, KeptResult>>>);

impl SharedResults for Kept {
    fn get<'a>(
        &'a self,
        action: &'a str,
        key: &'a [u8],
        _principal: Option<&'a str>,
    ) -> BoxFuture<'a, Option<KeptResult>> {
        let kept = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let found = kept.get(&(action.to_owned(), key.to_vec())).cloned();
        Box::pin(async move { found })
    }

    fn put<'a>(
        &'a self,
        action: &'a str,
        key: &'a [u8],
        _principal: Option<&'a str>,
        kept: &'a KeptResult,
        _ttl: Duration,
    ) -> BoxFuture<'a, ()> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert((action.to_owned(), key.to_vec()), kept.clone());
        Box::pin(async {})
    }
}

/// A registry whose cached `count` action counts its runs into `runs`.
fn counting(runs: &Arc<AtomicUsize>) -> Registry {
    let runs = runs.clone();
    let action = Action::builder("count", move |_: Value, _| {
        let runs = runs.clone();
        async move { Ok(json!(runs.fetch_add(1, Ordering::SeqCst) + 1)) }
    })
    .cache_control(Ttl {
        seconds: 60,
        server_cache: true,
    })
    .build();
    Registry::builder()
        .action(action)
        .build()
        .expect("one action")
}

async fn call(app: &App) -> Value {
    let action = app.registry().get("count").expect("registered");
    servey_core::invoke(action, Input::from_value(json!({})), app.context())
        .await
        .expect("runs")
        .to_value()
        .expect("JSON")
}

#[tokio::test]
async fn cached_results_go_to_the_shared_store_in_the_apps_backends() {
    let (runs, kept) = (Arc::new(AtomicUsize::new(0)), Kept::default());
    let registry = counting(&runs);
    let backends = Backends::in_process(&registry).with_shared_results(kept.clone());
    let first = App::builder(registry.clone(), ServeyConfig::default())
        .backends(backends.clone())
        .build()
        .expect("an app");
    assert_eq!(call(&first).await, json!(1));
    assert_eq!(
        kept.0.lock().unwrap_or_else(PoisonError::into_inner).len(),
        1
    );
    // Another instance on the same store answers from it (its own in-process store is empty).
    let second = App::builder(registry, ServeyConfig::default())
        .backends(backends)
        .build()
        .expect("an app");
    assert_eq!(call(&second).await, json!(1));
    assert_eq!(runs.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_store_in_the_shared_values_is_not_a_backend() {
    let (runs, kept) = (Arc::new(AtomicUsize::new(0)), Kept::default());
    let registry = counting(&runs);
    let app = App::builder(registry, ServeyConfig::default())
        .state(SharedResultStore(Arc::new(kept.clone())))
        .build()
        .expect("an app");
    assert_eq!(call(&app).await, json!(1));
    assert!(
        kept.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_empty()
    );
}

//! `Metrics`: one app's Prometheus metrics, recorded by the invoke path (calls by transport and outcome,
//! latency, calls in flight, the server-side cache, rate-limit refusals) and by the schedule adapter (job
//! ticks, websocket subscribers and events). Each app owns its registry, so two apps never share a series.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue, LabelValueEncoder};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;

use crate::context::Origin;
use crate::error::ActionError;
use crate::registry::Registry;

mod stall;

pub use stall::Stall;
pub(crate) use stall::{PollMark, StallWatch};

/// The `outcome` of a call whose caller went away before it finished (its future was dropped).
const CANCELLED: &str = "cancelled";

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CallLabels {
    action: Arc<str>,
    transport: Origin,
    outcome: Cow<'static, str>,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct LatencyLabels {
    action: Arc<str>,
    transport: Origin,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ActionLabels {
    action: Arc<str>,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TickLabels {
    action: Arc<str>,
    outcome: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ChannelLabels {
    channel: Arc<str>,
}

impl EncodeLabelValue for Origin {
    fn encode(&self, encoder: &mut LabelValueEncoder<'_>) -> Result<(), std::fmt::Error> {
        EncodeLabelValue::encode(&self.as_str(), encoder)
    }
}

fn latency_histogram() -> Histogram {
    Histogram::new(Metrics::LATENCY_BUCKETS)
}

/// Every metric family, registered once; clones share the series.
#[derive(Debug, Clone)]
struct Families {
    calls: Family<CallLabels, Counter>,
    durations: Family<LatencyLabels, Histogram, fn() -> Histogram>,
    in_flight: Family<ActionLabels, Gauge>,
    cache_hits: Family<ActionLabels, Counter>,
    cache_misses: Family<ActionLabels, Counter>,
    rate_limited: Family<ActionLabels, Counter>,
    job_ticks: Family<TickLabels, Counter>,
    subscribers: Family<ChannelLabels, Gauge>,
    events_delivered: Family<ChannelLabels, Counter>,
    events_dropped: Family<ChannelLabels, Counter>,
    stalled_polls: Family<ActionLabels, Counter>,
    stalls: StallWatch,
}

impl Families {
    fn registered_in(registry: &mut prometheus_client::registry::Registry) -> Self {
        let families = Self {
            calls: Family::default(),
            durations: Family::new_with_constructor(latency_histogram),
            in_flight: Family::default(),
            cache_hits: Family::default(),
            cache_misses: Family::default(),
            rate_limited: Family::default(),
            job_ticks: Family::default(),
            subscribers: Family::default(),
            events_delivered: Family::default(),
            events_dropped: Family::default(),
            stalled_polls: Family::default(),
            stalls: StallWatch::default(),
        };
        registry.register(
            "servey_action_calls",
            "Calls of an action by transport and outcome (ok, cancelled or the error code)",
            families.calls.clone(),
        );
        registry.register(
            "servey_action_duration_seconds",
            "How long calls of an action took, by transport",
            families.durations.clone(),
        );
        registry.register(
            "servey_action_in_flight",
            "Calls of an action under way",
            families.in_flight.clone(),
        );
        registry.register(
            "servey_cache_hits",
            "Calls answered from the server-side result cache",
            families.cache_hits.clone(),
        );
        registry.register(
            "servey_cache_misses",
            "Calls the server-side result cache could not answer",
            families.cache_misses.clone(),
        );
        registry.register(
            "servey_rate_limited",
            "Calls refused by a rate limit",
            families.rate_limited.clone(),
        );
        registry.register(
            "servey_job_ticks",
            "Ticks of a scheduled action: run, or skipped because the previous run was still going",
            families.job_ticks.clone(),
        );
        registry.register(
            "servey_websocket_subscribers",
            "Websocket connections subscribed to a channel",
            families.subscribers.clone(),
        );
        registry.register(
            "servey_websocket_events_delivered",
            "Events handed to a websocket subscriber",
            families.events_delivered.clone(),
        );
        registry.register(
            "servey_websocket_events_dropped",
            "Events not handed to a websocket subscriber: its buffer was full, or it had gone",
            families.events_dropped.clone(),
        );
        registry.register(
            "servey_stalled_polls",
            "Polls of an action that held a worker without yielding for longer than SERVEY_STALL_THRESHOLD",
            families.stalled_polls.clone(),
        );
        families
    }
}

/// The Prometheus metrics of one app: built once with the app, recorded into by every transport,
/// encoded for `/metrics`.
pub struct Metrics {
    registry: prometheus_client::registry::Registry,
    families: Families,
    actions: HashMap<String, Arc<ActionSeries>>,
    /// The registry's actions (kept alive, so no other takes their address) and their series, by
    /// address: found without hashing the name on every call.
    by_address: Vec<(Arc<crate::action::Action>, Arc<ActionSeries>)>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics")
            .field("actions", &self.actions.len())
            .finish_non_exhaustive()
    }
}

impl Metrics {
    /// The `Content-Type` of [`encode`](Self::encode)'s output: the Prometheus text format, version 0.0.4.
    pub const CONTENT_TYPE: &str = prometheus_client::encoding::prometheus_text::CONTENT_TYPE;

    /// Upper bounds of the latency buckets, in seconds: from 100 µs (a cached or in-memory action) to
    /// 10 s.
    pub const LATENCY_BUCKETS: [f64; 16] = [
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
        5.0, 10.0,
    ];

    /// Metrics for the actions of `registry`: each action's in-flight gauge at zero, its other series
    /// made on first use.
    pub fn new(registry: &Registry) -> Self {
        let mut prometheus = prometheus_client::registry::Registry::default();
        let families = Families::registered_in(&mut prometheus);
        let mut by_address: Vec<_> = registry
            .iter()
            .map(|action| {
                let series = Arc::new(ActionSeries::new(&action.name, &families));
                (action.clone(), series)
            })
            .collect();
        by_address.sort_by_key(|(action, _)| Arc::as_ptr(action));
        let actions = by_address
            .iter()
            .map(|(action, series)| (action.name.to_string(), series.clone()))
            .collect();
        Self {
            registry: prometheus,
            families,
            actions,
            by_address,
        }
    }

    /// Every series in the Prometheus text format ([`CONTENT_TYPE`](Self::CONTENT_TYPE)).
    pub fn encode(&self) -> Result<String, std::fmt::Error> {
        let mut text = String::new();
        prometheus_client::encoding::prometheus_text::encode(&mut text, &self.registry)?;
        Ok(text)
    }

    /// Starts measuring one call of `action` that came in over `transport`.
    pub(crate) fn start_action(
        &self,
        action: &crate::action::Action,
        transport: Origin,
    ) -> CallRecorder {
        let address: *const crate::action::Action = action;
        match self
            .by_address
            .binary_search_by_key(&address, |(action, _)| Arc::as_ptr(action))
        {
            Ok(at) => CallRecorder::start(self.by_address[at].1.clone(), transport),
            Err(_) => self.start_call(&action.name, transport),
        }
    }

    /// Starts measuring one call of the action named `action` that came in over `transport`.
    pub(crate) fn start_call(&self, action: &str, transport: Origin) -> CallRecorder {
        // An action outside the app's registry (built by hand and invoked with an app context) still
        // counts, on a slower path that looks its series up each time.
        let series = self
            .actions
            .get(action)
            .cloned()
            .unwrap_or_else(|| Arc::new(ActionSeries::new(action, &self.families)));
        CallRecorder::start(series, transport)
    }

    /// The polls of actions that have held a worker without yielding for at least `threshold` and were
    /// not reported before: each is reported once, and counted in `servey_stalled_polls_total`.
    pub fn report_stalls(&self, threshold: std::time::Duration) -> Vec<Stall> {
        let stalls = self.families.stalls.report(threshold);
        for stall in &stalls {
            self.families
                .stalled_polls
                .get_or_create(&ActionLabels {
                    action: stall.action.clone(),
                })
                .inc();
        }
        stalls
    }

    /// The polls of actions in progress now that have held a worker for at least `threshold`.
    pub fn stalled(&self, threshold: std::time::Duration) -> Vec<Stall> {
        self.families.stalls.current(threshold)
    }

    /// The tick counters of the scheduled action `action`.
    pub fn ticks(&self, action: &str) -> TickMetrics {
        let tick = |outcome| {
            self.families.job_ticks.get_or_create_owned(&TickLabels {
                action: action.into(),
                outcome,
            })
        };
        TickMetrics {
            runs: tick("run"),
            skips: tick("skipped"),
        }
    }

    /// The subscriber gauge and event counters of the websocket channel `channel`.
    pub fn channel(&self, channel: &str) -> ChannelMetrics {
        let labels = ChannelLabels {
            channel: channel.into(),
        };
        ChannelMetrics {
            subscribers: self.families.subscribers.get_or_create_owned(&labels),
            delivered: self.families.events_delivered.get_or_create_owned(&labels),
            dropped: self.families.events_dropped.get_or_create_owned(&labels),
        }
    }
}

/// One action's series, their labels made once: the hot path only counts.
#[derive(Debug)]
struct ActionSeries {
    name: Arc<str>,
    families: Families,
    in_flight: Gauge,
    by_transport: [OnceLock<TransportSeries>; Origin::ALL.len()],
    cache_hits: OnceLock<Counter>,
    cache_misses: OnceLock<Counter>,
    rate_limited: OnceLock<Counter>,
}

/// The series of one action over one transport that every call touches.
#[derive(Debug)]
struct TransportSeries {
    succeeded: Counter,
    latency: Histogram,
}

impl ActionSeries {
    fn new(name: &str, families: &Families) -> Self {
        let name: Arc<str> = name.into();
        let in_flight = families.in_flight.get_or_create_owned(&ActionLabels {
            action: name.clone(),
        });
        Self {
            name,
            families: families.clone(),
            in_flight,
            by_transport: Default::default(),
            cache_hits: OnceLock::new(),
            cache_misses: OnceLock::new(),
            rate_limited: OnceLock::new(),
        }
    }

    fn over(&self, transport: Origin) -> &TransportSeries {
        self.by_transport[transport.index()].get_or_init(|| TransportSeries {
            succeeded: self.families.calls.get_or_create_owned(&CallLabels {
                action: self.name.clone(),
                transport,
                outcome: Cow::Borrowed("ok"),
            }),
            latency: self.families.durations.get_or_create_owned(&LatencyLabels {
                action: self.name.clone(),
                transport,
            }),
        })
    }

    fn ended_with(&self, transport: Origin, outcome: Cow<'static, str>) {
        self.families
            .calls
            .get_or_create(&CallLabels {
                action: self.name.clone(),
                transport,
                outcome,
            })
            .inc();
    }

    fn count<'a>(
        &self,
        cell: &'a OnceLock<Counter>,
        family: &Family<ActionLabels, Counter>,
    ) -> &'a Counter {
        cell.get_or_init(|| {
            family.get_or_create_owned(&ActionLabels {
                action: self.name.clone(),
            })
        })
    }
}

/// The tick counters of one scheduled action (`servey_job_ticks_total`).
#[derive(Debug, Clone)]
pub struct TickMetrics {
    runs: Counter,
    skips: Counter,
}

impl TickMetrics {
    /// A tick that started a run.
    pub fn record_run(&self) {
        self.runs.inc();
    }

    /// A tick skipped because the previous run was still going.
    pub fn record_skip(&self) {
        self.skips.inc();
    }
}

/// The subscriber gauge and event counters of one websocket channel.
#[derive(Debug, Clone)]
pub struct ChannelMetrics {
    subscribers: Gauge,
    delivered: Counter,
    dropped: Counter,
}

impl ChannelMetrics {
    /// The channel now has `count` local subscribers.
    pub fn set_subscribers(&self, count: usize) {
        self.subscribers
            .set(i64::try_from(count).unwrap_or(i64::MAX));
    }

    /// `count` subscribers were handed an event.
    pub fn record_delivered(&self, count: usize) {
        self.delivered.inc_by(count as u64);
    }

    /// `count` subscribers could not be handed an event.
    pub fn record_dropped(&self, count: usize) {
        self.dropped.inc_by(count as u64);
    }
}

mod call;

pub(crate) use call::{CallRecorder, PollWatcher};

#[cfg(test)]
mod tests;

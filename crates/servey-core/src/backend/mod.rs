//! The seams a backend implements so that several instances of one app share their work: the websocket
//! fan-out ([`FanOut`]), the background queue ([`BackgroundQueue`]), the tick lease ([`TickLease`]) and
//! the TTL result store ([`SharedResults`]) and the rate limits ([`SharedLimits`]). [`Backends`] holds one of each in typed slots on the
//! [`App`](crate::App): in-process by default, all of them in Redis with servey-redis.

mod error;
mod fan_out;
mod history;
mod in_flight;
mod lease;
mod limits;
mod probe;
mod queue;
mod results;

use std::sync::Arc;

use crate::event::EventSubscriptions;
use crate::registry::Registry;

pub use error::PublishError;
pub use fan_out::{DeliveryTargets, Envelope, FanOut, InProcess, LocalSubscribers};
pub use history::{DEFAULT_HISTORY, History, Replay};
pub use in_flight::{InFlight, Running};
pub use lease::{LeaseError, TickLease, Watched};
pub use limits::{SharedLimitStore, SharedLimits};
pub use probe::{Probe, Probes, Unready};
pub use queue::{BackgroundEvent, BackgroundQueue, InProcessQueue, WebhookJob};
pub use results::{SharedResultStore, SharedResults};

/// What an app's work goes through, one typed slot per seam. Cheap to clone; clones share each backend.
#[derive(Clone)]
pub struct Backends {
    fan_out: Arc<dyn FanOut>,
    background_queue: Arc<dyn BackgroundQueue>,
    tick_lease: Option<Arc<dyn TickLease>>,
    shared_results: Option<SharedResultStore>,
    shared_limits: Option<SharedLimitStore>,
    probes: Probes,
    event_subscriptions: Option<EventSubscriptions>,
}

impl std::fmt::Debug for Backends {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Backends")
            .field("tick_lease", &self.tick_lease.is_some())
            .field("shared_results", &self.shared_results.is_some())
            .field("shared_limits", &self.shared_limits.is_some())
            .field("probes", &self.probes)
            .field("event_subscriptions", &self.event_subscriptions)
            .finish_non_exhaustive()
    }
}

impl Backends {
    /// Everything in this process: events go to local subscribers, background events run as tasks
    /// against `registry`, every tick runs here and each cached action keeps its own results.
    pub fn in_process(registry: &Registry) -> Self {
        Self {
            fan_out: Arc::new(InProcess::default()),
            background_queue: Arc::new(InProcessQueue::new(registry.clone())),
            tick_lease: None,
            shared_results: None,
            shared_limits: None,
            probes: Probes::default(),
            event_subscriptions: None,
        }
    }

    /// Carries websocket events through `fan_out`.
    pub fn with_fan_out(mut self, fan_out: impl FanOut) -> Self {
        self.fan_out = Arc::new(fan_out);
        self
    }

    /// Runs background events through `queue`.
    pub fn with_background_queue(mut self, queue: impl BackgroundQueue) -> Self {
        self.background_queue = Arc::new(queue);
        self
    }

    /// Runs each scheduled tick only where `lease` grants it (one instance of several).
    pub fn with_tick_lease(mut self, lease: impl TickLease) -> Self {
        self.tick_lease = Some(Arc::new(lease));
        self
    }

    /// Keeps the results of cached actions in `results`, shared by every instance.
    pub fn with_shared_results(mut self, results: impl SharedResults) -> Self {
        self.shared_results = Some(SharedResultStore(Arc::new(results)));
        self
    }

    /// Takes every rate-limited call from `limits`, shared by every instance.
    pub fn with_shared_limits(mut self, limits: impl SharedLimits) -> Self {
        self.shared_limits = Some(SharedLimitStore(Arc::new(limits)));
        self
    }

    /// Asks `probe` whether the backend `name` answers before the app says it is ready.
    pub fn with_probe(mut self, name: &'static str, probe: impl Probe) -> Self {
        self.probes.0.push((name, Arc::new(probe)));
        self
    }

    /// Offers the app's event channels to other transports (GraphQL subscriptions) through `events`.
    pub fn with_event_subscriptions(mut self, events: EventSubscriptions) -> Self {
        self.event_subscriptions = Some(events);
        self
    }

    /// What carries websocket events to subscribers.
    pub fn fan_out(&self) -> &Arc<dyn FanOut> {
        &self.fan_out
    }

    /// What runs background events.
    pub fn background_queue(&self) -> &Arc<dyn BackgroundQueue> {
        &self.background_queue
    }

    /// The lease scheduled ticks are claimed through, when several instances share them.
    pub fn tick_lease(&self) -> Option<&Arc<dyn TickLease>> {
        self.tick_lease.as_ref()
    }

    /// Where cached actions keep their results when every instance shares them.
    pub fn shared_results(&self) -> Option<&SharedResultStore> {
        self.shared_results.as_ref()
    }

    /// Where rate-limited calls take from when every instance shares the limits.
    pub fn shared_limits(&self) -> Option<&SharedLimitStore> {
        self.shared_limits.as_ref()
    }

    /// What readiness asks of the backends.
    pub fn probes(&self) -> &Probes {
        &self.probes
    }

    /// The app's event channels as other transports subscribe to them, if it has any.
    pub fn event_subscriptions(&self) -> Option<&EventSubscriptions> {
        self.event_subscriptions.as_ref()
    }
}

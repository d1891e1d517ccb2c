//! `Channels`: what one app's event channels own at run time: the channel list (names checked unique,
//! access policies built), the websocket subscribers and the fan-out that reaches them, the background
//! queue and the webhook client. Built once at start and kept in the app's state, where a publish finds it
//! through the caller's `Context`; nothing of it is process-wide, so two apps in one process never meet.

use std::sync::Arc;

use futures_util::future::BoxFuture;
use servey_core::{App, Context, Registry};
use tokio::sync::watch;

use crate::background::{BackgroundEvent, BackgroundQueue, InProcessQueue};
use crate::catalog::Catalog;
use crate::channel::{ChannelKind, EventChannel};
use crate::error::{PublishError, ScheduleError};
use crate::hub::{Envelope, FanOut, InProcess, Subscribers};
use crate::lease::TickLease;
use crate::webhook::{Delivery, Webhooks};

/// The event channels of one app. Cheap to clone; clones share everything.
#[derive(Clone)]
pub struct Channels {
    inner: Arc<Inner>,
}

struct Inner {
    catalog: Arc<Catalog>,
    subscribers: Arc<Subscribers>,
    fan_out: Box<dyn FanOut>,
    background: Box<dyn BackgroundQueue>,
    tick_lease: Option<Arc<dyn TickLease>>,
    webhooks: Webhooks,
}

impl std::fmt::Debug for Channels {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Channels")
            .field("channels", &self.inner.catalog)
            .finish_non_exhaustive()
    }
}

type MakeFanOut = Box<dyn FnOnce(Arc<Subscribers>) -> Box<dyn FanOut>>;

/// Builds [`Channels`]: every declared channel, in-process fan-out and background queue by default.
pub struct ChannelsBuilder {
    registry: Registry,
    channels: Vec<&'static dyn EventChannel>,
    fan_out: Option<MakeFanOut>,
    background: Option<Box<dyn BackgroundQueue>>,
    tick_lease: Option<Arc<dyn TickLease>>,
}

impl std::fmt::Debug for ChannelsBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<_> = self.channels.iter().map(|channel| channel.name()).collect();
        f.debug_struct("ChannelsBuilder")
            .field("channels", &names)
            .finish_non_exhaustive()
    }
}

impl ChannelsBuilder {
    /// Adds a channel that was not submitted to the link-time list.
    pub fn channel(mut self, channel: &'static dyn EventChannel) -> Self {
        self.channels.push(channel);
        self
    }

    /// Carries websocket events with `make(subscribers)` (given this app's local subscribers, which it
    /// delivers to wherever it receives) instead of in-process.
    pub fn fan_out<F: FanOut>(
        mut self,
        make: impl FnOnce(Arc<Subscribers>) -> F + 'static,
    ) -> Self {
        self.fan_out = Some(Box::new(move |subscribers| Box::new(make(subscribers))));
        self
    }

    /// Runs background events through `queue` instead of in-process.
    pub fn background_queue(mut self, queue: impl BackgroundQueue) -> Self {
        self.background = Some(Box::new(queue));
        self
    }

    /// Runs each scheduled tick only where `lease` grants it (one instance of several), at instants
    /// every instance computes alike.
    pub fn tick_lease(mut self, lease: impl TickLease) -> Self {
        self.tick_lease = Some(Arc::new(lease));
        self
    }

    /// The registry background events run against.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// The channels; fails when two share a name or a background channel names an action the registry
    /// does not have.
    pub fn build(self) -> Result<Channels, ScheduleError> {
        let catalog = Arc::new(Catalog::new(self.channels)?);
        for listed in catalog.iter() {
            let channel = listed.channel;
            if let (ChannelKind::Background, Some(action)) =
                (channel.kind(), channel.target_action())
                && self.registry.get(action).is_none()
            {
                return Err(ScheduleError::UnknownAction {
                    channel: channel.name().to_owned(),
                    action: action.to_owned(),
                });
            }
        }
        let subscribers = Arc::new(Subscribers::new(catalog.clone()));
        let fan_out = match self.fan_out {
            Some(make) => make(subscribers.clone()),
            None => Box::new(InProcess::new(subscribers.clone())),
        };
        let background = self
            .background
            .unwrap_or_else(|| Box::new(InProcessQueue::new(self.registry)));
        Ok(Channels {
            inner: Arc::new(Inner {
                catalog,
                subscribers,
                fan_out,
                background,
                tick_lease: self.tick_lease,
                webhooks: Webhooks::new(),
            }),
        })
    }
}

impl Channels {
    /// The channels of an app over `registry`: every declared channel, in-process.
    pub fn new(registry: &Registry) -> Result<Self, ScheduleError> {
        Self::builder(registry).build()
    }

    /// Starts from every declared channel of an app over `registry`, in-process.
    pub fn builder(registry: &Registry) -> ChannelsBuilder {
        ChannelsBuilder {
            registry: registry.clone(),
            channels: Catalog::declared(),
            fan_out: None,
            background: None,
            tick_lease: None,
        }
    }

    /// The channels `app` was built with (its state holds them).
    pub fn of(app: &App) -> Result<&Self, ScheduleError> {
        app.state::<Self>().ok_or(ScheduleError::NoChannels)
    }

    /// The channels of the app `context` belongs to, when they include `channel`.
    pub(crate) fn of_context<'c>(
        context: &'c Context,
        channel: &'static str,
    ) -> Result<&'c Self, PublishError> {
        let channels = context
            .state::<Self>()
            .ok_or(PublishError::NoChannels { channel })?;
        match channels.inner.catalog.get(channel) {
            Some(_) => Ok(channels),
            None => Err(PublishError::UnknownChannel { channel }),
        }
    }

    /// Every channel, sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = &'static dyn EventChannel> + '_ {
        self.inner.catalog.iter().map(|listed| listed.channel)
    }

    /// The channel named `name`.
    pub fn get(&self, name: &str) -> Option<&'static dyn EventChannel> {
        self.inner.catalog.get(name).map(|listed| listed.channel)
    }

    /// This app's local websocket subscribers.
    pub fn subscribers(&self) -> &Subscribers {
        &self.inner.subscribers
    }

    /// Resolves once every background event and webhook delivery published so far (and those they
    /// published in turn) has finished; a CLI call waits here before it exits.
    pub async fn flush(&self) {
        self.inner.background.flush().await;
        self.inner.webhooks.in_flight().idle().await;
    }

    /// Whether the app shares its ticks, background jobs and websocket events with other instances
    /// (through Redis).
    pub fn is_scaled_out(&self) -> bool {
        self.inner.tick_lease.is_some()
    }

    /// The lease scheduled ticks are claimed through, when several instances share them.
    pub(crate) fn tick_lease(&self) -> Option<Arc<dyn TickLease>> {
        self.inner.tick_lease.clone()
    }

    /// The background queue's workers for `app`, if it has any (see [`BackgroundQueue::workers`]).
    pub(crate) fn background_workers(
        &self,
        app: &App,
        stopped: watch::Receiver<bool>,
    ) -> Option<BoxFuture<'static, ()>> {
        self.inner.background.workers(app, stopped)
    }

    pub(crate) fn catalog(&self) -> &Catalog {
        &self.inner.catalog
    }

    /// Sends a websocket event through the fan-out.
    pub(crate) fn send(&self, envelope: Envelope) -> Result<(), PublishError> {
        self.inner.fan_out.send(envelope)
    }

    /// Hands a background event to the queue.
    pub(crate) fn enqueue(
        &self,
        job: BackgroundEvent,
        publisher: &Context,
    ) -> Result<(), PublishError> {
        self.inner.background.enqueue(job, publisher)
    }

    /// Starts a webhook delivery in the background.
    pub(crate) fn deliver(&self, delivery: Delivery) -> Result<(), PublishError> {
        self.inner.webhooks.deliver(delivery)
    }
}

//! `Channels`: what one app's event channels own at run time: the channel list (names checked unique,
//! access policies built), the websocket subscribers, the webhook client, and the app's backends (core's
//! fan-out, background queue and tick lease) they publish through. Built once at start and kept in the app's state, where a publish finds it
//! through the caller's `Context`; nothing of it is process-wide, so two apps in one process never meet.

use std::sync::Arc;

use futures_util::future::BoxFuture;
use servey_core::backend::{
    BackgroundEvent, BackgroundQueue, Envelope, FanOut, LocalSubscribers, Replay, TickLease,
};
use servey_core::{App, Backends, Context, Registry};
use tokio::sync::watch;

use crate::catalog::Catalog;
use crate::channel::{ChannelKind, EventChannel};
use crate::error::{PublishError, ScheduleError};
use crate::hub::Subscribers;
use crate::webhook::{Delivery, Webhooks};

/// The event channels of one app. Cheap to clone; clones share everything.
#[derive(Clone)]
pub struct Channels {
    inner: Arc<Inner>,
}

struct Inner {
    catalog: Arc<Catalog>,
    subscribers: Arc<Subscribers>,
    fan_out: Arc<dyn FanOut>,
    background: Arc<dyn BackgroundQueue>,
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

/// Builds [`Channels`]: every declared channel, in-process backends unless given the app's.
pub struct ChannelsBuilder {
    registry: Registry,
    channels: Vec<&'static dyn EventChannel>,
    backends: Option<Backends>,
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

    /// Publishes through `backends` (the app's fan-out, background queue and tick lease) instead of
    /// in-process.
    pub fn backends(mut self, backends: &Backends) -> Self {
        self.backends = Some(backends.clone());
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
            if !cfg!(feature = "http-client") && matches!(channel.kind(), ChannelKind::Webhook) {
                return Err(ScheduleError::HttpClientOff {
                    channel: channel.name().to_owned(),
                });
            }
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
        let backends = self
            .backends
            .unwrap_or_else(|| Backends::in_process(&self.registry));
        let local: Arc<dyn LocalSubscribers> = subscribers.clone();
        backends.fan_out().deliver_to(Arc::downgrade(&local));
        Ok(Channels {
            inner: Arc::new(Inner {
                catalog,
                subscribers,
                fan_out: backends.fan_out().clone(),
                background: backends.background_queue().clone(),
                tick_lease: backends.tick_lease().cloned(),
                webhooks: Webhooks::new(),
            }),
        })
    }
}

impl Channels {
    /// The channels of an app over `registry`: every declared channel, in-process backends.
    pub fn new(registry: &Registry) -> Result<Self, ScheduleError> {
        Self::builder(registry).build()
    }

    /// Starts from every declared channel of an app over `registry`, in-process backends.
    pub fn builder(registry: &Registry) -> ChannelsBuilder {
        ChannelsBuilder {
            registry: registry.clone(),
            channels: Catalog::declared(),
            backends: None,
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

    /// Resolves once every websocket event sent so far has left, and every background event and webhook
    /// delivery published so far (and those they published in turn) has finished; a CLI call waits
    /// here before it exits.
    pub async fn flush(&self) {
        self.inner.fan_out.flush().await;
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

    /// The checks and matching of these channels for subscribers held outside this process.
    pub fn remote(&self) -> crate::RemoteSubscriptions {
        crate::RemoteSubscriptions::new(self.inner.catalog.clone())
    }

    pub(crate) fn catalog(&self) -> &Catalog {
        &self.inner.catalog
    }

    /// Sends a websocket event through the fan-out.
    pub(crate) fn send(&self, envelope: Envelope) -> Result<(), PublishError> {
        self.inner.fan_out.send(envelope)
    }

    /// Resolves once events sent from now on reach this instance's subscribers (see
    /// [`FanOut::until_live`]).
    pub(crate) fn until_live(&self) -> BoxFuture<'static, ()> {
        self.inner.fan_out.until_live()
    }

    /// The kept events of `channel` after the id `since` (see [`FanOut::replay`]).
    pub(crate) async fn replay(
        &self,
        channel: &str,
        since: u64,
    ) -> Result<Replay, servey_core::backend::PublishError> {
        self.inner.fan_out.replay(channel, since).await
    }

    /// Hands a background event to the queue.
    pub(crate) fn enqueue(
        &self,
        job: BackgroundEvent,
        publisher: &Context,
    ) -> Result<(), PublishError> {
        self.inner.background.enqueue(job, publisher)
    }

    /// Starts a webhook delivery in the background, or hands it to the background queue when that
    /// carries webhooks.
    pub(crate) fn deliver(&self, delivery: Delivery) -> Result<(), PublishError> {
        #[cfg(feature = "http-client")]
        if self.inner.background.carries_webhooks() {
            return self.inner.background.enqueue_webhook(delivery.into_job()?);
        }
        self.inner.webhooks.deliver(delivery)
    }

    /// Runs a webhook delivery a background queue carried (a [`WebhookJob`]'s channel and delivery) to
    /// its end here; false when every attempt failed (or the job is not one of this app's), so that the
    /// queue delivers it again.
    ///
    /// [`WebhookJob`]: servey_core::backend::WebhookJob
    pub async fn run_webhook(&self, channel: &str, delivery: serde_json::Value) -> bool {
        let Some(listed) = self
            .inner
            .catalog
            .get(channel)
            .filter(|listed| listed.channel.kind() == ChannelKind::Webhook)
        else {
            tracing::error!(
                channel,
                "a carried webhook delivery names no webhook channel of this app"
            );
            return false;
        };
        #[cfg(feature = "http-client")]
        match Delivery::from_job(listed.channel.name(), delivery) {
            Ok(delivery) => self.inner.webhooks.run_now(delivery).await,
            Err(error) => {
                tracing::error!(channel, %error, "a carried webhook delivery does not read back");
                false
            }
        }
        #[cfg(not(feature = "http-client"))]
        {
            let _ = (listed, delivery);
            tracing::error!(
                channel,
                "this build has no HTTP client (servey's `http-client` feature)"
            );
            false
        }
    }
}

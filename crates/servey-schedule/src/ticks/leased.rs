//! Ticks under a lease that outlives nothing but its holder: the winner renews its claim while the run
//! lasts and marks the tick finished; the others watch the claim and run the tick again when it expires
//! unfinished (its instance died mid-run). See [`TickLease`](servey_core::backend::TickLease).

use std::sync::atomic::Ordering;
use std::time::Duration;

use chrono::{DateTime, Utc};
use servey_core::backend::{TickLease, Watched};
use tokio::sync::watch;

use super::ScheduledAction;

impl ScheduledAction {
    /// Runs the tick at `at` if this instance wins its lease; otherwise watches it until it finishes,
    /// `hold` passes or the schedule stops, and runs it again should its claim expire unfinished.
    pub(super) async fn claim_and_tick(
        &self,
        lease: &dyn TickLease,
        at: DateTime<Utc>,
        hold: Duration,
        stopped: watch::Receiver<bool>,
    ) {
        match lease.claim(&self.action.name, at.timestamp(), hold).await {
            Ok(true) => self.leased_tick(lease, at, hold).await,
            Ok(false) => {
                self.tick_count.fetch_add(1, Ordering::Relaxed);
                self.elsewhere.fetch_add(1, Ordering::Relaxed);
                if let Some(ttl) = lease.lease_ttl() {
                    self.watch(lease, at, hold, ttl, stopped).await;
                }
            }
            Err(error) => {
                self.tick_count.fetch_add(1, Ordering::Relaxed);
                self.elsewhere.fetch_add(1, Ordering::Relaxed);
                // The backend logs its outage once; each missed tick is only a debug line.
                tracing::debug!(action = %self.action.name, %error, "tick not run: its lease could not be claimed");
            }
        }
    }

    /// Runs the claimed tick at `at`, renewing the claim every third of its lifetime while the run
    /// lasts, then marks it finished for `hold`.
    async fn leased_tick(&self, lease: &dyn TickLease, at: DateTime<Utc>, hold: Duration) {
        let name = self.action.name.as_str();
        let tick = at.timestamp();
        let Some(ttl) = lease.lease_ttl() else {
            self.tick().await;
            return;
        };
        let renewals = async {
            loop {
                tokio::time::sleep(ttl / 3).await;
                match lease.renew(name, tick).await {
                    Ok(true) => {}
                    Ok(false) => {
                        tracing::warn!(
                            action = name,
                            "a running tick lost its lease (Redis was away longer than the lease): \
                             another instance may run it again"
                        );
                        // The run goes on; there is nothing left to renew.
                        std::future::pending::<()>().await;
                    }
                    // The backend logs its outage; the next renewal may still land in time.
                    Err(error) => tracing::debug!(action = name, %error, "lease not renewed"),
                }
            }
        };
        tokio::select! {
            () = self.tick() => {}
            () = renewals => {}
        }
        if let Err(error) = lease.finish(name, tick, hold).await {
            tracing::debug!(action = name, %error, "tick not marked finished; its claim expires");
        }
    }

    /// Watches the tick at `at` that another instance claimed, every half of the claim's lifetime.
    async fn watch(
        &self,
        lease: &dyn TickLease,
        at: DateTime<Utc>,
        hold: Duration,
        ttl: Duration,
        mut stopped: watch::Receiver<bool>,
    ) {
        let name = self.action.name.as_str();
        let until = tokio::time::Instant::now() + hold;
        while tokio::time::Instant::now() < until {
            tokio::select! {
                () = tokio::time::sleep(ttl / 2) => {}
                _ = stopped.wait_for(|stop| *stop) => return,
            }
            match lease.watch(name, at.timestamp()).await {
                Ok(Watched::Running) | Err(_) => {}
                Ok(Watched::Finished) => return,
                Ok(Watched::Won) => {
                    self.reruns.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(
                        action = name,
                        tick = %at,
                        "running a tick again: the instance that claimed it stopped renewing its lease"
                    );
                    self.leased_tick(lease, at, hold).await;
                    return;
                }
            }
        }
    }
}

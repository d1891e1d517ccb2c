//! Ticks shared by several instances of one app: every instance computes the same tick times (fixed
//! rates aligned to the Unix epoch, cron occurrences in UTC) and runs a tick only when it wins that
//! tick's lease (core's [`TickLease`](servey_core::backend::TickLease)), so each tick runs once across
//! all of them. In-process apps have no lease and keep tokio-cron-scheduler's own timing.

use std::time::Duration;

use chrono::{DateTime, Utc};

/// When a leased schedule ticks: the same instants on every instance.
#[derive(Debug)]
pub(crate) enum TickTimes {
    /// Every multiple of this many seconds since the epoch.
    Every(u64),
    /// Every occurrence of a cron expression (six fields, seconds first), in UTC.
    Cron(Box<croner::Cron>),
}

impl TickTimes {
    /// Parses a cron expression the way tokio-cron-scheduler does (seconds required).
    pub(crate) fn cron(expression: &str) -> Option<Self> {
        croner::parser::CronParser::builder()
            .seconds(croner::parser::Seconds::Required)
            .build()
            .parse(expression)
            .ok()
            .map(|cron| Self::Cron(Box::new(cron)))
    }

    /// The first tick strictly after `now`.
    pub(crate) fn next_after(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self {
            Self::Every(seconds) => {
                let seconds = i64::try_from(*seconds).ok()?;
                let next = (now.timestamp().div_euclid(seconds) + 1) * seconds;
                DateTime::from_timestamp(next, 0)
            }
            Self::Cron(cron) => cron.find_next_occurrence(&now, false).ok(),
        }
    }

    /// How long a claim is kept: long enough that no instance, however late, claims the tick again.
    pub(crate) fn hold(&self) -> Duration {
        let floor = Duration::from_secs(600);
        match self {
            Self::Every(seconds) => floor.max(Duration::from_secs(seconds.saturating_mul(2))),
            Self::Cron(_) => floor,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_rates_tick_on_multiples_of_the_rate_since_the_epoch() {
        let now = DateTime::from_timestamp(1_000_003, 500_000_000).expect("a time");
        let next = TickTimes::Every(5).next_after(now).expect("a tick");
        assert_eq!(next.timestamp(), 1_000_005);
        let exact = DateTime::from_timestamp(1_000_005, 0).expect("a time");
        assert_eq!(
            TickTimes::Every(5)
                .next_after(exact)
                .map(|next| next.timestamp()),
            Some(1_000_010)
        );
    }

    #[test]
    fn cron_ticks_are_its_occurrences() {
        let every_ten = TickTimes::cron("*/10 * * * * *").expect("parses");
        let now = DateTime::from_timestamp(1_000_003, 0).expect("a time");
        assert_eq!(
            every_ten.next_after(now).map(|next| next.timestamp()),
            Some(1_000_010)
        );
        assert!(TickTimes::cron("* * * *").is_none());
    }
}

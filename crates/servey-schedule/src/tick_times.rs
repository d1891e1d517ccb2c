//! When a schedule ticks: fixed rates counted from an origin, cron occurrences in UTC (croner).
//! In-process schedules count fixed rates from their start; schedules shared by several instances
//! count them from the Unix epoch, so every instance computes the same instants and runs a tick only
//! when it wins that tick's lease (core's [`TickLease`](servey_core::backend::TickLease)).

use std::time::Duration;

use chrono::{DateTime, Utc};

/// The instants a schedule ticks at.
#[derive(Debug)]
pub(crate) enum TickTimes {
    /// Every `seconds` after `origin`.
    Every {
        /// The period, in seconds (at least 1).
        seconds: u64,
        /// The instant the ticks are counted from (the first tick is one period after it).
        origin: DateTime<Utc>,
    },
    /// Every occurrence of a cron expression (six fields, seconds first), in UTC.
    Cron(Box<croner::Cron>),
}

impl TickTimes {
    /// Parses a cron expression: seconds required, a day of the month and a day of the week both given
    /// must both match (as tokio-cron-scheduler, which servey used before, read them), and a step may
    /// start without a range (`5/15` for `5-59/15`, as croner 3 read it).
    pub(crate) fn cron(expression: &str) -> Option<Self> {
        croner::parser::CronParser::builder()
            .seconds(croner::parser::Seconds::Required)
            .dom_and_dow(true)
            .sloppy_ranges(true)
            .build()
            .parse(expression)
            .ok()
            .map(|cron| Self::Cron(Box::new(cron)))
    }

    /// The first tick strictly after `now`.
    pub(crate) fn next_after(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self {
            Self::Every { seconds, origin } => {
                let period = i64::try_from(seconds.checked_mul(1000)?).ok()?;
                let elapsed = (now - *origin).num_milliseconds();
                let next = (elapsed.div_euclid(period) + 1).checked_mul(period)?;
                DateTime::from_timestamp_millis(origin.timestamp_millis().checked_add(next)?)
            }
            Self::Cron(cron) => cron.find_next_occurrence(&now, false).ok(),
        }
    }

    /// How long a claim is kept: long enough that no instance, however late, claims the tick again.
    pub(crate) fn hold(&self) -> Duration {
        let floor = Duration::from_secs(600);
        match self {
            Self::Every { seconds, .. } => {
                floor.max(Duration::from_secs(seconds.saturating_mul(2)))
            }
            Self::Cron(_) => floor,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every(seconds: u64, origin: DateTime<Utc>) -> TickTimes {
        TickTimes::Every { seconds, origin }
    }

    #[test]
    fn fixed_rates_tick_on_multiples_of_the_rate_since_the_epoch() {
        let now = DateTime::from_timestamp(1_000_003, 500_000_000).expect("a time");
        let next = every(5, DateTime::UNIX_EPOCH)
            .next_after(now)
            .expect("a tick");
        assert_eq!(next.timestamp(), 1_000_005);
        let exact = DateTime::from_timestamp(1_000_005, 0).expect("a time");
        assert_eq!(
            every(5, DateTime::UNIX_EPOCH)
                .next_after(exact)
                .map(|next| next.timestamp()),
            Some(1_000_010)
        );
    }

    #[test]
    fn fixed_rates_from_a_start_tick_one_period_after_it_and_then_every_period() {
        let start = DateTime::from_timestamp(1_000_003, 250_000_000).expect("a time");
        let times = every(2, start);
        let first = times.next_after(start).expect("a tick");
        assert_eq!(first, start + chrono::Duration::seconds(2));
        let second = times.next_after(first).expect("a tick");
        assert_eq!(second, start + chrono::Duration::seconds(4));
        let late = start + chrono::Duration::milliseconds(5_100);
        assert_eq!(
            times.next_after(late),
            Some(start + chrono::Duration::seconds(6))
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

    #[test]
    fn a_step_may_start_without_a_range() {
        let from_five = TickTimes::cron("5/15 * * * * *").expect("parses");
        let now = DateTime::from_timestamp(1_000_020, 0).expect("a time");
        assert_eq!(
            from_five.next_after(now).map(|next| next.timestamp()),
            Some(1_000_025)
        );
    }

    #[test]
    fn cron_day_of_month_and_day_of_week_must_both_match() {
        let friday_the_13th = TickTimes::cron("0 0 0 13 * 5").expect("parses");
        // Thursday 2026-01-01: the next Friday the 13th is 2026-02-13.
        let now = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
            .expect("a time")
            .with_timezone(&Utc);
        let next = friday_the_13th.next_after(now).expect("a tick");
        assert_eq!(next.to_rfc3339(), "2026-02-13T00:00:00+00:00");
    }
}

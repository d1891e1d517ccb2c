//! Catching up after a lost subscription: what each channel's stream keeps after the last event
//! delivered here, and the id check that delivers an event once.

use std::collections::HashMap;
use std::sync::Weak;

use servey_core::backend::{DeliveryTargets, Envelope};

use super::{StreamEntry, decode};
use crate::RedisBackend;

/// Whether `envelope` comes after the last event delivered on its channel (and records it so).
pub(super) fn is_new(delivered: &mut HashMap<String, u64>, envelope: &Envelope) -> bool {
    match delivered.get_mut(&envelope.channel) {
        Some(last) if envelope.id <= *last => false,
        Some(last) => {
            *last = envelope.id;
            true
        }
        None => {
            delivered.insert(envelope.channel.clone(), envelope.id);
            true
        }
    }
}

/// Delivers, channel by channel, what each stream keeps after the last event delivered here. A
/// sequence found behind that id (a Redis that restarted empty) starts the channel over from its
/// first kept event.
pub(super) async fn catch_up(
    backend: &RedisBackend,
    delivered: &mut HashMap<String, u64>,
    targets: &Weak<DeliveryTargets>,
) -> Result<(), String> {
    let mut connection = backend.connection.clone();
    for (channel, last) in delivered.iter_mut() {
        let (log, seq) = (
            backend.key(&format!("events:log:{channel}")),
            backend.key(&format!("events:seq:{channel}")),
        );
        let latest: Option<u64> = crate::within(
            backend.call_timeout,
            ::redis::cmd("GET").arg(&seq).query_async(&mut connection),
        )
        .await?;
        if latest.unwrap_or(0) < *last {
            *last = 0;
        }
        let entries: Vec<StreamEntry> = crate::within(
            backend.call_timeout,
            ::redis::cmd("XRANGE")
                .arg(&log)
                .arg(format!("{}-0", *last + 1))
                .arg("+")
                .query_async(&mut connection),
        )
        .await?;
        let Some(targets) = targets.upgrade() else {
            return Ok(());
        };
        for envelope in entries
            .iter()
            .filter_map(|(_, fields)| decode(fields.get(1)?))
        {
            if envelope.id > *last {
                *last = envelope.id;
                targets.deliver(&envelope);
            }
        }
    }
    Ok(())
}

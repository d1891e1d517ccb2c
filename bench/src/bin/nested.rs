//! A servey app for the batching bench: `rows(count:)` lists rows whose two nested fields do identical
//! work per row, `checksum` with a batch form (one call for the whole list) and `checksumUnbatched`
//! without (one call per row). `cargo xtask bench` serves it (SERVER_PORT) and compares
//! `{ rows(count: 100) { value checksum } }` with `{ rows(count: 100) { value checksumUnbatched } }`.

use servey::prelude::*;

/// One row of the list.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Row {
    /// Its position.
    pub value: u64,
}

/// The work each nested field does for one row: a small FNV-1a over the value's bytes, 64 times.
fn checksum_of(value: u64) -> u64 {
    (0..64_u64).fold(0xcbf2_9ce4_8422_2325, |hash, round| {
        (value ^ round)
            .to_le_bytes()
            .iter()
            .fold(hash, |hash, byte| {
                (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
            })
    })
}

#[actions]
impl Row {
    /// The row's checksum, resolved in one batch for a list.
    #[action(batch = Self::checksums)]
    pub async fn checksum(&self) -> u64 {
        checksum_of(self.value)
    }

    /// The batch form of `checksum`.
    pub async fn checksums(parents: &[Self]) -> Vec<u64> {
        parents.iter().map(|row| checksum_of(row.value)).collect()
    }

    /// The same checksum, one call per row.
    #[action]
    pub async fn checksum_unbatched(&self) -> u64 {
        checksum_of(self.value)
    }
}

/// `count` rows (at most 1000).
#[action(triggers = [web_get])]
pub fn rows(count: u32) -> Vec<Row> {
    (0..u64::from(count.min(1000)))
        .map(|value| Row { value })
        .collect()
}

fn main() {
    servey::Builder::new(servey::Registry::builder().collected()).main();
}

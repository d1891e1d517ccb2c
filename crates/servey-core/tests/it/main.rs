//! servey-core's integration tests, one module per behaviour area, linked as one binary.

// Both use `ttl(N)` results kept in process (and metrics rate limits): the `cache` and `rate-limit` features.
#[cfg(feature = "cache")]
mod backends;
#[cfg(all(feature = "cache", feature = "rate-limit"))]
mod metrics;
mod placement;

//! servey-core's integration tests, one module per behaviour area, linked as one binary.

mod backends;
mod metrics;
mod placement;

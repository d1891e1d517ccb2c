//! servey-core's integration tests, one module per behaviour area, linked as one binary.

mod metrics;
mod placement;

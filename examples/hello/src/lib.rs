//! The servey tour: every feature in one app. The actions live in this library so that the binary and
//! the integration tests share them.

pub mod actions;
mod generated;

pub use generated::actions as registry_builder;

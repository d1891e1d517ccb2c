//! Where an app's AWS resources are: the variables `--run=sam`'s template sets on the function, and
//! the `lambda` feature reads.

#[cfg(feature = "lambda")]
use servey_core::Settings;

/// The variable naming the DynamoDB table of websocket connections.
pub(crate) const CONNECTIONS_TABLE: &str = "SERVEY_AWS_CONNECTIONS_TABLE";
/// The variable giving the websocket API's Management API endpoint
/// (`https://{api}.execute-api.{region}.amazonaws.com/{stage}`).
pub(crate) const WEBSOCKET_ENDPOINT: &str = "SERVEY_AWS_WEBSOCKET_ENDPOINT";
/// The variable giving the URL of the SQS queue background events go through.
pub(crate) const QUEUE_URL: &str = "SERVEY_AWS_QUEUE_URL";

/// The AWS resources an app's settings name.
#[cfg(feature = "lambda")]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct AwsSettings {
    /// The DynamoDB table of websocket connections.
    pub(crate) connections_table: Option<String>,
    /// The Management API endpoint of the websocket API.
    pub(crate) websocket_endpoint: Option<String>,
    /// The SQS queue of background events.
    pub(crate) queue_url: Option<String>,
}

#[cfg(feature = "lambda")]
impl AwsSettings {
    /// The settings of [`CONNECTIONS_TABLE`], [`WEBSOCKET_ENDPOINT`] and [`QUEUE_URL`].
    pub(crate) fn from_settings(settings: &Settings) -> Self {
        let read = |name: &str| {
            settings
                .get(name)
                .map(|value| value.trim().to_owned())
                .filter(|value| !value.is_empty())
        };
        Self {
            connections_table: read(CONNECTIONS_TABLE),
            websocket_endpoint: read(WEBSOCKET_ENDPOINT),
            queue_url: read(QUEUE_URL),
        }
    }
}

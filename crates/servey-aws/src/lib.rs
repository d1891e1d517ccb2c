//! servey on AWS beyond Lambda itself: the websocket subscribers of an API Gateway websocket API kept
//! in a DynamoDB table ([`Connections`]) and reached through the API Gateway Management API
//! ([`Poster`]), and background events sent to an SQS queue ([`SqsQueue`]) that the function consumes
//! in batches ([`run_batch`]). `--run=sam` writes the table, the websocket API and the queues; the
//! facade reads where they are from the function's environment.
//!
//! Only core: the facade's `lambda` feature wires these to the channels and to Lambda's events.

mod connections;
mod poster;
mod queue;

use aws_config::SdkConfig;

pub use connections::{Connections, StoredConnection, StoredSubscription};
pub use poster::{Posted, Poster};
pub use queue::{BatchFailures, SqsQueue, run_batch};

/// Why an AWS call failed.
#[derive(Debug, thiserror::Error)]
pub enum AwsError {
    /// A DynamoDB call failed.
    #[error("DynamoDB: {0}")]
    DynamoDb(String),
    /// An SQS call failed.
    #[error("SQS: {0}")]
    Sqs(String),
    /// A Management API call failed.
    #[error("API Gateway Management API: {0}")]
    Management(String),
    /// A stored item is not what servey writes.
    #[error("the connections table holds an item servey did not write: {0}")]
    BadItem(String),
}

/// The SDK's configuration from the environment (credentials, region, `AWS_ENDPOINT_URL`), with one
/// HTTPS client: rustls over ring.
pub async fn sdk_config() -> SdkConfig {
    use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https();
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(http)
        .load()
        .await
}

/// Seconds since the epoch.
fn now_seconds() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

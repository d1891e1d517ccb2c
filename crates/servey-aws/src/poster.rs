//! `Poster`: sends a message to one websocket connection through the websocket API's Management API.

use aws_sdk_apigatewaymanagement::Client;
use aws_sdk_apigatewaymanagement::error::DisplayErrorContext;
use aws_sdk_apigatewaymanagement::primitives::Blob;

use crate::AwsError;

/// What became of a message posted to a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Posted {
    /// API Gateway took it for the client.
    Sent,
    /// The connection is gone (410): forget it.
    Gone,
}

/// Posts to the connections of one websocket API.
#[derive(Debug, Clone)]
pub struct Poster {
    client: Client,
}

impl Poster {
    /// Posts through the Management API at `endpoint` (`https://{api}.execute-api.{region}.amazonaws.com/{stage}`).
    pub fn new(config: &aws_config::SdkConfig, endpoint: &str) -> Self {
        let config = aws_sdk_apigatewaymanagement::config::Builder::from(config)
            .endpoint_url(endpoint)
            .build();
        Self {
            client: Client::from_conf(config),
        }
    }

    /// Sends `message` (a text frame) to `connection_id`.
    pub async fn post(&self, connection_id: &str, message: &str) -> Result<Posted, AwsError> {
        let sent = self
            .client
            .post_to_connection()
            .connection_id(connection_id)
            .data(Blob::new(message.as_bytes()))
            .send()
            .await;
        match sent {
            Ok(_) => Ok(Posted::Sent),
            Err(error) => match error.as_service_error() {
                Some(service) if service.is_gone_exception() => Ok(Posted::Gone),
                _ => Err(AwsError::Management(DisplayErrorContext(error).to_string())),
            },
        }
    }

    /// Closes the connection `connection_id` (API Gateway sends the client a close frame).
    pub async fn close(&self, connection_id: &str) -> Result<(), AwsError> {
        match self
            .client
            .delete_connection()
            .connection_id(connection_id)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(error) => match error.as_service_error() {
                Some(service) if service.is_gone_exception() => Ok(()),
                _ => Err(AwsError::Management(DisplayErrorContext(error).to_string())),
            },
        }
    }
}

//! `Connections`: the websocket connections of an API Gateway websocket API and their subscriptions, in
//! one DynamoDB table keyed `pk` (partition) and `sk` (sort), every item expiring (`expires_at`, the
//! table's TTL attribute) after API Gateway's longest connection:
//! - `connection#<id>` / `-`: who connected (subscriber id, grant) and the channels it subscribed to;
//! - `channel#<name>` / `<connection id>`: one subscription, with the subscriber and its parameters, so
//!   that a publish reads a channel's subscribers with one query;
//! - `counter#<name>` / `-`: the channel's last event id.

use std::collections::HashMap;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use serde_json::Value;
use servey_core::Authorization;

use crate::{AwsError, now_seconds};

/// API Gateway closes a websocket after two hours; its items live that long, and an hour more.
const LIFETIME_SECONDS: u64 = 3 * 3600;

/// Who is on one connection.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredConnection {
    /// The id targeted publishes reach.
    pub subscriber_id: String,
    /// The grant its token carried, if it sent one.
    pub authorization: Option<Authorization>,
}

/// One subscription as a publish reads it.
#[derive(Debug, Clone)]
pub struct StoredSubscription {
    /// API Gateway's id of the connection.
    pub connection_id: String,
    /// Who subscribed.
    pub connection: StoredConnection,
    /// The subscription parameters, as checked when it subscribed.
    pub params: Value,
}

/// The connections table.
#[derive(Debug, Clone)]
pub struct Connections {
    client: Client,
    table: String,
}

fn string(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

fn dynamo(error: impl std::error::Error) -> AwsError {
    AwsError::DynamoDb(aws_sdk_dynamodb::error::DisplayErrorContext(error).to_string())
}

fn connection_key(connection_id: &str) -> String {
    format!("connection#{connection_id}")
}

fn channel_key(channel: &str) -> String {
    format!("channel#{channel}")
}

impl Connections {
    /// The table `table`, through `config`'s credentials and endpoint.
    pub fn new(config: &aws_config::SdkConfig, table: impl Into<String>) -> Self {
        Self {
            client: Client::new(config),
            table: table.into(),
        }
    }

    fn expires_at() -> AttributeValue {
        AttributeValue::N((now_seconds() + LIFETIME_SECONDS).to_string())
    }

    fn connection_attributes(connection: &StoredConnection) -> Vec<(&'static str, AttributeValue)> {
        let mut attributes = vec![
            ("subscriber_id", string(&connection.subscriber_id)),
            ("expires_at", Self::expires_at()),
        ];
        if let Some(authorization) = &connection.authorization {
            let grant = serde_json::to_string(authorization).unwrap_or_default();
            attributes.push(("authorization", string(grant)));
        }
        attributes
    }

    /// Records that `connection_id` connected as `connection`.
    pub async fn connect(
        &self,
        connection_id: &str,
        connection: &StoredConnection,
    ) -> Result<(), AwsError> {
        let mut put = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("pk", string(connection_key(connection_id)))
            .item("sk", string("-"));
        for (name, value) in Self::connection_attributes(connection) {
            put = put.item(name, value);
        }
        put.send().await.map_err(dynamo)?;
        Ok(())
    }

    /// Who is on `connection_id`, if it connected (and has not left).
    pub async fn connection(
        &self,
        connection_id: &str,
    ) -> Result<Option<StoredConnection>, AwsError> {
        let got = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", string(connection_key(connection_id)))
            .key("sk", string("-"))
            .consistent_read(true)
            .send()
            .await
            .map_err(dynamo)?;
        got.item().map(read_connection).transpose()
    }

    /// Subscribes `connection_id` to `channel` with `params` (replacing an earlier subscription's).
    pub async fn subscribe(
        &self,
        connection_id: &str,
        connection: &StoredConnection,
        channel: &str,
        params: &Value,
    ) -> Result<(), AwsError> {
        let mut put = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("pk", string(channel_key(channel)))
            .item("sk", string(connection_id))
            .item("params", string(params.to_string()));
        for (name, value) in Self::connection_attributes(connection) {
            put = put.item(name, value);
        }
        put.send().await.map_err(dynamo)?;
        self.client
            .update_item()
            .table_name(&self.table)
            .key("pk", string(connection_key(connection_id)))
            .key("sk", string("-"))
            .update_expression("ADD channels :channel")
            .expression_attribute_values(":channel", AttributeValue::Ss(vec![channel.to_owned()]))
            .send()
            .await
            .map_err(dynamo)?;
        Ok(())
    }

    /// Ends the subscription of `connection_id` to `channel`.
    pub async fn unsubscribe(&self, connection_id: &str, channel: &str) -> Result<(), AwsError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .key("pk", string(channel_key(channel)))
            .key("sk", string(connection_id))
            .send()
            .await
            .map_err(dynamo)?;
        self.client
            .update_item()
            .table_name(&self.table)
            .key("pk", string(connection_key(connection_id)))
            .key("sk", string("-"))
            .condition_expression("attribute_exists(pk)")
            .update_expression("DELETE channels :channel")
            .expression_attribute_values(":channel", AttributeValue::Ss(vec![channel.to_owned()]))
            .send()
            .await
            .map(|_| ())
            .or_else(|error| match error.as_service_error() {
                Some(service) if service.is_conditional_check_failed_exception() => Ok(()),
                _ => Err(dynamo(error)),
            })
    }

    /// Forgets `connection_id` and every subscription of it (it disconnected, or is gone).
    pub async fn disconnect(&self, connection_id: &str) -> Result<(), AwsError> {
        let removed = self
            .client
            .delete_item()
            .table_name(&self.table)
            .key("pk", string(connection_key(connection_id)))
            .key("sk", string("-"))
            .return_values(ReturnValue::AllOld)
            .send()
            .await
            .map_err(dynamo)?;
        let channels = removed
            .attributes()
            .and_then(|item| item.get("channels"))
            .and_then(|channels| channels.as_ss().ok())
            .cloned()
            .unwrap_or_default();
        for channel in channels {
            self.client
                .delete_item()
                .table_name(&self.table)
                .key("pk", string(channel_key(&channel)))
                .key("sk", string(connection_id))
                .send()
                .await
                .map_err(dynamo)?;
        }
        Ok(())
    }

    /// Every subscription of `channel`.
    pub async fn subscriptions(&self, channel: &str) -> Result<Vec<StoredSubscription>, AwsError> {
        let mut subscriptions = Vec::new();
        let mut start = None;
        loop {
            let page = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :channel")
                .expression_attribute_values(":channel", string(channel_key(channel)))
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(dynamo)?;
            for item in page.items() {
                subscriptions.push(read_subscription(item)?);
            }
            match page.last_evaluated_key() {
                Some(last) => start = Some(last.clone()),
                None => return Ok(subscriptions),
            }
        }
    }

    /// The id of the last event of `channel` (0 before the first).
    pub async fn last_event_id(&self, channel: &str) -> Result<u64, AwsError> {
        let got = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", string(format!("counter#{channel}")))
            .key("sk", string("-"))
            .consistent_read(true)
            .send()
            .await
            .map_err(dynamo)?;
        Ok(got
            .item()
            .and_then(|item| item.get("last_id"))
            .and_then(|id| id.as_n().ok())
            .and_then(|id| id.parse().ok())
            .unwrap_or(0))
    }

    /// The next event id of `channel` (1, 2, ...), counted in the table so that every instance agrees.
    pub async fn next_event_id(&self, channel: &str) -> Result<u64, AwsError> {
        let updated = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", string(format!("counter#{channel}")))
            .key("sk", string("-"))
            .update_expression("ADD last_id :one")
            .expression_attribute_values(":one", AttributeValue::N("1".to_owned()))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(dynamo)?;
        updated
            .attributes()
            .and_then(|item| item.get("last_id"))
            .and_then(|id| id.as_n().ok())
            .and_then(|id| id.parse().ok())
            .ok_or_else(|| AwsError::BadItem(format!("counter#{channel} has no last_id")))
    }
}

fn text<'a>(item: &'a HashMap<String, AttributeValue>, name: &str) -> Result<&'a str, AwsError> {
    item.get(name)
        .and_then(|value| value.as_s().ok())
        .map(String::as_str)
        .ok_or_else(|| AwsError::BadItem(format!("no `{name}` string")))
}

fn read_connection(item: &HashMap<String, AttributeValue>) -> Result<StoredConnection, AwsError> {
    let authorization = match item
        .get("authorization")
        .and_then(|value| value.as_s().ok())
    {
        Some(grant) => Some(
            serde_json::from_str(grant)
                .map_err(|error| AwsError::BadItem(format!("authorization: {error}")))?,
        ),
        None => None,
    };
    Ok(StoredConnection {
        subscriber_id: text(item, "subscriber_id")?.to_owned(),
        authorization,
    })
}

fn read_subscription(
    item: &HashMap<String, AttributeValue>,
) -> Result<StoredSubscription, AwsError> {
    let params = serde_json::from_str(text(item, "params")?)
        .map_err(|error| AwsError::BadItem(format!("params: {error}")))?;
    Ok(StoredSubscription {
        connection_id: text(item, "sk")?.to_owned(),
        connection: read_connection(item)?,
        params,
    })
}

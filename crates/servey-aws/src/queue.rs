//! Background events through SQS: [`SqsQueue`] sends each one as a message (the publisher's answer
//! waits until SQS has it), and [`run_batch`] runs the actions of a batch Lambda receives from the queue,
//! reporting the messages whose action failed so that SQS delivers them again and, after the queue's
//! `maxReceiveCount`, parks them in its dead-letter queue.

use futures_util::future::BoxFuture;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use servey_core::backend::{BackgroundEvent, BackgroundQueue, InFlight, PublishError};
use servey_core::{App, Context, Input, Origin};
use tracing::Instrument;

/// One background event as an SQS message body.
#[derive(Debug, Serialize, Deserialize)]
struct Message {
    channel: String,
    action: String,
    event: Value,
}

/// Sends background events to an SQS queue.
#[derive(Debug, Clone)]
pub struct SqsQueue {
    client: aws_sdk_sqs::Client,
    url: String,
    in_flight: InFlight,
}

impl SqsQueue {
    /// The queue at `url`, through `config`'s credentials and endpoint.
    pub fn new(config: &aws_config::SdkConfig, url: impl Into<String>) -> Self {
        Self {
            client: aws_sdk_sqs::Client::new(config),
            url: url.into(),
            in_flight: InFlight::default(),
        }
    }
}

impl BackgroundQueue for SqsQueue {
    fn enqueue(&self, job: BackgroundEvent, _publisher: &Context) -> Result<(), PublishError> {
        let channel = job.channel;
        let body = serde_json::to_string(&Message {
            channel: channel.to_owned(),
            action: job.action.to_owned(),
            event: job.event,
        })
        .map_err(|source| PublishError::Serialize { channel, source })?;
        let runtime = tokio::runtime::Handle::try_current()
            .map_err(|_| PublishError::NoRuntime { channel })?;
        let running = self.in_flight.start();
        let send = self
            .client
            .send_message()
            .queue_url(&self.url)
            .message_body(body)
            .send();
        runtime.spawn(async move {
            let _running = running;
            // The SDK retries what may be retried; what is left is logged with the event's channel.
            if let Err(error) = send.await {
                let error = aws_sdk_sqs::error::DisplayErrorContext(error);
                tracing::error!(channel, %error, "a background event could not be sent to SQS");
            }
        });
        Ok(())
    }

    fn flush(&self) -> BoxFuture<'_, ()> {
        Box::pin(self.in_flight.idle())
    }
}

/// The SQS event Lambda hands a function (the fields servey reads).
#[derive(Debug, Deserialize)]
struct SqsEvent {
    #[serde(rename = "Records")]
    records: Vec<SqsRecord>,
}

#[derive(Debug, Deserialize)]
struct SqsRecord {
    #[serde(rename = "messageId")]
    message_id: String,
    body: String,
    #[serde(rename = "eventSource")]
    event_source: String,
}

/// The answer to an SQS batch: the messages to deliver again (Lambda's partial batch response).
#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct BatchFailures {
    /// Each failed message, by id.
    #[serde(rename = "batchItemFailures")]
    pub failures: Vec<BatchItem>,
}

/// One failed message of a batch.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct BatchItem {
    /// The message's id.
    #[serde(rename = "itemIdentifier")]
    pub item_identifier: String,
}

/// Runs the background events of `event` if it is an SQS batch (`None` otherwise), each once, through
/// the invoke path; answers which failed.
pub async fn run_batch(app: &App, event: &str) -> Option<BatchFailures> {
    let batch: SqsEvent = serde_json::from_str(event).ok()?;
    if batch.records.is_empty()
        || batch
            .records
            .iter()
            .any(|record| record.event_source != "aws:sqs")
    {
        return None;
    }
    let runs = batch.records.into_iter().map(|record| async move {
        let ran = run_one(app, &record.body).await;
        (!ran).then_some(BatchItem {
            item_identifier: record.message_id,
        })
    });
    let failures = futures_util::future::join_all(runs)
        .await
        .into_iter()
        .flatten()
        .collect();
    Some(BatchFailures { failures })
}

/// Runs one message's action; whether it succeeded.
async fn run_one(app: &App, body: &str) -> bool {
    let message: Message = match serde_json::from_str(body) {
        Ok(message) => message,
        Err(error) => {
            tracing::error!(%error, "an SQS message is not a servey background event");
            return false;
        }
    };
    let Some(action) = app.registry().get(&message.action) else {
        tracing::error!(
            channel = message.channel,
            action = message.action,
            "a background event names no action of this app"
        );
        return false;
    };
    let context = app.context().with_origin(Origin::Channel);
    let span = tracing::info_span!(
        "background_event",
        channel = message.channel,
        action = message.action,
        request_id = %context.request_id(),
    );
    // A failure is logged by the invoke path, as every call's is.
    servey_core::invoke(action, Input::from_value(message.event), context)
        .instrument(span)
        .await
        .is_ok()
}

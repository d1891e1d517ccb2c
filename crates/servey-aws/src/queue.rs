//! Background events and webhook deliveries through SQS: [`SqsQueue`] sends each one as a message (the
//! publisher's answer waits until SQS has it), and [`run_batch`] runs a batch Lambda receives from the
//! queue (each background event's action, each webhook delivery), reporting the messages that failed so
//! that SQS delivers them again and, after the queue's `maxReceiveCount`, parks them in its dead-letter
//! queue.

use futures_util::future::BoxFuture;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use servey_core::backend::{BackgroundEvent, BackgroundQueue, InFlight, PublishError, WebhookJob};
use servey_core::{App, Context, Input, Origin};
use tracing::Instrument;

/// One background event or webhook delivery as an SQS message body.
#[derive(Debug, Serialize, Deserialize)]
#[serde(untagged)]
enum Message {
    /// `{"channel", "action", "event"}`: run the action with the event.
    Background {
        channel: String,
        action: String,
        event: Value,
    },
    /// `{"channel", "webhook"}`: the delivery, as the channels wrote it.
    Webhook { channel: String, webhook: Value },
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

impl SqsQueue {
    /// Sends `message` in the background, counted until SQS has it.
    fn send(&self, channel: &'static str, message: &Message) -> Result<(), PublishError> {
        let body = serde_json::to_string(message)
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
                tracing::error!(channel, %error, "an event could not be sent to SQS");
            }
        });
        Ok(())
    }
}

impl BackgroundQueue for SqsQueue {
    fn enqueue(&self, job: BackgroundEvent, _publisher: &Context) -> Result<(), PublishError> {
        let message = Message::Background {
            channel: job.channel.to_owned(),
            action: job.action.to_owned(),
            event: job.event,
        };
        self.send(job.channel, &message)
    }

    fn carries_webhooks(&self) -> bool {
        true
    }

    fn enqueue_webhook(&self, job: WebhookJob) -> Result<(), PublishError> {
        let message = Message::Webhook {
            channel: job.channel.to_owned(),
            webhook: job.delivery,
        };
        self.send(job.channel, &message)
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

/// Runs the messages of `event` if it is an SQS batch (`None` otherwise), each once: a background
/// event's action through the invoke path, a webhook delivery through `webhook` (its channel and
/// delivery; whether it was delivered). Answers which failed.
pub async fn run_batch<F, Delivered>(app: &App, event: &str, webhook: F) -> Option<BatchFailures>
where
    F: Fn(String, Value) -> Delivered,
    Delivered: Future<Output = bool>,
{
    let batch: SqsEvent = serde_json::from_str(event).ok()?;
    if batch.records.is_empty()
        || batch
            .records
            .iter()
            .any(|record| record.event_source != "aws:sqs")
    {
        return None;
    }
    let webhook = &webhook;
    let runs = batch.records.into_iter().map(|record| async move {
        let ran = match serde_json::from_str(&record.body) {
            Ok(Message::Webhook {
                channel,
                webhook: delivery,
            }) => webhook(channel, delivery).await,
            Ok(Message::Background {
                channel,
                action,
                event,
            }) => run_action(app, channel, action, event).await,
            Err(error) => {
                tracing::error!(%error, "an SQS message is not a servey background event");
                false
            }
        };
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

/// Runs a background event's action; whether it succeeded.
async fn run_action(app: &App, channel: String, action_name: String, event: Value) -> bool {
    let Some(action) = app.registry().get(&action_name) else {
        tracing::error!(
            channel,
            action = action_name,
            "a background event names no action of this app"
        );
        return false;
    };
    let context = app.context().with_origin(Origin::Channel);
    let span = tracing::info_span!(
        "background_event",
        channel,
        action = action_name,
        request_id = %context.request_id(),
    );
    // A failure is logged by the invoke path, as every call's is.
    servey_core::invoke(action, Input::from_value(event), context)
        .instrument(span)
        .await
        .is_ok()
}

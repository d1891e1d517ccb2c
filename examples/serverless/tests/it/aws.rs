//! moto's DynamoDB and SQS for one test: the connections table, the background queue and its
//! dead-letter queue, made as `--run=sam`'s template makes them (the queue parks an event after
//! [`MAX_RECEIVES`] receives, not the template's 3, to keep the test short).

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
};
use aws_sdk_sqs::types::QueueAttributeName;
use serde_json::Value;

/// Times the queue hands out an event before it parks it.
pub(crate) const MAX_RECEIVES: u32 = 2;

/// The moto server of `SERVEY_TEST_MOTO_URL`.
pub(crate) struct Moto {
    pub(crate) url: String,
    config: SdkConfig,
}

/// The resources of one test.
pub(crate) struct Resources {
    pub(crate) table: String,
    pub(crate) queue_url: String,
    pub(crate) queue_arn: String,
    dead_letters_url: String,
    dynamodb: aws_sdk_dynamodb::Client,
    sqs: aws_sdk_sqs::Client,
}

impl Moto {
    /// The moto server `cargo xtask ci` started.
    pub(crate) async fn from_env() -> Self {
        let url = std::env::var("SERVEY_TEST_MOTO_URL").expect(
            "SERVEY_TEST_MOTO_URL names a moto server (`cargo xtask ci` starts one; by hand: \
             `target/servey-tools/venv/bin/moto_server -p 5055`)",
        );
        let http = aws_smithy_http_client::Builder::new()
            .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
                aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
            ))
            .build_https();
        let config = aws_config::defaults(BehaviorVersion::latest())
            .http_client(http)
            .endpoint_url(&url)
            .region(Region::new("us-east-1"))
            .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
                "testing", "testing", None, None, "moto",
            ))
            .load()
            .await;
        Self { url, config }
    }

    /// A new table and queues, named after this process.
    pub(crate) async fn resources(&self) -> Resources {
        let name = format!("servey-{}", std::process::id());
        let dynamodb = aws_sdk_dynamodb::Client::new(&self.config);
        let sqs = aws_sdk_sqs::Client::new(&self.config);
        let key = |name: &str, kind| {
            KeySchemaElement::builder()
                .attribute_name(name)
                .key_type(kind)
                .build()
                .expect("a key")
        };
        let attribute = |name: &str| {
            AttributeDefinition::builder()
                .attribute_name(name)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .expect("an attribute")
        };
        let table = format!("{name}-connections");
        dynamodb
            .create_table()
            .table_name(&table)
            .billing_mode(BillingMode::PayPerRequest)
            .key_schema(key("pk", KeyType::Hash))
            .key_schema(key("sk", KeyType::Range))
            .attribute_definitions(attribute("pk"))
            .attribute_definitions(attribute("sk"))
            .send()
            .await
            .expect("moto makes the table");
        let dead_letters_url = sqs
            .create_queue()
            .queue_name(format!("{name}-dead-letters"))
            .send()
            .await
            .expect("moto makes the dead-letter queue")
            .queue_url
            .expect("a URL");
        let arn = |url: String| {
            let sqs = sqs.clone();
            async move {
                sqs.get_queue_attributes()
                    .queue_url(url)
                    .attribute_names(QueueAttributeName::QueueArn)
                    .send()
                    .await
                    .expect("the queue's attributes")
                    .attributes
                    .and_then(|attributes| attributes.get(&QueueAttributeName::QueueArn).cloned())
                    .expect("an ARN")
            }
        };
        let dead_letters_arn = arn(dead_letters_url.clone()).await;
        let redrive = serde_json::json!({
            "deadLetterTargetArn": dead_letters_arn,
            "maxReceiveCount": MAX_RECEIVES,
        });
        let queue_url = sqs
            .create_queue()
            .queue_name(format!("{name}-background"))
            .attributes(QueueAttributeName::RedrivePolicy, redrive.to_string())
            // Visible again at once: a failed event is handed out again by the next receive.
            .attributes(QueueAttributeName::VisibilityTimeout, "0")
            .send()
            .await
            .expect("moto makes the queue")
            .queue_url
            .expect("a URL");
        let queue_arn = arn(queue_url.clone()).await;
        Resources {
            table,
            queue_url,
            queue_arn,
            dead_letters_url,
            dynamodb,
            sqs,
        }
    }
}

impl Resources {
    /// The keys (`pk`, `sk`) of every item in the connections table.
    pub(crate) async fn items(&self) -> Vec<(String, String)> {
        let scanned = self
            .dynamodb
            .scan()
            .table_name(&self.table)
            .send()
            .await
            .expect("the table scans");
        scanned
            .items()
            .iter()
            .map(|item| {
                let key = |name: &str| {
                    item.get(name)
                        .and_then(|value| value.as_s().ok())
                        .cloned()
                        .unwrap_or_default()
                };
                (key("pk"), key("sk"))
            })
            .collect()
    }

    /// The messages the background queue hands out now: (id, receipt handle, body).
    pub(crate) async fn receive(&self) -> Vec<(String, String, String)> {
        let received = self
            .sqs
            .receive_message()
            .queue_url(&self.queue_url)
            .max_number_of_messages(10)
            .wait_time_seconds(1)
            .send()
            .await
            .expect("the queue answers");
        received
            .messages()
            .iter()
            .map(|message| {
                (
                    message.message_id().unwrap_or_default().to_owned(),
                    message.receipt_handle().unwrap_or_default().to_owned(),
                    message.body().unwrap_or_default().to_owned(),
                )
            })
            .collect()
    }

    /// Deletes a handled message, as Lambda's event source mapping does.
    pub(crate) async fn delete(&self, receipt_handle: &str) {
        self.sqs
            .delete_message()
            .queue_url(&self.queue_url)
            .receipt_handle(receipt_handle)
            .send()
            .await
            .expect("the message is deleted");
    }

    /// The bodies parked in the dead-letter queue (each as JSON).
    pub(crate) async fn dead_letters(&self) -> Vec<Value> {
        // The queue moves an event over when it would be received once too often.
        assert!(
            self.receive().await.is_empty(),
            "the failed event is no longer handed out"
        );
        let received = self
            .sqs
            .receive_message()
            .queue_url(&self.dead_letters_url)
            .max_number_of_messages(10)
            .wait_time_seconds(1)
            .send()
            .await
            .expect("the dead-letter queue answers");
        received
            .messages()
            .iter()
            .map(|message| serde_json::from_str(message.body().unwrap_or_default()).expect("JSON"))
            .collect()
    }
}

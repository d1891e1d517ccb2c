//! What the template adds for channels: an API Gateway websocket API and a DynamoDB table of its
//! connections for websocket channels; an SQS queue with a dead-letter queue for background and webhook
//! channels.
//! The function finds each in its environment (`servey_aws::AwsSettings`).

use serde_json::{Map, Value, json};

use crate::aws_settings as names;

/// The websocket API's stage, in its URLs.
const STAGE: &str = "live";

/// Times a background event is received (its action run) before SQS parks it in the dead-letter queue.
const MAX_RECEIVES: u32 = 3;

/// What the function's definition gains: environment, policies, events.
#[derive(Default)]
pub(super) struct Additions {
    pub(super) environment: Map<String, Value>,
    pub(super) policies: Vec<Value>,
    pub(super) events: Map<String, Value>,
    pub(super) outputs: Map<String, Value>,
}

/// The websocket API, its routes to the function, and the connections table.
pub(super) fn websockets(
    resources: &mut Map<String, Value>,
    function: &str,
    additions: &mut Additions,
) {
    let api_arn =
        "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${WebsocketApi}/*";
    resources.insert(
        "ConnectionsTable".to_owned(),
        json!({
            "Type": "AWS::DynamoDB::Table",
            "Properties": {
                "BillingMode": "PAY_PER_REQUEST",
                "AttributeDefinitions": [
                    {"AttributeName": "pk", "AttributeType": "S"},
                    {"AttributeName": "sk", "AttributeType": "S"},
                ],
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "sk", "KeyType": "RANGE"},
                ],
                "TimeToLiveSpecification": {"AttributeName": "expires_at", "Enabled": true},
            },
        }),
    );
    resources.insert(
        "WebsocketApi".to_owned(),
        json!({
            "Type": "AWS::ApiGatewayV2::Api",
            "Properties": {
                "Name": {"Fn::Sub": "${AWS::StackName}-websocket"},
                "Description": "servey's websocket channels (/subscription's protocol)",
                "ProtocolType": "WEBSOCKET",
                // No route but the three: every message goes to $default.
                "RouteSelectionExpression": "$request.body.type",
            },
        }),
    );
    resources.insert(
        "WebsocketIntegration".to_owned(),
        json!({
            "Type": "AWS::ApiGatewayV2::Integration",
            "Properties": {
                "ApiId": {"Ref": "WebsocketApi"},
                "IntegrationType": "AWS_PROXY",
                "IntegrationUri": {"Fn::Sub": format!(
                    "arn:${{AWS::Partition}}:apigateway:${{AWS::Region}}:lambda:path/2015-03-31/functions/${{{function}.Arn}}/invocations"
                )},
            },
        }),
    );
    let mut routes = Vec::new();
    for (id, key) in [
        ("WebsocketConnectRoute", "$connect"),
        ("WebsocketDefaultRoute", "$default"),
        ("WebsocketDisconnectRoute", "$disconnect"),
    ] {
        resources.insert(
            id.to_owned(),
            json!({
                "Type": "AWS::ApiGatewayV2::Route",
                "Properties": {
                    "ApiId": {"Ref": "WebsocketApi"},
                    "RouteKey": key,
                    // servey checks the token itself, on $connect, as the server does.
                    "AuthorizationType": "NONE",
                    "Target": {"Fn::Sub": "integrations/${WebsocketIntegration}"},
                },
            }),
        );
        routes.push(id);
    }
    resources.insert(
        "WebsocketStage".to_owned(),
        json!({
            "Type": "AWS::ApiGatewayV2::Stage",
            "DependsOn": routes,
            "Properties": {"ApiId": {"Ref": "WebsocketApi"}, "StageName": STAGE, "AutoDeploy": true},
        }),
    );
    resources.insert(
        "WebsocketPermission".to_owned(),
        json!({
            "Type": "AWS::Lambda::Permission",
            "Properties": {
                "Action": "lambda:InvokeFunction",
                "FunctionName": {"Ref": function},
                "Principal": "apigateway.amazonaws.com",
                "SourceArn": {"Fn::Sub": api_arn},
            },
        }),
    );
    let host = "${WebsocketApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}";
    additions.environment.insert(
        names::CONNECTIONS_TABLE.to_owned(),
        json!({"Ref": "ConnectionsTable"}),
    );
    additions.environment.insert(
        names::WEBSOCKET_ENDPOINT.to_owned(),
        json!({"Fn::Sub": format!("https://{host}/{STAGE}")}),
    );
    additions
        .policies
        .push(json!({"DynamoDBCrudPolicy": {"TableName": {"Ref": "ConnectionsTable"}}}));
    additions.policies.push(json!({"Statement": [{
        "Effect": "Allow",
        "Action": "execute-api:ManageConnections",
        "Resource": {"Fn::Sub": api_arn},
    }]}));
    additions.outputs.insert(
        "WebsocketUrl".to_owned(),
        json!({
            "Description": "The websocket channels' URL (servey's /subscription protocol)",
            "Value": {"Fn::Sub": format!("wss://{host}/{STAGE}")},
        }),
    );
}

/// The queue background events and webhook deliveries go through, its dead-letter queue, and the
/// function consuming it.
pub(super) fn queue(
    resources: &mut Map<String, Value>,
    timeout_seconds: u64,
    additions: &mut Additions,
) {
    resources.insert(
        "BackgroundDeadLetters".to_owned(),
        json!({
            "Type": "AWS::SQS::Queue",
            // Fourteen days, SQS's longest: a parked event waits that long to be looked at.
            "Properties": {"MessageRetentionPeriod": 1_209_600},
        }),
    );
    resources.insert(
        "BackgroundQueue".to_owned(),
        json!({
            "Type": "AWS::SQS::Queue",
            "Properties": {
                // Six times the function's timeout, as AWS advises for a queue a function consumes.
                "VisibilityTimeout": (timeout_seconds * 6).min(43_200),
                "RedrivePolicy": {
                    "deadLetterTargetArn": {"Fn::GetAtt": ["BackgroundDeadLetters", "Arn"]},
                    "maxReceiveCount": MAX_RECEIVES,
                },
            },
        }),
    );
    additions.events.insert(
        "Background".to_owned(),
        json!({
            "Type": "SQS",
            "Properties": {
                "Queue": {"Fn::GetAtt": ["BackgroundQueue", "Arn"]},
                "BatchSize": 10,
                // Only the failed events of a batch are delivered again.
                "FunctionResponseTypes": ["ReportBatchItemFailures"],
            },
        }),
    );
    additions.environment.insert(
        names::QUEUE_URL.to_owned(),
        json!({"Ref": "BackgroundQueue"}),
    );
    additions.policies.push(
        json!({"SQSSendMessagePolicy": {"QueueName": {"Fn::GetAtt": ["BackgroundQueue", "QueueName"]}}}),
    );
    additions.outputs.insert(
        "BackgroundDeadLetterQueueUrl".to_owned(),
        json!({
            "Description": "Where background events and webhook deliveries that failed three times are parked",
            "Value": {"Ref": "BackgroundDeadLetters"},
        }),
    );
}

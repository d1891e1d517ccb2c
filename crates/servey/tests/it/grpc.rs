//! A channel as a gRPC server-streaming method on a real socket, called over h2c the way any gRPC client
//! frames it: its typed subscription parameters are the request's fields, its filter sees them, and a
//! bad one is `INVALID_ARGUMENT` with the parameter's path as the field violation.

use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use serde_json::json;
use tokio::net::TcpStream;

use crate::subscriptions::{BIDS, bid, bids_subscribers};
use crate::support::{Server, builder, start, web};

/// One gRPC call's response: its headers and its body stream.
async fn call(server: &Server, path: &str, message: &[u8]) -> http::Response<h2::RecvStream> {
    let address: SocketAddr = server
        .base()
        .trim_start_matches("http://")
        .parse()
        .expect("an address");
    let tcp = TcpStream::connect(address).await.expect("connects");
    let (mut client, connection) = h2::client::handshake(tcp).await.expect("an h2c connection");
    tokio::spawn(connection);
    let request = http::Request::post(format!("http://{address}{path}"))
        .header("content-type", "application/grpc")
        .header("te", "trailers")
        .body(())
        .expect("a request");
    let (response, mut body) = client.send_request(request, false).expect("sent");
    let mut framed = vec![0];
    framed.extend_from_slice(&u32::try_from(message.len()).expect("small").to_be_bytes());
    framed.extend_from_slice(message);
    body.send_data(Bytes::from(framed), true)
        .expect("the message is sent");
    tokio::time::timeout(Duration::from_secs(10), response)
        .await
        .expect("answered within 10 s")
        .expect("a response")
}

async fn serve() -> Server {
    let hello = servey::Action::builder("hello", |_, _| async { Ok(json!("hi")) })
        .trigger(web(servey::Method::Get, "/hello"))
        .build();
    start(builder([hello])).await
}

#[tokio::test]
async fn a_channel_streams_what_its_filter_lets_through_for_the_parameters() {
    let server = serve().await;
    let proto = servey::proto(&server.app).expect("a proto");
    assert!(
        proto.contains("rpc SubscribeBids(SubscribeBidsRequest) returns (stream BidsEvent);")
            && proto.contains("message SubscribeBidsRequest {\n  // The auction.\n  uint64 auction_id = 1 [json_name = \"auction_id\"];\n  // Resume after this event id"),
        "{proto}"
    );
    // `SubscribeBidsRequest { auction_id: 42 }`.
    let response = call(&server, "/servey.Servey/SubscribeBids", &[0x08, 42]).await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers().get("grpc-status").is_none(),
        "the stream ended at once: {:?}",
        response.headers()
    );
    let mut events = response.into_body();
    bids_subscribers(&server, 1).await;
    let context = server.app.context();
    BIDS.publish(&context, &bid(43, 1)).expect("published");
    BIDS.publish(&context, &bid(42, 2)).expect("published");
    let frame = tokio::time::timeout(Duration::from_secs(10), events.data())
        .await
        .expect("an event within 10 s")
        .expect("the stream goes on")
        .expect("a frame");
    // `BidsEvent { id, event: Bid { auction_id: 42, amount: 2 } }`: the bid of auction 43 was filtered out.
    assert!(
        frame.ends_with(&[0x12, 0x04, 0x08, 42, 0x10, 0x02]),
        "{frame:?}"
    );
}

#[tokio::test]
async fn a_bad_subscription_parameter_is_invalid_argument_naming_it() {
    let server = serve().await;
    // `auction_id` left at 0, below its minimum of 1.
    let response = call(&server, "/servey.Servey/SubscribeBids", &[]).await;
    let status =
        tonic::Status::from_header_map(response.headers()).expect("a trailers-only status");
    assert_eq!(status.code(), tonic::Code::InvalidArgument, "{status:?}");
    use tonic_types::StatusExt;
    let details = status.get_error_details();
    let violations = &details
        .bad_request()
        .expect("field violations")
        .field_violations;
    assert_eq!(violations[0].field, "auction_id");
    assert_eq!(violations[0].reason, "range");
}

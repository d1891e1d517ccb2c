//! The broadcast driver of `cargo xtask bench --instructions`: connects N subscribers to
//! `/subscription/messenger/{id}`, prints `ready`, then for each line on stdin (the harness switches
//! instruction counting on before it) POSTs `/actions/broadcast-message` R times, one at a time, each
//! waited for until every subscriber received it, and prints `done`; it ends with its input.
//!
//! Usage: `wsdrive BASE_URL SUBSCRIBERS ROUNDS`.

use std::time::Duration;

use futures_util::StreamExt;
use tokio::io::AsyncBufReadExt;
use tokio::sync::mpsc;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, base, subscribers, rounds] = args.as_slice() else {
        return Err("usage: wsdrive BASE_URL SUBSCRIBERS ROUNDS".into());
    };
    let (subscribers, rounds): (usize, usize) = (subscribers.parse()?, rounds.parse()?);
    let ws_base = base.replacen("http://", "ws://", 1);
    let (received_tx, mut received_rx) = mpsc::unbounded_channel::<()>();
    for index in 0..subscribers {
        let socket = connect(&format!("{ws_base}/subscription/messenger/sub-{index}")).await?;
        let received = received_tx.clone();
        tokio::spawn(async move {
            let (_, mut reader) = socket.split();
            while let Some(Ok(message)) = reader.next().await {
                if message.is_text() && received.send(()).is_err() {
                    return;
                }
            }
        });
    }
    let client = reqwest::Client::new();
    // One broadcast reaches everyone before the measured ones: registration is over, paths are warm.
    broadcast(&client, base, subscribers, &mut received_rx, usize::MAX).await?;
    println!("ready");
    let mut stdin = tokio::io::BufReader::new(tokio::io::stdin());
    let mut line = String::new();
    let mut round = 0;
    // Each line on stdin asks for one window of ROUNDS broadcasts; end of input ends the driver.
    while stdin.read_line(&mut line).await? > 0 {
        line.clear();
        for _ in 0..rounds {
            broadcast(&client, base, subscribers, &mut received_rx, round).await?;
            round += 1;
        }
        println!("done");
    }
    Ok(())
}

/// One subscriber's socket. A server under callgrind accepts slowly enough for a handshake to be cut
/// off now and then, so a refused one is tried again (a few times, then it is an error).
async fn connect(
    url: &str,
) -> Result<
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
    Box<dyn std::error::Error>,
> {
    let mut attempt = 0;
    loop {
        match tokio_tungstenite::connect_async(url).await {
            Ok((socket, _)) => return Ok(socket),
            Err(error) if attempt < 5 => {
                attempt += 1;
                eprintln!("wsdrive: {url}: {error}; trying again");
                tokio::time::sleep(Duration::from_millis(200 * attempt)).await;
            }
            Err(error) => return Err(error.into()),
        }
    }
}

async fn broadcast(
    client: &reqwest::Client,
    base: &str,
    subscribers: usize,
    received: &mut mpsc::UnboundedReceiver<()>,
    round: usize,
) -> Result<(), Box<dyn std::error::Error>> {
    let body =
        serde_json::json!({"message": {"sender": "bench", "text": format!("round {round}")}});
    let response = client
        .post(format!("{base}/actions/broadcast-message"))
        .json(&body)
        .send()
        .await?;
    if !response.status().is_success() {
        return Err(format!("broadcast answered {}", response.status()).into());
    }
    for _ in 0..subscribers {
        tokio::time::timeout(Duration::from_secs(600), received.recv())
            .await?
            .ok_or("subscribers closed")?;
    }
    Ok(())
}

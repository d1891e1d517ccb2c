//! `servey::serve_with_shutdown`, what `serve_on` runs until Ctrl-C: the tour app answers REST, its `tick`
//! job runs (seen on the `clock` channel), and the shutdown signal stops it with `Ok`.

use std::time::Duration;

use serde_json::json;

use crate::schedule::{connect, next_event};
use crate::server::{test_config, tour_app};

#[tokio::test]
async fn serve_with_shutdown_serves_runs_jobs_and_stops_on_the_signal() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds a free port");
    let address = listener.local_addr().expect("has an address");
    let base = format!("http://{address}");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(servey::serve_with_shutdown(
        listener,
        tour_app(test_config()).await,
        async move {
            let _ = stopped.await;
        },
    ));

    // The listener is bound before serving starts, so connecting needs no wait.
    let client = reqwest::Client::new();
    let answer = client
        .get(format!("{base}/actions/say-hello?name=Serve"))
        .send()
        .await
        .expect("answers");
    assert_eq!(answer.status(), 200);
    assert_eq!(
        answer.json::<serde_json::Value>().await.expect("json"),
        json!("Hello Serve!")
    );
    drop(client);

    // `tick` runs every 10 s and publishes each run to `clock`.
    let mut clock = connect(&base, "/subscription/clock/serve-test").await;
    let tick = next_event(&mut clock, Duration::from_secs(30)).await;
    assert!(
        tick["count"].as_u64().is_some_and(|count| count >= 1),
        "{tick}"
    );
    drop(clock);

    stop.send(()).expect("the server waits for the signal");
    let served = tokio::time::timeout(Duration::from_secs(20), serving)
        .await
        .expect("serve returns after the signal")
        .expect("the serving task did not panic");
    assert!(
        served.is_ok(),
        "serve stops the scheduler and returns Ok: {served:?}"
    );
    assert!(
        tokio::net::TcpStream::connect(address).await.is_err(),
        "nothing listens after serve returned"
    );
}

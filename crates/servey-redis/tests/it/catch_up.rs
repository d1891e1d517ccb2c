//! An instance cut off from Redis for a few seconds catches up when it is back: its websocket
//! subscribers get every event published meanwhile, in order, once, from the channel's stream.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use servey_redis::RedisBackend;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Mutex;
use tokio::task::JoinHandle;

use crate::common::{
    app_over, connect, context, next_json, recording_registry, serve, subscribers,
};
use crate::redis_server::RedisServer;
use crate::scale_out::{Numbered, RELAY, instance};

/// A TCP proxy to Redis that the test can cut (every connection dropped, new ones refused) and restore.
struct Proxy {
    address: String,
    refusing: Arc<AtomicBool>,
    links: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Proxy {
    async fn to(upstream: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let address = listener.local_addr().expect("an address").to_string();
        let refusing = Arc::new(AtomicBool::new(false));
        let links = Arc::new(Mutex::new(Vec::new()));
        let (flag, list) = (refusing.clone(), links.clone());
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if flag.load(Ordering::SeqCst) {
                    continue;
                }
                let upstream = upstream.clone();
                list.lock().await.push(tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                }));
            }
        });
        Self {
            address,
            refusing,
            links,
        }
    }

    /// Drops every proxied connection and refuses new ones.
    async fn cut(&self) {
        self.refusing.store(true, Ordering::SeqCst);
        for link in self.links.lock().await.drain(..) {
            link.abort();
        }
    }

    fn restore(&self) {
        self.refusing.store(false, Ordering::SeqCst);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_cut_off_from_redis_delivers_what_it_missed_in_order() {
    let server = RedisServer::start();
    let (publisher, _) = instance(&server, vec![]).await;
    let proxy = Proxy::to(server.url().trim_start_matches("redis://").to_owned()).await;
    let (registry, _) = recording_registry(vec![]);
    let backend = RedisBackend::connect(&format!("redis://{}", proxy.address))
        .await
        .expect("Redis answers through the proxy")
        .namespace(server.namespace());
    let cut_off = app_over(
        registry.clone(),
        backend.backends(&registry).await.expect("subscribes"),
    );
    let address = serve(&cut_off).await;
    let mut client = connect(&address, "/subscription/test_relay/watcher").await;
    subscribers(&cut_off, "test_relay", 1).await;

    let publish = |seq: u64| {
        RELAY
            .publish(&context(&publisher), &Numbered { publisher: 0, seq })
            .expect("published");
    };
    publish(0);
    assert_eq!(next_json(&mut client).await["seq"], 0);
    proxy.cut().await;
    for seq in 1..=50 {
        publish(seq);
    }
    proxy.restore();
    for seq in 51..=60 {
        publish(seq);
    }
    for seq in 1..=60 {
        assert_eq!(
            next_json(&mut client).await["seq"],
            seq,
            "every event, in order, once"
        );
    }
}

//! Two-way TLS: with `SERVEY_TLS_CERT`, `SERVEY_TLS_KEY` and `SERVEY_TLS_CLIENT_CA`, a client without a
//! certificate from that CA cannot connect; one with such a certificate can, and its subject is the caller
//! that access control and actions see. Certificates are made here with rcgen.

use std::net::SocketAddr;
use std::path::PathBuf;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair,
};
use serde_json::json;
use tokio::sync::oneshot;

use crate::server::{scratch_dir, test_config};

/// A CA, a server certificate for `localhost`, and a client certificate for `CN=billing` signed by it.
struct Pki {
    ca: String,
    client: String,
}

fn certificate(
    names: &[&str],
    purpose: ExtendedKeyUsagePurpose,
    common_name: &str,
) -> CertificateParams {
    let mut params = CertificateParams::new(
        names
            .iter()
            .map(|name| (*name).to_owned())
            .collect::<Vec<_>>(),
    )
    .expect("valid names");
    params
        .distinguished_name
        .push(DnType::CommonName, common_name);
    params.extended_key_usages = vec![purpose];
    params
}

fn authority(name: &str) -> CertifiedIssuer<'static, KeyPair> {
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("no names");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    CertifiedIssuer::self_signed(params, KeyPair::generate().expect("a key")).expect("a CA")
}

/// Writes the server's files into `dir` and returns the client side of the PKI.
fn make_pki(dir: &std::path::Path) -> (Pki, [PathBuf; 3]) {
    let ca = authority("servey test CA");
    let server_key = KeyPair::generate().expect("a key");
    let server = certificate(
        &["localhost"],
        ExtendedKeyUsagePurpose::ServerAuth,
        "localhost",
    )
    .signed_by(&server_key, &ca)
    .expect("signed");
    let client_key = KeyPair::generate().expect("a key");
    let client = certificate(&[], ExtendedKeyUsagePurpose::ClientAuth, "billing")
        .signed_by(&client_key, &ca)
        .expect("signed");
    let paths = [
        dir.join("server.pem"),
        dir.join("server.key"),
        dir.join("ca.pem"),
    ];
    std::fs::write(&paths[0], server.pem()).expect("writes");
    std::fs::write(&paths[1], server_key.serialize_pem()).expect("writes");
    std::fs::write(&paths[2], ca.pem()).expect("writes");
    let pki = Pki {
        ca: ca.pem(),
        client: format!("{}{}", client.pem(), client_key.serialize_pem()),
    };
    (pki, paths)
}

/// A client that trusts `pki`'s CA, presenting `identity` (PEM certificate and key) if given.
fn client(pki: &Pki, identity: Option<&str>, address: SocketAddr) -> reqwest::Client {
    let mut builder = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(pki.ca.as_bytes()).expect("a CA"))
        .resolve("localhost", address);
    if let Some(identity) = identity {
        builder = builder
            .identity(reqwest::Identity::from_pem(identity.as_bytes()).expect("an identity"));
    }
    builder.build().expect("a client")
}

#[tokio::test]
async fn only_clients_with_a_certificate_from_the_client_ca_connect_and_their_subject_is_the_caller()
 {
    let dir = scratch_dir("tls");
    let (pki, [cert, key, ca]) = make_pki(&dir);
    let mut config = test_config();
    let path = |path: PathBuf| path.to_str().expect("a UTF-8 path").to_owned();
    config.settings = (config.settings)
        .with("SERVEY_TLS_CERT", path(cert))
        .with("SERVEY_TLS_KEY", path(key))
        .with("SERVEY_TLS_CLIENT_CA", path(ca));
    let app = servey::app(hello::registry_builder().build().expect("builds"), config)
        .await
        .expect("app");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds");
    let address = listener.local_addr().expect("an address");
    let (stop, stopped) = oneshot::channel::<()>();
    let serving = tokio::spawn(servey::serve_with_shutdown(listener, app, async move {
        let _ = stopped.await;
    }));
    let url = format!(
        "https://localhost:{}/actions/echo-authorization",
        address.port()
    );

    let anonymous = client(&pki, None, address).get(&url).send().await;
    assert!(
        anonymous.is_err(),
        "no client certificate, no connection: {anonymous:?}"
    );

    let stranger = {
        let other = authority("another CA");
        let key = KeyPair::generate().expect("a key");
        let cert = certificate(&[], ExtendedKeyUsagePurpose::ClientAuth, "billing")
            .signed_by(&key, &other)
            .expect("signed");
        format!("{}{}", cert.pem(), key.serialize_pem())
    };
    let refused = client(&pki, Some(&stranger), address)
        .get(&url)
        .send()
        .await;
    assert!(
        refused.is_err(),
        "a certificate from another CA is refused: {refused:?}"
    );

    let answer = client(&pki, Some(&pki.client), address)
        .get(&url)
        .send()
        .await
        .expect("a client with a certificate from the CA connects");
    assert_eq!(answer.status(), 200);
    let caller = answer.json::<serde_json::Value>().await.expect("JSON");
    assert_eq!(caller["subject"], json!("CN=billing"), "{caller}");
    assert_eq!(caller["scopes"], json!([]));

    let _ = stop.send(());
    let served = serving.await.expect("no panic");
    assert!(served.is_ok(), "{served:?}");
}

#[tokio::test]
async fn a_key_without_a_certificate_is_a_start_error() {
    let mut config = test_config();
    config.settings = config.settings.with("SERVEY_TLS_KEY", "server.key");
    let app = servey::app(hello::registry_builder().build().expect("builds"), config)
        .await
        .expect("app");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds");
    let error = servey::serve_with_shutdown(listener, app, async {})
        .await
        .expect_err("refused");
    assert_eq!(
        error.to_string(),
        "TLS: set both SERVEY_TLS_CERT and SERVEY_TLS_KEY (or neither)"
    );
}

//! Two-way TLS from `SERVEY_TLS_CERT`, `SERVEY_TLS_KEY` and `SERVEY_TLS_CLIENT_CA`: the server's chain and
//! key, and the CA whose client certificates are required. A client without a certificate that chains to
//! that CA cannot complete the handshake; the subject of one that does travels with each of its requests.
//! Only with the `tls` feature: without it, any of the three set is a start-up error naming the feature.

use std::io;
#[cfg(feature = "tls")]
use std::path::Path;
use std::path::PathBuf;
#[cfg(feature = "tls")]
use std::sync::Arc;

#[cfg(feature = "tls")]
use rustls::RootCertStore;
#[cfg(feature = "tls")]
use rustls::pki_types::pem::PemObject;
#[cfg(feature = "tls")]
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
#[cfg(feature = "tls")]
use rustls::server::WebPkiClientVerifier;
use servey_core::context::ClientCertificate;
use servey_core::{ServeyConfig, Settings};
use tokio::net::TcpStream;
#[cfg(feature = "tls")]
use tokio_rustls::TlsAcceptor;
#[cfg(feature = "tls")]
use tokio_rustls::server::TlsStream;

/// Why TLS could not be set up at start.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// Only one of the certificate and the key is configured.
    #[error("set both SERVEY_TLS_CERT and SERVEY_TLS_KEY (or neither)")]
    Incomplete,
    /// A client CA without a server certificate.
    #[error("SERVEY_TLS_CLIENT_CA needs SERVEY_TLS_CERT and SERVEY_TLS_KEY")]
    ClientCaWithoutCertificate,
    /// A PEM file could not be read.
    #[error("{path}: {message}")]
    Pem {
        /// The file.
        path: String,
        /// What is wrong with it.
        message: String,
    },
    /// rustls refused the configuration.
    #[error("TLS configuration: {0}")]
    Rustls(String),
    /// TLS is configured, but the binary was built without the `tls` feature.
    #[error(
        "SERVEY_TLS_CERT, SERVEY_TLS_KEY and SERVEY_TLS_CLIENT_CA need servey's `tls` feature: \
         servey = {{ features = [\"tls\"] }}"
    )]
    FeatureOff,
}

/// Where the server's TLS material is, each read from the setting named on its field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct TlsSettings {
    /// `SERVEY_TLS_CERT`: the server's certificate chain (PEM); with `key`, the server speaks TLS.
    cert: Option<PathBuf>,
    /// `SERVEY_TLS_KEY`: the server's private key (PEM).
    key: Option<PathBuf>,
    /// `SERVEY_TLS_CLIENT_CA`: the CA (PEM) whose client certificates are required (two-way TLS).
    client_ca: Option<PathBuf>,
}

impl TlsSettings {
    /// Reads the three paths from `settings`.
    pub(crate) fn from_settings(settings: &Settings) -> Self {
        Self {
            cert: settings.get("SERVEY_TLS_CERT").map(Into::into),
            key: settings.get("SERVEY_TLS_KEY").map(Into::into),
            client_ca: settings.get("SERVEY_TLS_CLIENT_CA").map(Into::into),
        }
    }
}

/// The TLS side of the listener, built once at start.
#[cfg(feature = "tls")]
#[derive(Clone)]
pub(crate) struct Tls {
    acceptor: TlsAcceptor,
}

/// Without the `tls` feature there is no TLS side: no value of this type exists.
#[cfg(not(feature = "tls"))]
#[derive(Clone)]
pub(crate) enum Tls {}

#[cfg(not(feature = "tls"))]
impl Tls {
    /// `None` (plain HTTP), or the error naming the feature when a TLS variable is set.
    pub(crate) fn from_config(config: &ServeyConfig) -> Result<Option<Self>, TlsError> {
        if TlsSettings::from_settings(&config.settings) != TlsSettings::default() {
            Err(TlsError::FeatureOff)
        } else {
            Ok(None)
        }
    }

    /// Never called: there is no `Tls` to call it on.
    pub(crate) async fn accept(
        &self,
        _stream: TcpStream,
    ) -> io::Result<(TcpStream, Option<ClientCertificate>, bool)> {
        match *self {}
    }
}

#[cfg(feature = "tls")]
impl Tls {
    /// The configured TLS, or `None` when no certificate is set (plain HTTP).
    pub(crate) fn from_config(config: &ServeyConfig) -> Result<Option<Self>, TlsError> {
        let settings = TlsSettings::from_settings(&config.settings);
        let (certificate, key) = match (&settings.cert, &settings.key) {
            (Some(certificate), Some(key)) => (certificate, key),
            (None, None) if settings.client_ca.is_some() => {
                return Err(TlsError::ClientCaWithoutCertificate);
            }
            (None, None) => return Ok(None),
            _ => return Err(TlsError::Incomplete),
        };
        let chain = certificates(certificate)?;
        let key = PrivateKeyDer::from_pem_file(key).map_err(|error| pem_error(key, &error))?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|error| TlsError::Rustls(error.to_string()))?;
        let builder = match &settings.client_ca {
            Some(ca) => {
                let mut roots = RootCertStore::empty();
                for certificate in certificates(ca)? {
                    roots
                        .add(certificate)
                        .map_err(|error| TlsError::Rustls(error.to_string()))?;
                }
                let verifier =
                    WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                        .build()
                        .map_err(|error| TlsError::Rustls(error.to_string()))?;
                builder.with_client_cert_verifier(verifier)
            }
            None => builder.with_no_client_auth(),
        };
        let mut server = builder
            .with_single_cert(chain, key)
            .map_err(|error| TlsError::Rustls(error.to_string()))?;
        server.alpn_protocols = if cfg!(feature = "http2") {
            vec![b"h2".to_vec(), b"http/1.1".to_vec()]
        } else {
            vec![b"http/1.1".to_vec()]
        };
        Ok(Some(Self {
            acceptor: TlsAcceptor::from(Arc::new(server)),
        }))
    }

    /// The handshake on `stream`, the verified client certificate if the client sent one, and whether
    /// it chose HTTP/2 (`h2` by ALPN, offered with the `http2` feature).
    pub(crate) async fn accept(
        &self,
        stream: TcpStream,
    ) -> io::Result<(TlsStream<TcpStream>, Option<ClientCertificate>, bool)> {
        let stream = self.acceptor.accept(stream).await?;
        let certificate = stream
            .get_ref()
            .1
            .peer_certificates()
            .and_then(|chain| chain.first())
            .and_then(|leaf| subject(leaf))
            .map(|subject| ClientCertificate { subject });
        let is_h2 = stream.get_ref().1.alpn_protocol() == Some(b"h2");
        Ok((stream, certificate, is_h2))
    }
}

#[cfg(feature = "tls")]
fn certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let certificates = CertificateDer::pem_file_iter(path)
        .map_err(|error| pem_error(path, &error))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| pem_error(path, &error))?;
    if certificates.is_empty() {
        return Err(TlsError::Pem {
            path: path.display().to_string(),
            message: "no certificate in the file".to_owned(),
        });
    }
    Ok(certificates)
}

#[cfg(feature = "tls")]
fn pem_error(path: &Path, error: &dyn std::fmt::Display) -> TlsError {
    TlsError::Pem {
        path: path.display().to_string(),
        message: error.to_string(),
    }
}

#[cfg(feature = "tls")]
/// The subject of a DER certificate, RFC 4514 style.
fn subject(certificate: &CertificateDer<'_>) -> Option<String> {
    let (_, parsed) = x509_parser::parse_x509_certificate(certificate.as_ref()).ok()?;
    Some(parsed.subject().to_string())
}

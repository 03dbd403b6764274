//! TLS for the stand-in server: rustls (ring) through tokio-rustls, serving HTTP/2 or HTTP/1.1
//! according to the protocol ALPN chose, and recording what each handshake negotiated.

use std::sync::{Arc, Mutex};

use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{ProtocolVersion, SupportedProtocolVersion};
use tokio::net::TcpStream;
use tokio_rustls::TlsAcceptor;

use super::ReplyBody;

/// The CA that signed [`SERVER_CERT`]; the client is told to trust it.
pub const TEST_CA: &str = include_str!("../data/test_ca_cert.pem");
/// Certificate for `localhost` / `127.0.0.1`, signed by [`TEST_CA`].
pub const SERVER_CERT: &str = include_str!("../data/tls_server_cert.pem");
pub const SERVER_KEY: &str = include_str!("../data/tls_server_key.pem");
/// The same names, signed by a CA the client does not trust.
pub const ROGUE_CA: &str = include_str!("../data/rogue_ca_cert.pem");
pub const ROGUE_SERVER_CERT: &str = include_str!("../data/rogue_server_cert.pem");
pub const ROGUE_SERVER_KEY: &str = include_str!("../data/rogue_server_key.pem");

pub const H2: &[u8] = b"h2";
pub const HTTP11: &[u8] = b"http/1.1";

/// What the server saw of one TLS handshake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handshake {
    /// Completed with this protocol version and ALPN protocol.
    Done {
        version: ProtocolVersion,
        alpn: Option<Vec<u8>>,
    },
    /// Failed; the server's description of why (e.g. the client's alert).
    Failed(String),
}

/// A TLS server configuration plus the record of its handshakes. Clones share the record.
#[derive(Clone)]
pub struct TlsServer {
    acceptor: TlsAcceptor,
    handshakes: Arc<Mutex<Vec<Handshake>>>,
}

impl TlsServer {
    /// `cert_pem`/`key_pem`, offering `alpn` in this order, limited to `versions`.
    pub fn new(
        cert_pem: &str,
        key_pem: &str,
        alpn: &[&[u8]],
        versions: &[&'static SupportedProtocolVersion],
    ) -> Self {
        let certs: Vec<CertificateDer<'static>> =
            CertificateDer::pem_slice_iter(cert_pem.as_bytes())
                .collect::<Result<_, _>>()
                .expect("server certificate PEM");
        let key = PrivateKeyDer::from_pem_slice(key_pem.as_bytes()).expect("server key PEM");
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_protocol_versions(versions)
            .expect("protocol versions")
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .expect("server certificate and key");
        config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
        Self {
            acceptor: TlsAcceptor::from(Arc::new(config)),
            handshakes: Arc::new(Mutex::new(Vec::new())),
        }
    }

    /// The `localhost` certificate signed by [`TEST_CA`], ALPN `h2` then `http/1.1`, TLS 1.2
    /// and 1.3: what WeChat Pay's front end offers.
    pub fn trusted() -> Self {
        Self::new(SERVER_CERT, SERVER_KEY, &[H2, HTTP11], rustls::ALL_VERSIONS)
    }

    /// Like [`trusted`](Self::trusted) but with a certificate from a CA the client does not
    /// trust.
    pub fn rogue() -> Self {
        Self::new(
            ROGUE_SERVER_CERT,
            ROGUE_SERVER_KEY,
            &[H2, HTTP11],
            rustls::ALL_VERSIONS,
        )
    }

    /// Every handshake so far, in order.
    pub fn handshakes(&self) -> Vec<Handshake> {
        self.handshakes.lock().unwrap().clone()
    }

    /// Runs the handshake on `stream` and hands back the TLS stream (recorded like the others),
    /// for a test that writes its own protocol bytes; `None` if the handshake failed.
    pub async fn accept(
        &self,
        stream: TcpStream,
    ) -> Option<tokio_rustls::server::TlsStream<TcpStream>> {
        match self.acceptor.accept(stream).await {
            Ok(tls) => {
                let (_, session) = tls.get_ref();
                let version = session.protocol_version().expect("version after handshake");
                let alpn = session.alpn_protocol().map(<[u8]>::to_vec);
                self.handshakes
                    .lock()
                    .unwrap()
                    .push(Handshake::Done { version, alpn });
                Some(tls)
            }
            Err(e) => {
                self.handshakes
                    .lock()
                    .unwrap()
                    .push(Handshake::Failed(e.to_string()));
                None
            }
        }
    }

    /// Runs the handshake on `stream`, then serves HTTP/2 if ALPN chose `h2` and HTTP/1.1
    /// otherwise.
    pub(super) async fn serve<S>(&self, stream: TcpStream, service: S)
    where
        S: hyper::service::Service<
                Request<Incoming>,
                Response = Response<ReplyBody>,
                Error = std::convert::Infallible,
            > + Send
            + 'static,
        S::Future: Send + 'static,
    {
        let tls = match self.acceptor.accept(stream).await {
            Ok(tls) => tls,
            Err(e) => {
                self.handshakes
                    .lock()
                    .unwrap()
                    .push(Handshake::Failed(e.to_string()));
                return;
            }
        };
        let (_, session) = tls.get_ref();
        let version = session.protocol_version().expect("version after handshake");
        let alpn = session.alpn_protocol().map(<[u8]>::to_vec);
        let h2 = alpn.as_deref() == Some(H2);
        self.handshakes
            .lock()
            .unwrap()
            .push(Handshake::Done { version, alpn });
        let builder = auto::Builder::new(TokioExecutor::new());
        let builder = if h2 {
            builder.http2_only()
        } else {
            builder.http1_only()
        };
        let _ = builder.serve_connection(TokioIo::new(tls), service).await;
    }
}

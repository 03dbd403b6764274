//! The HTTP stack: hyper-util's pooled client over hyper-rustls (ring provider), TLS 1.2+,
//! HTTP/1.1 and HTTP/2 by ALPN.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client as PooledClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};

use crate::error::Error;

/// The pooled client every request of one [`crate::Client`] goes through.
pub(crate) type HttpClient = PooledClient<HttpsConnector<HttpConnector>, Full<Bytes>>;

/// Builds the connection pool. Plain `http://` is accepted by the connector; the base-URL check
/// restricts it to loopback hosts.
pub(crate) fn build(
    connect_timeout: Duration,
    pool_idle_timeout: Duration,
    native_roots: bool,
) -> Result<HttpClient, Error> {
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    http.set_connect_timeout(Some(connect_timeout));
    http.set_nodelay(true);
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls_config(native_roots)?)
        .https_or_http()
        .enable_http1()
        .enable_http2()
        .wrap_connector(http);
    Ok(PooledClient::builder(TokioExecutor::new())
        .pool_idle_timeout(pool_idle_timeout)
        .pool_timer(TokioTimer::new())
        .timer(TokioTimer::new())
        .build(https))
}

fn tls_config(native_roots: bool) -> Result<rustls::ClientConfig, Error> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if native_roots {
        add_native_roots(&mut roots);
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| Error::config(format!("TLS setup failed: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(config)
}

#[cfg(feature = "native-roots")]
fn add_native_roots(roots: &mut rustls::RootCertStore) {
    let found = rustls_native_certs::load_native_certs();
    for e in &found.errors {
        tracing::warn!(error = %e, "could not load some operating-system root certificates");
    }
    let (added, ignored) = roots.add_parsable_certificates(found.certs);
    tracing::debug!(added, ignored, "operating-system root certificates loaded");
}

#[cfg(not(feature = "native-roots"))]
fn add_native_roots(_roots: &mut rustls::RootCertStore) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ring_provider_offers_tls12_and_tls13_suites() {
        let c = tls_config(false).unwrap();
        let suites = &c.crypto_provider().cipher_suites;
        let has = |v: rustls::ProtocolVersion| suites.iter().any(|s| s.version().version == v);
        assert!(has(rustls::ProtocolVersion::TLSv1_2));
        assert!(has(rustls::ProtocolVersion::TLSv1_3));
    }
}

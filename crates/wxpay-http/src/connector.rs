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
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

use crate::error::Error;

/// The pooled client every request of one [`crate::Client`] goes through.
pub(crate) type HttpClient = PooledClient<HttpsConnector<HttpConnector>, Full<Bytes>>;

/// Builds the connection pool. Plain `http://` is accepted by the connector; the base-URL check
/// restricts it to loopback hosts.
pub(crate) fn build(
    connect_timeout: Duration,
    pool_idle_timeout: Duration,
    native_roots: bool,
    extra_roots: &[String],
) -> Result<HttpClient, Error> {
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    http.set_connect_timeout(Some(connect_timeout));
    http.set_nodelay(true);
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls_config(native_roots, extra_roots)?)
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

fn tls_config(native_roots: bool, extra_roots: &[String]) -> Result<rustls::ClientConfig, Error> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if native_roots {
        add_native_roots(&mut roots);
    }
    for pem in extra_roots {
        add_pem_roots(&mut roots, pem)?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| Error::config(format!("TLS setup failed: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(config)
}

/// Adds every certificate of a PEM text given to `add_root_certificate_pem`. Anything that is
/// not a usable certificate is a configuration error: silently trusting fewer roots than asked
/// would only surface later as a confusing handshake failure.
fn add_pem_roots(roots: &mut rustls::RootCertStore, pem: &str) -> Result<(), Error> {
    let mut added = 0usize;
    for cert in CertificateDer::pem_slice_iter(pem.as_bytes()) {
        let cert = cert.map_err(|e| {
            Error::config(format!(
                "`add_root_certificate_pem`: the PEM text cannot be read ({e}); pass the CA certificate's `-----BEGIN CERTIFICATE-----` block"
            ))
        })?;
        roots.add(cert).map_err(|e| {
            Error::config(format!(
                "`add_root_certificate_pem`: not a usable CA certificate ({e})"
            ))
        })?;
        added += 1;
    }
    if added == 0 {
        return Err(Error::config(
            "`add_root_certificate_pem`: no `-----BEGIN CERTIFICATE-----` block found in the PEM text",
        ));
    }
    Ok(())
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
        let c = tls_config(false, &[]).unwrap();
        let suites = &c.crypto_provider().cipher_suites;
        let has = |v: rustls::ProtocolVersion| suites.iter().any(|s| s.version().version == v);
        assert!(has(rustls::ProtocolVersion::TLSv1_2));
        assert!(has(rustls::ProtocolVersion::TLSv1_3));
    }
}

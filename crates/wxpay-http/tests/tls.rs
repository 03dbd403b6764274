//! The transport over real TLS on loopback: rustls (ring) on both ends, HTTP/2 or HTTP/1.1 by
//! ALPN, TLS 1.2 and 1.3, and server certificates that must chain to a trusted root.

mod support;

use rustls::ProtocolVersion;
use support::requests::*;
use support::tls::{self, Handshake, TlsServer};
use support::*;
use wxpay_http::Error;

/// A client for `server` that trusts the test CA.
fn trusting_client(server: &TestServer) -> wxpay_http::Client {
    client_for(server)
        .add_root_certificate_pem(tls::TEST_CA)
        .build()
        .unwrap()
}

fn done(version: ProtocolVersion, alpn: &[u8]) -> Handshake {
    Handshake::Done {
        version,
        alpn: Some(alpn.to_vec()),
    }
}

#[tokio::test]
async fn https_call_uses_http2_and_is_signed_and_verified_end_to_end() {
    let tls = TlsServer::trusted();
    let server = TestServer::start_tls(tls.clone(), |_| Reply::json(200, STOCK_JSON)).await;
    assert!(server.url().starts_with("https://localhost:"));
    let client = trusting_client(&server);

    let answer = client.execute(&get_stock()).await.unwrap();
    assert_eq!(answer.value().stock_id, "98065001");
    assert_eq!(answer.request_id(), Some("RID-1"));
    let created = client.execute(&create_stock()).await.unwrap();
    assert_eq!(created.value().stock_id, "98065001");

    let reqs = server.requests();
    assert_eq!(reqs.len(), 2);
    for r in &reqs {
        assert!(r.auth_ok, "merchant signature must verify: {:?}", r.auth);
        assert_eq!(r.version, hyper::Version::HTTP_2);
    }
    assert_eq!(reqs[1].method, "POST");
    assert!(!reqs[1].body.is_empty());
    // Both calls went over one multiplexed connection, negotiated as TLS 1.3 + h2.
    assert_eq!(server.connections(), 1);
    assert_eq!(
        tls.handshakes(),
        vec![done(ProtocolVersion::TLSv1_3, tls::H2)]
    );
}

#[tokio::test]
async fn server_offering_only_http11_is_reached_with_http11() {
    let tls = TlsServer::new(
        tls::SERVER_CERT,
        tls::SERVER_KEY,
        &[tls::HTTP11],
        rustls::ALL_VERSIONS,
    );
    let server = TestServer::start_tls(tls.clone(), |_| Reply::json(200, STOCK_JSON)).await;
    let client = trusting_client(&server);

    let answer = client.execute(&get_stock()).await.unwrap();
    assert_eq!(answer.value().stock_id, "98065001");
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    assert!(reqs[0].auth_ok);
    assert_eq!(reqs[0].version, hyper::Version::HTTP_11);
    assert_eq!(
        tls.handshakes(),
        vec![done(ProtocolVersion::TLSv1_3, tls::HTTP11)]
    );
}

#[tokio::test]
async fn server_without_alpn_is_reached_with_http11() {
    let tls = TlsServer::new(tls::SERVER_CERT, tls::SERVER_KEY, &[], rustls::ALL_VERSIONS);
    let server = TestServer::start_tls(tls.clone(), |_| Reply::json(200, STOCK_JSON)).await;
    let client = trusting_client(&server);

    client.execute(&get_stock()).await.unwrap();
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].version, hyper::Version::HTTP_11);
    assert_eq!(
        tls.handshakes(),
        vec![Handshake::Done {
            version: ProtocolVersion::TLSv1_3,
            alpn: None
        }]
    );
}

#[tokio::test]
async fn server_limited_to_tls12_is_reached_with_tls12_and_http2() {
    let tls = TlsServer::new(
        tls::SERVER_CERT,
        tls::SERVER_KEY,
        &[tls::H2, tls::HTTP11],
        &[&rustls::version::TLS12],
    );
    let server = TestServer::start_tls(tls.clone(), |_| Reply::json(200, STOCK_JSON)).await;
    let client = trusting_client(&server);

    let answer = client.execute(&get_stock()).await.unwrap();
    assert_eq!(answer.value().stock_id, "98065001");
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    assert!(reqs[0].auth_ok);
    assert_eq!(reqs[0].version, hyper::Version::HTTP_2);
    assert_eq!(
        tls.handshakes(),
        vec![done(ProtocolVersion::TLSv1_2, tls::H2)]
    );
}

/// The certificate-verification failure somewhere in `err`'s source chain, if any. An
/// `io::Error` wrapping another error hides it from `source()`, so those are opened too.
fn certificate_error(err: &(dyn std::error::Error + 'static)) -> Option<rustls::CertificateError> {
    if let Some(rustls::Error::InvalidCertificate(c)) = err.downcast_ref::<rustls::Error>() {
        return Some(c.clone());
    }
    if let Some(inner) = err
        .downcast_ref::<std::io::Error>()
        .and_then(std::io::Error::get_ref)
    {
        return certificate_error(inner);
    }
    certificate_error(err.source()?)
}

/// Calls `server` with `client`; the call must fail with an unknown-issuer certificate error
/// before any request is sent.
async fn refused(client: wxpay_http::Client, server: &TestServer, tls: &TlsServer) {
    match client.execute(&get_stock()).await {
        Err(e @ Error::Connect { .. }) => {
            assert_eq!(
                certificate_error(&e),
                Some(rustls::CertificateError::UnknownIssuer),
                "{e:?}"
            );
            assert!(!e.to_string().contains("Authorization"), "{e}");
        }
        other => panic!("expected a certificate failure, got {other:?}"),
    }
    assert!(
        server.requests().is_empty(),
        "no request may reach a server whose certificate failed verification"
    );
    let handshakes = tls.handshakes();
    assert!(!handshakes.is_empty());
    assert!(
        handshakes.iter().all(|h| matches!(h, Handshake::Failed(_))),
        "{handshakes:?}"
    );
}

#[tokio::test]
async fn certificate_from_an_untrusted_ca_is_refused() {
    let tls = TlsServer::rogue();
    let server = TestServer::start_tls(tls.clone(), |_| Reply::json(200, STOCK_JSON)).await;
    // The client trusts the test CA, not the one that signed this server's certificate.
    refused(trusting_client(&server), &server, &tls).await;
}

#[tokio::test]
async fn test_ca_is_not_trusted_unless_added() {
    let tls = TlsServer::trusted();
    let server = TestServer::start_tls(tls.clone(), |_| Reply::json(200, STOCK_JSON)).await;
    refused(client_for(&server).build().unwrap(), &server, &tls).await;
}

#[tokio::test]
async fn an_added_root_does_not_replace_the_others() {
    // Two private CAs added: a server under either one is trusted.
    for tls in [TlsServer::trusted(), TlsServer::rogue()] {
        let server = TestServer::start_tls(tls.clone(), |_| Reply::json(200, STOCK_JSON)).await;
        let client = client_for(&server)
            .add_root_certificate_pem(tls::TEST_CA)
            .add_root_certificate_pem(tls::ROGUE_CA)
            .build()
            .unwrap();
        client.execute(&get_stock()).await.unwrap();
        assert_eq!(server.requests().len(), 1);
    }
}

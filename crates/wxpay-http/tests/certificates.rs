//! Platform-certificate mode: download, bootstrap verification, rotation, single flight, the
//! public-key-only 404, and the background refresh's lifetime.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use support::requests::*;
use support::*;
use wxpay_http::Error;

const CERTS_PATH: &str = "/v3/certificates";

fn downloads(server: &TestServer) -> usize {
    server
        .requests()
        .iter()
        .filter(|r| r.path() == CERTS_PATH)
        .count()
}

/// A server that serves the platform certificate at `/v3/certificates` and a stock for anything
/// else, every answer signed with the platform certificate's key.
async fn platform_cert_server() -> TestServer {
    TestServer::start(|r| {
        if r.path() == CERTS_PATH {
            Reply::json(200, certificates_body(&[(PLATFORM_CERT, PLATFORM_SERIAL)]))
                .signed_by(WechatKey::platform())
        } else {
            Reply::json(200, STOCK_JSON).signed_by(WechatKey::platform())
        }
    })
    .await
}

/// Certificate-mode client: APIv3 key, no public key.
fn cert_client(server: &TestServer) -> wxpay_http::Client {
    base_builder()
        .base_url(server.url())
        .api_v3_key(API_V3_KEY)
        .build()
        .unwrap()
}

#[tokio::test]
async fn unknown_serial_downloads_decrypts_and_verifies_certificates() {
    let server = platform_cert_server().await;
    let client = cert_client(&server);
    assert!(client.key_set().serials().is_empty());

    let answer = client.execute(&get_stock()).await.unwrap();
    assert_eq!(answer.stock_id, "98065001");
    assert_eq!(client.key_set().serials(), vec![PLATFORM_SERIAL.to_owned()]);
    client.execute(&create_stock()).await.unwrap();

    let reqs = server.requests();
    let paths: Vec<&str> = reqs.iter().map(Recorded::path).collect();
    assert_eq!(
        paths,
        ["/v3/test/stocks/98065001", CERTS_PATH, "/v3/test/stocks"]
    );
    assert!(reqs.iter().all(|r| r.auth_ok));
    assert_eq!(reqs[0].header("wechatpay-serial"), None, "no key known yet");
    assert_eq!(reqs[2].header("wechatpay-serial"), Some(PLATFORM_SERIAL));
    assert!(client.api_v3_key().is_some());
}

#[tokio::test]
async fn rotation_to_a_new_certificate_is_picked_up() {
    let rotated = Arc::new(AtomicBool::new(false));
    let flag = rotated.clone();
    let server = TestServer::start(move |r| {
        let rotated = flag.load(Ordering::SeqCst);
        let key = if rotated {
            WechatKey::platform2()
        } else {
            WechatKey::platform()
        };
        if r.path() == CERTS_PATH {
            let list: Vec<(&str, &str)> = if rotated {
                vec![
                    (PLATFORM_CERT, PLATFORM_SERIAL),
                    (PLATFORM2_CERT, PLATFORM2_SERIAL),
                ]
            } else {
                vec![(PLATFORM_CERT, PLATFORM_SERIAL)]
            };
            Reply::json(200, certificates_body(&list)).signed_by(key)
        } else {
            Reply::json(200, STOCK_JSON).signed_by(key)
        }
    })
    .await;
    let client = cert_client(&server);
    client.execute(&get_stock()).await.unwrap();
    assert_eq!(downloads(&server), 1);

    rotated.store(true, Ordering::SeqCst);
    client.execute(&get_stock()).await.unwrap();
    assert_eq!(downloads(&server), 2);
    let mut serials = client.key_set().serials();
    serials.sort();
    assert_eq!(
        serials,
        vec![PLATFORM2_SERIAL.to_owned(), PLATFORM_SERIAL.to_owned()]
    );
    // The newest certificate is announced from now on.
    client.execute(&get_stock()).await.unwrap();
    let last = server.requests().pop().unwrap();
    assert_eq!(last.header("wechatpay-serial"), Some(PLATFORM2_SERIAL));
    assert_eq!(downloads(&server), 2);
}

#[tokio::test]
async fn concurrent_unknown_serials_download_once() {
    let server = TestServer::start(|r| {
        if r.path() == CERTS_PATH {
            Reply::json(200, certificates_body(&[(PLATFORM_CERT, PLATFORM_SERIAL)]))
                .signed_by(WechatKey::platform())
                .delay(Duration::from_millis(50))
        } else {
            Reply::json(200, STOCK_JSON).signed_by(WechatKey::platform())
        }
    })
    .await;
    let client = cert_client(&server);
    let tasks: Vec<_> = (0..6)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move { c.execute(&get_stock()).await.map(|r| r.status()) })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap(), 200);
    }
    assert_eq!(downloads(&server), 1, "single flight");
}

#[tokio::test]
async fn download_signed_by_a_stranger_is_rejected_and_nothing_installed() {
    let server = TestServer::start(|r| {
        if r.path() == CERTS_PATH {
            // Lists certificate 1 but is signed by certificate 2's key.
            Reply::json(200, certificates_body(&[(PLATFORM_CERT, PLATFORM_SERIAL)]))
                .signed_by(WechatKey::platform2())
        } else {
            Reply::json(200, STOCK_JSON).signed_by(WechatKey::platform())
        }
    })
    .await;
    let client = cert_client(&server);
    let err = client.refresh_certificates().await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Verification {
                source: wxpay_crypto::Error::UnknownSerial { .. },
                ..
            }
        ),
        "{err:?}"
    );
    assert!(client.key_set().serials().is_empty());
    // Same with the right serial announced but the wrong key: a mismatch.
    let server2 = TestServer::start(|_| {
        Reply::json(200, certificates_body(&[(PLATFORM_CERT, PLATFORM_SERIAL)]))
            .signed_by(WechatKey::platform2())
            .serial(PLATFORM_SERIAL)
    })
    .await;
    let err = cert_client(&server2)
        .refresh_certificates()
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Verification {
                source: wxpay_crypto::Error::SignatureMismatch,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn download_declaring_another_signature_type_is_refused_and_nothing_installed() {
    // Correctly signed with the certificate it carries, but declaring SM2: refused by the
    // crypto crate's one signature-type rule before any RSA check, so nothing is installed.
    let server = TestServer::start(|_| {
        Reply::json(200, certificates_body(&[(PLATFORM_CERT, PLATFORM_SERIAL)]))
            .signed_by(WechatKey::platform())
            .header("wechatpay-signature-type", "WECHATPAY2-SM2-WITH-SM3")
    })
    .await;
    let client = cert_client(&server);
    let err = client.refresh_certificates().await.unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Verification {
                source: wxpay_crypto::Error::UnsupportedSignatureType { found },
                ..
            } if found == "WECHATPAY2-SM2-WITH-SM3"
        ),
        "{err:?}"
    );
    assert!(client.key_set().serials().is_empty());
}

#[tokio::test]
async fn wrong_apiv3_key_is_a_decrypt_error() {
    let server = TestServer::start(|_| {
        Reply::json(200, certificates_body(&[(PLATFORM_CERT, PLATFORM_SERIAL)]))
            .signed_by(WechatKey::platform())
    })
    .await;
    let client = base_builder()
        .base_url(server.url())
        .api_v3_key("vutsrqponmlkjihgfedcba9876543210")
        .build()
        .unwrap();
    let err = client.refresh_certificates().await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Certificates {
                source: Some(wxpay_crypto::Error::DecryptFailed),
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn public_key_merchant_survives_a_404_download() {
    let server = TestServer::start(|r| {
        if r.path() == CERTS_PATH {
            Reply::error(404, "RESOURCE_NOT_EXISTS", "证书不存在")
        } else {
            Reply::json(200, STOCK_JSON)
        }
    })
    .await;
    let client = client_for(&server).api_v3_key(API_V3_KEY).build().unwrap();

    client.execute(&get_stock()).await.unwrap();
    let err = client.refresh_certificates().await.unwrap_err();
    let api = err.as_api().expect("the 404 is reported");
    assert_eq!(api.status, 404);
    assert_eq!(
        api.code.as_ref().map(|c| c.as_str()),
        Some("RESOURCE_NOT_EXISTS")
    );
    assert_eq!(api.attempts, 1, "404 is not retried");
    client.execute(&create_stock()).await.unwrap();

    // A callback announcing an unknown certificate: one download attempt (404), then a clean
    // "unknown serial" — and no second download for the same serial right away.
    let now = client.now_unix().to_string();
    let headers = wxpay_crypto::SignatureHeaders {
        timestamp: &now,
        nonce: "n",
        signature: "c2ln",
        serial: "ABCDEF0123",
        signature_type: None,
    };
    for _ in 0..2 {
        let e = client.verify_signature(&headers, b"{}").await.unwrap_err();
        assert!(
            matches!(e, wxpay_crypto::Error::UnknownSerial { .. }),
            "{e:?}"
        );
    }
    assert_eq!(
        downloads(&server),
        2,
        "one explicit refresh, one for the unknown serial"
    );
}

#[tokio::test]
async fn background_refresh_runs_and_stops_with_the_client() {
    let server = platform_cert_server().await;
    let client = base_builder()
        .base_url(server.url())
        .api_v3_key(API_V3_KEY)
        .certificate_refresh_interval(Duration::from_secs(1))
        .build()
        .unwrap();
    client.execute(&get_stock()).await.unwrap();
    // Wait for the periodic refresh to download again (bounded wait for an event).
    let mut waited = 0;
    while downloads(&server) < 3 && waited < 800 {
        tokio::time::sleep(Duration::from_millis(10)).await;
        waited += 1;
    }
    assert!(downloads(&server) >= 3, "the periodic refresh runs");
    drop(client);
    tokio::time::sleep(Duration::from_millis(50)).await;
    let after_drop = downloads(&server);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        downloads(&server),
        after_drop,
        "the refresh task ends with the client"
    );
}

/// Callbacks reach the merchant from anyone: a stream of made-up serials must not turn into a
/// stream of `/v3/certificates` downloads. After a download that did not bring the serial
/// asked for, no other unknown serial triggers a download for a quiet period.
#[tokio::test]
async fn distinct_made_up_serials_do_not_multiply_downloads() {
    let server = platform_cert_server().await;
    let client = cert_client(&server);
    let now = client.now_unix().to_string();
    for serial in ["AAAA0001", "AAAA0002", "AAAA0003", "AAAA0004"] {
        let headers = wxpay_crypto::SignatureHeaders {
            timestamp: &now,
            nonce: "n",
            signature: "c2ln",
            serial,
            signature_type: None,
        };
        let e = client.verify_signature(&headers, b"{}").await.unwrap_err();
        assert!(
            matches!(e, wxpay_crypto::Error::UnknownSerial { .. }),
            "{e:?}"
        );
    }
    assert_eq!(
        downloads(&server),
        1,
        "one download for four made-up serials"
    );
    // A genuine answer still verifies with the certificate that download installed.
    client.execute(&get_stock()).await.unwrap();
    assert_eq!(downloads(&server), 1);
}

/// The periodic refresh runs on a tokio runtime; if that runtime goes away (a client used
/// from several runtimes, e.g. per-worker runtimes or tests), the next call on another
/// runtime starts it again.
#[test]
fn background_refresh_restarts_on_another_runtime() {
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let server = server_rt.block_on(platform_cert_server());
    let client = base_builder()
        .base_url(server.url())
        .api_v3_key(API_V3_KEY)
        .certificate_refresh_interval(Duration::from_secs(1))
        .build()
        .unwrap();
    let current = || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    };
    let first = current();
    first.block_on(async { client.execute(&get_stock()).await.unwrap() });
    drop(first);
    let before = downloads(&server);
    let second = current();
    second.block_on(async {
        client.execute(&get_stock()).await.unwrap();
        let mut waited = 0;
        while downloads(&server) < before + 2 && waited < 800 {
            tokio::time::sleep(Duration::from_millis(10)).await;
            waited += 1;
        }
    });
    assert!(
        downloads(&server) >= before + 2,
        "the periodic refresh runs again on the second runtime"
    );
    drop(server);
}

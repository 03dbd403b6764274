//! Every way a 2xx answer's signature can be wrong gives its own error, and is never accepted.

mod support;

use support::requests::*;
use support::*;
use wxpay_http::Error;

async fn verification_error(reply: Reply) -> wxpay_crypto::Error {
    let server = TestServer::start(move |_| reply.clone()).await;
    let client = client_for(&server).build().unwrap();
    match client.execute(&get_stock()).await {
        Err(Error::Verification { source, request_id }) => {
            assert_eq!(request_id.as_deref(), Some("RID-1"));
            assert_eq!(
                server.requests().len(),
                1,
                "verification failures are not retried"
            );
            source
        }
        other => panic!("expected a verification error, got {other:?}"),
    }
}

#[tokio::test]
async fn tampered_body_is_a_signature_mismatch() {
    let e = verification_error(Reply::json(200, STOCK_JSON).tampered()).await;
    assert_eq!(e, wxpay_crypto::Error::SignatureMismatch);
}

#[tokio::test]
async fn signature_by_another_key_is_a_signature_mismatch() {
    // Signed with the second platform key but announced under the public-key id.
    let e = verification_error(
        Reply::json(200, STOCK_JSON)
            .signed_by(WechatKey::platform2())
            .serial(PUB_KEY_ID),
    )
    .await;
    assert_eq!(e, wxpay_crypto::Error::SignatureMismatch);
}

#[tokio::test]
async fn probe_signature_is_its_own_error() {
    let e = verification_error(Reply::json(200, STOCK_JSON).probe()).await;
    assert_eq!(e, wxpay_crypto::Error::SignatureProbe);
}

#[tokio::test]
async fn unknown_serial_is_its_own_error() {
    let e = verification_error(
        Reply::json(200, STOCK_JSON).serial("PUB_KEY_ID_0000000000000000000000000000000099"),
    )
    .await;
    match e {
        wxpay_crypto::Error::UnknownSerial { serial, known } => {
            assert_eq!(serial, "PUB_KEY_ID_0000000000000000000000000000000099");
            assert_eq!(known, vec![PUB_KEY_ID.to_owned()]);
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn stale_timestamp_is_its_own_error() {
    let e = verification_error(Reply::json(200, STOCK_JSON).timestamp_offset(-301)).await;
    assert!(
        matches!(
            e,
            wxpay_crypto::Error::TimestampOutOfWindow { tolerance: 300, .. }
        ),
        "{e:?}"
    );
}

#[tokio::test]
async fn missing_signature_is_rejected_never_accepted() {
    let e = verification_error(Reply::json(200, STOCK_JSON).unsigned()).await;
    assert!(
        matches!(e, wxpay_crypto::Error::MissingHeader { .. }),
        "{e:?}"
    );
}

#[tokio::test]
async fn unsigned_204_is_rejected() {
    let server = TestServer::start(|_| Reply::no_content().unsigned()).await;
    let client = client_for(&server).build().unwrap();
    let req = DeleteCode {
        stock_id: "1".into(),
        code: "2".into(),
        delete_request_no: "3".into(),
    };
    let err = client.execute(&req).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Verification {
                source: wxpay_crypto::Error::MissingHeader { .. },
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn unsupported_signature_type_is_rejected() {
    let server = TestServer::start(|_| {
        let mut r = Reply::json(200, STOCK_JSON);
        r.headers.push((
            "wechatpay-signature-type".into(),
            "WECHATPAY2-SM2-WITH-SM3".into(),
        ));
        r
    })
    .await;
    let client = client_for(&server).build().unwrap();
    let err = client.execute(&get_stock()).await.unwrap_err();
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
    assert!(err.to_string().contains("WECHATPAY2-SM2-WITH-SM3"), "{err}");
}

#[tokio::test]
async fn answers_signed_by_a_configured_platform_certificate_verify() {
    let server =
        TestServer::start(|_| Reply::json(200, STOCK_JSON).signed_by(WechatKey::platform())).await;
    let client = base_builder()
        .base_url(server.url())
        .platform_certificate_pem(PLATFORM_CERT)
        .build()
        .unwrap();
    client.execute(&get_stock()).await.unwrap();
    // Without a public key the newest certificate's serial is announced.
    assert_eq!(
        server.requests()[0].header("wechatpay-serial"),
        Some(PLATFORM_SERIAL)
    );
}

#[tokio::test]
async fn mixed_mode_verifies_both_kinds() {
    let server = TestServer::start(|r| {
        if r.path_and_query.contains("limit") {
            Reply::json(200, STOCK_JSON)
        } else {
            Reply::json(200, STOCK_JSON).signed_by(WechatKey::platform())
        }
    })
    .await;
    let client = client_for(&server)
        .platform_certificate_pem(PLATFORM_CERT)
        .build()
        .unwrap();
    client.execute(&get_stock()).await.unwrap();
    client.execute(&create_stock()).await.unwrap();
}

#[tokio::test]
async fn callback_style_verification_uses_the_same_keys() {
    let server = TestServer::start(|_| Reply::json(200, STOCK_JSON)).await;
    let client = client_for(&server).build().unwrap();
    let body = br#"{"id":"EV-1"}"#;
    let ts = client.now_unix().to_string();
    let nonce = "n0nce";
    let sig = WechatKey::public_key()
        .signer
        .sign_bytes(&wxpay_crypto::verification_string(&ts, nonce, body))
        .unwrap();
    let headers = wxpay_crypto::SignatureHeaders {
        timestamp: &ts,
        nonce,
        signature: &sig,
        serial: PUB_KEY_ID,
        signature_type: Some("WECHATPAY2-SHA256-RSA2048"),
    };
    client.verify_signature(&headers, body).await.unwrap();
    assert_eq!(
        client.verify_signature(&headers, b"{}").await,
        Err(wxpay_crypto::Error::SignatureMismatch)
    );
    // The callback path applies the same signature-type rule: a validly signed callback that
    // declares another algorithm is refused, not verified as RSA.
    let sm2 = wxpay_crypto::SignatureHeaders {
        signature_type: Some("WECHATPAY2-SM2-WITH-SM3"),
        ..headers
    };
    assert_eq!(
        client.verify_signature(&sm2, body).await,
        Err(wxpay_crypto::Error::UnsupportedSignatureType {
            found: "WECHATPAY2-SM2-WITH-SM3".into()
        })
    );
    assert!(client.key_set().contains(PUB_KEY_ID));
    // No certificate download without an APIv3 key.
    assert!(client.refresh_certificates().await.is_err());
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn non_2xx_answers_are_not_verified() {
    // Signed but tampered: verification would fail, yet a non-2xx is reported as what it is.
    let server = TestServer::start(|_| {
        Reply::json(400, r#"{"code":"PARAM_ERROR","message":"bad"}"#).tampered()
    })
    .await;
    let client = client_for(&server).build().unwrap();
    let err = client.execute(&get_stock()).await.unwrap_err();
    let api = err
        .as_api()
        .expect("an API error, not a verification error");
    assert_eq!(api.status, 400);
    assert_eq!(api.code.as_ref().map(|c| c.as_str()), Some("PARAM_ERROR"));
}

/// Header values are bytes from the network: non-ASCII ones give typed errors, never a panic.
#[tokio::test]
async fn non_ascii_header_values_are_handled() {
    // Signature headers that are not text: treated as missing, so the 2xx is rejected.
    let server = TestServer::start(|_| {
        Reply::json(200, STOCK_JSON)
            .unsigned()
            .header("wechatpay-timestamp", "１７２２８５０４２１")
            .header("wechatpay-nonce", "nonce")
            .header("wechatpay-signature", "签名")
            .header("wechatpay-serial", PUB_KEY_ID)
            .header("wechatpay-signature-type", "WECHATPAY2-SHA256-RSA2048")
    })
    .await;
    let client = client_for(&server).build().unwrap();
    let err = client.execute(&get_stock()).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Verification {
                source: wxpay_crypto::Error::MissingHeader { .. },
                ..
            }
        ),
        "{err:?}"
    );

    // A non-ASCII signature type, Request-ID and Retry-After.
    let server = TestServer::start(|r| {
        if r.method == "GET" {
            Reply::json(200, STOCK_JSON).header("wechatpay-signature-type", "算法")
        } else {
            Reply::error(503, "SERVICE_UNAVAILABLE", "x").header("retry-after", "五")
        }
    })
    .await;
    let client = client_for(&server).build().unwrap();
    let err = client.execute(&get_stock()).await.unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Verification {
                source: wxpay_crypto::Error::UnsupportedSignatureType { found },
                ..
            } if found == "算法"
        ),
        "{err:?}"
    );
    let err = client.execute(&create_stock()).await.unwrap_err();
    assert_eq!(
        err.as_api().map(|a| (a.status, a.attempts)),
        Some((503, 3)),
        "an unreadable Retry-After falls back to the back-off"
    );
}

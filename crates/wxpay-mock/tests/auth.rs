//! Authentication and response signing, with requests built by hand (wxpay-crypto + hyper).

mod common;

use std::sync::Arc;

use common::{OTHER_APIV3, TestClient, other_merchant};
use wxpay_crypto::{ApiV3Key, PlatformCertificate, Verifier};
use wxpay_mock::{ManualClock, MockBuilder};

const NOW: i64 = 1_750_000_000;
const PATH: &str = "/v3/marketing/busifavor/callbacks?mchid=1900009191";

async fn setup() -> (wxpay_mock::MockHandle, ManualClock, TestClient) {
    let clock = ManualClock::new(NOW);
    let mock = MockBuilder::new()
        .clock(clock.clone())
        .merchant(other_merchant().public_key_only(true))
        .start()
        .await
        .unwrap();
    let client = TestClient::demo(&mock, Arc::new(clock.clone()));
    (mock, clock, client)
}

#[tokio::test]
async fn hand_signed_request_is_accepted_and_answer_verifies() {
    let (mock, _clock, client) = setup().await;
    // No notify_url yet: a well-formed, authenticated 404.
    let a = client.get(PATH).await;
    assert_eq!(a.status, 404, "{:?}", a.json());
    assert_eq!(a.code(), "RESOURCE_NOT_EXISTS");
    assert!(!a.header("request-id").is_empty());
    a.verify(&mock.verifier(), NOW).unwrap();

    let set = client
        .post(
            "/v3/marketing/busifavor/callbacks",
            &serde_json::json!({"notify_url": "https://merchant.example.com/notify"}),
        )
        .await;
    assert_eq!(set.status, 200, "{:?}", set.json());
    let a = client.get(PATH).await;
    assert_eq!(a.status, 200);
    assert_eq!(
        a.json(),
        serde_json::json!({"notify_url": "https://merchant.example.com/notify", "mchid": "1900009191"})
    );
    a.verify(&mock.verifier(), NOW).unwrap();
    mock.shutdown().await;
}

#[tokio::test]
async fn tampering_is_rejected_with_sign_error() {
    let (mock, _clock, client) = setup().await;
    let body = serde_json::json!({"notify_url": "https://merchant.example.com/notify"});
    // Body changed after signing.
    let req = client.request("POST", "/v3/marketing/busifavor/callbacks", Some(&body));
    let (parts, _) = req.into_parts();
    let tampered = http::Request::from_parts(
        parts,
        http_body_util::Full::new(bytes::Bytes::from_static(
            br#"{"notify_url":"https://evil.example.com/notify"}"#,
        )),
    );
    let a = client.send(tampered).await;
    assert_eq!((a.status, a.code().as_str()), (401, "SIGN_ERROR"));
    // Query changed after signing.
    let mut req = client.request("GET", PATH, None);
    *req.uri_mut() = format!(
        "{}{}",
        client.base, "/v3/marketing/busifavor/callbacks?mchid=1900009192"
    )
    .parse()
    .unwrap();
    let a = client.send(req).await;
    assert_eq!((a.status, a.code().as_str()), (401, "SIGN_ERROR"));
    // Method changed after signing.
    let mut req = client.request("GET", "/v3/marketing/busifavor/stocks/1", None);
    *req.method_mut() = http::Method::DELETE;
    assert_eq!(client.send(req).await.status, 401);
    // Nothing was changed by the rejected requests.
    assert_eq!(mock.notify_url("1900009191"), None);
    mock.shutdown().await;
}

#[tokio::test]
async fn header_problems_map_to_wechat_errors() {
    let (mock, clock, client) = setup().await;
    let strip = |name: &str| {
        let mut r = client.request("GET", PATH, None);
        r.headers_mut().remove(name);
        r
    };
    for missing in ["user-agent", "accept"] {
        let a = client.send(strip(missing)).await;
        assert_eq!(a.status, 400, "{missing}");
        assert_eq!(a.code(), "INVALID_REQUEST");
        assert_eq!(a.json()["message"], "Http头缺少Accept或User-Agent");
    }
    // Present but not ASCII (an app name in UTF-8) is still present.
    let mut utf8_ua = client.request("GET", PATH, None);
    utf8_ua.headers_mut().insert(
        "user-agent",
        http::HeaderValue::from_bytes("商户系统/1.0".as_bytes()).unwrap(),
    );
    assert_eq!(client.send(utf8_ua).await.status, 404);
    let mut blank = client.request("GET", PATH, None);
    blank
        .headers_mut()
        .insert("accept", http::HeaderValue::from_static("  "));
    assert_eq!(client.send(blank).await.code(), "INVALID_REQUEST");
    let a = client.send(strip("authorization")).await;
    assert_eq!((a.status, a.code().as_str()), (401, "SIGN_ERROR"));

    let garbled = |value: String| {
        let mut r = client.request("GET", PATH, None);
        r.headers_mut()
            .insert("authorization", value.parse().unwrap());
        r
    };
    let good = client.request("GET", PATH, None);
    let header = good.headers()["authorization"].to_str().unwrap().to_owned();
    for bad in [
        header.replace("WECHATPAY2-SHA256-RSA2048", "Bearer"),
        header.replace("mchid=\"1900009191\"", "mchid=\"1999999999\""),
        header.replace("serial_no=\"1DDE", "serial_no=\"0DDE"),
        header.replace("signature=\"", "signature=\"AAAA"),
        header.replace(",nonce_str=", ",nonce="),
    ] {
        let a = client.send(garbled(bad.clone())).await;
        assert_eq!((a.status, a.code().as_str()), (401, "SIGN_ERROR"), "{bad}");
    }
    // Fields in another order are fine.
    let mut parts: Vec<&str> = header["WECHATPAY2-SHA256-RSA2048 ".len()..]
        .split(',')
        .collect();
    parts.reverse();
    let reordered = format!("WECHATPAY2-SHA256-RSA2048 {}", parts.join(","));
    let req = {
        let mut r = good;
        r.headers_mut()
            .insert("authorization", reordered.parse().unwrap());
        r
    };
    assert_eq!(client.send(req).await.status, 404);

    // Timestamp out of the 300 s window, either direction.
    for skew in [-301, 400] {
        let req = client.request("GET", PATH, None);
        clock.advance(skew);
        let a = client.send(req).await;
        clock.set(NOW);
        assert_eq!(
            (a.status, a.code().as_str()),
            (401, "SIGN_ERROR"),
            "skew {skew}"
        );
    }
    mock.shutdown().await;
}

#[tokio::test]
async fn wechatpay_serial_chooses_the_signing_key() {
    let (mock, _clock, mut client) = setup().await;
    let keys = mock.keys();
    let public_only =
        Verifier::new().with_public_key(keys.public_key_id(), keys.public_key().clone());
    let cert_only = Verifier::new().with_certificate(keys.platform_certificate().clone());

    client.wechatpay_serial = Some(keys.public_key_id().to_owned());
    let a = client.get(PATH).await;
    assert_eq!(a.header("wechatpay-serial"), keys.public_key_id());
    assert_eq!(
        a.header("wechatpay-signature-type"),
        "WECHATPAY2-SHA256-RSA2048"
    );
    a.verify(&public_only, NOW).unwrap();

    for serial in [None, Some(keys.platform_serial().to_owned())] {
        client.wechatpay_serial = serial;
        let a = client.get(PATH).await;
        assert_eq!(a.header("wechatpay-serial"), keys.platform_serial());
        a.verify(&cert_only, NOW).unwrap();
        // The two modes use different keys: the public key cannot verify this answer.
        let forged_serial =
            Verifier::new().with_public_key(keys.platform_serial(), keys.public_key().clone());
        assert_eq!(
            a.verify(&forged_serial, NOW),
            Err(wxpay_crypto::Error::SignatureMismatch)
        );
    }

    // A public-key-only merchant always gets public-key signatures, and has no certificates.
    let mut other = TestClient::other(&mock, Arc::new(ManualClock::new(NOW)));
    other.wechatpay_serial = Some(keys.platform_serial().to_owned());
    let a = other.get("/v3/certificates").await;
    assert_eq!((a.status, a.code().as_str()), (404, "RESOURCE_NOT_EXISTS"));
    assert_eq!(a.header("wechatpay-serial"), keys.public_key_id());
    a.verify(&public_only, NOW).unwrap();
    mock.shutdown().await;
}

#[tokio::test]
async fn certificates_are_served_encrypted_with_the_callers_apiv3_key() {
    let (mock, _clock, mut client) = setup().await;
    client.wechatpay_serial = None;
    let a = client.get("/v3/certificates").await;
    assert_eq!(a.status, 200);
    let v = a.json();
    let item = &v["data"][0];
    assert_eq!(item["serial_no"], mock.keys().platform_serial());
    let enc = &item["encrypt_certificate"];
    assert_eq!(enc["algorithm"], "AEAD_AES_256_GCM");
    assert_eq!(enc["associated_data"], "certificate");
    let key = ApiV3Key::new(wxpay_mock::DEMO_APIV3_KEY).unwrap();
    let pem = key
        .decrypt(
            "certificate",
            enc["nonce"].as_str().unwrap(),
            enc["ciphertext"].as_str().unwrap(),
        )
        .unwrap();
    let cert = PlatformCertificate::from_pem(pem.as_str().unwrap()).unwrap();
    assert_eq!(cert.serial(), mock.keys().platform_serial());
    // Bootstrap check of spec §4.3: the answer verifies with the certificate it carries.
    a.verify(&Verifier::new().with_certificate(cert), NOW)
        .unwrap();
    // Another merchant's APIv3 key cannot open it.
    let wrong = ApiV3Key::new(OTHER_APIV3).unwrap();
    assert!(
        wrong
            .decrypt(
                "certificate",
                enc["nonce"].as_str().unwrap(),
                enc["ciphertext"].as_str().unwrap()
            )
            .is_err()
    );
    mock.shutdown().await;
}

//! Opening notifications: the spec's A.5 vector and every failure stage.

mod common;

use common::*;
use wxpay_crypto::{FixedClock, SignatureHeaders, Verifier, WechatPayPublicKey};
use wxpay_model::busifavor::{AttachInfoField, CouponEventType, SendChannel};
use wxpay_model::{Error, Event, Notification, NotificationReply, open_notification_from_headers};

const A5_BODY: &str = r#"{"id":"8b33f79f-8869-5ae5-b41b-3c0b59f957d0","create_time":"2019-12-12T16:54:38+08:00","resource_type":"encrypt-resource","event_type":"COUPON.SEND","summary":"商家券领券通知","resource":{"original_type":"coupon","algorithm":"AEAD_AES_256_GCM","ciphertext":"TM+gylPJHsCnRYOe1FCfedKo4T7nDCxE4+RAkmOpKW7kepEn6yco586AoWwrynAckbvaMk/yGAbQyvU5siY/FvfYkZCgeDVKBsTR2sjzy0lxLEqqjUIYhH86tvoyrMEcK+1aevo2YQW8wuzLRA01QKfrqAacUeeCtsVMzElx3kT2zKjxZJf0NutRYtsFYJIXI7L7shml1ZzdRVPXDnp3s+Kl9pd369eyIEwiJYZOS8ud7TEce2uRqGIg+MSY2aqIGisTRIfwVoKueoldukNeiZO8wl+QzoILmcyMy0DkJGqVFjZesNDnCcFNEFme/Uvzx1BZmq4aIhZt6mMJ5OhRgnx+myxg+bvSHEgGKbO+JEHJMw77UZ8WUYaBpKUevyPf4ucYS/UrRayBrGYXQ0R7FeHRhPCRcurkbnbQtiLLNQzCCnQYPXoElUy96Lmam7xfWC0xbr4ozLi7EwNpWMLn7Lh0JlmLKQqPiHaqHtOuROIvf2lQRKQVheZvGrderg8/wUYp9tWfGc/7w8pcU7GmkQ+P/kQRFkeEVg==","associated_data":"coupon","nonce":"j9g1wAzF9Xn1"}}"#;
const A5_SIGNATURE: &str = "oZkZQvatL31bl0Q6t8z6QnJSsmnx6uRj3LEEm18xHe/FJNxaXPFSLe/jsVxfGGz8snlM0glAv0vEURfNks6HfX+8/MX1W9Mq22/NJvHAKNLFORx8ry9dAg/gvIjo1WYmcEhq3Ze24l8Hr+M84+83xNEadekbtzmItbtwezKjifPBd6DsnET2Z0LaaFBYqpks1mxpFlV6XoAzcM5iruQ/d6mMbhz4i0flA+ZTtLWBc89+oGS0u2fVZbWA3Jp0J9VK5bd8/coCWqEKLXM/LY58ZHbya6pFFtMDPy2yHQLwKHdAuhGQcBkHE6dYah2RaHzyJoyA7cABL+sHni81Dz7KFQ==";
const A5_SERIAL: &str = "PUB_KEY_ID_00000000000000000000000000000001";

fn a5_verifier() -> Verifier {
    let key =
        WechatPayPublicKey::from_pem(include_str!("../../wxpay-crypto/testdata/spec_a1_pub.pem"))
            .expect("A.1 public key");
    Verifier::new().with_public_key(A5_SERIAL, key)
}

#[test]
fn appendix_a5_opens_to_exactly_its_plaintext() {
    let headers = SignatureHeaders {
        timestamp: "1576140878",
        nonce: "c5ac7061fccab6bf3e254dcf98995b8c",
        signature: A5_SIGNATURE,
        serial: A5_SERIAL,
        signature_type: None,
    };
    let n = wxpay_model::open_notification(
        &headers,
        A5_BODY.as_bytes(),
        &a5_verifier(),
        &apiv3(),
        &FixedClock(1_576_140_878),
    )
    .expect("A.5 opens");
    assert_eq!(n.plaintext.as_str(), A5_PLAINTEXT);
    assert_eq!(n.id(), "8b33f79f-8869-5ae5-b41b-3c0b59f957d0");
    assert_eq!(n.event_type(), "COUPON.SEND");
    assert_eq!(n.envelope.create_time, "2019-12-12T16:54:38+08:00");
    assert_eq!(n.envelope.summary.as_deref(), Some("商家券领券通知"));
    let e = n.coupon_send().expect("typed COUPON.SEND");
    assert_eq!(e.event_type, CouponEventType::BusicouponSend);
    assert_eq!(e.coupon_code, "1227944959000000911017");
    assert_eq!(e.stock_id, "1286950000000039");
    assert_eq!(e.send_time.as_str(), "2019-12-17T10:35:53+08:00");
    assert_eq!(e.send_channel, SendChannel::Paygift);
    assert_eq!(e.send_merchant, "98568888");
    assert_eq!(e.openid(), Some("odXnH1CJjeQoWTld48db-pnxs-Wg"));
    let info = e.attach_info().expect("attach_info object");
    assert_eq!(
        info.transaction_id.as_deref(),
        Some("4200000462220200226114599")
    );
    assert_eq!(info.act_code.as_deref(), Some("540358695"));
    // The typed event re-serializes to the same JSON value as the plaintext.
    let back = serde_json::to_value(e).unwrap();
    assert_eq!(
        back,
        serde_json::from_str::<serde_json::Value>(A5_PLAINTEXT).unwrap()
    );
}

/// `open_notification` is exactly "verify, then `open_verified_notification`": callers that
/// verified with another key set (e.g. wxpay-http's live one) open without verifying twice.
#[test]
fn open_verified_matches_open_after_one_verification() {
    let headers = SignatureHeaders {
        timestamp: "1576140878",
        nonce: "c5ac7061fccab6bf3e254dcf98995b8c",
        signature: A5_SIGNATURE,
        serial: A5_SERIAL,
        signature_type: Some("WECHATPAY2-SHA256-RSA2048"),
    };
    let full = wxpay_model::open_notification(
        &headers,
        A5_BODY.as_bytes(),
        &a5_verifier(),
        &apiv3(),
        &FixedClock(1_576_140_878),
    )
    .expect("A.5 opens");
    a5_verifier()
        .verify(&headers, A5_BODY.as_bytes(), 1_576_140_878)
        .expect("verifies");
    let split = wxpay_model::open_verified_notification(A5_BODY.as_bytes(), &apiv3())
        .expect("opens once verified");
    assert_eq!(full, split);
    // The later stages keep their own errors.
    let mut other = A5_BODY.replace("j9g1wAzF9Xn1", "j9g1wAzF9Xn2");
    assert!(matches!(
        wxpay_model::open_verified_notification(other.as_bytes(), &apiv3()),
        Err(Error::NotificationDecrypt(
            wxpay_crypto::Error::DecryptFailed
        ))
    ));
    other = A5_BODY.replace("encrypt-resource", "plain");
    assert!(matches!(
        wxpay_model::open_verified_notification(other.as_bytes(), &apiv3()),
        Err(Error::UnsupportedResourceType { .. })
    ));
    // And a declared non-RSA signature type never gets that far.
    let sm2 = SignatureHeaders {
        signature_type: Some("WECHATPAY2-SM2-WITH-SM3"),
        ..headers
    };
    assert!(matches!(
        wxpay_model::open_notification(
            &sm2,
            A5_BODY.as_bytes(),
            &a5_verifier(),
            &apiv3(),
            &FixedClock(1_576_140_878),
        ),
        Err(Error::NotificationUnverified(
            wxpay_crypto::Error::UnsupportedSignatureType { .. }
        ))
    ));
}

fn open(body: &[u8], headers: &[(String, String)]) -> Result<Notification, Error> {
    open_notification_from_headers(
        headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        body,
        &verifier(),
        &apiv3(),
        &FixedClock(NOW),
    )
}

fn open_cb(cb: &Callback) -> Result<Notification, Error> {
    let body = cb.body();
    open(&body, &sign(&body, NOW))
}

#[test]
fn generated_callback_opens_with_headers_in_any_case() {
    let n = open_cb(&Callback::default()).expect("opens");
    assert_eq!(n.plaintext.as_str(), A5_PLAINTEXT);
    assert!(matches!(n.event, Event::CouponSend(_)));
}

#[test]
fn tampered_body_is_rejected_before_parsing() {
    let body = Callback::default().body();
    let headers = sign(&body, NOW);
    let mut tampered = body.clone();
    let pos = tampered.iter().position(|&b| b == b'8').unwrap();
    tampered[pos] = b'9';
    let err = open(&tampered, &headers).unwrap_err();
    assert!(
        matches!(
            err,
            Error::NotificationUnverified(wxpay_crypto::Error::SignatureMismatch)
        ),
        "{err:?}"
    );
    // Not even JSON: still a signature failure, never a parse failure.
    let err = open(b"not json at all", &headers).unwrap_err();
    assert!(matches!(err, Error::NotificationUnverified(_)), "{err:?}");
    assert_eq!(NotificationReply::for_error(&err).status, 401);
}

#[test]
fn unknown_serial_is_rejected() {
    let body = Callback::default().body();
    let mut headers = sign(&body, NOW);
    headers[3].1 = "PUB_KEY_ID_0000000000000000000000000000000999".into();
    let err = open(&body, &headers).unwrap_err();
    assert!(
        matches!(
            err,
            Error::NotificationUnverified(wxpay_crypto::Error::UnknownSerial { .. })
        ),
        "{err:?}"
    );
}

#[test]
fn stale_timestamp_is_rejected() {
    let body = Callback::default().body();
    let err = open(&body, &sign(&body, NOW - 301)).unwrap_err();
    assert!(
        matches!(
            err,
            Error::NotificationUnverified(wxpay_crypto::Error::TimestampOutOfWindow { .. })
        ),
        "{err:?}"
    );
    assert!(open(&body, &sign(&body, NOW - 299)).is_ok());
}

#[test]
fn missing_header_is_rejected() {
    let body = Callback::default().body();
    let headers: Vec<_> = sign(&body, NOW).into_iter().skip(1).collect();
    let err = open(&body, &headers).unwrap_err();
    assert!(
        matches!(
            err,
            Error::NotificationUnverified(wxpay_crypto::Error::MissingHeader { .. })
        ),
        "{err:?}"
    );
}

#[test]
fn signed_non_envelope_is_an_envelope_error() {
    for body in [&b"[1,2]"[..], b"{\"id\":\"x\"}", b"{"] {
        let err = open(body, &sign(body, NOW)).unwrap_err();
        assert!(matches!(err, Error::NotificationEnvelope(_)), "{err:?}");
    }
}

#[test]
fn wrong_resource_type_is_rejected() {
    let cb = Callback {
        resource_type: "plain-resource".into(),
        ..Callback::default()
    };
    let err = open_cb(&cb).unwrap_err();
    assert!(
        matches!(err, Error::UnsupportedResourceType { ref found } if found == "plain-resource"),
        "{err:?}"
    );
}

#[test]
fn wrong_algorithm_is_rejected() {
    let cb = Callback {
        algorithm: "AEAD_SM4_GCM".into(),
        ..Callback::default()
    };
    let err = open_cb(&cb).unwrap_err();
    assert!(
        matches!(err, Error::UnsupportedAlgorithm { ref found } if found == "AEAD_SM4_GCM"),
        "{err:?}"
    );
}

#[test]
fn bad_nonce_length_is_a_decrypt_error() {
    let cb = Callback {
        nonce: "short".into(),
        ..Callback::default()
    };
    let err = open_cb(&cb).unwrap_err();
    assert!(
        matches!(
            err,
            Error::NotificationDecrypt(wxpay_crypto::Error::InvalidAeadNonce { len: 5 })
        ),
        "{err:?}"
    );
}

#[test]
fn wrong_key_is_a_decrypt_error() {
    let cb = Callback {
        key: "vutsrqponmlkjihgfedcba9876543210".into(),
        ..Callback::default()
    };
    let err = open_cb(&cb).unwrap_err();
    assert!(
        matches!(
            err,
            Error::NotificationDecrypt(wxpay_crypto::Error::DecryptFailed)
        ),
        "{err:?}"
    );
}

#[test]
fn non_json_plaintext_is_rejected() {
    for plain in [&b"hello"[..], b"{\"event_type\":", &[0xff, 0xfe, b'{']] {
        let cb = Callback {
            plaintext: plain.to_vec(),
            ..Callback::default()
        };
        let err = open_cb(&cb).unwrap_err();
        assert!(
            matches!(err, Error::PlaintextNotJson { ref event_type, .. } if event_type == "COUPON.SEND"),
            "{err:?}"
        );
    }
    let cb = Callback {
        event_type: "TRANSACTION.SUCCESS".into(),
        plaintext: b"nope".to_vec(),
        ..Callback::default()
    };
    assert!(matches!(
        open_cb(&cb).unwrap_err(),
        Error::PlaintextNotJson { .. }
    ));
}

#[test]
fn plaintext_missing_a_required_field_is_rejected() {
    let mut v: serde_json::Value = serde_json::from_str(A5_PLAINTEXT).unwrap();
    v.as_object_mut().unwrap().remove("coupon_code");
    let cb = Callback {
        plaintext: v.to_string().into_bytes(),
        ..Callback::default()
    };
    let err = open_cb(&cb).unwrap_err();
    match err {
        Error::EventPayload { event_type, source } => {
            assert_eq!(event_type, "COUPON.SEND");
            assert!(source.to_string().contains("coupon_code"), "{source}");
        }
        other => panic!("expected EventPayload, got {other:?}"),
    }
}

#[test]
fn malformed_send_time_names_the_field() {
    let plain = A5_PLAINTEXT.replace("2019-12-17T10:35:53+08:00", "2019-12-17T10:35:53.08:00");
    let cb = Callback {
        plaintext: plain.into_bytes(),
        ..Callback::default()
    };
    match open_cb(&cb).unwrap_err() {
        Error::EventPayload { source, .. } => match *source {
            Error::MalformedTime { field, reason, .. } => {
                assert_eq!(field, "/send_time");
                assert!(reason.contains("component"), "{reason}");
            }
            other => panic!("expected MalformedTime, got {other:?}"),
        },
        other => panic!("expected EventPayload, got {other:?}"),
    }
}

#[test]
fn other_event_types_keep_the_decrypted_json() {
    let plain = r#"{"mchid":"1900000001","amount":{"total":100}}"#;
    let cb = Callback {
        event_type: "TRANSACTION.SUCCESS".into(),
        associated_data: "transaction".into(),
        plaintext: plain.as_bytes().to_vec(),
        ..Callback::default()
    };
    let n = open_cb(&cb).unwrap();
    assert_eq!(n.plaintext.as_str(), plain);
    match n.event {
        Event::Unknown { event_type, data } => {
            assert_eq!(event_type, "TRANSACTION.SUCCESS");
            assert_eq!(data["amount"]["total"], 100);
        }
        other => panic!("expected Unknown, got {other:?}"),
    }
}

#[test]
fn real_payload_quirks_are_accepted() {
    // Empty attach_info, undocumented send_req_no, old member-card spelling, empty unionid.
    let plain = r#"{"event_type":"EVENT_TYPE_BUSICOUPON_SEND","coupon_code":"c1","stock_id":"s1","send_time":"2020-04-22T12:54:24+08:00","openid":"","unionid":"","send_channel":"BUSICOUPON_SEND_CHANNEL_MEMBER_CARD_ACT","send_merchant":"98568888","attach_info":"","send_req_no":"202004221240"}"#;
    let cb = Callback {
        plaintext: plain.as_bytes().to_vec(),
        ..Callback::default()
    };
    let n = open_cb(&cb).unwrap();
    let e = n.coupon_send().unwrap();
    assert_eq!(e.attach_info, AttachInfoField::Empty);
    assert_eq!(e.openid(), None);
    assert_eq!(e.send_channel, SendChannel::MembercardAct);
    assert_eq!(e.extra_str("send_req_no"), Some("202004221240"));
    let mut expected: serde_json::Value = serde_json::from_str(plain).unwrap();
    expected["send_channel"] = "BUSICOUPON_SEND_CHANNEL_MEMBERCARD_ACT".into();
    assert_eq!(serde_json::to_value(e).unwrap(), expected);
}

#[test]
fn hall_belong_mch_id_number_or_string() {
    for (raw, text) in [
        ("1900120923", "1900120923"),
        ("\"1900120923\"", "1900120923"),
    ] {
        let plain = A5_PLAINTEXT.replace(
            r#"{"transaction_id":"4200000462220200226114599","act_code":"540358695"}"#,
            &format!(r#"{{"act_code":"v3OlhIVg6HpBi2WP2bjNXw","hall_code":"7xcvJIFPzxucJMd3tUeNHg","hall_belong_mch_id":{raw}}}"#),
        ).replace("PAYGIFT", "HALL");
        let cb = Callback {
            plaintext: plain.clone().into_bytes(),
            ..Callback::default()
        };
        let n = open_cb(&cb).unwrap();
        let e = n.coupon_send().unwrap();
        assert_eq!(e.send_channel, SendChannel::Hall);
        let id = e
            .attach_info()
            .unwrap()
            .hall_belong_mch_id
            .as_ref()
            .unwrap();
        assert_eq!(id.to_text(), text);
        assert_eq!(
            serde_json::to_value(e).unwrap(),
            serde_json::from_str::<serde_json::Value>(&plain).unwrap()
        );
    }
}

#[test]
fn signature_probe_is_rejected_at_the_signature_stage() {
    let body = Callback::default().body();
    let mut headers = sign(&body, NOW);
    headers[2].1 = format!("WECHATPAY/SIGNTEST/{}", headers[2].1);
    let err = open(&body, &headers).unwrap_err();
    assert!(
        matches!(
            err,
            Error::NotificationUnverified(wxpay_crypto::Error::SignatureProbe)
        ),
        "{err:?}"
    );
    assert_eq!(NotificationReply::for_error(&err).status, 401);
}

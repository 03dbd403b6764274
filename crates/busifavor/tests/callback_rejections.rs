//! Every bad input of spec §3, §5 and §7 gets its status and a `{"code":"FAIL"}` body that
//! leaks nothing, and nothing reaches the user's function.

mod common;

use std::sync::Arc;

use busifavor::callback::{CallbackError, CallbackHandler};
use common::*;
use http::{HeaderValue, Request};
use http_body_util::{BodyExt as _, Full, StreamBody};
use wxpay_crypto::Error as Crypto;
use wxpay_model::Error as Model;

fn handler(calls: &Arc<Calls>) -> CallbackHandler {
    builder(calls.clone(), Behaviour::Succeed).build().unwrap()
}

/// Runs one delivery through `handle` (the full HTTP path) and `process` (the typed error).
async fn run(
    handler: &CallbackHandler,
    request: impl Fn() -> Request<Full<bytes::Bytes>>,
) -> (u16, String, Result<(), CallbackError>) {
    let response = handler.handle(request()).await;
    let status = response.status().as_u16();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    let typed = handler.process(request()).await.map(|_| ());
    (status, String::from_utf8(body.to_vec()).unwrap(), typed)
}

fn fail_body(message: &str) -> String {
    format!(r#"{{"code":"FAIL","message":"{message}"}}"#)
}

fn with(notify: Notify) -> impl Fn() -> Request<Full<bytes::Bytes>> {
    let signer = signer();
    let (headers, body) = notify.build(&signer);
    move || {
        let mut req = Request::post("/wechatpay/coupon")
            .body(Full::new(bytes::Bytes::from(body.clone())))
            .unwrap();
        *req.headers_mut() = headers.clone();
        req
    }
}

fn edited(
    notify: Notify,
    edit: impl Fn(&mut http::HeaderMap) + Clone,
) -> impl Fn() -> Request<Full<bytes::Bytes>> {
    let base = with(notify);
    move || {
        let mut req = base();
        edit(req.headers_mut());
        req
    }
}

macro_rules! assert_refused {
    ($handler:expr, $request:expr, $status:expr, $message:expr, $pattern:pat) => {{
        let (status, body, typed) = run(&$handler, $request).await;
        assert_eq!(status, $status, "{typed:?}");
        assert_eq!(body, fail_body($message), "{typed:?}");
        assert!(matches!(typed, Err($pattern)), "{typed:?}");
    }};
}

fn n(id: &str) -> Notify {
    Notify::coupon(id, NOW)
}

#[tokio::test]
async fn signature_failures_are_401_and_nothing_runs() {
    let calls = Arc::new(Calls::default());
    let h = handler(&calls);
    const MSG: &str = "signature verification failed";

    assert_refused!(
        h,
        with(Notify {
            tamper: true,
            ..n("tampered")
        }),
        401,
        MSG,
        CallbackError::Unverified(Crypto::SignatureMismatch)
    );
    assert_refused!(
        h,
        with(Notify {
            probe: true,
            ..n("probe")
        }),
        401,
        MSG,
        CallbackError::Unverified(Crypto::SignatureProbe)
    );
    for skew in [-300, 300, -86_400, 86_400] {
        assert_refused!(
            h,
            with(Notify::coupon("window", NOW + skew)),
            401,
            MSG,
            CallbackError::Unverified(Crypto::TimestampOutOfWindow { .. })
        );
    }
    assert_refused!(
        h,
        with(Notify {
            serial: "PUB_KEY_ID_0000000000000000000000000000000099".into(),
            ..n("serial")
        }),
        401,
        MSG,
        CallbackError::Unverified(Crypto::UnknownSerial { .. })
    );
    assert_refused!(
        h,
        with(Notify {
            serial: "5157F09EFDC096DE15EBE81A47057A7232F1B8E1".into(),
            ..n("cert-serial")
        }),
        401,
        MSG,
        CallbackError::Unverified(Crypto::UnknownSerial { .. })
    );
    // Validly signed, but declaring another algorithm: refused by type, never verified as RSA.
    for declared in ["WECHATPAY2-SM2-WITH-SM3", "HMAC-SHA256"] {
        let (_, _, typed) = run(
            &h,
            with(Notify {
                signature_type: Some(declared.into()),
                ..n("sm2")
            }),
        )
        .await;
        assert!(
            matches!(&typed, Err(CallbackError::Unverified(Crypto::UnsupportedSignatureType { found })) if found == declared),
            "{typed:?}"
        );
        assert_refused!(
            h,
            with(Notify {
                signature_type: Some(declared.into()),
                ..n("sm2")
            }),
            401,
            MSG,
            CallbackError::Unverified(Crypto::UnsupportedSignatureType { .. })
        );
    }
    for missing in [
        "wechatpay-timestamp",
        "wechatpay-nonce",
        "wechatpay-signature",
        "wechatpay-serial",
    ] {
        assert_refused!(
            h,
            edited(n("missing"), move |m| {
                m.remove(missing);
            }),
            401,
            MSG,
            CallbackError::Unverified(Crypto::MissingHeader { .. })
        );
    }
    assert_refused!(
        h,
        edited(n("ts"), |m| {
            m.insert(
                "wechatpay-timestamp",
                HeaderValue::from_static("1722850421.0"),
            );
        }),
        401,
        MSG,
        CallbackError::Unverified(Crypto::MalformedTimestamp { .. })
    );
    assert_refused!(
        h,
        edited(n("b64"), |m| {
            m.insert(
                "wechatpay-signature",
                HeaderValue::from_static("not base64!"),
            );
        }),
        401,
        MSG,
        CallbackError::Unverified(Crypto::SignatureNotBase64)
    );
    assert_eq!(calls.total(), 0, "nothing reached the user's function");
}

#[tokio::test]
async fn open_failures_are_400_and_nothing_runs() {
    let calls = Arc::new(Calls::default());
    let h = handler(&calls);
    const MSG: &str = "notification could not be decrypted or parsed";

    assert_refused!(
        h,
        with(Notify {
            key: OTHER_APIV3.into(),
            ..n("key")
        }),
        400,
        MSG,
        CallbackError::Unopened(Model::NotificationDecrypt(Crypto::DecryptFailed))
    );
    assert_refused!(
        h,
        with(Notify {
            envelope_aad: Some("other".into()),
            ..n("aad")
        }),
        400,
        MSG,
        CallbackError::Unopened(Model::NotificationDecrypt(Crypto::DecryptFailed))
    );
    assert_refused!(
        h,
        with(Notify {
            envelope_aad: Some(String::new()),
            ..n("aad-empty")
        }),
        400,
        MSG,
        CallbackError::Unopened(Model::NotificationDecrypt(Crypto::DecryptFailed))
    );
    assert_refused!(
        h,
        with(Notify {
            ciphertext: Some("!!not base64!!".into()),
            ..n("b64")
        }),
        400,
        MSG,
        CallbackError::Unopened(Model::NotificationDecrypt(Crypto::CiphertextNotBase64))
    );
    for nonce in ["j9g1wAzF9Xn", "j9g1wAzF9Xn1X", "j9g1wAzF9Xn1j9g1"] {
        assert_refused!(
            h,
            with(Notify {
                envelope_nonce: Some(nonce.into()),
                ..n("nonce")
            }),
            400,
            MSG,
            CallbackError::Unopened(Model::NotificationDecrypt(Crypto::InvalidAeadNonce { .. }))
        );
    }
    assert_refused!(
        h,
        with(Notify {
            algorithm: "AEAD_SM4_GCM".into(),
            ..n("alg")
        }),
        400,
        MSG,
        CallbackError::Unopened(Model::UnsupportedAlgorithm { .. })
    );
    assert_refused!(
        h,
        with(Notify {
            resource_type: "plain-resource".into(),
            ..n("rt")
        }),
        400,
        MSG,
        CallbackError::Unopened(Model::UnsupportedResourceType { .. })
    );
    assert_refused!(
        h,
        with(Notify {
            plaintext: b"coupon sent!".to_vec(),
            ..n("text")
        }),
        400,
        MSG,
        CallbackError::Unopened(Model::PlaintextNotJson { .. })
    );
    assert_refused!(
        h,
        with(Notify {
            plaintext: vec![0xff, 0xfe, b'{'],
            ..n("utf8")
        }),
        400,
        MSG,
        CallbackError::Unopened(Model::PlaintextNotJson { .. })
    );
    let no_code = coupon_plaintext("x").replace(r#""coupon_code":"x","#, "");
    assert_refused!(
        h,
        with(Notify {
            plaintext: no_code.into_bytes(),
            ..n("fields")
        }),
        400,
        MSG,
        CallbackError::Unopened(Model::EventPayload { .. })
    );
    let bad_time = coupon_plaintext("x").replace("2019-12-17T10:35:53+08:00", "yesterday");
    assert_refused!(
        h,
        with(Notify {
            plaintext: bad_time.into_bytes(),
            ..n("time")
        }),
        400,
        MSG,
        CallbackError::Unopened(Model::EventPayload { .. })
    );

    // A signed body that is not an envelope at all.
    let signer = signer();
    let body = br#"{"hello":"world"}"#.to_vec();
    let headers = n("env").headers(&signer, &body);
    let (status, text, typed) = run(&h, || {
        let mut r = Request::post("/")
            .body(Full::new(bytes::Bytes::from(body.clone())))
            .unwrap();
        *r.headers_mut() = headers.clone();
        r
    })
    .await;
    assert_eq!((status, text), (400, fail_body(MSG)));
    assert!(
        matches!(
            typed,
            Err(CallbackError::Unopened(Model::NotificationEnvelope(_)))
        ),
        "{typed:?}"
    );
    assert_eq!(calls.total(), 0, "nothing reached the user's function");
}

#[tokio::test]
async fn transport_failures_and_nothing_runs() {
    let calls = Arc::new(Calls::default());
    let h = handler(&calls);

    // Oversized: refused on Content-Length before reading, and while reading without one.
    let big = Notify {
        padding: 70 * 1024,
        ..n("big")
    };
    let big_req = edited(big.clone(), |m| {
        m.insert("content-length", HeaderValue::from(80 * 1024));
    });
    assert_refused!(
        h,
        big_req,
        413,
        "request body too large",
        CallbackError::BodyTooLarge { limit: 65536 }
    );
    let (headers, body) = big.build(&signer());
    let chunks: Vec<Result<http_body::Frame<bytes::Bytes>, std::convert::Infallible>> = body
        .chunks(4096)
        .map(|c| Ok(http_body::Frame::data(bytes::Bytes::copy_from_slice(c))))
        .collect();
    let mut streamed = Request::post("/")
        .body(StreamBody::new(futures_util::stream::iter(chunks)))
        .unwrap();
    *streamed.headers_mut() = headers.clone();
    let result = h.process(streamed).await;
    assert!(
        matches!(result, Err(CallbackError::BodyTooLarge { .. })),
        "{result:?}"
    );
    let result = h.process_bytes(&headers, &body).await;
    assert!(
        matches!(result, Err(CallbackError::BodyTooLarge { .. })),
        "{result:?}"
    );
    // The same large notification passes under a raised cap.
    let roomy = builder(calls.clone(), Behaviour::Succeed)
        .max_body_bytes(128 * 1024)
        .build()
        .unwrap();
    assert!(roomy.process_bytes(&headers, &body).await.is_ok());
    assert_eq!(calls.total(), 1);

    // Differing duplicates of each Wechatpay-* header are refused; identical ones pass.
    for name in [
        "wechatpay-timestamp",
        "wechatpay-nonce",
        "wechatpay-signature",
        "wechatpay-serial",
        "wechatpay-signature-type",
    ] {
        assert_refused!(
            h,
            edited(n("dup"), move |m| {
                m.append(name, HeaderValue::from_static("something-else"));
            }),
            400,
            "conflicting Wechatpay headers",
            CallbackError::DuplicateHeader { .. }
        );
    }
    let identical = edited(n("dup-same"), |m| {
        let serial = m.get("wechatpay-serial").unwrap().clone();
        m.append("wechatpay-serial", serial);
    });
    assert_eq!(h.handle(identical()).await.status(), 204);
    assert_eq!(calls.total(), 2);

    // Content type and method.
    for ct in [
        None,
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
    ] {
        assert_refused!(
            h,
            with(Notify {
                content_type: ct.map(Into::into),
                ..n("ct")
            }),
            415,
            "content type must be application/json",
            CallbackError::UnsupportedContentType { .. }
        );
    }
    let get = with(n("get"));
    assert_refused!(
        h,
        move || {
            let mut r = get();
            *r.method_mut() = http::Method::GET;
            r
        },
        405,
        "method not allowed",
        CallbackError::MethodNotAllowed { .. }
    );

    assert_eq!(
        calls.total(),
        2,
        "only the two valid deliveries reached the user's function"
    );
}

/// Failure messages are fixed phrases: no serial, key id, notification id, coupon code or
/// error detail of the kind the logs carry.
#[tokio::test]
async fn failure_bodies_leak_nothing() {
    let calls = Arc::new(Calls::default());
    let h = handler(&calls);
    let cases = [
        Notify {
            serial: "PUB_KEY_ID_0000000000000000000000000000000099".into(),
            ..n("leak-1")
        },
        Notify {
            key: OTHER_APIV3.into(),
            ..n("leak-2")
        },
        Notify {
            signature_type: Some("WECHATPAY2-SM2-WITH-SM3".into()),
            ..n("leak-3")
        },
    ];
    for case in cases {
        let (_, body, typed) = run(&h, with(case)).await;
        let detail = typed.unwrap_err().to_string();
        for secret in ["PUB_KEY_ID", "leak-", "code-", "APIv3", "SM2", "serial"] {
            assert!(!body.contains(secret), "{body} leaks {secret}");
        }
        assert!(
            detail.len() > body.len(),
            "the log message is the detailed one: {detail}"
        );
    }
}

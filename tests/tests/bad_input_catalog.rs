//! The bad-input catalog (issue 12): one table of hostile inputs over key loading, signature
//! verification and opening a notification. Each case names its input and the error variant
//! it must produce; the harness runs every case under `catch_unwind` and checks that it did not
//! panic, failed with exactly that variant, and that nothing reached the user's function (the
//! code a merchant runs on an opened notification).
//!
//! The weaknesses found in other WeChat Pay SDKs are here by name: stale timestamps accepted,
//! GCM tags never checked, nonces that are not 12 bytes accepted, a crash on a probe signature.
//! Expected variants are written as the start of the error's `Debug` text, so a case states the
//! whole chain (`NotificationUnverified(SignatureProbe)`), not only the outer variant.

use std::cell::Cell;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use busifavor::callback::CallbackHandler;
use bytes::Bytes;
use http_body_util::Full;

use serde_json::{Value, json};
use wxpay_crypto::{
    ApiV2Key, ApiV3Key, Clock, FixedClock, MerchantPrivateKey, MerchantPublicKey,
    PlatformCertificate, SignatureHeaders, Signer, Verifier, WechatPayPublicKey,
    verification_string,
};
use wxpay_model::{Notification, open_notification_from_headers};

const KEY_ID: &str = "PUB_KEY_ID_0000000000000000000000000000000001";
const CERT_SERIAL: &str = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1";
const APIV3: &str = "0123456789abcdefghijklmnopqrstuv";
/// 2027-01-01T00:00:00Z: inside the test platform certificate's validity.
const NOW: i64 = 1_798_761_600;
const NONCE: &str = "c5ac7061fccab6bf3e254dcf98995b8c";
const GCM_NONCE: &str = "j9g1wAzF9Xn1";
/// The callback handler's reply timeout in these cases (WeChat Pay allows 5 s).
const HANDLER_TIMEOUT: Duration = Duration::from_secs(1);
const COUPON_SEND: &str = r#"{"event_type":"EVENT_TYPE_BUSICOUPON_SEND","coupon_code":"1227944959000000911017","stock_id":"1286950000000039","send_time":"2019-12-17T10:35:53+08:00","openid":"odXnH1CJjeQoWTld48db-pnxs-Wg","unionid":"oOuyajgxj0oVwjocSoQm6mp7PGKw","send_channel":"BUSICOUPON_SEND_CHANNEL_PAYGIFT","send_merchant":"98568888","attach_info":{"transaction_id":"4200000462220200226114599","act_code":"540358695"}}"#;

fn testdata(name: &str) -> PathBuf {
    [
        env!("CARGO_MANIFEST_DIR"),
        "..",
        "crates",
        "wxpay-crypto",
        "testdata",
        name,
    ]
    .iter()
    .collect()
}

fn pem(name: &str) -> String {
    std::fs::read_to_string(testdata(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn der(name: &str) -> Vec<u8> {
    std::fs::read(testdata(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The keys every case shares: "WeChat Pay"'s signing key, a verifier holding its public key
/// and its platform certificate, and the merchant's APIv3 key.
struct World {
    wechat: Signer,
    merchant: Signer,
    verifier: Verifier,
    apiv3: ApiV3Key,
    runtime: tokio::runtime::Runtime,
    /// The merchant's callback handler (busifavor), 1 s timeout, in-memory store.
    handler: CallbackHandler,
    /// How often the handler's user function ran.
    handler_calls: Arc<AtomicUsize>,
    /// The status the handler answered in the last handler case.
    last_status: Cell<Option<u16>>,
}

impl World {
    fn new() -> Self {
        let wechat_key = MerchantPrivateKey::from_pem(&pem("wechatpay_key.pem")).expect("key");
        let merchant_key = MerchantPrivateKey::from_pem(&pem("merchant_key.pem")).expect("key");
        let verifier = Verifier::new()
            .with_public_key(
                KEY_ID,
                WechatPayPublicKey::from_pem(&pem("wechatpay_pub.pem")).expect("pub"),
            )
            .with_certificate(
                PlatformCertificate::from_pem(&pem("platform_cert.pem")).expect("cert"),
            );
        let handler_calls = Arc::new(AtomicUsize::new(0));
        let calls = handler_calls.clone();
        let handler = CallbackHandler::builder()
            .verifier(verifier.clone())
            .api_v3_key(ApiV3Key::new(APIV3).expect("apiv3"))
            .clock(FixedClock(NOW))
            .timeout(HANDLER_TIMEOUT)
            .lease(Duration::from_secs(10))
            .on_coupon_send(move |_event, _meta| {
                let calls = calls.clone();
                async move {
                    calls.fetch_add(1, Ordering::SeqCst);
                    Ok::<(), std::io::Error>(())
                }
            })
            .build()
            .expect("handler");
        Self {
            wechat: Signer::new("wechat", CERT_SERIAL, wechat_key).expect("signer"),
            merchant: Signer::new("1900009191", "1DDE55AD", merchant_key).expect("signer"),
            verifier,
            apiv3: ApiV3Key::new(APIV3).expect("apiv3"),
            runtime: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime"),
            handler,
            handler_calls,
            last_status: Cell::new(None),
        }
    }

    fn sign(&self, timestamp: &str, nonce: &str, body: &[u8]) -> String {
        self.wechat
            .sign_bytes(&verification_string(timestamp, nonce, body))
            .expect("sign")
    }

    /// The headers WeChat Pay sends with `body` at `ts`, signed over exactly that.
    fn headers(&self, ts: i64, body: &[u8]) -> Vec<(String, String)> {
        let ts = ts.to_string();
        vec![
            ("Wechatpay-Timestamp".into(), ts.clone()),
            ("Wechatpay-Nonce".into(), NONCE.into()),
            ("Wechatpay-Signature".into(), self.sign(&ts, NONCE, body)),
            ("Wechatpay-Serial".into(), KEY_ID.into()),
            (
                "Wechatpay-Signature-Type".into(),
                "WECHATPAY2-SHA256-RSA2048".into(),
            ),
            ("Content-Type".into(), "application/json".into()),
        ]
    }

    /// Base64 `ciphertext || tag` of `plaintext`.
    fn seal(&self, associated_data: &str, plaintext: &[u8]) -> String {
        self.apiv3
            .encrypt(associated_data, GCM_NONCE, plaintext)
            .expect("encrypt")
    }

    /// A notification envelope around `resource`.
    fn envelope(&self, event_type: &str, resource: Value) -> Vec<u8> {
        json!({
            "id": "8b33f79f-8869-5ae5-b41b-3c0b59f957d0",
            "create_time": "2026-12-31T16:00:00+08:00",
            "resource_type": "encrypt-resource",
            "event_type": event_type,
            "summary": "商家券领券通知",
            "resource": resource,
        })
        .to_string()
        .into_bytes()
    }

    /// A COUPON.SEND envelope whose resource is `plaintext`, sealed correctly.
    fn coupon_send(&self, plaintext: &[u8]) -> Vec<u8> {
        self.envelope("COUPON.SEND", self.resource(plaintext))
    }

    fn resource(&self, plaintext: &[u8]) -> Value {
        json!({
            "original_type": "coupon",
            "algorithm": "AEAD_AES_256_GCM",
            "ciphertext": self.seal("coupon", plaintext),
            "associated_data": "coupon",
            "nonce": GCM_NONCE,
        })
    }

    /// `resource` of a correct COUPON.SEND with one field replaced.
    fn resource_with(&self, field: &str, value: Value) -> Value {
        let mut r = self.resource(COUPON_SEND.as_bytes());
        r[field] = value;
        r
    }

    /// Opens `body` with `headers` as a merchant's handler does, calling `user` only with a
    /// notification that opened.
    fn open(
        &self,
        headers: &[(String, String)],
        body: &[u8],
        user: &mut dyn FnMut(&Notification),
    ) -> Outcome {
        let opened = open_notification_from_headers(
            headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            body,
            &self.verifier,
            &self.apiv3,
            &FixedClock(NOW),
        );
        match opened {
            Ok(n) => {
                user(&n);
                Ok(())
            }
            Err(e) => Err(format!("{e:?}")),
        }
    }

    /// Opens a correctly signed `body`.
    fn open_signed(&self, body: &[u8], user: &mut dyn FnMut(&Notification)) -> Outcome {
        self.open(&self.headers(NOW, body), body, user)
    }

    /// Hands a delivery to the callback handler as a web server would; records the status.
    fn deliver<B>(&self, request: hyper::Request<B>) -> Outcome
    where
        B: hyper::body::Body,
        B::Error: Into<busifavor::callback::BoxError>,
    {
        let result = self.runtime.block_on(self.handler.process(request));
        self.last_status
            .set(Some(self.handler.respond(&result).status().as_u16()));
        err(result)
    }

    /// A POST of `body` with `headers` (and `Content-Type: application/json` among them).
    fn post(&self, headers: &[(String, String)], body: Vec<u8>) -> Outcome {
        self.deliver(request("POST", headers, body))
    }

    fn verify(&self, headers: &SignatureHeaders<'_>, body: &[u8]) -> Outcome {
        self.verifier
            .verify(headers, body, NOW)
            .map_err(|e| format!("{e:?}"))
    }
}

/// A request to the notify URL.
fn request(
    method: &str,
    headers: &[(String, String)],
    body: Vec<u8>,
) -> hyper::Request<Full<Bytes>> {
    let mut builder = hyper::Request::builder()
        .method(method)
        .uri("/wechatpay/coupon");
    for (k, v) in headers {
        builder = builder.header(
            k.as_str(),
            hyper::header::HeaderValue::from_bytes(v.as_bytes()).expect("header value"),
        );
    }
    builder.body(Full::new(Bytes::from(body))).expect("request")
}

/// A body that arrives one byte per `every`, like a client trickling it over TCP.
struct Trickle {
    bytes: Vec<u8>,
    sent: usize,
    every: Duration,
    next: Pin<Box<tokio::time::Sleep>>,
}

impl Trickle {
    fn new(bytes: Vec<u8>, every: Duration) -> Self {
        Self {
            bytes,
            sent: 0,
            every,
            next: Box::pin(tokio::time::sleep(every)),
        }
    }
}

impl hyper::body::Body for Trickle {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<hyper::body::Frame<Bytes>, std::io::Error>>> {
        if self.sent == self.bytes.len() {
            return Poll::Ready(None);
        }
        match self.next.as_mut().poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(()) => {
                let every = self.every;
                self.next
                    .as_mut()
                    .reset(tokio::time::Instant::now() + every);
                let byte = Bytes::copy_from_slice(&self.bytes[self.sent..self.sent + 1]);
                self.sent += 1;
                Poll::Ready(Some(Ok(hyper::body::Frame::data(byte))))
            }
        }
    }
}

/// `Ok` or the `Debug` text of the error.
type Outcome = Result<(), String>;

type Run = Box<dyn Fn(&World, &mut dyn FnMut(&Notification)) -> Outcome>;

struct Case {
    /// What the input is.
    name: &'static str,
    /// The start of the expected error's `Debug` text: its variant, and the inner variant where
    /// there is one.
    expect: &'static str,
    /// For the callback handler: the HTTP status it must answer.
    status: Option<u16>,
    run: Run,
}

fn case(
    name: &'static str,
    expect: &'static str,
    run: impl Fn(&World, &mut dyn FnMut(&Notification)) -> Outcome + 'static,
) -> Case {
    Case {
        name,
        expect,
        status: None,
        run: Box::new(run),
    }
}

/// A case for the callback handler: the error variant and the HTTP status it answers.
fn handler_case(
    name: &'static str,
    expect: &'static str,
    status: u16,
    run: impl Fn(&World) -> Outcome + 'static,
) -> Case {
    Case {
        name,
        expect,
        status: Some(status),
        run: Box::new(move |w, _| run(w)),
    }
}

/// A `SignatureHeaders` from the four values (other fields, present or future, default).
#[allow(
    clippy::needless_update,
    reason = "SignatureHeaders is gaining fields (Wechatpay-Signature-Type); the cases need only these four"
)]
fn sig_headers<'a>(
    timestamp: &'a str,
    nonce: &'a str,
    signature: &'a str,
    serial: &'a str,
) -> SignatureHeaders<'a> {
    SignatureHeaders {
        timestamp,
        nonce,
        signature,
        serial,
        ..SignatureHeaders::default()
    }
}

fn err<T, E: std::fmt::Debug>(r: Result<T, E>) -> Outcome {
    r.map(|_| ()).map_err(|e| format!("{e:?}"))
}

/// Replaces the value of header `name` (any case) in a list of pairs.
fn with_header(
    mut headers: Vec<(String, String)>,
    name: &str,
    value: &str,
) -> Vec<(String, String)> {
    for (k, v) in &mut headers {
        if k.eq_ignore_ascii_case(name) {
            *v = value.to_owned();
        }
    }
    headers
}

fn without_header(headers: Vec<(String, String)>, name: &str) -> Vec<(String, String)> {
    headers
        .into_iter()
        .filter(|(k, _)| !k.eq_ignore_ascii_case(name))
        .collect()
}

fn key_loading() -> Vec<Case> {
    let private = |text: String| err(MerchantPrivateKey::from_pem(&text));
    let public = |text: String| err(WechatPayPublicKey::from_pem(&text));
    vec![
        case("private key: empty text", "EmptyInput", move |_, _| {
            private(String::new())
        }),
        case(
            "private key: only white space",
            "EmptyInput",
            move |_, _| private(" \n\t\n".into()),
        ),
        case(
            "private key: a file path instead of its contents",
            "Malformed",
            move |_, _| private("/etc/wxpay/apiclient_key.pem".into()),
        ),
        case(
            "private key: the public key file",
            "WrongPemKind",
            move |_, _| private(pem("merchant_pub.pem")),
        ),
        case(
            "private key: the platform certificate",
            "WrongPemKind",
            move |_, _| private(pem("platform_cert.pem")),
        ),
        case(
            "private key: encrypted PKCS#8",
            "EncryptedKey",
            move |_, _| private(pem("encrypted_pkcs8.pem")),
        ),
        case(
            "private key: encrypted PKCS#1",
            "EncryptedKey",
            move |_, _| private(pem("encrypted_pkcs1.pem")),
        ),
        case("private key: P-256 EC key", "NotRsa", move |_, _| {
            private(pem("ec_key.pem"))
        }),
        case("private key: RSA-1024", "KeyTooSmall", move |_, _| {
            private(pem("small_key.pem"))
        }),
        case(
            "private key: RSA-8192 (too large to sign with)",
            "KeyTooLarge",
            move |_, _| private(pem("rsa8192_key.pem")),
        ),
        case(
            "private key: public exponent 3",
            "KeyRejected",
            move |_, _| private(pem("exponent3_key.pem")),
        ),
        case(
            "private key: PEM cut in the middle",
            "Malformed",
            move |_, _| {
                let text = pem("merchant_key.pem");
                private(text[..text.len() / 2].to_owned())
            },
        ),
        case(
            "private key: PEM body not base64",
            "Malformed",
            move |_, _| {
                private(
                    "-----BEGIN PRIVATE KEY-----\n%%%%not base64%%%%\n-----END PRIVATE KEY-----\n"
                        .into(),
                )
            },
        ),
        case(
            "private key: valid base64 of garbage DER",
            "Malformed",
            move |_, _| {
                private(
                    "-----BEGIN PRIVATE KEY-----\nAAAAAAAAAAAAAAAA\n-----END PRIVATE KEY-----\n"
                        .into(),
                )
            },
        ),
        case(
            "private key: two keys in one file",
            "Malformed",
            move |_, _| {
                let one = pem("merchant_key.pem");
                private(format!("{one}{one}"))
            },
        ),
        case("private key DER: random bytes", "Malformed", |_, _| {
            err(MerchantPrivateKey::from_der(&[
                0x30, 0x82, 0xff, 0xff, 1, 2, 3,
            ]))
        }),
        case(
            "private key DER: a public key's DER",
            "WrongDerKind",
            |_, _| err(MerchantPrivateKey::from_der(&der("merchant_pub_pkcs1.der"))),
        ),
        case("public key: RSA-8200", "KeyTooLarge", move |_, _| {
            public(pem("rsa8200_pub.pem"))
        }),
        case("public key: RSA-1024", "KeyTooSmall", move |_, _| {
            public(pem("small_pub.pem"))
        }),
        case("public key: P-256 EC key", "NotRsa", move |_, _| {
            public(pem("ec_pub.pem"))
        }),
        case(
            "public key: the private key file",
            "WrongPemKind",
            move |_, _| public(pem("merchant_key.pem")),
        ),
        case("merchant public key: empty", "EmptyInput", |_, _| {
            err(MerchantPublicKey::from_pem(""))
        }),
        case("certificate: serial 0", "Malformed", |_, _| {
            err(PlatformCertificate::from_pem(&pem("cert_serial_zero.pem")))
        }),
        case("certificate: negative serial", "Malformed", |_, _| {
            err(PlatformCertificate::from_pem(&pem(
                "cert_serial_negative.pem",
            )))
        }),
        case(
            "certificate: a public key instead",
            "WrongPemKind",
            |_, _| err(PlatformCertificate::from_pem(&pem("wechatpay_pub.pem"))),
        ),
        case(
            "certificate DER: invalid UTF-8 bytes",
            "Malformed",
            |_, _| {
                err(PlatformCertificate::from_der(&[
                    0xff, 0xfe, 0xc3, 0x28, 0x80,
                ]))
            },
        ),
        case(
            "APIv3 key: 31 bytes",
            "InvalidKeyLength { which: \"APIv3\", len: 31",
            |_, _| err(ApiV3Key::new(&APIV3[1..])),
        ),
        case(
            "APIv3 key: pasted with its newline",
            "InvalidKeyLength { which: \"APIv3\", len: 33",
            |_, _| err(ApiV3Key::new(format!("{APIV3}\n"))),
        ),
        case(
            "APIv3 key: empty",
            "InvalidKeyLength { which: \"APIv3\", len: 0",
            |_, _| err(ApiV3Key::new("")),
        ),
        case(
            "APIv3 key: 32 characters, 64 bytes (non-ASCII)",
            "InvalidKeyLength { which: \"APIv3\", len: 64",
            |_, _| err(ApiV3Key::new("密".repeat(21) + "x")),
        ),
        case(
            "APIv2 key: 33 bytes",
            "InvalidKeyLength { which: \"APIv2\", len: 33",
            |_, _| err(ApiV2Key::new(format!("{APIV3}x"))),
        ),
    ]
}

fn now() -> String {
    NOW.to_string()
}

fn signed(w: &World, timestamp: &str, body: &[u8]) -> String {
    w.sign(timestamp, NONCE, body)
}

fn verification() -> Vec<Case> {
    const BODY: &[u8] = br#"{"stock_id":"98065001","create_time":"2015-05-20T13:29:35+08:00"}"#;
    // Each case signs with the real key, then breaks one thing.
    vec![
        case(
            "2xx answer without any signature header",
            "MissingHeader { header: \"Wechatpay-Timestamp\"",
            |w, _| w.verify(&SignatureHeaders::default(), BODY),
        ),
        case(
            "signature header missing",
            "MissingHeader { header: \"Wechatpay-Signature\"",
            |w, _| w.verify(&sig_headers(&now(), NONCE, "", KEY_ID), BODY),
        ),
        case(
            "serial header missing",
            "MissingHeader { header: \"Wechatpay-Serial\"",
            |w, _| {
                let sig = signed(w, &now(), BODY);
                w.verify(&sig_headers(&now(), NONCE, &sig, ""), BODY)
            },
        ),
        case(
            "stale timestamp: exactly 300 s old (a replay)",
            "TimestampOutOfWindow",
            |w, _| {
                let ts = (NOW - 300).to_string();
                let sig = signed(w, &ts, BODY);
                w.verify(&sig_headers(&ts, NONCE, &sig, KEY_ID), BODY)
            },
        ),
        case(
            "stale timestamp: a capture from a year ago",
            "TimestampOutOfWindow",
            |w, _| {
                let ts = (NOW - 365 * 86_400).to_string();
                let sig = signed(w, &ts, BODY);
                w.verify(&sig_headers(&ts, NONCE, &sig, KEY_ID), BODY)
            },
        ),
        case(
            "timestamp 300 s in the future",
            "TimestampOutOfWindow",
            |w, _| {
                let ts = (NOW + 300).to_string();
                let sig = signed(w, &ts, BODY);
                w.verify(&sig_headers(&ts, NONCE, &sig, KEY_ID), BODY)
            },
        ),
        case(
            "timestamp in milliseconds",
            "TimestampOutOfWindow",
            |w, _| {
                let ts = (NOW * 1000).to_string();
                let sig = signed(w, &ts, BODY);
                w.verify(&sig_headers(&ts, NONCE, &sig, KEY_ID), BODY)
            },
        ),
        case("timestamp negative", "MalformedTimestamp", |w, _| {
            w.verify(&sig_headers("-1", NONCE, "c2ln", KEY_ID), BODY)
        }),
        case("timestamp with a sign", "MalformedTimestamp", |w, _| {
            w.verify(&sig_headers("+1798761600", NONCE, "c2ln", KEY_ID), BODY)
        }),
        case(
            "timestamp in scientific notation",
            "MalformedTimestamp",
            |w, _| w.verify(&sig_headers("1.7987616e9", NONCE, "c2ln", KEY_ID), BODY),
        ),
        case(
            "timestamp of 25 digits (overflow)",
            "MalformedTimestamp",
            |w, _| w.verify(&sig_headers(&"9".repeat(25), NONCE, "c2ln", KEY_ID), BODY),
        ),
        case("timestamp with a NUL byte", "MalformedTimestamp", |w, _| {
            w.verify(&sig_headers("1798761600\0", NONCE, "c2ln", KEY_ID), BODY)
        }),
        case(
            "timestamp re-encoded with a leading zero",
            "SignatureMismatch",
            |w, _| {
                let sig = signed(w, &now(), BODY);
                w.verify(
                    &sig_headers(&format!("0{}", now()), NONCE, &sig, KEY_ID),
                    BODY,
                )
            },
        ),
        case(
            "nonce with a line break (moves the signed boundary)",
            "MalformedNonce",
            |w, _| w.verify(&sig_headers(&now(), "abc\n{}", "c2ln", KEY_ID), BODY),
        ),
        case(
            "nonce with a control character (ESC)",
            "MalformedNonce",
            |w, _| w.verify(&sig_headers(&now(), "abc\u{1b}[2J", "c2ln", KEY_ID), BODY),
        ),
        case("nonce with DEL", "MalformedNonce", |w, _| {
            w.verify(&sig_headers(&now(), "abc\u{7f}", "c2ln", KEY_ID), BODY)
        }),
        case("nonce with a space", "MalformedNonce", |w, _| {
            w.verify(&sig_headers(&now(), "a b", "c2ln", KEY_ID), BODY)
        }),
        case("nonce of 64 KiB, signed", "SignatureMismatch", |w, _| {
            let nonce = "n".repeat(65_536);
            let sig = w.sign(&now(), NONCE, BODY);
            w.verify(&sig_headers(&now(), &nonce, &sig, KEY_ID), BODY)
        }),
        case("unknown serial", "UnknownSerial", |w, _| {
            let sig = signed(w, &now(), BODY);
            w.verify(
                &sig_headers(
                    &now(),
                    NONCE,
                    &sig,
                    "PUB_KEY_ID_0000000000000000000000000000000002",
                ),
                BODY,
            )
        }),
        case("serial with control characters", "UnknownSerial", |w, _| {
            let sig = signed(w, &now(), BODY);
            w.verify(
                &sig_headers(&now(), NONCE, &sig, "PUB_KEY_ID_\u{0}\u{1b}[31m"),
                BODY,
            )
        }),
        case(
            "probe signature WECHATPAY/SIGNTEST/ (must fail, not crash)",
            "SignatureProbe",
            |w, _| {
                w.verify(
                    &sig_headers(
                        &now(),
                        NONCE,
                        "WECHATPAY/SIGNTEST/RjM1Y2FlYjM5MjQ2ZWMxNzJlNTQ3NmMwYjFjZDhjNjY=",
                        KEY_ID,
                    ),
                    BODY,
                )
            },
        ),
        case("signature not base64", "SignatureNotBase64", |w, _| {
            w.verify(&sig_headers(&now(), NONCE, "not*base64!", KEY_ID), BODY)
        }),
        case(
            "signature of 4 KiB (longer than any key)",
            "SignatureMismatch",
            |w, _| {
                let sig = base64::Engine::encode(
                    &base64::engine::general_purpose::STANDARD,
                    vec![7u8; 4096],
                );
                w.verify(&sig_headers(&now(), NONCE, &sig, KEY_ID), BODY)
            },
        ),
        case(
            "signature by the merchant's key, not WeChat Pay's",
            "SignatureMismatch",
            |w, _| {
                let sig = w
                    .merchant
                    .sign_bytes(&verification_string(&now(), NONCE, BODY))
                    .expect("sign");
                w.verify(&sig_headers(&now(), NONCE, &sig, KEY_ID), BODY)
            },
        ),
        case("body with one byte changed", "SignatureMismatch", |w, _| {
            let ts = NOW.to_string();
            let sig = signed(w, &ts, BODY);
            let mut body = BODY.to_vec();
            body[5] ^= 1;
            w.verify(&sig_headers(&ts, NONCE, &sig, KEY_ID), &body)
        }),
        case(
            "body re-serialized (pretty-printed JSON)",
            "SignatureMismatch",
            |w, _| {
                let ts = NOW.to_string();
                let sig = signed(w, &ts, BODY);
                let value: Value = serde_json::from_slice(BODY).expect("json");
                let pretty = serde_json::to_vec_pretty(&value).expect("json");
                w.verify(&sig_headers(&ts, NONCE, &sig, KEY_ID), &pretty)
            },
        ),
        case(
            "empty 204 body with a signature over a non-empty one",
            "SignatureMismatch",
            |w, _| {
                let ts = NOW.to_string();
                let sig = signed(w, &ts, BODY);
                w.verify(&sig_headers(&ts, NONCE, &sig, KEY_ID), b"")
            },
        ),
        case(
            "certificate serial, certificate not yet valid",
            "CertificateNotValid",
            |w, _| {
                let ts = "1700000000";
                let sig = signed(w, ts, BODY);
                w.verifier
                    .verify(
                        &sig_headers(ts, NONCE, &sig, CERT_SERIAL),
                        BODY,
                        1_700_000_000,
                    )
                    .map_err(|e| format!("{e:?}"))
            },
        ),
    ]
}

fn opening() -> Vec<Case> {
    let deep = |depth: usize| format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    vec![
        // ----- before anything is parsed: the signature --------------------------------------
        case(
            "notification: body changed after signing",
            "NotificationUnverified(SignatureMismatch)",
            |w, user| {
                let body = w.coupon_send(COUPON_SEND.as_bytes());
                let headers = w.headers(NOW, &body);
                let mut altered = body.clone();
                altered[10] ^= 1;
                w.open(&headers, &altered, user)
            },
        ),
        case(
            "notification: probe signature",
            "NotificationUnverified(SignatureProbe)",
            |w, user| {
                let body = w.coupon_send(COUPON_SEND.as_bytes());
                let headers = with_header(
                    w.headers(NOW, &body),
                    "wechatpay-signature",
                    "WECHATPAY/SIGNTEST/abc=",
                );
                w.open(&headers, &body, user)
            },
        ),
        case(
            "notification: replayed 10 minutes later",
            "NotificationUnverified(TimestampOutOfWindow",
            |w, user| {
                let body = w.coupon_send(COUPON_SEND.as_bytes());
                w.open(&w.headers(NOW - 600, &body), &body, user)
            },
        ),
        case(
            "notification: no Wechatpay-* headers at all",
            "NotificationUnverified(MissingHeader",
            |w, user| {
                let body = w.coupon_send(COUPON_SEND.as_bytes());
                w.open(
                    &[("Content-Type".into(), "application/json".into())],
                    &body,
                    user,
                )
            },
        ),
        case(
            "notification: signature header removed",
            "NotificationUnverified(MissingHeader { header: \"Wechatpay-Signature\"",
            |w, user| {
                let body = w.coupon_send(COUPON_SEND.as_bytes());
                let headers = without_header(w.headers(NOW, &body), "wechatpay-signature");
                w.open(&headers, &body, user)
            },
        ),
        case(
            "notification: nonce header with a control character",
            "NotificationUnverified(MalformedNonce",
            |w, user| {
                let body = w.coupon_send(COUPON_SEND.as_bytes());
                let headers =
                    with_header(w.headers(NOW, &body), "wechatpay-nonce", "c5ac\u{7}7061");
                w.open(&headers, &body, user)
            },
        ),
        case(
            "notification: signature of another notification",
            "NotificationUnverified(SignatureMismatch)",
            |w, user| {
                let body = w.coupon_send(COUPON_SEND.as_bytes());
                let other = w.coupon_send(COUPON_SEND.replace("98568888", "98568889").as_bytes());
                w.open(&w.headers(NOW, &other), &body, user)
            },
        ),
        case(
            "notification: Wechatpay-Timestamp twice, a stale copy added",
            "NotificationUnverified(DuplicateHeader { header: \"Wechatpay-Timestamp\"",
            |w, user| {
                let body = w.coupon_send(COUPON_SEND.as_bytes());
                let mut headers = w.headers(NOW, &body);
                headers.push(("wechatpay-timestamp".into(), (NOW - 3600).to_string()));
                w.open(&headers, &body, user)
            },
        ),
        case(
            "notification: Wechatpay-Signature twice with different values",
            "NotificationUnverified(DuplicateHeader { header: \"Wechatpay-Signature\"",
            |w, user| {
                let body = w.coupon_send(COUPON_SEND.as_bytes());
                let mut headers = w.headers(NOW, &body);
                headers.insert(
                    0,
                    ("WECHATPAY-SIGNATURE".into(), "WECHATPAY/SIGNTEST/x".into()),
                );
                w.open(&headers, &body, user)
            },
        ),
        case(
            "notification: Wechatpay-Serial twice (public key id and certificate serial)",
            "NotificationUnverified(DuplicateHeader { header: \"Wechatpay-Serial\"",
            |w, user| {
                let body = w.coupon_send(COUPON_SEND.as_bytes());
                let mut headers = w.headers(NOW, &body);
                headers.push(("Wechatpay-Serial".into(), CERT_SERIAL.into()));
                w.open(&headers, &body, user)
            },
        ),
        case(
            "notification: Wechatpay-Nonce twice, the copy with a control character",
            "NotificationUnverified(DuplicateHeader { header: \"Wechatpay-Nonce\"",
            |w, user| {
                let body = w.coupon_send(COUPON_SEND.as_bytes());
                let mut headers = w.headers(NOW, &body);
                headers.push(("Wechatpay-Nonce".into(), format!("{NONCE}\u{0}")));
                w.open(&headers, &body, user)
            },
        ),
        // ----- signed, but not an envelope ---------------------------------------------------
        case(
            "notification: signed empty body",
            "NotificationEnvelope",
            |w, user| w.open_signed(b"", user),
        ),
        case(
            "notification: signed body that is not JSON",
            "NotificationEnvelope",
            |w, user| w.open_signed(b"<xml><return_code>SUCCESS</return_code></xml>", user),
        ),
        case(
            "notification: signed body with invalid UTF-8",
            "NotificationEnvelope",
            |w, user| {
                let mut body = w.coupon_send(COUPON_SEND.as_bytes());
                body[2] = 0xff;
                w.open_signed(&body, user)
            },
        ),
        case(
            "notification: signed JSON nested 100 000 deep",
            "NotificationEnvelope",
            move |w, user| w.open_signed(deep(100_000).as_bytes(), user),
        ),
        case(
            "notification: signed envelope with a duplicated key",
            "NotificationEnvelope",
            |w, user| {
                let body = w.coupon_send(COUPON_SEND.as_bytes());
                let text = String::from_utf8(body).expect("utf-8");
                let dup = text.replacen("{\"", "{\"event_type\":\"OTHER.EVENT\",\"", 1);
                w.open_signed(dup.as_bytes(), user)
            },
        ),
        case(
            "notification: envelope without resource",
            "NotificationEnvelope",
            |w, user| {
                let mut env: Value = serde_json::from_slice(&w.coupon_send(b"{}")).expect("json");
                env.as_object_mut().expect("object").remove("resource");
                w.open_signed(env.to_string().as_bytes(), user)
            },
        ),
        case(
            "notification: resource_type not encrypt-resource",
            "UnsupportedResourceType",
            |w, user| {
                let mut env: Value =
                    serde_json::from_slice(&w.coupon_send(COUPON_SEND.as_bytes())).expect("json");
                env["resource_type"] = json!("plain-resource");
                w.open_signed(env.to_string().as_bytes(), user)
            },
        ),
        case(
            "notification: algorithm AEAD_SM4_GCM",
            "UnsupportedAlgorithm",
            |w, user| {
                let body = w.envelope(
                    "COUPON.SEND",
                    w.resource_with("algorithm", json!("AEAD_SM4_GCM")),
                );
                w.open_signed(&body, user)
            },
        ),
        case(
            "notification: algorithm in lower case",
            "UnsupportedAlgorithm",
            |w, user| {
                let body = w.envelope(
                    "COUPON.SEND",
                    w.resource_with("algorithm", json!("aead_aes_256_gcm")),
                );
                w.open_signed(&body, user)
            },
        ),
        // ----- AES-GCM: nonce length, tag, key --------------------------------------------------
        case(
            "notification: GCM nonce of 11 bytes",
            "NotificationDecrypt(InvalidAeadNonce { len: 11 })",
            |w, user| {
                let body = w.envelope(
                    "COUPON.SEND",
                    w.resource_with("nonce", json!("j9g1wAzF9Xn")),
                );
                w.open_signed(&body, user)
            },
        ),
        case(
            "notification: GCM nonce of 16 bytes",
            "NotificationDecrypt(InvalidAeadNonce { len: 16 })",
            |w, user| {
                let body = w.envelope(
                    "COUPON.SEND",
                    w.resource_with("nonce", json!("j9g1wAzF9Xn1abcd")),
                );
                w.open_signed(&body, user)
            },
        ),
        case(
            "notification: GCM nonce empty",
            "NotificationDecrypt(InvalidAeadNonce { len: 0 })",
            |w, user| {
                let body = w.envelope("COUPON.SEND", w.resource_with("nonce", json!("")));
                w.open_signed(&body, user)
            },
        ),
        case(
            "notification: GCM nonce of 12 characters but 36 bytes",
            "NotificationDecrypt(InvalidAeadNonce { len: 36 })",
            |w, user| {
                let body = w.envelope(
                    "COUPON.SEND",
                    w.resource_with("nonce", json!("领券领券领券领券领券领券")),
                );
                w.open_signed(&body, user)
            },
        ),
        case(
            "notification: GCM tag with one bit flipped",
            "NotificationDecrypt(DecryptFailed)",
            |w, user| {
                let sealed = base64::Engine::decode(
                    &base64::engine::general_purpose::STANDARD,
                    w.seal("coupon", COUPON_SEND.as_bytes()),
                )
                .expect("b64");
                let mut tampered = sealed;
                let last = tampered.len() - 1;
                tampered[last] ^= 0x80;
                let ct =
                    base64::Engine::encode(&base64::engine::general_purpose::STANDARD, tampered);
                let body = w.envelope("COUPON.SEND", w.resource_with("ciphertext", json!(ct)));
                w.open_signed(&body, user)
            },
        ),
        case(
            "notification: GCM tag stripped (ciphertext only)",
            "NotificationDecrypt(DecryptFailed)",
            |w, user| {
                let sealed = base64::Engine::decode(
                    &base64::engine::general_purpose::STANDARD,
                    w.seal("coupon", COUPON_SEND.as_bytes()),
                )
                .expect("b64");
                let ct = base64::Engine::encode(
                    &base64::engine::general_purpose::STANDARD,
                    &sealed[..sealed.len() - 16],
                );
                let body = w.envelope("COUPON.SEND", w.resource_with("ciphertext", json!(ct)));
                w.open_signed(&body, user)
            },
        ),
        case(
            "notification: GCM tag truncated to 12 bytes",
            "NotificationDecrypt(DecryptFailed)",
            |w, user| {
                let sealed = base64::Engine::decode(
                    &base64::engine::general_purpose::STANDARD,
                    w.seal("coupon", COUPON_SEND.as_bytes()),
                )
                .expect("b64");
                let ct = base64::Engine::encode(
                    &base64::engine::general_purpose::STANDARD,
                    &sealed[..sealed.len() - 4],
                );
                let body = w.envelope("COUPON.SEND", w.resource_with("ciphertext", json!(ct)));
                w.open_signed(&body, user)
            },
        ),
        case(
            "notification: ciphertext shorter than a tag",
            "NotificationDecrypt(DecryptFailed)",
            |w, user| {
                let body = w.envelope(
                    "COUPON.SEND",
                    w.resource_with("ciphertext", json!("AAAAAAAAAAA=")),
                );
                w.open_signed(&body, user)
            },
        ),
        case(
            "notification: ciphertext empty",
            "NotificationDecrypt(DecryptFailed)",
            |w, user| {
                let body = w.envelope("COUPON.SEND", w.resource_with("ciphertext", json!("")));
                w.open_signed(&body, user)
            },
        ),
        case(
            "notification: ciphertext not base64",
            "NotificationDecrypt(CiphertextNotBase64)",
            |w, user| {
                let body = w.envelope(
                    "COUPON.SEND",
                    w.resource_with("ciphertext", json!("!!not base64!!")),
                );
                w.open_signed(&body, user)
            },
        ),
        case(
            "notification: associated data changed",
            "NotificationDecrypt(DecryptFailed)",
            |w, user| {
                let body = w.envelope(
                    "COUPON.SEND",
                    w.resource_with("associated_data", json!("certificate")),
                );
                w.open_signed(&body, user)
            },
        ),
        case(
            "notification: sealed with another APIv3 key",
            "NotificationDecrypt(DecryptFailed)",
            |w, user| {
                let other = ApiV3Key::new("vutsrqponmlkjihgfedcba9876543210").expect("key");
                let ct = other
                    .encrypt("coupon", GCM_NONCE, COUPON_SEND)
                    .expect("encrypt");
                let body = w.envelope("COUPON.SEND", w.resource_with("ciphertext", json!(ct)));
                w.open_signed(&body, user)
            },
        ),
        case(
            "notification: 4 MiB of ciphertext (oversized)",
            "NotificationDecrypt(DecryptFailed)",
            |w, user| {
                let ct = "A".repeat(4 << 20);
                let body = w.envelope("COUPON.SEND", w.resource_with("ciphertext", json!(ct)));
                w.open_signed(&body, user)
            },
        ),
        // ----- decrypted, but not the event ---------------------------------------------------
        case(
            "notification: plaintext not JSON",
            "PlaintextNotJson",
            |w, user| w.open_signed(&w.coupon_send(b"coupon_code=1227944959000000911017"), user),
        ),
        case(
            "notification: plaintext invalid UTF-8",
            "PlaintextNotJson",
            |w, user| w.open_signed(&w.coupon_send(b"{\"coupon_code\":\"\xff\xfe\"}"), user),
        ),
        case(
            "notification: plaintext an array nested 100 000 deep",
            "EventPayload",
            move |w, user| w.open_signed(&w.coupon_send(deep(100_000).as_bytes()), user),
        ),
        case(
            "notification: plaintext with an unknown field nested 100 000 deep",
            "PlaintextNotJson",
            move |w, user| {
                let plain =
                    COUPON_SEND.replacen('{', &format!("{{\"send_req_no\":{},", deep(100_000)), 1);
                w.open_signed(&w.coupon_send(plain.as_bytes()), user)
            },
        ),
        case(
            "notification: plaintext of another event type, nested 100 000 deep",
            "PlaintextNotJson",
            move |w, user| {
                let body = w.envelope("TRANSACTION.SUCCESS", w.resource(deep(100_000).as_bytes()));
                w.open_signed(&body, user)
            },
        ),
        case(
            "notification: plaintext without coupon_code",
            "EventPayload",
            |w, user| {
                let plain = COUPON_SEND.replace("\"coupon_code\":\"1227944959000000911017\",", "");
                w.open_signed(&w.coupon_send(plain.as_bytes()), user)
            },
        ),
        case(
            "notification: plaintext with a malformed send_time",
            "EventPayload { event_type: \"COUPON.SEND\", source: MalformedTime",
            |w, user| {
                let plain = COUPON_SEND.replace("2019-12-17T10:35:53+08:00", "2019-12-17 10:35:53");
                w.open_signed(&w.coupon_send(plain.as_bytes()), user)
            },
        ),
        case(
            "notification: plaintext with coupon_code a number",
            "EventPayload",
            |w, user| {
                let plain = COUPON_SEND.replace("\"1227944959000000911017\"", "1227944959");
                w.open_signed(&w.coupon_send(plain.as_bytes()), user)
            },
        ),
        case(
            "notification: plaintext with a duplicated coupon_code",
            "EventPayload",
            |w, user| {
                let plain = COUPON_SEND.replacen('{', "{\"coupon_code\":\"FORGED\",", 1);
                w.open_signed(&w.coupon_send(plain.as_bytes()), user)
            },
        ),
        case(
            "notification: plaintext a JSON array",
            "EventPayload",
            |w, user| w.open_signed(&w.coupon_send(b"[1,2,3]"), user),
        ),
    ]
}

/// Answers every request on a loopback port with `head` (status line and headers, CRLF-ended)
/// and `body`, then calls the API once through a real `wxpay_http::Client`: the 2xx answer
/// must be refused before anything is parsed.
fn client_answer(head: String, body: Vec<u8>) -> Outcome {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let answer = [head.into_bytes(), b"\r\n".to_vec(), body].concat();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let answer = answer.clone();
                tokio::spawn(async move {
                    let mut request = Vec::new();
                    let mut buf = [0u8; 4096];
                    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                        match socket.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => request.extend_from_slice(&buf[..n]),
                        }
                    }
                    let _ = socket.write_all(&answer).await;
                    let _ = socket.shutdown().await;
                });
            }
        });
        let client = wxpay_http::Client::builder()
            .mchid("1900009191")
            .merchant_serial("1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C")
            .merchant_private_key_pem(pem("merchant_key.pem"))
            .wechatpay_public_key(KEY_ID, pem("wechatpay_pub.pem"))
            .api_v3_key(APIV3)
            .base_url(format!("http://{addr}"))
            .backup_url(None)
            .build()
            .expect("client");
        let request = wxpay_model::busifavor::QueryStockRequest::new("98065001");
        err(client.execute(&request).await)
    })
}

/// A signed 200 answer's head: status line, content headers and the four `Wechatpay-*` values.
fn answer_head(
    w: &World,
    ts: i64,
    body: &[u8],
    change: impl Fn(&mut Vec<(String, String)>),
) -> String {
    let mut headers = w.headers(ts, body);
    change(&mut headers);
    let mut head = format!(
        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\nRequest-ID: catalog\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head
}

fn client() -> Vec<Case> {
    const STOCK: &[u8] = br#"{"stock_id":"98065001","stock_name":"x","belong_merchant":"1900009191","goods_name":"g","stock_type":"NORMAL","coupon_code_mode":"WECHATPAY_MODE","stock_state":"RUNNING"}"#;
    vec![
        case(
            "client: 2xx answer without signature headers",
            "Verification { source: MissingHeader",
            |_, _| {
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
                    STOCK.len()
                );
                client_answer(head, STOCK.to_vec())
            },
        ),
        case(
            "client: 2xx answer with a probe signature",
            "Verification { source: SignatureProbe",
            |w, _| {
                let head = answer_head(w, wxpay_crypto::SystemClock.now_unix(), STOCK, |h| {
                    h.retain(|(k, _)| k != "Wechatpay-Signature");
                    h.push((
                        "Wechatpay-Signature".into(),
                        "WECHATPAY/SIGNTEST/abc".into(),
                    ));
                });
                client_answer(head, STOCK.to_vec())
            },
        ),
        case(
            "client: 2xx answer signed 10 minutes ago",
            "Verification { source: TimestampOutOfWindow",
            |w, _| {
                let ts = wxpay_crypto::SystemClock.now_unix() - 600;
                client_answer(answer_head(w, ts, STOCK, |_| {}), STOCK.to_vec())
            },
        ),
        case(
            "client: 2xx answer whose body was changed after signing",
            "Verification { source: SignatureMismatch",
            |w, _| {
                let ts = wxpay_crypto::SystemClock.now_unix();
                let head = answer_head(w, ts, STOCK, |_| {});
                let mut body = STOCK.to_vec();
                body[15] ^= 1;
                client_answer(head, body)
            },
        ),
        case(
            "client: 2xx answer with a control character in Wechatpay-Nonce",
            "MalformedAnswer {",
            |w, _| {
                let ts = wxpay_crypto::SystemClock.now_unix();
                let head = answer_head(w, ts, STOCK, |h| set(h, "Wechatpay-Nonce", "abc\x01def"));
                client_answer(head, STOCK.to_vec())
            },
        ),
        case(
            "client: 2xx answer with a 1 MiB header",
            "MalformedAnswer {",
            |w, _| {
                let ts = wxpay_crypto::SystemClock.now_unix();
                let head = answer_head(w, ts, STOCK, |h| {
                    h.push(("X-Padding".into(), "a".repeat(1 << 20)));
                });
                client_answer(head, STOCK.to_vec())
            },
        ),
        case(
            "client: 2xx answer with 150 headers",
            "MalformedAnswer {",
            |w, _| {
                let ts = wxpay_crypto::SystemClock.now_unix();
                let head = answer_head(w, ts, STOCK, |h| {
                    h.extend((0..150).map(|i| (format!("X-H{i}"), "v".to_owned())));
                });
                client_answer(head, STOCK.to_vec())
            },
        ),
        case(
            "client: 2xx answer with a NUL byte in Request-ID",
            "MalformedAnswer {",
            |w, _| {
                let ts = wxpay_crypto::SystemClock.now_unix();
                let head = answer_head(w, ts, STOCK, |h| {
                    h.push(("Request-ID".into(), "RID\0X".into()));
                });
                client_answer(head, STOCK.to_vec())
            },
        ),
    ]
}

/// A genuine delivery's headers with `change` applied.
fn changed(
    w: &World,
    body: &[u8],
    change: impl Fn(&mut Vec<(String, String)>),
) -> Vec<(String, String)> {
    let mut headers = w.headers(NOW, body);
    change(&mut headers);
    headers
}

fn set(headers: &mut [(String, String)], name: &str, value: &str) {
    for (k, v) in headers.iter_mut() {
        if k.eq_ignore_ascii_case(name) {
            *v = value.to_owned();
        }
    }
}

fn handler() -> Vec<Case> {
    let deep = |depth: usize| format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let genuine = |w: &World| w.coupon_send(COUPON_SEND.as_bytes());
    vec![
        handler_case(
            "handler: body changed after signing",
            "Unverified(SignatureMismatch)",
            401,
            move |w| {
                let body = genuine(w);
                let headers = w.headers(NOW, &body);
                let mut altered = body;
                altered[12] ^= 1;
                w.post(&headers, altered)
            },
        ),
        handler_case(
            "handler: probe signature",
            "Unverified(SignatureProbe)",
            401,
            move |w| {
                let body = genuine(w);
                let headers = changed(w, &body, |h| {
                    set(h, "Wechatpay-Signature", "WECHATPAY/SIGNTEST/x")
                });
                w.post(&headers, body)
            },
        ),
        handler_case(
            "handler: stale timestamp (a replay 6 minutes later)",
            "Unverified(TimestampOutOfWindow",
            401,
            move |w| {
                let body = genuine(w);
                w.post(&w.headers(NOW - 360, &body), body)
            },
        ),
        handler_case(
            "handler: timestamp 10 minutes in the future",
            "Unverified(TimestampOutOfWindow",
            401,
            move |w| {
                let body = genuine(w);
                w.post(&w.headers(NOW + 600, &body), body)
            },
        ),
        handler_case(
            "handler: non-RSA Wechatpay-Signature-Type (SM2)",
            "Unverified(UnsupportedSignatureType",
            401,
            move |w| {
                let body = genuine(w);
                let headers = changed(w, &body, |h| {
                    set(h, "Wechatpay-Signature-Type", "WECHATPAY2-SM2-WITH-SM3")
                });
                w.post(&headers, body)
            },
        ),
        handler_case(
            "handler: Wechatpay-Signature-Type twice, RSA and SM2",
            "DuplicateHeader { name: \"Wechatpay-Signature-Type\"",
            400,
            move |w| {
                let body = genuine(w);
                let headers = changed(w, &body, |h| {
                    h.push((
                        "Wechatpay-Signature-Type".into(),
                        "WECHATPAY2-SM2-WITH-SM3".into(),
                    ))
                });
                w.post(&headers, body)
            },
        ),
        handler_case(
            "handler: Wechatpay-Timestamp twice with different values",
            "DuplicateHeader { name: \"Wechatpay-Timestamp\"",
            400,
            move |w| {
                let body = genuine(w);
                let headers = changed(w, &body, |h| {
                    h.push(("wechatpay-timestamp".into(), (NOW - 1000).to_string()))
                });
                w.post(&headers, body)
            },
        ),
        handler_case(
            "handler: Wechatpay-Serial twice with different values",
            "DuplicateHeader { name: \"Wechatpay-Serial\"",
            400,
            move |w| {
                let body = genuine(w);
                let headers = changed(w, &body, |h| {
                    h.push(("Wechatpay-Serial".into(), CERT_SERIAL.into()))
                });
                w.post(&headers, body)
            },
        ),
        handler_case(
            "handler: tab (a control character) inside Wechatpay-Nonce",
            "Unverified(MalformedNonce",
            401,
            move |w| {
                let body = genuine(w);
                let headers = changed(w, &body, |h| {
                    set(h, "Wechatpay-Nonce", "c5ac7061\tfccab6bf")
                });
                w.post(&headers, body)
            },
        ),
        handler_case(
            "handler: Wechatpay-Serial of non-ASCII bytes",
            "Unverified(MissingHeader { header: \"Wechatpay-Serial\"",
            401,
            move |w| {
                let body = genuine(w);
                let mut request = request("POST", &w.headers(NOW, &body), body);
                request.headers_mut().insert(
                    "wechatpay-serial",
                    hyper::header::HeaderValue::from_bytes(b"PUB_KEY_ID_\xff\xfe")
                        .expect("obs-text"),
                );
                w.deliver(request)
            },
        ),
        handler_case(
            "handler: no Wechatpay-* headers (an unsigned POST)",
            "Unverified(MissingHeader",
            401,
            move |w| {
                w.post(
                    &[("Content-Type".into(), "application/json".into())],
                    genuine(w),
                )
            },
        ),
        handler_case(
            "handler: GET instead of POST",
            "MethodNotAllowed",
            405,
            move |w| {
                let body = genuine(w);
                w.deliver(request("GET", &w.headers(NOW, &body), body))
            },
        ),
        handler_case(
            "handler: Content-Type text/plain",
            "UnsupportedContentType",
            415,
            move |w| {
                let body = genuine(w);
                let headers = changed(w, &body, |h| set(h, "Content-Type", "text/plain"));
                w.post(&headers, body)
            },
        ),
        handler_case(
            "handler: no Content-Type",
            "UnsupportedContentType",
            415,
            move |w| {
                let body = genuine(w);
                let headers = without_header(w.headers(NOW, &body), "content-type");
                w.post(&headers, body)
            },
        ),
        handler_case(
            "handler: signed body of 2 MiB (over the 64 KiB cap)",
            "BodyTooLarge",
            413,
            |w| {
                let mut env: Value =
                    serde_json::from_slice(&w.coupon_send(COUPON_SEND.as_bytes())).expect("json");
                env["summary"] = json!("x".repeat(2 << 20));
                let body = env.to_string().into_bytes();
                w.post(&w.headers(NOW, &body), body)
            },
        ),
        handler_case(
            "handler: Content-Length 4294967296 declared, nothing sent",
            "BodyTooLarge",
            413,
            |w| {
                let mut headers = w.headers(NOW, b"");
                headers.push(("Content-Length".into(), "4294967296".into()));
                let started = Instant::now();
                let outcome = w.deliver(request("POST", &headers, Vec::new()));
                assert!(
                    started.elapsed() < HANDLER_TIMEOUT,
                    "answered only after {:?}",
                    started.elapsed()
                );
                outcome
            },
        ),
        handler_case(
            "handler: body trickled one byte per 20 ms (a slow client)",
            "BodyRead",
            400,
            move |w| {
                let body = genuine(w);
                let headers = w.headers(NOW, &body);
                let mut req = hyper::Request::builder()
                    .method("POST")
                    .uri("/wechatpay/coupon");
                for (k, v) in &headers {
                    req = req.header(k.as_str(), v.as_str());
                }
                let _guard = w.runtime.enter();
                let request = req
                    .body(Trickle::new(body, Duration::from_millis(20)))
                    .expect("request");
                let started = Instant::now();
                let outcome = w.deliver(request);
                // The worker is released at the reply timeout, not when the sender gives up.
                let took = started.elapsed();
                assert!(
                    took >= HANDLER_TIMEOUT && took < HANDLER_TIMEOUT * 2,
                    "a trickled body held the handler for {took:?}"
                );
                outcome
            },
        ),
        handler_case(
            "handler: signed empty body",
            "Unopened(NotificationEnvelope",
            400,
            |w| w.post(&w.headers(NOW, b""), Vec::new()),
        ),
        handler_case(
            "handler: signed body nested 30 000 deep",
            "Unopened(NotificationEnvelope",
            400,
            move |w| {
                let body = deep(30_000).into_bytes();
                w.post(&w.headers(NOW, &body), body)
            },
        ),
        handler_case(
            "handler: signed body with invalid UTF-8",
            "Unopened(NotificationEnvelope",
            400,
            move |w| {
                let mut body = genuine(w);
                body[2] = 0xc3;
                body[3] = 0x28;
                w.post(&w.headers(NOW, &body), body)
            },
        ),
        handler_case(
            "handler: signed envelope with a duplicated key",
            "Unopened(NotificationEnvelope",
            400,
            move |w| {
                let text = String::from_utf8(genuine(w)).expect("utf-8");
                let body = text
                    .replacen("{\"", "{\"id\":\"forged-id\",\"", 1)
                    .into_bytes();
                w.post(&w.headers(NOW, &body), body)
            },
        ),
        handler_case(
            "handler: GCM tag with one bit flipped",
            "Unopened(NotificationDecrypt(DecryptFailed))",
            400,
            |w| {
                let sealed = base64::Engine::decode(
                    &base64::engine::general_purpose::STANDARD,
                    w.seal("coupon", COUPON_SEND.as_bytes()),
                )
                .expect("b64");
                let mut tampered = sealed;
                tampered[0] ^= 1;
                let ct =
                    base64::Engine::encode(&base64::engine::general_purpose::STANDARD, tampered);
                let body = w.envelope("COUPON.SEND", w.resource_with("ciphertext", json!(ct)));
                w.post(&w.headers(NOW, &body), body)
            },
        ),
        handler_case(
            "handler: GCM nonce of 11 bytes",
            "Unopened(NotificationDecrypt(InvalidAeadNonce { len: 11 }))",
            400,
            |w| {
                let body = w.envelope(
                    "COUPON.SEND",
                    w.resource_with("nonce", json!("j9g1wAzF9Xn")),
                );
                w.post(&w.headers(NOW, &body), body)
            },
        ),
        handler_case(
            "handler: plaintext without coupon_code",
            "Unopened(EventPayload",
            400,
            |w| {
                let plain = COUPON_SEND.replace("\"coupon_code\":\"1227944959000000911017\",", "");
                let body = w.coupon_send(plain.as_bytes());
                w.post(&w.headers(NOW, &body), body)
            },
        ),
    ]
}

#[test]
fn every_bad_input_fails_with_its_own_error_and_reaches_no_user_code() {
    let world = World::new();
    let cases: Vec<Case> = [
        key_loading(),
        verification(),
        opening(),
        client(),
        handler(),
    ]
    .into_iter()
    .flatten()
    .collect();
    assert!(cases.len() >= 60, "the catalog has {} cases", cases.len());
    let mut names = std::collections::BTreeSet::new();
    let mut failures = Vec::new();
    for case in &cases {
        assert!(names.insert(case.name), "two cases named {:?}", case.name);
        let mut reached = 0usize;
        world.last_status.set(None);
        let handler_calls = world.handler_calls.load(Ordering::SeqCst);
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            (case.run)(&world, &mut |_: &Notification| reached += 1)
        }));
        reached += world.handler_calls.load(Ordering::SeqCst) - handler_calls;
        if world.last_status.get() != case.status {
            failures.push(format!(
                "{}: answered {:?}, expected {:?}",
                case.name,
                world.last_status.get(),
                case.status
            ));
        }
        let problem = match outcome {
            Err(_) => Some("panicked".to_string()),
            Ok(Ok(())) => Some("was accepted".to_string()),
            Ok(Err(debug)) if !debug.starts_with(case.expect) => Some(format!(
                "expected {}…, got {}",
                case.expect,
                debug.chars().take(300).collect::<String>()
            )),
            Ok(Err(_)) => None,
        };
        if reached != 0 {
            failures.push(format!("{}: reached the user's function", case.name));
        }
        if let Some(problem) = problem {
            failures.push(format!("{}: {problem}", case.name));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    println!("bad-input catalog: {} cases passed", cases.len());
}

#[test]
fn the_catalog_world_accepts_the_genuine_notification() {
    // The control: without the defect each case adds, the same inputs open and reach the user.
    let world = World::new();
    let mut reached = 0;
    let body = world.coupon_send(COUPON_SEND.as_bytes());
    world
        .open_signed(&body, &mut |n| {
            assert_eq!(n.event_type(), "COUPON.SEND");
            reached += 1;
        })
        .expect("the genuine notification opens");
    assert_eq!(reached, 1);
    // A header repeated with the same value is not a duplicate worth refusing.
    let mut headers = world.headers(NOW, &body);
    let copy = headers[0].clone();
    headers.push(copy);
    world
        .open(&headers, &body, &mut |_| reached += 1)
        .expect("a repeated identical header is accepted");
    assert_eq!(reached, 2);
    // The handler processes the genuine delivery, once.
    world
        .post(&world.headers(NOW, &body), body.clone())
        .expect("the handler accepts it");
    assert_eq!(world.last_status.get(), Some(204));
    assert_eq!(world.handler_calls.load(Ordering::SeqCst), 1);
    let ts = NOW.to_string();
    let body = br#"{"stock_id":"98065001","create_time":"2015-05-20T13:29:35+08:00"}"#;
    let sig = world.sign(&ts, NONCE, body);
    world
        .verify(&sig_headers(&ts, NONCE, &sig, KEY_ID), body)
        .expect("a genuine answer verifies");
    world
        .verify(&sig_headers(&ts, NONCE, &sig, CERT_SERIAL), body)
        .expect("and with the platform certificate");
}

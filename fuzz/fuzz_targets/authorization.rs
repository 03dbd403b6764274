//! The server side of request signing (spec §2), as a simulator or gateway runs it on every
//! request: arbitrary `Authorization` header values into `parse_authorization`, and what parses
//! into `MerchantPublicKey::verify_request` with the Appendix A.1 key (so the A.2 seeds verify
//! and the fuzzer explores both outcomes). Every 8th input also checks a round trip: whatever
//! `Signer::sign` accepts, the parser reads back field for field and the key verifies, and a
//! changed body or URL is rejected.
//!
//! Input: `header \n method \n url \n body`; the body's length picks the clock skew.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use wxpay_crypto::{MerchantPrivateKey, MerchantPublicKey, Signer, parse_authorization};

const MCHID: &str = "1900009191";
const SERIAL: &str = "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C";

struct Fixture {
    signer: Signer,
    public: MerchantPublicKey,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| Fixture {
        signer: Signer::new(
            MCHID,
            SERIAL,
            // The file keeps a `TESTING KEY` armour so secret scanners stay quiet.
            MerchantPrivateKey::from_pem(
                &include_str!("../../crates/wxpay-crypto/testdata/spec_a1_key.pem")
                    .replace("TESTING KEY", "PRIVATE KEY"),
            )
            .expect("A.1 key loads"),
        )
        .expect("signer"),
        public: MerchantPublicKey::from_pem(include_str!(
            "../../crates/wxpay-crypto/testdata/spec_a1_pub.pem"
        ))
        .expect("A.1 public key loads"),
    })
}

fn split(data: &[u8]) -> (&[u8], &[u8], &[u8], &[u8]) {
    let mut parts = data.splitn(4, |&b| b == b'\n');
    let mut next = || parts.next().unwrap_or_default();
    (next(), next(), next(), next())
}

fuzz_target!(|data: &[u8]| {
    let (header, method, url, body) = split(data);
    let (Ok(header), Ok(method), Ok(url)) = (
        std::str::from_utf8(header),
        std::str::from_utf8(method),
        std::str::from_utf8(url),
    ) else {
        return;
    };
    let f = fixture();
    // Skews around the 300 s window: inside, at the edge, outside, both directions.
    let skew = [0i64, 1, -1, 299, -299, 300, -300, 100_000][body.len() % 8];
    let parsed = parse_authorization(header);
    if let Ok(fields) = &parsed {
        let now = fields
            .timestamp
            .parse::<i64>()
            .unwrap_or(0)
            .saturating_add(skew);
        let verdict = f.public.verify_request(method, url, body, fields, now, 300);
        if verdict.is_ok() {
            assert!(skew.abs() < 300, "a timestamp outside the window verified");
        }
    }
    if data.len() % 8 != 0 {
        return;
    }
    // A genuine header for this request: signing refuses what it cannot sign; what it signs
    // parses back and verifies, and only for the exact request.
    let nonce = parsed
        .map(|f| f.nonce_str)
        .unwrap_or("593BEC0C930BF1AFEB40B4A08C8FB242");
    let ts = 1_554_208_460 + i64::try_from(body.len()).unwrap_or(0);
    let Ok(auth) = f.signer.sign(method, url, body, ts, nonce) else {
        return;
    };
    let fields = parse_authorization(auth.header_value()).expect("our own header parses");
    assert_eq!(
        (fields.mchid, fields.serial_no, fields.nonce_str),
        (MCHID, SERIAL, nonce)
    );
    assert_eq!(fields.timestamp, ts.to_string());
    f.public
        .verify_request(method, url, body, &fields, ts, 300)
        .expect("our own signature verifies");
    let mut other = body.to_vec();
    other.push(b' ');
    assert!(
        f.public
            .verify_request(method, url, &other, &fields, ts, 300)
            .is_err(),
        "a changed body verified"
    );
    let other_url = format!("{url}x");
    assert!(
        f.public
            .verify_request(method, &other_url, body, &fields, ts, 300)
            .is_err(),
        "a changed URL verified"
    );
});

//! Checking a WeChat Pay signature the way a support engineer would: when it fails, find out
//! why — an editor's final line break, CRLF line endings, re-formatted JSON, a key file that
//! belongs to another id, a captured message checked against today's clock, a probe.

use wxpay_crypto::{
    Clock, Error as CryptoError, PROBE_PREFIX, PUBLIC_KEY_ID_PREFIX, SCHEME, SignatureHeaders,
    SystemClock, Verifier, header,
};

use crate::cli::TimeArgs;
use crate::failure::{Failure, Result};
use crate::keyring::KeyRing;
use crate::timefmt::{ago, beijing};

/// How the timestamp window is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeCheck {
    /// Against this machine's clock.
    Now,
    /// As if the current time were this Unix time (`--at`).
    At(i64),
    /// Not at all (`--no-time-check`).
    Skip,
}

impl TimeCheck {
    /// From the command's flags.
    pub fn from_args(a: &TimeArgs) -> Self {
        match (a.at, a.no_time_check) {
            (Some(t), _) => TimeCheck::At(t),
            (None, true) => TimeCheck::Skip,
            (None, false) => TimeCheck::Now,
        }
    }
}

/// What was checked: an API answer or a callback (for the wording of causes and fixes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// An answer to an API request.
    Answer,
    /// A callback (notification) request.
    Callback,
}

impl Subject {
    fn name(self) -> &'static str {
        match self {
            Subject::Answer => "answer",
            Subject::Callback => "callback",
        }
    }
}

/// A signature that verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// `Wechatpay-Serial`.
    pub serial: String,
    /// Where the key that verified came from.
    pub key_source: String,
    /// `Wechatpay-Timestamp`.
    pub timestamp: i64,
    /// How the time window was treated, in words.
    pub time_note: String,
}

const WECHATPAY_HEADERS: [&str; 5] = [
    header::TIMESTAMP,
    header::NONCE,
    header::SIGNATURE,
    header::SERIAL,
    header::SIGNATURE_TYPE,
];

/// Checks the signature of a message over its raw `body`; on failure, the stage, the likely
/// cause and the fix.
pub fn check_signature(
    headers: &[(String, String)],
    body: &[u8],
    ring: &KeyRing,
    time: TimeCheck,
    tolerance: u64,
    subject: Subject,
) -> Result<Verified> {
    if ring.is_empty() {
        return Err(KeyRing::none_configured());
    }
    check_header_copies(headers)?;
    let pairs = headers.iter().map(|(k, v)| (k.as_str(), v.as_str()));
    let sig = SignatureHeaders::from_pairs(pairs);
    if let Some((_, t)) = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(header::SIGNATURE_TYPE))
        && t.trim() != SCHEME
    {
        return Err(Failure::check(format!(
            "Wechatpay-Signature-Type is {:?}; only {SCHEME} is verified here",
            t.trim()
        ))
        .stage("headers")
        .cause("the message claims another signature algorithm (e.g. SM2 for a 国密 merchant); it is not checked as RSA"));
    }
    let real_now = SystemClock.now_unix();
    let now = match time {
        TimeCheck::Now => real_now,
        TimeCheck::At(t) => t,
        TimeCheck::Skip => sig.timestamp.parse().unwrap_or(real_now),
    };
    let verifier = ring.verifier(tolerance);
    match verifier.verify(&sig, body, now) {
        Ok(()) => {
            let timestamp = sig.timestamp.parse().unwrap_or_default();
            let key_source = ring
                .find(sig.serial)
                .map(|e| e.source.to_string())
                .unwrap_or_default();
            let time_note = match time {
                TimeCheck::Now => format!(
                    "within the {tolerance} s window (signed {})",
                    ago(timestamp, real_now)
                ),
                TimeCheck::At(t) => format!(
                    "within the {tolerance} s window as of --at {t} (signed {})",
                    beijing(timestamp)
                ),
                TimeCheck::Skip => format!(
                    "NOT checked (--no-time-check); signed {} ({})",
                    beijing(timestamp),
                    ago(timestamp, real_now)
                ),
            };
            Ok(Verified {
                serial: sig.serial.to_owned(),
                key_source,
                timestamp,
                time_note,
            })
        }
        Err(e) => Err(explain(e, &sig, body, ring, &verifier, now, time, subject)),
    }
}

/// Two different copies of one `Wechatpay-*` header make the message ambiguous.
fn check_header_copies(headers: &[(String, String)]) -> Result<()> {
    for name in WECHATPAY_HEADERS {
        let mut values = headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim());
        if let Some(first) = values.next()
            && values.any(|v| v != first)
        {
            return Err(Failure::check(format!(
                "the message carries two different `{name}` headers"
            ))
            .stage("headers")
            .cause("headers from two messages were mixed, or a proxy added its own copy")
            .fix("capture the headers of one message as received"));
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn explain(
    err: CryptoError,
    sig: &SignatureHeaders<'_>,
    body: &[u8],
    ring: &KeyRing,
    verifier: &Verifier,
    now: i64,
    time: TimeCheck,
    subject: Subject,
) -> Failure {
    let what = subject.name();
    let base = Failure::check(format!("the {what}'s signature did not verify: {err}"));
    match err {
        CryptoError::MissingHeader { header } => base
            .stage("headers")
            .cause(format!("the capture lacks `{header}`; every signed {what} from WeChat Pay carries Wechatpay-Timestamp, -Nonce, -Signature and -Serial"))
            .fix("capture the headers exactly as received (a proxy log, `curl -D FILE`), not as a framework re-wrote them"),
        CryptoError::MalformedTimestamp { .. } | CryptoError::MalformedNonce { .. } => base
            .stage("headers")
            .cause("a Wechatpay-* header was altered, or copied incompletely")
            .fix("capture the headers exactly as received"),
        CryptoError::TimestampOutOfWindow { timestamp, skew, tolerance, .. } => {
            let base = base.stage("time window");
            match time {
                TimeCheck::Now if skew >= 3600 => base
                    .cause(format!(
                        "the {what} was signed {} ({}): a captured message is older than the {tolerance} s window, as expected",
                        beijing(timestamp),
                        ago(timestamp, now)
                    ))
                    .fix(format!("check it as of its own time: --at {timestamp} (or --no-time-check)")),
                TimeCheck::Now => base
                    .cause(format!(
                        "clock skew (or a replay): this machine's clock and the signer's differ by {skew} s; at most {} s is accepted",
                        tolerance.saturating_sub(1)
                    ))
                    .fix(format!("sync this machine's clock (NTP, e.g. `timedatectl set-ntp true`); for a captured message use --at {timestamp}")),
                _ => base
                    .cause(format!("as of --at {now}, the {what}'s timestamp {timestamp} is {skew} s away"))
                    .fix(format!("give an --at within {} s of {timestamp}, or --no-time-check", tolerance.saturating_sub(1))),
            }
        }
        CryptoError::UnknownSerial { serial, known } => {
            if let Some(entry) = other_key_that_verifies(sig, body, ring, verifier.tolerance(), now) {
                return base
                    .stage("key selection")
                    .cause(format!(
                        "the {what} names key {serial}, and it verifies with the key from {} that you configured as {}: the configured id is wrong",
                        entry.source, entry.id
                    ))
                    .fix(format!("configure that key under the id {serial}"));
            }
            let kind = if serial.starts_with(PUBLIC_KEY_ID_PREFIX) {
                "a WeChat Pay public key"
            } else {
                "a platform certificate"
            };
            let fix = if serial.starts_with(PUBLIC_KEY_ID_PREFIX) {
                format!("configure pub_key.pem with --public-key-id {serial} --public-key FILE (download it from the merchant platform: 账户中心 → API安全 → 微信支付公钥)")
            } else {
                format!("configure the platform certificate with serial {serial}: --platform-cert FILE (from GET /v3/certificates, decrypted with the APIv3 key)")
            };
            base.stage("key selection")
                .cause(format!(
                    "the {what} was signed with {kind}, {serial}; configured: {}",
                    if known.is_empty() { "nothing".to_owned() } else { known.join(", ") }
                ))
                .fix(fix)
        }
        CryptoError::CertificateNotValid { serial, not_before, not_after, .. } => base
            .stage("key selection")
            .cause(format!(
                "platform certificate {serial} is valid {} .. {}, not at {}",
                beijing(not_before),
                beijing(not_after),
                beijing(now)
            ))
            .fix("use a current certificate (GET /v3/certificates) — or, for a captured message, --at a time within its validity"),
        CryptoError::SignatureProbe => {
            let fix = match subject {
                Subject::Callback => "nothing to fix: reject it with 4xx/5xx, which a handler that verifies does; WeChat Pay then delivers the genuine callback",
                Subject::Answer => "nothing to fix: a client must reject such an answer; send the request again",
            };
            base.stage("signature")
                .cause(format!("this is a WeChat Pay signature probe ({PROBE_PREFIX}…), sent on purpose to check that merchants verify signatures"))
                .fix(fix)
        }
        CryptoError::SignatureNotBase64 => base
            .stage("signature")
            .cause("Wechatpay-Signature is not base64: it was altered, or cut when it was copied")
            .fix("copy the header value whole"),
        CryptoError::SignatureMismatch => explain_mismatch(base, sig, body, ring, verifier, now, subject),
        _ => base.stage("signature"),
    }
}

/// A configured key (other than the one chosen by serial) that verifies the message when put
/// under the message's serial.
fn other_key_that_verifies<'r>(
    sig: &SignatureHeaders<'_>,
    body: &[u8],
    ring: &'r KeyRing,
    tolerance: u64,
    now: i64,
) -> Option<&'r crate::keyring::KeyEntry> {
    let chosen = ring.find(sig.serial).map(|e| e.id.clone());
    ring.entries()
        .iter()
        .filter(|e| Some(&e.id) != chosen.as_ref())
        .find(|e| {
            Verifier::new()
                .with_tolerance(tolerance)
                .with_public_key(sig.serial, e.key.clone())
                .verify(sig, body, now)
                .is_ok()
        })
}

fn explain_mismatch(
    base: Failure,
    sig: &SignatureHeaders<'_>,
    body: &[u8],
    ring: &KeyRing,
    verifier: &Verifier,
    now: i64,
    subject: Subject,
) -> Failure {
    let what = subject.name();
    let base = base.stage("signature");
    let raw = "capture the raw body bytes exactly as received (with --request/--response, or save the body without any editor)";
    let mut variants: Vec<(Vec<u8>, String, &str)> = Vec::new();
    if let Some(stripped) = body
        .strip_suffix(b"\r\n")
        .or_else(|| body.strip_suffix(b"\n"))
    {
        variants.push((
            stripped.to_vec(),
            "the body file ends with a line break that was not in the message (editors and `echo` add one); without it the signature verifies".to_owned(),
            "save the body without a final line break (`printf '%s' …`, or `truncate -s -1 FILE`), or capture the whole message with --request/--response",
        ));
    }
    if body.windows(2).any(|w| w == b"\r\n") {
        let lf: Vec<u8> = String::from_utf8_lossy(body)
            .replace("\r\n", "\n")
            .into_bytes();
        variants.push((
            lf,
            "line endings were converted to CRLF (copied through Windows or a text tool); with LF the signature verifies".to_owned(),
            raw,
        ));
    }
    if let Some(stripped) = body.strip_prefix("\u{feff}".as_bytes()) {
        variants.push((
            stripped.to_vec(),
            "a UTF-8 byte-order mark was added in front of the body; without it the signature verifies".to_owned(),
            raw,
        ));
    }
    let compact = minify_json(body);
    if compact.as_deref().is_some_and(|c| c != body) {
        variants.push((
            compact.clone().unwrap_or_default(),
            "the body was re-formatted — white space added or changed, which is what parsing and re-serializing (or pretty-printing) JSON does; compacted, the signature verifies".to_owned(),
            "verify the raw bytes as received, before any JSON parsing: in a web framework read the body as bytes, not as a parsed object",
        ));
    }
    for (candidate, cause, fix) in variants {
        if verifier.verify(sig, &candidate, now).is_ok() {
            return base.cause(cause).fix(fix);
        }
    }
    let configured = ring
        .find(sig.serial)
        .map(|e| e.source.to_string())
        .unwrap_or_else(|| "the configured key".to_owned());
    if let Some(other) = other_key_that_verifies(sig, body, ring, verifier.tolerance(), now) {
        return base
            .cause(format!(
                "the key configured for {} (from {configured}) is not the key that signed; the key from {} (configured as {}) verifies it: a key file and its id/serial do not belong together",
                sig.serial, other.source, other.id
            ))
            .fix("give each key with its own id: pub_key.pem with the PUB_KEY_ID_… shown beside it, each certificate on its own");
    }
    let reformatted = compact.as_deref().is_some_and(|c| c != body) || has_unicode_escapes(body);
    let cause = if reformatted {
        format!(
            "the body does not look like WeChat Pay's compact JSON: it was most likely parsed and re-serialized (spacing, key order or escapes changed), which breaks the signature; otherwise the key from {configured} is not the one that signed {}",
            sig.serial
        )
    } else {
        format!(
            "either the body is not the exact bytes that were signed (re-serialized JSON with another key order, a changed encoding, another message's body), or the key from {configured} is not the one WeChat Pay signed {} with",
            sig.serial
        )
    };
    base.cause(cause).fix(format!(
        "{raw}; check that {configured} is the key that belongs to {} (for a {what}: the key WeChat Pay gave you with that id)",
        sig.serial
    ))
}

/// The JSON text with all white space outside strings removed (key order and escapes kept);
/// `None` when it is not JSON.
pub fn minify_json(body: &[u8]) -> Option<Vec<u8>> {
    serde_json::from_slice::<serde::de::IgnoredAny>(body).ok()?;
    let mut out = Vec::with_capacity(body.len());
    let (mut in_string, mut escaped) = (false, false);
    for &b in body {
        if in_string {
            out.push(b);
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else if b == b'"' {
            in_string = true;
            out.push(b);
        } else if !b.is_ascii_whitespace() {
            out.push(b);
        }
    }
    Some(out)
}

/// `\uXXXX` escapes of non-ASCII text: WeChat Pay sends UTF-8, some serializers escape it.
fn has_unicode_escapes(body: &[u8]) -> bool {
    body.windows(6).any(|w| {
        w.starts_with(b"\\u")
            && std::str::from_utf8(&w[2..])
                .ok()
                .and_then(|hex| u16::from_str_radix(hex, 16).ok())
                .is_some_and(|c| c >= 0x80)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minify_keeps_strings_and_order() {
        let pretty = b"{\n  \"b\": \"x y\",\n  \"a\": [1, 2]\n}\n";
        assert_eq!(minify_json(pretty).unwrap(), b"{\"b\":\"x y\",\"a\":[1,2]}");
        assert_eq!(
            minify_json(br#"{"s":"a \" b"}"#).unwrap(),
            br#"{"s":"a \" b"}"#
        );
        assert!(minify_json(b"not json").is_none());
    }

    #[test]
    fn unicode_escapes_are_spotted() {
        assert!(has_unicode_escapes(br#"{"summary":"\u5546\u5bb6"}"#));
        assert!(!has_unicode_escapes("{\"summary\":\"商家\"}".as_bytes()));
    }
}

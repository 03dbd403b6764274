//! The request pipeline without a socket, for the `simulator_pipeline` fuzz target (feature
//! `fuzzing`; not a stable API). Each input runs on a fresh simulator (demo merchant, clock
//! fixed at [`NOW`]) so inputs do not influence each other and state cannot pile up.
//!
//! An input is up to [`MAX_REQUESTS`] requests separated by a line `====`, run in order on
//! the same simulator (so a created stock can be used by the next request). Each request is
//!
//! ```text
//! signed|raw
//! METHOD TARGET
//! Name: value
//! …
//!
//! body
//! ```
//!
//! `signed`: the entry signs the request as the demo merchant (replacing any
//! `Authorization`), so mutations reach routing, validation and the operations; `raw`: the
//! `Authorization` header is sent as given, exploring its parser and the signature check.
//! A head hyper would refuse (a bad method, URI, header name or value) is skipped.

use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Request};
use http_body_util::BodyExt;
use wxpay_crypto::{MerchantPrivateKey, Signer};

use crate::clock::ManualClock;
use crate::handle::MockBuilder;
use crate::keys::SimulatorKeys;
use crate::merchant::{DEMO_CERT_SERIAL, DEMO_MCHID, demo_merchant_private_key_pem};
use crate::pipeline::respond;
use crate::signing::SignMode;

/// The simulator's clock during fuzzing; seeds are signed at this time.
pub const NOW: i64 = 1_750_000_000;
/// Requests run per input at most.
pub const MAX_REQUESTS: usize = 4;
/// The nonce the entry signs with (fixed, so runs are reproducible).
const NONCE: &str = "593BEC0C930BF1AFEB40B4A08C8FB242";

/// One answer of the pipeline.
#[derive(Debug)]
pub struct Answer {
    /// The request's path (answers under `/mock/` are not signed).
    pub path: String,
    /// HTTP status.
    pub status: u16,
    /// Answer headers (`Wechatpay-*`, `Request-ID`).
    pub headers: HeaderMap,
    /// Answer body.
    pub body: Bytes,
}

/// What every input shares: the parsed simulator keys, the demo merchant's signer, a
/// runtime handle for the (stopped) notifier.
pub struct Pipeline {
    keys: Arc<SimulatorKeys>,
    signer: Signer,
    runtime: tokio::runtime::Runtime,
}

impl std::fmt::Debug for Pipeline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pipeline").finish_non_exhaustive()
    }
}

impl Pipeline {
    /// Loads the built-in keys once.
    ///
    /// # Panics
    /// If the built-in keys do not load (a broken build, not an input).
    pub fn new() -> Self {
        let key = MerchantPrivateKey::from_pem(demo_merchant_private_key_pem())
            .expect("the demo merchant key loads");
        Self {
            keys: Arc::new(SimulatorKeys::builtin().expect("the built-in keys load")),
            signer: Signer::new(DEMO_MCHID, DEMO_CERT_SERIAL, key).expect("demo signer"),
            runtime: tokio::runtime::Builder::new_current_thread()
                .build()
                .expect("a current-thread runtime"),
        }
    }

    /// A verifier for the answers' signatures.
    pub fn verifier(&self) -> wxpay_crypto::Verifier {
        self.keys.verifier()
    }

    /// Runs the requests of one input on a fresh simulator; the answers in order.
    pub fn run(&self, data: &[u8]) -> Vec<Answer> {
        let builder = MockBuilder::new()
            .clock(ManualClock::new(NOW))
            .shared_keys(Arc::clone(&self.keys));
        let Ok((shared, _)) = builder.into_shared(self.runtime.handle().clone()) else {
            return Vec::new();
        };
        // No callback leaves the process: deliveries are cancelled as they are queued.
        shared.notifier.stop();
        let mut answers = Vec::new();
        for raw in split(data, b"\n====\n").take(MAX_REQUESTS) {
            let Some((parts, body)) = self.request(raw) else {
                continue;
            };
            let path = parts.uri.path().to_owned();
            let response = respond(&shared, &parts, SignMode::Valid, body);
            let (head, full) = response.into_parts();
            let body = self
                .runtime
                .block_on(full.collect())
                .map(|c| c.to_bytes())
                .unwrap_or_default();
            answers.push(Answer {
                path,
                status: head.status.as_u16(),
                headers: head.headers,
                body,
            });
        }
        answers
    }

    /// Parses (and for `signed`, signs) one request; `None` for what hyper would refuse.
    fn request<'a>(&self, raw: &'a [u8]) -> Option<(http::request::Parts, &'a [u8])> {
        let (head, body) = match find(raw, b"\n\n") {
            Some(i) => (&raw[..i], &raw[i + 2..]),
            None => (raw, &raw[raw.len()..]),
        };
        let mut lines = head.split(|&b| b == b'\n');
        let signed = lines.next()? == b"signed";
        let request_line = std::str::from_utf8(lines.next()?).ok()?;
        let (method, target) = request_line.split_once(' ')?;
        let mut builder = Request::builder().method(method).uri(target);
        for line in lines {
            let i = line.iter().position(|&b| b == b':')?;
            let name = HeaderName::from_bytes(&line[..i]).ok()?;
            let value = HeaderValue::from_bytes(line[i + 1..].trim_ascii()).ok()?;
            if signed && name == http::header::AUTHORIZATION {
                continue;
            }
            builder = builder.header(name, value);
        }
        let (mut parts, ()) = builder.body(()).ok()?.into_parts();
        if signed {
            let url = parts.uri.path_and_query().map_or("/", |pq| pq.as_str());
            let auth = self
                .signer
                .sign(parts.method.as_str(), url, body, NOW, NONCE)
                .ok()?;
            let value = HeaderValue::from_str(auth.header_value()).ok()?;
            parts.headers.insert(http::header::AUTHORIZATION, value);
        }
        Some((parts, body))
    }
}

impl Default for Pipeline {
    fn default() -> Self {
        Self::new()
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// `data` split at each `separator`.
fn split<'a>(data: &'a [u8], separator: &'a [u8]) -> impl Iterator<Item = &'a [u8]> + 'a {
    let mut rest = Some(data);
    std::iter::from_fn(move || {
        let now = rest?;
        match find(now, separator) {
            Some(i) => {
                rest = Some(&now[i + separator.len()..]);
                Some(&now[..i])
            }
            None => {
                rest = None;
                Some(now)
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corpus() -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fuzz/corpus/simulator_pipeline")
    }

    #[test]
    fn inputs_split_parse_and_sign() {
        let p = Pipeline::new();
        let input = b"signed\nGET /v3/certificates\nAccept: application/json\nUser-Agent: fuzz\n\n\n====\nraw\nGET /v3/certificates\nAccept: application/json\nUser-Agent: fuzz\nAuthorization: WECHATPAY2-SHA256-RSA2048 mchid=\"1\"\n\n";
        let answers = p.run(input);
        assert_eq!(answers.len(), 2);
        assert_eq!(answers[0].status, 200, "{:?}", answers[0].body);
        assert_eq!(answers[1].status, 401, "{:?}", answers[1].body);
        // What hyper would refuse is skipped, not answered.
        assert!(p.run(b"signed\nG\xffT /\n\n").is_empty());
        assert!(p.run(b"").is_empty());
    }

    #[test]
    fn the_seed_corpus_authenticates_and_reaches_the_operations() {
        let p = Pipeline::new();
        let (mut seeds, mut answered, mut succeeded) = (0, 0, 0);
        for entry in std::fs::read_dir(corpus()).expect("fuzz/corpus/simulator_pipeline") {
            let path = entry.unwrap().path();
            // Only the committed seeds; libFuzzer's own corpus grows beside them.
            if !path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("seed-"))
            {
                continue;
            }
            let answers = p.run(&std::fs::read(&path).unwrap());
            assert!(!answers.is_empty(), "{} runs no request", path.display());
            answered += answers.len();
            succeeded += answers.iter().filter(|a| a.status < 300).count();
            seeds += 1;
        }
        assert!(seeds >= 10, "{seeds} seeds");
        // Most seed requests get past authentication and validation into the operations.
        assert!(
            succeeded * 2 > answered,
            "only {succeeded} of {answered} seed requests succeeded"
        );
    }
}

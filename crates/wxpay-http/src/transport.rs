//! The transport: one connection pool, the endpoints, the signer, the time limits, the retry
//! policy and budget, and the clock. [`Transport::send`] is the only place a request goes out:
//! it signs each attempt, applies the limits, retries and fails over. Verification of the answer
//! happens in the caller (the client, or the certificate manager's bootstrap).

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::{ACCEPT, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, USER_AGENT};
use http::{HeaderMap, HeaderName, HeaderValue, Request, StatusCode};
use http_body_util::Full;
use tracing::{Instrument, debug, debug_span, field, warn};
use wxpay_crypto::{Clock, Signer, SystemNonce, header};
use wxpay_model::ErrorBody;

use crate::body::{ReadError, read_capped};
use crate::connector::HttpClient;
use crate::endpoint::{BaseUrl, Endpoints, Which};
use crate::error::{ApiError, BoxError, Error, TimeoutKind};
use crate::keys::RequestSerial;
use crate::prepared::Prepared;
use crate::retry::{RetryBudget, RetryPolicy, retry_after};
use crate::timeouts::Timeouts;

/// Everything needed to put a prepared request on the wire and get a complete answer back.
pub(crate) struct Transport {
    pub(crate) http: HttpClient,
    pub(crate) signer: Signer,
    /// Which `Wechatpay-Serial` each attempt carries.
    pub(crate) serial: RequestSerial,
    pub(crate) endpoints: Endpoints,
    pub(crate) retry: RetryPolicy,
    pub(crate) budget: RetryBudget,
    pub(crate) timeouts: Timeouts,
    pub(crate) max_response_bytes: usize,
    pub(crate) user_agent: HeaderValue,
    pub(crate) clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("mchid", &self.signer.mchid())
            .field("endpoints", &self.endpoints)
            .field("retry", &self.retry)
            .field("timeouts", &self.timeouts)
            .finish_non_exhaustive()
    }
}

/// A complete answer, body read within the cap, not yet verified.
#[derive(Debug)]
pub(crate) struct Raw {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    /// `Request-ID`, when present and visible ASCII.
    pub(crate) request_id: Option<String>,
    pub(crate) attempts: u32,
}

fn request_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// How one attempt ended when it did not produce a complete answer.
enum AttemptError {
    /// Nothing came back (connect, TLS, reset, or the time limit ran out before the status
    /// line): the request may be sent again, possibly to the other host.
    NoResponse { source: BoxError, timed_out: bool },
    /// An answer came back but its head is not valid HTTP ([`Error::MalformedAnswer`]): the
    /// host was reached, so this is not a connection failure and never fails over.
    Malformed(Error),
    /// The call ends with this error.
    Fatal(Error),
}

/// What is wrong with an answer whose head hyper refused (HTTP/1.1), or whose HTTP/2 the h2
/// library found to break the protocol, when `error` (or an error in its source chain) is such
/// an error; `None` for every other failure.
fn malformed_answer(error: &(dyn std::error::Error + 'static)) -> Option<&'static str> {
    let mut next = Some(error);
    while let Some(e) = next {
        if let Some(h) = e.downcast_ref::<hyper::Error>()
            && h.is_parse()
        {
            return Some(if h.is_parse_too_large() {
                "header section too large or too many headers"
            } else if h.is_parse_status() {
                "invalid status line"
            } else if h.is_parse_version_h2() {
                "an HTTP/2 answer on an HTTP/1.1 connection"
            } else {
                "invalid header section, such as a control character in a header value"
            });
        }
        if let Some(h2) = e.downcast_ref::<h2::Error>()
            && h2.is_library()
        {
            // h2 itself found the server's HTTP/2 to break the protocol (a malformed or
            // oversized header block, an invalid frame): the server was reached and answered.
            // A reset or GOAWAY the *server* sent is not this (`is_remote`), nor an I/O error.
            return Some(if h2.is_reset() {
                "malformed HTTP/2 answer (the header block broke the protocol or was too large)"
            } else {
                "HTTP/2 protocol violation by the server (connection error)"
            });
        }
        next = e.source();
    }
    None
}

impl Transport {
    /// Unix time now, by the configured clock.
    pub(crate) fn now_unix(&self) -> i64 {
        self.clock.now_unix()
    }

    /// Sends `p` under the retry policy and returns the final answer: a 2xx (unverified), or
    /// an error — [`Error::Api`] for a non-2xx answer.
    pub(crate) async fn send(&self, p: &Prepared) -> Result<Raw, Error> {
        let started = Instant::now();
        // `None`: a deadline so far away that it cannot be represented (no limit).
        let deadline = started.checked_add(self.timeouts.deadline());
        let max = self.retry.max_attempts();
        self.budget.deposit();
        let mut attempt = 0u32;
        // Every host an attempt went to, for the connect error.
        let mut tried: Vec<String> = Vec::new();
        loop {
            attempt += 1;
            let now = Instant::now();
            let remaining = deadline.map_or(Duration::MAX, |d| d.saturating_duration_since(now));
            if remaining.is_zero() {
                return Err(Error::Timeout {
                    kind: TimeoutKind::Deadline,
                    limit: self.timeouts.deadline(),
                    attempts: attempt - 1,
                });
            }
            let (limit, kind) = if self.timeouts.attempt() <= remaining {
                (self.timeouts.attempt(), TimeoutKind::Attempt)
            } else {
                (remaining, TimeoutKind::Deadline)
            };
            let reported_limit = match kind {
                TimeoutKind::Deadline => self.timeouts.deadline(),
                _ => limit,
            };
            let (which, base) = self.endpoints.select(now);
            if !tried.iter().any(|h| h == base.host()) {
                tried.push(base.host().to_owned());
            }
            let span = debug_span!(
                "wxpay.attempt",
                attempt,
                host = base.host(),
                status = field::Empty,
                request_id = field::Empty,
                elapsed_ms = field::Empty,
            );
            let outcome = self
                .attempt(p, base, limit, kind, reported_limit, attempt)
                .instrument(span.clone())
                .await;
            span.record("elapsed_ms", now.elapsed().as_millis() as u64);
            match outcome {
                Ok(raw) if raw.status.is_success() => return Ok(raw),
                Ok(raw) => {
                    let status = raw.status.as_u16();
                    if !self.retry.retries_status(status) || attempt >= max {
                        return Err(api_error(raw));
                    }
                    let delay = self.retry.delay(attempt, retry_after(&raw.headers));
                    if !self.may_retry(deadline, delay) {
                        return Err(api_error(raw));
                    }
                    warn!(
                        path = p.path_template,
                        status,
                        attempt,
                        delay_ms = delay.as_millis() as u64,
                        request_id = raw.request_id.as_deref().unwrap_or(""),
                        "WeChat Pay answered a retryable status; retrying with the same body"
                    );
                    tokio::time::sleep(delay).await;
                }
                Err(AttemptError::Fatal(e)) => return Err(e),
                // Reached, and it may have processed the request: never re-sent (like a
                // failure after the answer started), no failover, and the endpoints are not told
                // of a failure, so the backup is not preferred afterwards.
                Err(AttemptError::Malformed(err)) => return Err(err),
                Err(AttemptError::NoResponse { source, timed_out }) => {
                    let switched = self.endpoints.connection_failed(which, Instant::now());
                    let err = if timed_out {
                        Error::Timeout {
                            kind,
                            limit: reported_limit,
                            attempts: attempt,
                        }
                    } else {
                        Error::Connect {
                            host: base.host().to_owned(),
                            tried: tried.clone(),
                            attempts: attempt,
                            source,
                        }
                    };
                    // A connection failure with time left is retried even when this attempt's
                    // limit was the deadline's remainder; only an expired deadline ends here.
                    if attempt >= max || (timed_out && kind == TimeoutKind::Deadline) {
                        return Err(err);
                    }
                    // Straight to the backup after the primary failed; back off otherwise.
                    let delay = if switched && which == Which::Primary {
                        Duration::ZERO
                    } else {
                        self.retry.delay(attempt, None)
                    };
                    if !self.may_retry(deadline, delay) {
                        return Err(err);
                    }
                    warn!(
                        path = p.path_template,
                        attempt,
                        host = base.host(),
                        failover = switched,
                        delay_ms = delay.as_millis() as u64,
                        error = %err,
                        "no response from WeChat Pay; retrying"
                    );
                    tokio::time::sleep(delay).await;
                }
            }
        }
    }

    fn may_retry(&self, deadline: Option<Instant>, delay: Duration) -> bool {
        let past_deadline = deadline.is_some_and(|deadline| {
            Instant::now()
                .checked_add(delay)
                .is_none_or(|resume| resume >= deadline)
        });
        if past_deadline {
            debug!("not retrying: the deadline would pass first");
            return false;
        }
        if !self.budget.withdraw() {
            warn!("not retrying: the client's retry budget is spent (many failures recently)");
            return false;
        }
        true
    }

    fn build_request(&self, p: &Prepared, base: &BaseUrl) -> Result<Request<Full<Bytes>>, Error> {
        // Fresh timestamp and nonce for every attempt; the body bytes and the request target
        // never change, and what is signed is exactly what is sent.
        let auth = self
            .signer
            .authorize_with(
                p.method.as_str(),
                p.path_and_query.as_str(),
                &p.signed,
                &*self.clock,
                &SystemNonce,
            )
            .map_err(Error::Signing)?;
        let mut authorization = HeaderValue::from_str(auth.header_value())
            .map_err(|_| Error::config("the Authorization header is not valid header text"))?;
        authorization.set_sensitive(true);
        let mut request = Request::new(Full::new(p.body.clone()));
        *request.method_mut() = p.method.clone();
        *request.uri_mut() = base.uri(&p.path_and_query)?;
        let headers = request.headers_mut();
        headers.reserve(6);
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        headers.insert(USER_AGENT, self.user_agent.clone());
        headers.insert(AUTHORIZATION, authorization);
        if let Some(ct) = &p.content_type {
            headers.insert(CONTENT_TYPE, ct.clone());
        }
        if let Some(serial) = self.serial.value(self.clock.now_unix()) {
            headers.insert(HeaderName::from_static(header::SERIAL), serial);
        }
        Ok(request)
    }
    async fn attempt(
        &self,
        p: &Prepared,
        base: &BaseUrl,
        limit: Duration,
        kind: TimeoutKind,
        reported_limit: Duration,
        attempt: u32,
    ) -> Result<Raw, AttemptError> {
        // `None`: no representable limit (absurdly large setting), so none is applied.
        let until = tokio::time::Instant::now().checked_add(limit);
        let request = self.build_request(p, base).map_err(AttemptError::Fatal)?;
        debug!("sending");
        let response = match within(until, self.http.request(request)).await {
            None => {
                return Err(AttemptError::NoResponse {
                    source: "no response before the time limit".into(),
                    timed_out: true,
                });
            }
            Some(Err(e)) => {
                if let Some(reason) = malformed_answer(&e) {
                    return Err(AttemptError::Malformed(Error::MalformedAnswer {
                        host: base.host().to_owned(),
                        attempts: attempt,
                        reason: reason.to_owned(),
                        source: Box::new(e),
                    }));
                }
                return Err(AttemptError::NoResponse {
                    source: Box::new(e),
                    timed_out: false,
                });
            }
            Some(Ok(r)) => r,
        };
        let (parts, body) = response.into_parts();
        let rid = request_id(&parts.headers);
        let span = tracing::Span::current();
        span.record("status", parts.status.as_u16());
        if let Some(id) = &rid {
            span.record("request_id", id.as_str());
        }
        let cap = self.max_response_bytes;
        let declared = parts
            .headers
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > cap as u64) {
            return Err(AttemptError::Fatal(Error::BodyTooLarge {
                limit: cap,
                request_id: rid,
            }));
        }
        let body = match within(until, read_capped(body, cap, declared)).await {
            None => {
                return Err(AttemptError::Fatal(Error::Timeout {
                    kind,
                    limit: reported_limit,
                    attempts: attempt,
                }));
            }
            Some(Err(ReadError::TooLarge)) => {
                return Err(AttemptError::Fatal(Error::BodyTooLarge {
                    limit: cap,
                    request_id: rid,
                }));
            }
            Some(Err(ReadError::Failed(source))) => {
                return Err(AttemptError::Fatal(Error::Body {
                    request_id: rid,
                    source,
                }));
            }
            Some(Ok(body)) => body,
        };
        debug!(
            status = parts.status.as_u16(),
            body_len = body.len(),
            "response received"
        );
        Ok(Raw {
            status: parts.status,
            headers: parts.headers,
            body,
            request_id: rid,
            attempts: attempt,
        })
    }
}

/// Runs `f` until `until` (`None` when the time ran out); without a limit, to completion.
async fn within<F: std::future::Future>(
    until: Option<tokio::time::Instant>,
    f: F,
) -> Option<F::Output> {
    match until {
        Some(until) => tokio::time::timeout_at(until, f).await.ok(),
        None => Some(f.await),
    }
}

/// Turns a non-2xx answer into [`Error::Api`], keeping the raw body (truncated) even when it
/// is not JSON. Error bodies are not verified (WeChat Pay may not sign them).
pub(crate) fn api_error(raw: Raw) -> Error {
    let parsed = ErrorBody::from_slice(&raw.body);
    let keep = raw.body.len().min(ApiError::RAW_BODY_LIMIT);
    let raw_body = String::from_utf8_lossy(raw.body.get(..keep).unwrap_or_default()).into_owned();
    let request_id = raw.request_id;
    let (code, message, detail) = match parsed {
        Some(b) => (Some(b.code), Some(b.message), b.detail),
        None => (None, None, None),
    };
    let hint = code.as_ref().and_then(|c| c.hint());
    Error::Api(Box::new(ApiError {
        status: raw.status.as_u16(),
        code,
        message,
        detail,
        hint,
        request_id,
        raw_body,
        attempts: raw.attempts,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(status: u16, body: &[u8]) -> Raw {
        let mut headers = HeaderMap::new();
        headers.insert(header::REQUEST_ID, HeaderValue::from_static("RID-1"));
        Raw {
            request_id: request_id(&headers),
            status: StatusCode::from_u16(status).unwrap(),
            headers,
            body: Bytes::copy_from_slice(body),
            attempts: 2,
        }
    }

    #[test]
    fn api_error_from_json_body() {
        let e = api_error(raw(
            400,
            r#"{"code":"PARAM_ERROR","message":"参数错误","detail":{"field":"/x","issue":"bad"}}"#
                .as_bytes(),
        ));
        let api = e.as_api().unwrap();
        assert_eq!(api.status, 400);
        assert_eq!(api.code.as_ref().unwrap().as_str(), "PARAM_ERROR");
        assert_eq!(api.message.as_deref(), Some("参数错误"));
        assert_eq!(api.detail.as_ref().unwrap().field.as_deref(), Some("/x"));
        assert!(api.hint.is_some());
        assert_eq!(api.request_id.as_deref(), Some("RID-1"));
        assert_eq!(api.attempts, 2);
        let text = e.to_string();
        assert!(
            text.contains("PARAM_ERROR") && text.contains("RID-1"),
            "{text}"
        );
    }

    #[test]
    fn api_error_keeps_non_json_body_truncated() {
        let big = vec![b'x'; ApiError::RAW_BODY_LIMIT + 100];
        let e = api_error(raw(502, &big));
        let api = e.as_api().unwrap();
        assert!(api.code.is_none());
        assert_eq!(api.raw_body.len(), ApiError::RAW_BODY_LIMIT);
        assert!(e.is_retryable());
        let e = api_error(raw(502, b"<html>bad gateway</html>"));
        assert!(e.to_string().contains("bad gateway"));
    }
}

//! Fault injection per route: added latency, forced 500/429, dropped connections and bad
//! response signatures, so that client retries and failover can be tested.

use std::sync::Mutex;
use std::time::Duration;

use crate::sync::lock;

/// What a fault does to a matching request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FaultKind {
    /// Wait this long before handling the request (combines with other faults).
    Latency(Duration),
    /// Answer this status without processing: 429 gives `FREQUENCY_LIMITED`, 5xx gives
    /// `SYSTEM_ERROR` (500) or `SERVICE_UNAVAILABLE`, other 4xx `INVALID_REQUEST`; a status
    /// outside 400–599 is answered as 500 `SYSTEM_ERROR`.
    Status(u16),
    /// Close the connection without any answer (the request is not processed).
    DropConnection,
    /// Process normally but answer with a signature that does not verify.
    BadSignature,
    /// Process normally but answer with a `WECHATPAY/SIGNTEST/` probe signature (spec §3.6).
    ProbeSignature,
}

/// A fault rule: which requests (method and path) and how often.
///
/// The path is matched segment by segment against the request path (without query); a
/// segment written `{name}` matches any value, so both templates such as
/// `/v3/marketing/busifavor/stocks/{stock_id}` and exact paths work.
///
/// ```
/// use std::time::Duration;
/// use wxpay_mock::{Fault, FaultKind};
/// let f = Fault::new("POST", "/v3/marketing/busifavor/coupons/use", FaultKind::Status(500)).times(2);
/// assert!(f.matches("POST", "/v3/marketing/busifavor/coupons/use"));
/// let slow = Fault::any_method("/v3/marketing/busifavor/stocks/{stock_id}",
///                              FaultKind::Latency(Duration::from_millis(50)));
/// assert!(slow.matches("GET", "/v3/marketing/busifavor/stocks/123"));
/// assert!(!slow.matches("GET", "/v3/marketing/busifavor/stocks"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    method: Option<String>,
    path: String,
    kind: FaultKind,
    remaining: Option<u32>,
}

impl Fault {
    /// A fault for one method (`GET`, `POST`, …) and path, applied to every matching request
    /// until removed (see [`Fault::times`]).
    pub fn new(method: &str, path: &str, kind: FaultKind) -> Self {
        Self {
            method: Some(method.to_ascii_uppercase()),
            path: path.to_owned(),
            kind,
            remaining: None,
        }
    }

    /// A fault for every method on a path.
    pub fn any_method(path: &str, kind: FaultKind) -> Self {
        Self {
            method: None,
            path: path.to_owned(),
            kind,
            remaining: None,
        }
    }

    /// Applies the fault to the next `n` matching requests only.
    pub fn times(mut self, n: u32) -> Self {
        self.remaining = Some(n);
        self
    }

    /// What the fault does.
    pub fn kind(&self) -> &FaultKind {
        &self.kind
    }

    /// Whether a request matches (ignoring the remaining count).
    pub fn matches(&self, method: &str, path: &str) -> bool {
        if self
            .method
            .as_deref()
            .is_some_and(|m| !m.eq_ignore_ascii_case(method))
        {
            return false;
        }
        let want: Vec<&str> = self.path.trim_matches('/').split('/').collect();
        let got: Vec<&str> = path.trim_matches('/').split('/').collect();
        want.len() == got.len()
            && want
                .iter()
                .zip(&got)
                .all(|(w, g)| (w.starts_with('{') && w.ends_with('}')) || w == g)
    }
}

/// The live rule set.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    rules: Mutex<Vec<Fault>>,
}

impl Faults {
    pub(crate) fn add(&self, fault: Fault) {
        lock(&self.rules).push(fault);
    }

    pub(crate) fn rules(&self) -> Vec<Fault> {
        lock(&self.rules).clone()
    }

    pub(crate) fn clear(&self) {
        lock(&self.rules).clear();
    }

    /// The faults that apply to this request, consuming one use of each counted rule.
    pub(crate) fn take(&self, method: &str, path: &str) -> Vec<FaultKind> {
        let mut rules = lock(&self.rules);
        let mut out = Vec::new();
        for rule in rules.iter_mut() {
            if rule.remaining != Some(0) && rule.matches(method, path) {
                if let Some(n) = &mut rule.remaining {
                    *n -= 1;
                }
                out.push(rule.kind.clone());
            }
        }
        rules.retain(|r| r.remaining != Some(0));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counted_faults_run_out() {
        let f = Faults::default();
        f.add(Fault::new("post", "/a/{x}", FaultKind::Status(500)).times(2));
        f.add(Fault::any_method(
            "/a/1",
            FaultKind::Latency(Duration::from_millis(1)),
        ));
        assert_eq!(f.take("POST", "/a/1").len(), 2);
        assert_eq!(
            f.take("GET", "/a/1"),
            vec![FaultKind::Latency(Duration::from_millis(1))]
        );
        assert_eq!(f.take("POST", "/a/2"), vec![FaultKind::Status(500)]);
        assert_eq!(f.take("POST", "/a/2"), vec![]);
        f.clear();
        assert!(f.take("GET", "/a/1").is_empty());
    }
}

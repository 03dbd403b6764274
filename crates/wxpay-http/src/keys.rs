//! The shared set of WeChat Pay verification keys (public keys and platform certificates), the
//! `Wechatpay-Serial` a request announces from them, and the `Wechatpay-Signature-Type` an answer
//! signed with them may declare.

use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use http::HeaderValue;
use wxpay_crypto::{PlatformCertificate, SignatureHeaders, Verifier};

/// A cheap-to-clone handle on the client's verification keys: the WeChat Pay public key(s) and
/// the platform certificates, including those the client downloads and rotates.
///
/// The callback handler uses the same handle, so a certificate downloaded for an API response
/// also verifies callbacks. Obtain it with [`crate::Client::key_set`].
#[derive(Clone, Debug)]
pub struct KeySet {
    inner: Arc<RwLock<Verifier>>,
}

impl KeySet {
    pub(crate) fn new(verifier: Verifier) -> Self {
        Self {
            inner: Arc::new(RwLock::new(verifier)),
        }
    }

    fn read(&self) -> RwLockReadGuard<'_, Verifier> {
        match self.inner.read() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    fn write(&self) -> RwLockWriteGuard<'_, Verifier> {
        match self.inner.write() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    /// Verifies a signature over the raw body at Unix time `now` (see
    /// [`Verifier::verify`]); does not download certificates (use
    /// [`crate::Client::verify_signature`] for that).
    pub fn verify(
        &self,
        headers: &SignatureHeaders<'_>,
        body: &[u8],
        now: i64,
    ) -> Result<(), wxpay_crypto::Error> {
        self.read().verify(headers, body, now)
    }

    /// Whether a key or certificate with this id/serial is held.
    pub fn contains(&self, serial: &str) -> bool {
        self.read().contains(serial)
    }

    /// Ids and serials held.
    pub fn serials(&self) -> Vec<String> {
        self.read().serials()
    }

    /// A copy of the current key set.
    pub fn snapshot(&self) -> Verifier {
        self.read().clone()
    }

    /// Adds certificates and drops those expired at `now`.
    pub(crate) fn install(&self, certs: Vec<PlatformCertificate>, now: i64) {
        let mut v = self.write();
        for c in certs {
            v.add_certificate(c);
        }
        v.remove_expired(now);
    }

    /// The serial of the newest certificate valid at `now`, if any.
    pub(crate) fn newest_certificate(&self, now: i64) -> Option<String> {
        self.read()
            .certificates()
            .filter(|c| c.is_valid_at(now))
            .max_by_key(|c| c.not_after())
            .map(|c| c.serial().to_owned())
    }
}

/// Which `Wechatpay-Serial` a request carries: the public-key id when one is configured (it asks
/// WeChat Pay to sign the answer with that key), else the newest platform certificate held that
/// is valid now, else none.
#[derive(Debug, Clone)]
pub(crate) struct RequestSerial {
    public_key_id: Option<HeaderValue>,
    keys: KeySet,
}

impl RequestSerial {
    pub(crate) fn new(public_key_id: Option<HeaderValue>, keys: KeySet) -> Self {
        Self {
            public_key_id,
            keys,
        }
    }

    /// The header value for an attempt made at Unix time `now`.
    pub(crate) fn value(&self, now: i64) -> Option<HeaderValue> {
        match &self.public_key_id {
            Some(id) => Some(id.clone()),
            None => self
                .keys
                .newest_certificate(now)
                .and_then(|s| HeaderValue::from_str(&s).ok()),
        }
    }
}

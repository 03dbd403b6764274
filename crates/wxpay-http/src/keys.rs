//! The shared set of WeChat Pay verification keys (public keys and platform certificates).

use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

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

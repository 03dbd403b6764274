//! Platform-certificate mode (spec §4): download `GET /v3/certificates`, decrypt with the
//! APIv3 key, verify the download with a certificate it contains, keep those within validity.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tracing::{Instrument, debug, info};
use wxpay_crypto::{ApiV3Key, PlatformCertificate, SignatureHeaders};
use wxpay_model::certificates::{CERTIFICATES_PATH, CertificateList, CertificatesRequest};

use crate::error::Error;
use crate::keys::KeySet;
use crate::prepared::Prepared;
use crate::transport::Transport;

/// After a download for an unknown serial that did not bring that serial, no unknown serial
/// (whichever) triggers another download for this long. Callbacks can be sent by anyone, so
/// a stream of made-up serials must not become a stream of downloads; genuine new
/// certificates are normally picked up by the periodic refresh before WeChat Pay uses them.
const MISS_QUIET: Duration = Duration::from_secs(60);

/// Downloads and installs platform certificates; one download at a time.
pub(crate) struct CertManager {
    key: Arc<ApiV3Key>,
    interval: Duration,
    lock: tokio::sync::Mutex<()>,
    generation: AtomicU64,
    /// When the last serial-triggered download that did not help ended.
    last_miss: Mutex<Option<Instant>>,
}

impl CertManager {
    pub(crate) fn new(key: Arc<ApiV3Key>, interval: Duration) -> Self {
        Self {
            key,
            interval,
            lock: tokio::sync::Mutex::new(()),
            generation: AtomicU64::new(0),
            last_miss: Mutex::new(None),
        }
    }

    pub(crate) fn interval(&self) -> Duration {
        self.interval
    }

    /// Downloads now (waiting for a download already running to finish first).
    pub(crate) async fn refresh(
        &self,
        transport: &Transport,
        keys: &KeySet,
    ) -> Result<usize, Error> {
        let _one_at_a_time = self.lock.lock().await;
        self.download(transport, keys).await
    }

    /// Single flight for an unknown serial: callers that arrive while a download runs wait for
    /// it and then use its result instead of downloading again.
    pub(crate) async fn refresh_for_serial(
        &self,
        transport: &Transport,
        keys: &KeySet,
        serial: &str,
    ) -> Result<(), Error> {
        let seen = self.generation.load(Ordering::Acquire);
        let _one_at_a_time = self.lock.lock().await;
        if keys.contains(serial) || self.generation.load(Ordering::Acquire) != seen {
            return Ok(());
        }
        let quiet = lock(&self.last_miss)
            .is_some_and(|at| Instant::now().saturating_duration_since(at) < MISS_QUIET);
        if quiet {
            debug!(
                serial,
                "a download for an unknown serial found nothing moments ago; not downloading again yet"
            );
            return Ok(());
        }
        let result = self.download(transport, keys).await;
        if !keys.contains(serial) {
            *lock(&self.last_miss) = Some(Instant::now());
        }
        result.map(|_| ())
    }

    async fn download(&self, transport: &Transport, keys: &KeySet) -> Result<usize, Error> {
        let span = tracing::info_span!("wxpay.certificates", path = CERTIFICATES_PATH);
        self.download_inner(transport, keys).instrument(span).await
    }

    async fn download_inner(&self, transport: &Transport, keys: &KeySet) -> Result<usize, Error> {
        let request = Prepared::from_request(&CertificatesRequest)?;
        let raw = transport.send(&request).await?;
        let now = transport.now_unix();
        let certs = decode(&self.key, &raw.body, now)?;
        // Bootstrap (spec §4.3): the download must verify with a key already held or with a
        // certificate it carries (which the APIv3 key's GCM tag has just authenticated).
        // `from_header_map` below carries `Wechatpay-Signature-Type`: a non-RSA type is refused
        // by wxpay-crypto's one rule before any key is looked up.
        let mut candidate = keys.snapshot();
        for c in &certs {
            candidate.add_certificate(c.clone());
        }
        let headers = SignatureHeaders::from_header_map(&raw.headers);
        candidate
            .verify(&headers, &raw.body, now)
            .map_err(|source| Error::Verification {
                source,
                request_id: raw.request_id.clone(),
            })?;
        let serials: Vec<String> = certs.iter().map(|c| c.serial().to_owned()).collect();
        let count = certs.len();
        keys.install(certs, now);
        self.generation.fetch_add(1, Ordering::AcqRel);
        info!(?serials, "platform certificates installed");
        Ok(count)
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

/// Decrypts every RSA certificate of a download and keeps those valid at `now`.
fn decode(key: &ApiV3Key, body: &[u8], now: i64) -> Result<Vec<PlatformCertificate>, Error> {
    let list: CertificateList = serde_json::from_slice(body).map_err(|e| Error::Certificates {
        reason: format!("the `/v3/certificates` body is not the documented JSON: {e}"),
        source: None,
    })?;
    let mut out = Vec::new();
    for entry in list.data {
        let enc = &entry.encrypt_certificate;
        if !enc.is_supported() {
            debug!(serial = %entry.serial_no, algorithm = %enc.algorithm, "skipping a certificate with an unsupported algorithm");
            continue;
        }
        let plain = enc.open(key).map_err(|source| Error::Certificates {
            reason: format!("cannot decrypt certificate {}", entry.serial_no),
            source: Some(source),
        })?;
        let pem = plain.as_str().ok_or_else(|| Error::Certificates {
            reason: format!(
                "certificate {} decrypted to non-UTF-8 data",
                entry.serial_no
            ),
            source: None,
        })?;
        let cert = PlatformCertificate::from_pem(pem).map_err(|source| Error::Certificates {
            reason: format!(
                "certificate {} is not a valid X.509 certificate",
                entry.serial_no
            ),
            source: Some(source),
        })?;
        if !cert.serial().eq_ignore_ascii_case(&entry.serial_no) {
            return Err(Error::Certificates {
                reason: format!(
                    "the list says serial {} but the certificate inside is {}",
                    entry.serial_no,
                    cert.serial()
                ),
                source: None,
            });
        }
        if cert.is_valid_at(now) {
            out.push(cert);
        } else {
            debug!(
                serial = cert.serial(),
                "skipping a certificate outside its validity"
            );
        }
    }
    if out.is_empty() {
        return Err(Error::Certificates {
            reason: "the download holds no RSA certificate valid now".into(),
            source: None,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CERT: &str = include_str!("../../wxpay-crypto/testdata/platform_cert.pem");
    const SERIAL: &str = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1";

    fn key() -> ApiV3Key {
        ApiV3Key::new("0123456789abcdefghijklmnopqrstuv").unwrap()
    }

    fn body(serial: &str, algorithm: &str) -> String {
        let ct = key()
            .encrypt(
                wxpay_model::certificates::CERTIFICATE_ASSOCIATED_DATA,
                "61f9c719728a",
                CERT,
            )
            .unwrap();
        format!(
            r#"{{"data":[{{"serial_no":"{serial}","effective_time":"x","expire_time":"y","encrypt_certificate":{{"algorithm":"{algorithm}","nonce":"61f9c719728a","associated_data":"certificate","ciphertext":"{ct}"}}}}]}}"#
        )
    }

    fn valid_now() -> i64 {
        PlatformCertificate::from_pem(CERT).unwrap().not_before() + 10
    }

    #[test]
    fn decodes_a_valid_download() {
        let certs = decode(
            &key(),
            body(SERIAL, "AEAD_AES_256_GCM").as_bytes(),
            valid_now(),
        )
        .unwrap();
        assert_eq!(certs.len(), 1);
        assert_eq!(certs[0].serial(), SERIAL);
    }

    #[test]
    fn rejects_serial_mismatch_wrong_key_and_expired() {
        let b = body("ABCDEF", "AEAD_AES_256_GCM");
        assert!(matches!(
            decode(&key(), b.as_bytes(), valid_now()),
            Err(Error::Certificates { .. })
        ));
        let other = ApiV3Key::new("vutsrqponmlkjihgfedcba9876543210").unwrap();
        let b = body(SERIAL, "AEAD_AES_256_GCM");
        assert!(matches!(
            decode(&other, b.as_bytes(), valid_now()),
            Err(Error::Certificates {
                source: Some(wxpay_crypto::Error::DecryptFailed),
                ..
            })
        ));
        assert!(decode(&key(), b.as_bytes(), i64::MAX / 2).is_err());
        assert!(decode(&key(), b"<html>", valid_now()).is_err());
    }

    #[test]
    fn skips_unsupported_algorithms() {
        let b = body(SERIAL, "SM4_GCM");
        assert!(decode(&key(), b.as_bytes(), valid_now()).is_err());
    }
}

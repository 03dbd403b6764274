//! WeChat Pay's verification keys as configured, with where each came from — so that a
//! failed check can try the other keys and say "it was signed by the key you configured as X".

use der::{Decode, Encode};
use wxpay_crypto::{PUBLIC_KEY_ID_PREFIX, PlatformCertificate, Verifier, WechatPayPublicKey};
use zeroize::Zeroizing;

use crate::config::Sourced;
use crate::failure::{Failure, Result};

/// One configured key.
#[derive(Clone)]
pub struct KeyEntry {
    /// `PUB_KEY_ID_…` or the certificate serial.
    pub id: String,
    /// The RSA public key (for a certificate: its subject public key).
    pub key: WechatPayPublicKey,
    /// The certificate, when the entry is one.
    pub certificate: Option<PlatformCertificate>,
    /// The PEM text, for handing to a client builder.
    pub pem: Zeroizing<String>,
    /// Where it came from, e.g. `--public-key /etc/wxpay/pub_key.pem`.
    pub source: String,
}

/// The keys configured for checking WeChat Pay signatures.
#[derive(Clone, Default)]
pub struct KeyRing {
    entries: Vec<KeyEntry>,
}

impl KeyRing {
    /// Adds the WeChat Pay public key `pem` under `id`.
    pub fn add_public_key(&mut self, id: &Sourced<String>, pem: &str, source: &str) -> Result<()> {
        if !id.value.starts_with(PUBLIC_KEY_ID_PREFIX) {
            return Err(Failure::config(format!(
                "the WeChat Pay public-key id {:?} (from {}) does not start with {PUBLIC_KEY_ID_PREFIX}",
                id.value, id.source
            ))
            .fix("copy the id shown beside the public key on the merchant platform; a platform certificate serial goes with --platform-cert instead"));
        }
        let key = WechatPayPublicKey::from_pem(pem).map_err(|e| {
            Failure::config(format!("the WeChat Pay public key from {source} is unusable: {e}"))
                .fix("give pub_key.pem as downloaded with its PUB_KEY_ID_… from the merchant platform (`BEGIN PUBLIC KEY`)")
        })?;
        self.entries.push(KeyEntry {
            id: id.value.clone(),
            key,
            certificate: None,
            pem: Zeroizing::new(pem.to_owned()),
            source: source.to_owned(),
        });
        Ok(())
    }

    /// Adds a platform certificate.
    pub fn add_certificate(&mut self, pem: &str, source: &str) -> Result<()> {
        let unusable = |e: String| {
            Failure::config(format!("the platform certificate from {source} is unusable: {e}"))
                .fix("give a WeChat Pay platform certificate (`BEGIN CERTIFICATE`), e.g. decrypted from GET /v3/certificates")
        };
        let cert = PlatformCertificate::from_pem(pem).map_err(|e| unusable(e.to_string()))?;
        let key = certificate_public_key(pem).map_err(unusable)?;
        self.entries.push(KeyEntry {
            id: cert.serial().to_owned(),
            key,
            certificate: Some(cert),
            pem: Zeroizing::new(pem.to_owned()),
            source: source.to_owned(),
        });
        Ok(())
    }

    /// Whether no key is configured.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The configured keys.
    pub fn entries(&self) -> &[KeyEntry] {
        &self.entries
    }

    /// A verifier holding every key, with the given window.
    pub fn verifier(&self, tolerance: u64) -> Verifier {
        let mut v = Verifier::new().with_tolerance(tolerance);
        for e in &self.entries {
            match &e.certificate {
                Some(c) => v.add_certificate(c.clone()),
                None => v.add_public_key(e.id.clone(), e.key.clone()),
            }
        }
        v
    }

    /// The entry for `serial` (certificate serials compared case-insensitively).
    pub fn find(&self, serial: &str) -> Option<&KeyEntry> {
        self.entries.iter().find(|e| {
            e.id == serial
                || (e.certificate.is_some()
                    && e.id
                        .trim_start_matches('0')
                        .eq_ignore_ascii_case(serial.trim_start_matches('0')))
        })
    }

    /// The error when no key is configured.
    pub fn none_configured() -> Failure {
        Failure::config("no WeChat Pay key configured to check signatures with").fix(format!(
            "pass --public-key-id PUB_KEY_ID_… --public-key pub_key.pem (or set {} and {}), or --platform-cert FILE",
            crate::config::var::PUBLIC_KEY_ID,
            crate::config::var::PUBLIC_KEY_PATH
        ))
    }
}

/// The subject public key of a certificate, as a key that can be registered under any serial.
fn certificate_public_key(pem: &str) -> std::result::Result<WechatPayPublicKey, String> {
    let der = pem_certificate_der(pem).ok_or("no `BEGIN CERTIFICATE` block")?;
    let cert = x509_cert::Certificate::from_der(&der).map_err(|e| e.to_string())?;
    let spki = cert
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .map_err(|e| e.to_string())?;
    WechatPayPublicKey::from_der(&spki).map_err(|e| e.to_string())
}

fn pem_certificate_der(pem: &str) -> Option<Vec<u8>> {
    pem::parse_many(pem)
        .ok()?
        .into_iter()
        .find(|block| block.tag() == "CERTIFICATE")
        .map(|block| block.into_contents())
}

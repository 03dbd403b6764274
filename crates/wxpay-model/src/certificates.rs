//! `GET /v3/certificates` (spec §4): the platform-certificate download, its list and the
//! encrypted certificate inside each entry. One shape for the client that downloads it, the
//! simulator that serves it and the test servers that stand in for WeChat Pay.

use serde::{Deserialize, Serialize};
use wxpay_crypto::{AEAD_ALGORITHM, ApiV3Key, Plaintext};

use crate::error::{Error, ValidationError};
use crate::request::{ApiRequest, Method, RequestBody};

/// The download path.
pub const CERTIFICATES_PATH: &str = "/v3/certificates";

/// Associated data of every encrypted platform certificate (AEAD_AES_256_GCM).
pub const CERTIFICATE_ASSOCIATED_DATA: &str = "certificate";

/// `GET /v3/certificates` — the platform certificates, each encrypted with the APIv3 key.
///
/// ```
/// use wxpay_model::{ApiRequest, Method};
/// use wxpay_model::certificates::CertificatesRequest;
/// assert_eq!(CertificatesRequest::METHOD, Method::Get);
/// assert_eq!(CertificatesRequest.path_and_query(), "/v3/certificates");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CertificatesRequest;

impl ApiRequest for CertificatesRequest {
    type Response = CertificateList;
    const METHOD: Method = Method::Get;
    const PATH_TEMPLATE: &'static str = CERTIFICATES_PATH;
    fn path(&self) -> String {
        CERTIFICATES_PATH.to_owned()
    }
    fn body(&self) -> Result<RequestBody, Error> {
        Ok(RequestBody::Empty)
    }
    fn validate(&self) -> Result<(), ValidationError> {
        Ok(())
    }
}

/// The answer to [`CertificatesRequest`]: `{"data": [...]}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CertificateList {
    /// One entry per platform certificate.
    pub data: Vec<CertificateEntry>,
}

/// One platform certificate of the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateEntry {
    /// The certificate's serial (upper-case hex), to be checked against the decrypted one.
    pub serial_no: String,
    /// Start of validity (RFC 3339, kept as sent; the certificate itself is authoritative).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_time: Option<String>,
    /// End of validity (RFC 3339, kept as sent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expire_time: Option<String>,
    /// The PEM certificate, encrypted with the merchant's APIv3 key.
    pub encrypt_certificate: EncryptedCertificate,
}

/// `encrypt_certificate`: a PEM certificate encrypted with the APIv3 key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EncryptedCertificate {
    /// `AEAD_AES_256_GCM`; entries with another algorithm are skipped by readers.
    pub algorithm: String,
    /// 12-character nonce.
    pub nonce: String,
    /// `certificate` (may be absent: read as empty).
    #[serde(default)]
    pub associated_data: String,
    /// Base64 of ciphertext and tag.
    pub ciphertext: String,
}

impl EncryptedCertificate {
    /// Encrypts `pem` under a fresh random nonce, as WeChat Pay does (for servers playing it).
    pub fn seal(key: &ApiV3Key, pem: &str) -> Result<Self, wxpay_crypto::Error> {
        let sealed = key.seal(CERTIFICATE_ASSOCIATED_DATA, pem)?;
        Ok(Self::from_parts(sealed.nonce, sealed.ciphertext))
    }

    /// Encrypts `pem` under a given 12-character nonce (reproducible test bodies).
    pub fn with_nonce(key: &ApiV3Key, nonce: &str, pem: &str) -> Result<Self, wxpay_crypto::Error> {
        let ciphertext = key.encrypt(CERTIFICATE_ASSOCIATED_DATA, nonce, pem)?;
        Ok(Self::from_parts(nonce.to_owned(), ciphertext))
    }

    fn from_parts(nonce: String, ciphertext: String) -> Self {
        Self {
            algorithm: AEAD_ALGORITHM.to_owned(),
            nonce,
            associated_data: CERTIFICATE_ASSOCIATED_DATA.to_owned(),
            ciphertext,
        }
    }

    /// Whether the algorithm is the one this SDK decrypts (`AEAD_AES_256_GCM`).
    pub fn is_supported(&self) -> bool {
        self.algorithm == AEAD_ALGORITHM
    }

    /// Decrypts with the APIv3 key (the associated data as sent).
    pub fn open(&self, key: &ApiV3Key) -> Result<Plaintext, wxpay_crypto::Error> {
        key.decrypt(&self.associated_data, &self.nonce, &self.ciphertext)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> ApiV3Key {
        ApiV3Key::new("0123456789abcdefghijklmnopqrstuv").unwrap()
    }

    #[test]
    fn sealed_entries_open_and_round_trip() {
        let enc = EncryptedCertificate::seal(&key(), "PEM TEXT").unwrap();
        assert!(enc.is_supported());
        assert_eq!(enc.associated_data, CERTIFICATE_ASSOCIATED_DATA);
        assert_eq!(enc.open(&key()).unwrap().as_str(), Some("PEM TEXT"));
        let list = CertificateList {
            data: vec![CertificateEntry {
                serial_no: "AB".into(),
                effective_time: Some("2026-01-01T00:00:00+08:00".into()),
                expire_time: None,
                encrypt_certificate: EncryptedCertificate::with_nonce(&key(), "61f9c719728a", "x")
                    .unwrap(),
            }],
        };
        let text = serde_json::to_string(&list).unwrap();
        assert!(!text.contains("expire_time"), "{text}");
        assert_eq!(
            serde_json::from_str::<CertificateList>(&text).unwrap(),
            list
        );
    }

    #[test]
    fn reads_leniently() {
        let list: CertificateList = serde_json::from_str(
            r#"{"data":[{"serial_no":"A","effective_time":"x","encrypt_certificate":{"algorithm":"SM4_GCM","nonce":"n","ciphertext":"c"}}],"extra":1}"#,
        )
        .unwrap();
        let enc = &list.data[0].encrypt_certificate;
        assert!(!enc.is_supported());
        assert_eq!(enc.associated_data, "");
        assert_eq!(list.data[0].effective_time.as_deref(), Some("x"));
    }
}

//! `GET /v3/certificates` (spec §4): the platform certificate, encrypted with the caller's APIv3
//! key, in the model's list shape.

use wxpay_model::Timestamp;
use wxpay_model::certificates::{CertificateEntry, CertificateList, EncryptedCertificate};

use crate::api_error::ApiError;
use crate::keys::SimulatorKeys;
use crate::merchant::Merchant;
use crate::state::Reply;

/// The answer for `merchant`; 404 for a merchant that has only a WeChat Pay public key.
pub(crate) fn answer(keys: &SimulatorKeys, merchant: &Merchant) -> Result<Reply, ApiError> {
    if merchant.config.is_public_key_only() {
        return Err(ApiError::not_found("证书不存在"));
    }
    let cert = keys.platform_certificate();
    let encrypt_certificate =
        EncryptedCertificate::seal(&merchant.apiv3, keys.platform_certificate_pem())
            .map_err(|e| ApiError::system(e.to_string()))?;
    Ok(Reply::answer(&CertificateList {
        data: vec![CertificateEntry {
            serial_no: cert.serial().to_owned(),
            effective_time: Some(Timestamp::from_unix_beijing(cert.not_before()).to_string()),
            expire_time: Some(Timestamp::from_unix_beijing(cert.not_after()).to_string()),
            encrypt_certificate,
        }],
    }))
}

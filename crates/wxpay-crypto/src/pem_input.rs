//! Reading PEM text into labelled DER, with diagnostics for the usual mix-ups.
//!
//! Framing and base64 are the `pem` crate's; this module only decides which block is wanted and
//! what to tell the user when it is not there.

use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// One decoded PEM block: its label and its DER bytes (wiped on drop).
pub(crate) struct Block {
    pub(crate) label: String,
    pub(crate) der: Zeroizing<Vec<u8>>,
}

/// Finds the first block whose label is one of `accepted`.
///
/// `expected` names the object for error messages ("merchant private key", ...).
pub(crate) fn decode(input: &str, expected: &'static str, accepted: &[&str]) -> Result<Block> {
    if input.trim().is_empty() {
        return Err(Error::EmptyInput { expected });
    }
    let blocks = pem::parse_many(input).map_err(|e| Error::Malformed {
        expected,
        reason: e.to_string(),
    })?;
    // Move every block's bytes into wiping buffers before looking at any of them.
    let blocks: Vec<(String, bool, Zeroizing<Vec<u8>>)> = blocks
        .into_iter()
        .map(|p| {
            let encrypted = p
                .headers()
                .get("Proc-Type")
                .is_some_and(|v| v.contains("ENCRYPTED"));
            (
                p.tag().to_owned(),
                encrypted,
                Zeroizing::new(p.into_contents()),
            )
        })
        .collect();
    if let Some((label, _, _)) = blocks
        .iter()
        .find(|(label, enc, _)| *enc || label == "ENCRYPTED PRIVATE KEY")
    {
        let found = if label == "ENCRYPTED PRIVATE KEY" {
            format!("`{label}`")
        } else {
            format!("`{label}` with `Proc-Type: 4,ENCRYPTED`")
        };
        return Err(Error::EncryptedKey { found });
    }
    let first_label = match blocks.first() {
        Some((label, _, _)) => label.clone(),
        None => {
            return Err(Error::Malformed {
                expected,
                reason: "no `-----BEGIN …-----` block found".to_owned(),
            });
        }
    };
    match blocks
        .into_iter()
        .find(|(label, _, _)| accepted.contains(&label.as_str()))
    {
        Some((label, _, der)) => Ok(Block { label, der }),
        None => Err(Error::WrongPemKind {
            expected,
            hint: hint_for(&first_label),
            found: first_label,
        }),
    }
}

fn hint_for(label: &str) -> &'static str {
    match label {
        "CERTIFICATE" => {
            "; this is a certificate: load a platform certificate with `PlatformCertificate::from_pem`, \
             and the merchant private key from `apiclient_key.pem` (not `apiclient_cert.pem`)"
        }
        "PRIVATE KEY" | "RSA PRIVATE KEY" => {
            "; this is a private key: the WeChat Pay public key is the `pub_key.pem` downloaded from the merchant platform"
        }
        "PUBLIC KEY" | "RSA PUBLIC KEY" => {
            "; this is a public key: load it with `WechatPayPublicKey::from_pem`, and the merchant private key from `apiclient_key.pem`"
        }
        _ => "",
    }
}

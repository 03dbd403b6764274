//! Reading PEM text into labelled DER, and recognising what DER bytes hold, with diagnostics
//! for the usual mix-ups.
//!
//! Framing, base64 and ASN.1 are the `pem`, `x509-cert`, `spki`, `pkcs8` and `pkcs1` crates';
//! this module only decides which block is wanted and what to tell the user when it is not
//! there.

use der::Decode;
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// One decoded PEM block: its label and its DER bytes (wiped on drop).
pub(crate) struct Block {
    pub(crate) label: String,
    pub(crate) der: Zeroizing<Vec<u8>>,
}

/// Which accepted block to take when the input holds several.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pick {
    /// Exactly one accepted block (keys: two keys in one file are ambiguous).
    Only,
    /// The first accepted block (certificate chains: the leaf comes first).
    First,
}

/// Finds the accepted block of `input`: a block whose label is one of `accepted`.
///
/// Text outside the blocks is ignored, as OpenSSL ignores it. `expected` names the object for
/// error messages ("merchant private key", ...). An encrypted key is reported only when a
/// private key is what is wanted; other loaders skip it like any other block.
pub(crate) fn decode(
    input: &str,
    expected: &'static str,
    accepted: &[&str],
    pick: Pick,
) -> Result<Block> {
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
    let first_label = match blocks.first() {
        Some((label, _, _)) => label.clone(),
        None => {
            return Err(Error::Malformed {
                expected,
                reason: "no `-----BEGIN …-----` block found".to_owned(),
            });
        }
    };
    let wants_private = accepted.iter().any(|l| l.ends_with("PRIVATE KEY"));
    if let Some((label, enc, _)) = blocks.iter().find(|(label, enc, _)| {
        wants_private
            && ((*enc && accepted.contains(&label.as_str())) || label == "ENCRYPTED PRIVATE KEY")
    }) {
        let found = if *enc {
            format!("`{label}` with `Proc-Type: 4,ENCRYPTED`")
        } else {
            format!("`{label}`")
        };
        return Err(Error::EncryptedKey { found });
    }
    let mut candidates = blocks
        .into_iter()
        .filter(|(label, _, _)| accepted.contains(&label.as_str()));
    let Some((label, encrypted, der)) = candidates.next() else {
        return Err(Error::WrongPemKind {
            expected,
            hint: hint_for(&first_label),
            found: first_label,
        });
    };
    if encrypted {
        // Only reachable for a loader that does not want a private key: a `Proc-Type`
        // header on a public key or certificate is not something we can read.
        return Err(Error::Malformed {
            expected,
            reason: format!("the `{label}` block has an encryption header"),
        });
    }
    let others = candidates.count();
    if pick == Pick::Only && others > 0 {
        return Err(Error::Malformed {
            expected,
            reason: format!(
                "the PEM holds {} key blocks; pass a file with exactly one, so that the key used is never a guess",
                others + 1
            ),
        });
    }
    Ok(Block { label, der })
}

fn hint_for(label: &str) -> &'static str {
    match label {
        "CERTIFICATE" => {
            "; this is a certificate: load a platform certificate with `PlatformCertificate::from_pem`, \
             and the merchant private key from `apiclient_key.pem` (not `apiclient_cert.pem`)"
        }
        "PRIVATE KEY" | "RSA PRIVATE KEY" | "ENCRYPTED PRIVATE KEY" => {
            "; this is a private key: the WeChat Pay public key is the `pub_key.pem` downloaded from the merchant platform"
        }
        "PUBLIC KEY" | "RSA PUBLIC KEY" => {
            "; this is a public key: load it with `WechatPayPublicKey::from_pem`, and the merchant private key from `apiclient_key.pem`"
        }
        _ => "",
    }
}

/// What kind of object DER bytes hold, for [`Error::WrongDerKind`].
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum DerKind {
    Certificate,
    PrivateKey,
    PublicKey,
}

impl DerKind {
    fn name(self) -> &'static str {
        match self {
            DerKind::Certificate => "certificate",
            DerKind::PrivateKey => "private key",
            DerKind::PublicKey => "public key",
        }
    }

    fn hint(self) -> &'static str {
        match self {
            DerKind::Certificate => hint_for("CERTIFICATE"),
            DerKind::PrivateKey => hint_for("PRIVATE KEY"),
            DerKind::PublicKey => hint_for("PUBLIC KEY"),
        }
    }

    /// Recognises `der` as one of the kinds, if it fully parses as one.
    fn of(der: &[u8]) -> Option<Self> {
        if x509_cert::Certificate::from_der(der).is_ok() {
            Some(DerKind::Certificate)
        } else if pkcs8::PrivateKeyInfo::try_from(der).is_ok()
            || pkcs1::RsaPrivateKey::try_from(der).is_ok()
        {
            Some(DerKind::PrivateKey)
        } else if spki::SubjectPublicKeyInfoRef::try_from(der).is_ok()
            || pkcs1::RsaPublicKey::try_from(der).is_ok()
        {
            Some(DerKind::PublicKey)
        } else {
            None
        }
    }
}

/// The error for DER that did not parse as `wanted`: [`Error::WrongDerKind`] when the bytes are
/// another kind of object, otherwise [`Error::Malformed`] with `reason`.
pub(crate) fn der_error(
    der: &[u8],
    expected: &'static str,
    wanted: DerKind,
    reason: String,
) -> Error {
    match DerKind::of(der) {
        Some(found) if found != wanted => Error::WrongDerKind {
            expected,
            found: found.name(),
            hint: found.hint(),
        },
        _ => Error::Malformed { expected, reason },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A public key or certificate block with a `Proc-Type: 4,ENCRYPTED` header cannot be read.
    #[test]
    fn encryption_header_on_a_public_block() {
        let pem = "-----BEGIN PUBLIC KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,00\n\nAAAA\n-----END PUBLIC KEY-----\n";
        let e = decode(pem, "WeChat Pay public key", &["PUBLIC KEY"], Pick::Only)
            .err()
            .unwrap();
        assert!(
            matches!(&e, Error::Malformed { reason, .. } if reason.contains("encryption header")),
            "{e:?}"
        );
    }

    #[test]
    fn der_kinds() {
        assert!(DerKind::of(b"").is_none());
        assert!(DerKind::of(&[0x30, 0x00]).is_none());
        let e = der_error(b"junk", "x", DerKind::Certificate, "r".to_owned());
        assert!(matches!(e, Error::Malformed { .. }));
    }
}

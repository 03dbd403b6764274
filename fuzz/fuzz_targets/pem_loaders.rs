//! Arbitrary bytes into every key and certificate loader: each returns a value or a
//! typed error, never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wxpay_crypto::{MerchantPrivateKey, PlatformCertificate, WechatPayPublicKey};

fuzz_target!(|data: &[u8]| {
    let _ = MerchantPrivateKey::from_der(data);
    let _ = WechatPayPublicKey::from_der(data);
    let _ = PlatformCertificate::from_der(data);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = MerchantPrivateKey::from_pem(text);
        let _ = WechatPayPublicKey::from_pem(text);
        if let Ok(cert) = PlatformCertificate::from_pem(text) {
            // Accessors on whatever parsed must not panic either.
            let _ = (cert.serial(), cert.not_before(), cert.not_after());
            let _ = cert.is_valid_at(cert.not_before());
        }
    }
});

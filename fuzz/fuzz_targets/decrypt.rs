//! Arbitrary key, associated data, nonce and ciphertext into `ApiV3Key::decrypt`; and a
//! round trip: whatever `encrypt` produced, `decrypt` gives back, and one flipped byte of
//! the base64 text is rejected.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wxpay_crypto::ApiV3Key;

fuzz_target!(|input: (&[u8], &[u8], &[u8], &[u8], [u8; 32], [u8; 12], u16)| {
    let (key_bytes, aad, nonce, ciphertext, key32, nonce12, flip) = input;

    // Arbitrary inputs: a key of any length, any nonce, any ciphertext text.
    if let Ok(key) = ApiV3Key::new(key_bytes) {
        let _ = key.decrypt(aad, nonce, ciphertext);
    }

    // Round trip with a valid key and nonce.
    let Ok(key) = ApiV3Key::new(key32) else {
        panic!("a 32-byte key is accepted");
    };
    let Ok(sealed) = key.encrypt(aad, nonce12, ciphertext) else {
        panic!("encrypting with a 12-byte nonce succeeds");
    };
    match key.decrypt(aad, nonce12, &sealed) {
        Ok(plain) => assert_eq!(plain.as_bytes(), ciphertext, "round trip changed the plaintext"),
        Err(err) => panic!("decrypting our own ciphertext failed: {err}"),
    }
    let mut tampered = sealed.into_bytes();
    let at = usize::from(flip) % tampered.len();
    tampered[at] ^= 0x01;
    assert!(
        key.decrypt(aad, nonce12, &tampered).is_err(),
        "a changed ciphertext byte was accepted"
    );
});

//! Arbitrary key, associated data, nonce and ciphertext into `ApiV3Key::decrypt`; and a
//! round trip: whatever `encrypt` produced, `decrypt` gives back, and one flipped bit in
//! the base64 text is rejected.
#![no_main]

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use wxpay_crypto::ApiV3Key;

#[derive(Debug, Arbitrary)]
struct Input<'a> {
    key: &'a [u8],
    associated_data: &'a [u8],
    nonce: &'a [u8],
    data: &'a [u8],
    key32: [u8; 32],
    nonce12: [u8; 12],
    flip: u16,
}

fuzz_target!(|input: Input<'_>| {
    // Arbitrary inputs: a key of any length, any nonce, any ciphertext text.
    if let Ok(key) = ApiV3Key::new(input.key) {
        let _ = key.decrypt(input.associated_data, input.nonce, input.data);
    }

    // Round trip with a valid key and nonce, `data` as the plaintext.
    let aad = input.associated_data;
    let Ok(key) = ApiV3Key::new(input.key32) else {
        panic!("a 32-byte key is accepted");
    };
    let Ok(sealed) = key.encrypt(aad, input.nonce12, input.data) else {
        panic!("encrypting with a 12-byte nonce succeeds");
    };
    match key.decrypt(aad, input.nonce12, &sealed) {
        Ok(plain) => assert_eq!(plain.as_bytes(), input.data, "round trip changed the data"),
        Err(err) => panic!("decrypting our own ciphertext failed: {err}"),
    }
    let mut tampered = sealed.into_bytes();
    let at = usize::from(input.flip) % tampered.len();
    tampered[at] ^= 0x01;
    assert!(
        key.decrypt(aad, input.nonce12, &tampered).is_err(),
        "a changed ciphertext byte was accepted"
    );
});

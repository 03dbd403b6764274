//! Every known-answer vector of the protocol contract's Appendix A, byte for byte, plus the §13
//! APIv2 HMAC examples (expected values computed independently with Python's `hmac` and
//! `openssl dgst -hmac`).

use wxpay_crypto::{
    ApiV2Key, ApiV3Key, Error, MerchantPrivateKey, SignatureHeaders, Signer, Verifier,
    WechatPayPublicKey, apiv2_canonical_params, signing_string, verification_string,
};

const A1_KEY: &str = include_str!("../testdata/spec_a1_key.pem");
const A1_PUB: &str = include_str!("../testdata/spec_a1_pub.pem");
const TS: i64 = 1554208460;
const NONCE: &str = "593BEC0C930BF1AFEB40B4A08C8FB242";
const MCHID: &str = "1900009191";
const SERIAL: &str = "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C";
const PUB_ID: &str = "PUB_KEY_ID_00000000000000000000000000000001";

fn a1_signer() -> Signer {
    let pem = A1_KEY.replace("TESTING KEY", "PRIVATE KEY");
    Signer::new(MCHID, SERIAL, MerchantPrivateKey::from_pem(&pem).unwrap()).unwrap()
}

fn a1_verifier() -> Verifier {
    Verifier::new().with_public_key(PUB_ID, WechatPayPublicKey::from_pem(A1_PUB).unwrap())
}

#[test]
fn a2_1_get_without_query() {
    let url = "/v3/marketing/busifavor/stocks/98065001";
    assert_eq!(
        signing_string("GET", url, TS, NONCE, b""),
        format!("GET\n{url}\n1554208460\n{NONCE}\n\n").as_bytes()
    );
    let auth = a1_signer().sign("GET", url, b"", TS, NONCE).unwrap();
    assert_eq!(
        auth.signature(),
        "Dsf+jxCbo7AkFNzXqd3JS4sM0EOWXHAPkTB0X+fdWyGrCBhuF63pfirGfMF3E1hkeNQeb7B201xcWgYDLJOY1cp9edQKcVyIW0b9BpP6tqScoYdBDOHCDHak3S8TpwanpqrtIL2jLoM9ygbIV0pW4NeKuQUSuCVb+NCA0zvARmPFWPML+v1A313vbyG4nv1xPbt9qYqg68mX1i0FFSKIgjCKglbvwQ64MB+dYs6iTBYr/AzxQsuJrQ1cy+G1KUauqlnxefT427SFTpM2TCURI4v607ONwlRS46oK1d5i39VRHxfxYmrFWl9y44a3X4z2atsHKTwdm3Xd7KfMypiNwA=="
    );
}

#[test]
fn a2_2_get_with_query() {
    let url = "/v3/marketing/busifavor/users/oXyZ-123_abc/coupons?appid=wx233544546545989&offset=0&limit=20";
    let auth = a1_signer().sign("GET", url, b"", TS, NONCE).unwrap();
    assert_eq!(
        auth.signature(),
        "SD6BrAP90ZdfMz/ulCZ5/U/Buon5fEUDVqEkp2aTN1Nk1qKi59M6sXx0xL9ZEsvbbolXOHn0SLdn/1FqPP4IhTIdk7SYVqKYGnNJRZM3X8h8FEKAiAB8MuEGMyxcqhI7g7uxBM9Jm8ZzzfFSglnAAZ+Z3p1NShiaF8ciGSxRchO/29Ks1hy9olJUi0rJmPkfhx0arRNdiGgXZP0MsEpJNGG2GIxSowJznDLocqGPm/F+3HPWSAVdIPupGW8AeW19d0rkJr+InantM4SaHUb4XhYKyTl7k62mR7Xo0O3l2gr6gHflpPALDgh6jBFp+wJhThDRt9yGf9im0spC3EHI3g=="
    );
}

const A23_BODY: &str = r#"{"coupon_code":"sxxe34343434","stock_id":"100088","appid":"wx1234567889999","use_time":"2015-05-20T13:29:35+08:00","use_request_no":"1002600620019090123143254435"}"#;
const A23_SIG: &str = "rhQcoj/0w1Tjip6u8suT0/Ylfrulb3OTdzFC2yNuurqnsaQwfOsGnqSBRYTWgko8GXMiuti2lmiTUER3vawuNv8imAcy/01P1N/F9uxBdAewTjLjOAqbqkQ947rbnavYVStCIoMBcI0PMb3CHZcd+WThNJMj5smbC88Rkgf0y6AKrOHtfXsJaIS5NSlX9NTqk26ThkqFM0wymvDst9kafEC+gZzwvL0lg8M+OzYla+V0p1oixqJ5oORa6ElMv8f2lB6nZu8wSelatWJcbGJTaQcDmGoIEG8eyxX6rksiivthtUC1n04nSMFGzoCZRklk9n7FbxGxdbvkcHU/52zu9g==";

#[test]
fn a2_3_post_with_body_and_authorization_header() {
    let auth = a1_signer()
        .sign(
            "POST",
            "/v3/marketing/busifavor/coupons/use",
            A23_BODY.as_bytes(),
            TS,
            NONCE,
        )
        .unwrap();
    assert_eq!(auth.signature(), A23_SIG);
    assert_eq!(
        auth.header_value(),
        format!(
            r#"WECHATPAY2-SHA256-RSA2048 mchid="1900009191",nonce_str="593BEC0C930BF1AFEB40B4A08C8FB242",signature="{A23_SIG}",timestamp="1554208460",serial_no="1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C""#
        )
    );
    assert_eq!(auth.timestamp(), TS);
    assert_eq!(auth.nonce(), NONCE);
}

#[test]
fn pkcs1_and_der_forms_of_a_key_sign_identically() {
    // The merchant test key in its three encodings gives the same deterministic signature.
    let pkcs8 = MerchantPrivateKey::from_pem(include_str!("../testdata/merchant_key.pem")).unwrap();
    let pkcs1 =
        MerchantPrivateKey::from_pem(include_str!("../testdata/merchant_key_pkcs1.pem")).unwrap();
    let der = MerchantPrivateKey::from_der(include_bytes!("../testdata/merchant_key.der")).unwrap();
    let sigs: Vec<String> = [pkcs8, pkcs1, der]
        .into_iter()
        .map(|k| {
            Signer::new(MCHID, SERIAL, k)
                .unwrap()
                .sign("GET", "/v3/certificates", b"", TS, NONCE)
                .unwrap()
                .signature()
                .to_owned()
        })
        .collect();
    assert_eq!(sigs[0], sigs[1]);
    assert_eq!(sigs[0], sigs[2]);
}

const A3_TS: &str = "1722850421";
const A3_NONCE: &str = "d824f2e086d3c1df967785d13fcd22ef";
const A31_BODY: &str = r#"{"stock_id":"98065001","create_time":"2015-05-20T13:29:35+08:00"}"#;
const A31_SIG: &str = "WRqIF4CO/V6gnSBBVuWf2OdkTqXf/9xr6EvH4JBhbLdlPt/joMDaabw64Sr48uokpRtb3PoJoj+bP3EUnpz0VON6M4XGJON/4+MEtFQwEf3BZf6EvOfZMu8yNzh4hmCKo/Ucm2CEJrNgVT49CBB1FfO0h3t9rx4uzg3uf5N7/tI4dA2R5FOH5Fy1HlSlaB+PUPfIOawdl10UHAcblgQGX7k04GW3DwSqx96Qc4TjZw+x0/I2lqxVrW+wpoG5x+k8mIt+DX2D/xKlU1ve4q78RMBzJr2UY+GPHZdLYT6kzOZo2dRuCmPkGkYHOU4Blsi3Tfo0iBkMmyTtV9AhjVaCzQ==";
const A32_SIG: &str = "TE96IlhRYGjqrf84Ko7f9beEZQ74nDxGneEq8Fux74L8c/Um4xhThgztAfcMD5QAwxC22ttDhF2xC6rvz8XVBJqrlEzN4GTUtxcEBtLTMTtlVc/XVsj6OWLcJNYRVXIdetSfOxwg0hYmb7zAe3PHEQcCWn8idj05dcoKqEUt2NEq1+woiLWBKJ0JW2yVd/+FxV23Qq0f8QnX+RiQZxJYDIvjv2LF8lDhAZnrBAWPpxQE4mZWfhzu0LpT1bbf9CqDfkYvte9Ek8L3rKgs3FiKpqXbDuew+yQGVqPQa/kY8iNqr1Sb1KGw4X4gjQ32A6bRSESrQjMVXnixNIPwmIPvVA==";

fn a3_headers(signature: &str) -> SignatureHeaders<'_> {
    SignatureHeaders {
        timestamp: A3_TS,
        nonce: A3_NONCE,
        signature,
        serial: PUB_ID,
        signature_type: None,
    }
}

#[test]
fn a3_1_response_verifies() {
    assert_eq!(
        verification_string(A3_TS, A3_NONCE, A31_BODY.as_bytes()),
        format!("{A3_TS}\n{A3_NONCE}\n{A31_BODY}\n").as_bytes()
    );
    a1_verifier()
        .verify(&a3_headers(A31_SIG), A31_BODY.as_bytes(), 1722850421)
        .unwrap();
    // Our signer reproduces the same bytes over the same verification string.
    assert_eq!(
        a1_signer()
            .sign_bytes(&verification_string(A3_TS, A3_NONCE, A31_BODY.as_bytes()))
            .unwrap(),
        A31_SIG
    );
}

#[test]
fn a3_2_empty_204_body_verifies() {
    a1_verifier()
        .verify(&a3_headers(A32_SIG), b"", 1722850421)
        .unwrap();
    // ...and is not interchangeable with the non-empty one.
    assert_eq!(
        a1_verifier().verify(&a3_headers(A32_SIG), A31_BODY.as_bytes(), 1722850421),
        Err(Error::SignatureMismatch)
    );
}

#[test]
fn a3_3_probe_fails() {
    assert_eq!(
        a1_verifier().verify(
            &a3_headers("WECHATPAY/SIGNTEST/Zm9vYmFy"),
            A31_BODY.as_bytes(),
            1722850421
        ),
        Err(Error::SignatureProbe)
    );
}

#[test]
fn a4_aes_gcm_vectors() {
    let k1 = ApiV3Key::new("a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb").unwrap();
    assert_eq!(
        k1.encrypt("associatedData", "uluk4a9R25RW", "message")
            .unwrap(),
        "ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI="
    );
    assert_eq!(
        k1.decrypt(
            "associatedData",
            "uluk4a9R25RW",
            "ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI="
        )
        .unwrap()
        .as_bytes(),
        b"message"
    );
    assert_eq!(
        k1.encrypt("", "uluk4a9R25RW", "message").unwrap(),
        "ulwSiIajGD67gezRtn6Po6bwHBkBbko="
    );
    assert_eq!(
        k1.decrypt("", "uluk4a9R25RW", "ulwSiIajGD67gezRtn6Po6bwHBkBbko=")
            .unwrap()
            .as_str(),
        Some("message")
    );
    let k2 = ApiV3Key::new("0123456789abcdefghijklmnopqrstuv").unwrap();
    assert_eq!(
        k2.encrypt("", "61f9c719728a", "hello").unwrap(),
        "L90xQ5QxEOyibwA7WaXPP0AEtLeq"
    );
    assert_eq!(
        k2.decrypt("", "61f9c719728a", "L90xQ5QxEOyibwA7WaXPP0AEtLeq")
            .unwrap()
            .as_str(),
        Some("hello")
    );
}

const A5_BODY: &str = r#"{"id":"8b33f79f-8869-5ae5-b41b-3c0b59f957d0","create_time":"2019-12-12T16:54:38+08:00","resource_type":"encrypt-resource","event_type":"COUPON.SEND","summary":"商家券领券通知","resource":{"original_type":"coupon","algorithm":"AEAD_AES_256_GCM","ciphertext":"TM+gylPJHsCnRYOe1FCfedKo4T7nDCxE4+RAkmOpKW7kepEn6yco586AoWwrynAckbvaMk/yGAbQyvU5siY/FvfYkZCgeDVKBsTR2sjzy0lxLEqqjUIYhH86tvoyrMEcK+1aevo2YQW8wuzLRA01QKfrqAacUeeCtsVMzElx3kT2zKjxZJf0NutRYtsFYJIXI7L7shml1ZzdRVPXDnp3s+Kl9pd369eyIEwiJYZOS8ud7TEce2uRqGIg+MSY2aqIGisTRIfwVoKueoldukNeiZO8wl+QzoILmcyMy0DkJGqVFjZesNDnCcFNEFme/Uvzx1BZmq4aIhZt6mMJ5OhRgnx+myxg+bvSHEgGKbO+JEHJMw77UZ8WUYaBpKUevyPf4ucYS/UrRayBrGYXQ0R7FeHRhPCRcurkbnbQtiLLNQzCCnQYPXoElUy96Lmam7xfWC0xbr4ozLi7EwNpWMLn7Lh0JlmLKQqPiHaqHtOuROIvf2lQRKQVheZvGrderg8/wUYp9tWfGc/7w8pcU7GmkQ+P/kQRFkeEVg==","associated_data":"coupon","nonce":"j9g1wAzF9Xn1"}}"#;
const A5_SIG: &str = "oZkZQvatL31bl0Q6t8z6QnJSsmnx6uRj3LEEm18xHe/FJNxaXPFSLe/jsVxfGGz8snlM0glAv0vEURfNks6HfX+8/MX1W9Mq22/NJvHAKNLFORx8ry9dAg/gvIjo1WYmcEhq3Ze24l8Hr+M84+83xNEadekbtzmItbtwezKjifPBd6DsnET2Z0LaaFBYqpks1mxpFlV6XoAzcM5iruQ/d6mMbhz4i0flA+ZTtLWBc89+oGS0u2fVZbWA3Jp0J9VK5bd8/coCWqEKLXM/LY58ZHbya6pFFtMDPy2yHQLwKHdAuhGQcBkHE6dYah2RaHzyJoyA7cABL+sHni81Dz7KFQ==";
const A5_PLAIN: &str = r#"{"event_type":"EVENT_TYPE_BUSICOUPON_SEND","coupon_code":"1227944959000000911017","stock_id":"1286950000000039","send_time":"2019-12-17T10:35:53+08:00","openid":"odXnH1CJjeQoWTld48db-pnxs-Wg","unionid":"oOuyajgxj0oVwjocSoQm6mp7PGKw","send_channel":"BUSICOUPON_SEND_CHANNEL_PAYGIFT","send_merchant":"98568888","attach_info":{"transaction_id":"4200000462220200226114599","act_code":"540358695"}}"#;
const A5_CIPHERTEXT: &str = "TM+gylPJHsCnRYOe1FCfedKo4T7nDCxE4+RAkmOpKW7kepEn6yco586AoWwrynAckbvaMk/yGAbQyvU5siY/FvfYkZCgeDVKBsTR2sjzy0lxLEqqjUIYhH86tvoyrMEcK+1aevo2YQW8wuzLRA01QKfrqAacUeeCtsVMzElx3kT2zKjxZJf0NutRYtsFYJIXI7L7shml1ZzdRVPXDnp3s+Kl9pd369eyIEwiJYZOS8ud7TEce2uRqGIg+MSY2aqIGisTRIfwVoKueoldukNeiZO8wl+QzoILmcyMy0DkJGqVFjZesNDnCcFNEFme/Uvzx1BZmq4aIhZt6mMJ5OhRgnx+myxg+bvSHEgGKbO+JEHJMw77UZ8WUYaBpKUevyPf4ucYS/UrRayBrGYXQ0R7FeHRhPCRcurkbnbQtiLLNQzCCnQYPXoElUy96Lmam7xfWC0xbr4ozLi7EwNpWMLn7Lh0JlmLKQqPiHaqHtOuROIvf2lQRKQVheZvGrderg8/wUYp9tWfGc/7w8pcU7GmkQ+P/kQRFkeEVg==";

#[test]
fn a5_end_to_end_callback() {
    let headers = SignatureHeaders {
        timestamp: "1576140878",
        nonce: "c5ac7061fccab6bf3e254dcf98995b8c",
        signature: A5_SIG,
        serial: PUB_ID,
        signature_type: None,
    };
    // The body is non-ASCII: signature and decryption run over its UTF-8 bytes.
    a1_verifier()
        .verify(&headers, A5_BODY.as_bytes(), 1576140878)
        .unwrap();
    assert!(A5_BODY.contains(A5_CIPHERTEXT));
    let key = ApiV3Key::new("0123456789abcdefghijklmnopqrstuv").unwrap();
    let plain = key
        .decrypt("coupon", "j9g1wAzF9Xn1", A5_CIPHERTEXT)
        .unwrap();
    assert_eq!(plain.as_str(), Some(A5_PLAIN));
    // One byte of body changed: rejected.
    let tampered = A5_BODY.replace("COUPON.SEND", "COUPON.SENT");
    assert_eq!(
        a1_verifier().verify(&headers, tampered.as_bytes(), 1576140878),
        Err(Error::SignatureMismatch)
    );
}

const V2_KEY: &str = "192006250b4c09247ec02edce69f6a2d";

#[test]
fn s13_miniprogram_one_coupon() {
    let params = [
        ("stock_id0", "1234567"),
        ("send_coupon_merchant", "10016226"),
        ("out_request_no0", "abc123"),
    ];
    assert_eq!(
        apiv2_canonical_params(params),
        "out_request_no0=abc123&send_coupon_merchant=10016226&stock_id0=1234567"
    );
    let key = ApiV2Key::new(V2_KEY).unwrap();
    assert_eq!(
        key.sign(params),
        "AD7CD2967446E742075BF7A52CEBC5FE1A17A4042ED451A44DAABF9F04FFDD99"
    );
}

#[test]
fn s13_miniprogram_two_coupons() {
    let params = [
        ("stock_id1", "2345678"),
        ("stock_id0", "1234567"),
        ("out_request_no1", "123abc"),
        ("send_coupon_merchant", "10016226"),
        ("out_request_no0", "abc123"),
        ("coupon_code0", ""),
    ];
    assert_eq!(
        apiv2_canonical_params(params),
        "out_request_no0=abc123&out_request_no1=123abc&send_coupon_merchant=10016226&stock_id0=1234567&stock_id1=2345678"
    );
    let key = ApiV2Key::new(V2_KEY).unwrap();
    let sign = key.sign(params);
    assert_eq!(
        sign,
        "DE91F5E153D9CBE846E9206FBF94CE2198AB06D618D3A2C0603566091C984E78"
    );
    assert!(key.verify(params, &sign));
    assert!(key.verify(params, &sign.to_ascii_lowercase()));
    assert!(!key.verify(params, &sign[..62]));
    assert!(!key.verify([("stock_id0", "1234568")], &sign));
    assert!(!key.verify(params, "zz"));
}

#[test]
fn s13_h5_sign_with_sign_param_ignored() {
    let params = [
        ("stock_id", "1234567"),
        ("out_request_no", "h5req0001"),
        ("send_coupon_merchant", "10016226"),
        ("open_id", "oXyZ-123_abc"),
        ("sign", "ignored"),
    ];
    assert_eq!(
        ApiV2Key::new(V2_KEY).unwrap().sign(params),
        "D47F9BEA2FF7920D9EFAD81F4D6A259FC6B1179B183BE2D546457E2F67687B22"
    );
}

#[test]
fn a2_3_request_verifies_on_the_server_side() {
    let header = format!(
        r#"WECHATPAY2-SHA256-RSA2048 mchid="1900009191",nonce_str="593BEC0C930BF1AFEB40B4A08C8FB242",signature="{A23_SIG}",timestamp="1554208460",serial_no="1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C""#
    );
    let fields = wxpay_crypto::parse_authorization(&header).unwrap();
    assert_eq!(fields.serial_no, SERIAL);
    let key = wxpay_crypto::MerchantPublicKey::from_pem(A1_PUB).unwrap();
    let url = "/v3/marketing/busifavor/coupons/use";
    key.verify_request("POST", url, A23_BODY.as_bytes(), &fields, TS, 300)
        .unwrap();
    assert_eq!(
        key.verify_request("POST", url, b"{}", &fields, TS, 300),
        Err(Error::SignatureMismatch)
    );
    assert_eq!(
        key.verify_request(
            "POST",
            "/v3/marketing/busifavor/coupons/use?x=1",
            A23_BODY.as_bytes(),
            &fields,
            TS,
            300
        ),
        Err(Error::SignatureMismatch)
    );
}

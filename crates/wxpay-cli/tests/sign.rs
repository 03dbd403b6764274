//! `wxpay sign`: reproducible signatures, the exact signing string, `--expect` comparisons,
//! and configuration errors that name their source and never echo a key.

mod common;
use common::{run, wxpay};
use wxpay_crypto::{MerchantPrivateKey, Signer};

const TS: &str = "1554208460";
const NONCE: &str = "593BEC0C930BF1AFEB40B4A08C8FB242";

fn key_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../wxpay-mock/keys/demo_merchant_key.pem")
}

fn signer() -> Signer {
    let key = MerchantPrivateKey::from_pem(wxpay_mock::demo_merchant_private_key_pem()).unwrap();
    Signer::new(wxpay_mock::DEMO_MCHID, wxpay_mock::DEMO_CERT_SERIAL, key).unwrap()
}

fn sign() -> std::process::Command {
    let mut c = wxpay();
    c.arg("sign")
        .args(["--mchid", wxpay_mock::DEMO_MCHID])
        .args(["--merchant-serial", wxpay_mock::DEMO_CERT_SERIAL])
        .arg("--private-key")
        .arg(key_path());
    c
}

#[test]
fn sign_reproduces_the_library_signature_with_injected_time_and_nonce() {
    let body = r#"{"coupon_code":"abc","use_request_no":"u1"}"#;
    let r = run(sign()
        .args(["POST", "/v3/marketing/busifavor/coupons/use", "-d", body])
        .args(["--timestamp", TS, "--nonce", NONCE, "--format", "header"]));
    r.expect_code(0);
    let want = signer()
        .sign(
            "POST",
            "/v3/marketing/busifavor/coupons/use",
            body.as_bytes(),
            1554208460,
            NONCE,
        )
        .unwrap();
    assert_eq!(r.stdout.trim_end(), want.header_value());
}

#[test]
fn sign_prints_the_exact_signing_string() {
    let r = run(sign()
        .args(["get", "/v3/marketing/busifavor/callbacks?mchid=1900009191"])
        .args([
            "--timestamp",
            TS,
            "--nonce",
            NONCE,
            "--format",
            "signing-string",
        ]));
    r.expect_code(0);
    assert_eq!(
        r.stdout,
        format!("GET\n/v3/marketing/busifavor/callbacks?mchid=1900009191\n{TS}\n{NONCE}\n\n")
    );
    let text = run(sign().args([
        "GET",
        "/v3/certificates",
        "--timestamp",
        TS,
        "--nonce",
        NONCE,
    ]));
    text.expect_code(0);
    assert!(text.stdout.contains("  3 timestamp  1554208460"));
    assert!(
        text.stdout
            .contains("Authorization: WECHATPAY2-SHA256-RSA2048 mchid=\"1900009191\"")
    );
}

#[test]
fn sign_accepts_a_full_url_and_signs_only_path_and_query() {
    let r = run(sign()
        .args([
            "GET",
            "https://api.mch.weixin.qq.com/v3/certificates?algorithm_type=RSA",
        ])
        .args(["--timestamp", TS, "--nonce", NONCE, "--format", "json"]));
    r.expect_code(0);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["url"], "/v3/certificates?algorithm_type=RSA");
    assert!(r.stderr.contains("only the path and query"));
}

#[test]
fn sign_expect_matches_its_own_header() {
    let header = signer()
        .sign("GET", "/v3/certificates", b"", 1554208460, NONCE)
        .unwrap();
    let r = run(sign().args(["GET", "/v3/certificates", "--expect", header.header_value()]));
    r.expect_code(0);
    assert!(r.stderr.contains("match"));
}

#[test]
fn sign_expect_names_a_query_left_out_of_the_signature() {
    // Another program signed the path without its query (spec §2.4) but sends the query.
    let theirs = signer()
        .sign(
            "GET",
            "/v3/marketing/busifavor/callbacks",
            b"",
            1554208460,
            NONCE,
        )
        .unwrap();
    let r = run(sign()
        .args(["GET", "/v3/marketing/busifavor/callbacks?mchid=1900009191"])
        .args(["--expect", theirs.header_value()]));
    r.expect_code(1);
    assert!(r.stderr.contains("stage: signature"), "{}", r.stderr);
    assert!(
        r.stderr.contains("without its query string"),
        "{}",
        r.stderr
    );
}

#[test]
fn sign_expect_names_a_missing_final_line_break() {
    let message = format!("GET\n/v3/certificates\n{TS}\n{NONCE}\n"); // no empty body line
    let sig = signer().sign_bytes(message.as_bytes()).unwrap();
    let theirs = format!(
        "WECHATPAY2-SHA256-RSA2048 mchid=\"1900009191\",nonce_str=\"{NONCE}\",signature=\"{sig}\",timestamp=\"{TS}\",serial_no=\"{}\"",
        wxpay_mock::DEMO_CERT_SERIAL
    );
    let r = run(sign().args(["GET", "/v3/certificates", "--expect", &theirs]));
    r.expect_code(1);
    assert!(r.stderr.contains("final \\n"), "{}", r.stderr);
}

#[test]
fn sign_with_a_bad_key_file_is_a_configuration_error() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("apiclient_key.pem");
    // The WeChat Pay public key where the merchant's private key belongs.
    std::fs::write(
        &bad,
        std::fs::read(common::crypto_testdata("wechatpay_pub.pem")).unwrap(),
    )
    .unwrap();
    let r = run(wxpay()
        .args([
            "sign",
            "GET",
            "/v3/certificates",
            "--mchid",
            "1900009191",
            "--merchant-serial",
            "AB",
        ])
        .arg("--private-key")
        .arg(&bad));
    r.expect_code(3);
    assert!(r.stderr.contains("--private-key"), "{}", r.stderr);
    assert!(r.stderr.contains("fix:"), "{}", r.stderr);
    assert!(
        !r.stderr.contains("MII"),
        "key material echoed:\n{}",
        r.stderr
    );

    let missing = run(wxpay()
        .args([
            "sign",
            "GET",
            "/v3/certificates",
            "--mchid",
            "1900009191",
            "--merchant-serial",
            "AB",
        ])
        .args(["--private-key", "/nonexistent/apiclient_key.pem"]));
    missing.expect_code(3);
    assert!(missing.stderr.contains("/nonexistent/apiclient_key.pem"));
}

#[test]
fn sign_reads_the_environment_and_says_what_is_missing() {
    let r = run(wxpay().args(["sign", "GET", "/v3/certificates"]));
    r.expect_code(3);
    assert!(
        r.stderr.contains("--mchid") && r.stderr.contains("WXPAY_MCHID"),
        "{}",
        r.stderr
    );

    let ok = run(wxpay()
        .args(["sign", "GET", "/v3/certificates", "--format", "header"])
        .env("WXPAY_MCHID", wxpay_mock::DEMO_MCHID)
        .env("WXPAY_MERCHANT_SERIAL", wxpay_mock::DEMO_CERT_SERIAL)
        .env(
            "WXPAY_PRIVATE_KEY",
            wxpay_mock::demo_merchant_private_key_pem(),
        ));
    ok.expect_code(0);
    assert!(
        ok.stdout
            .starts_with("WECHATPAY2-SHA256-RSA2048 mchid=\"1900009191\"")
    );
}

#[test]
fn sign_from_a_config_file_with_a_relative_key_path() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(key_path(), dir.path().join("key.pem")).unwrap();
    let config = dir.path().join("wxpay.toml");
    std::fs::write(
        &config,
        format!(
            "mchid = \"{}\"\nmerchant_serial = \"{}\"\nprivate_key_path = \"key.pem\"\n",
            wxpay_mock::DEMO_MCHID,
            wxpay_mock::DEMO_CERT_SERIAL
        ),
    )
    .unwrap();
    let r = run(wxpay()
        .args([
            "sign",
            "GET",
            "/v3/certificates",
            "--timestamp",
            TS,
            "--nonce",
            NONCE,
            "--format",
            "header",
        ])
        .env("WXPAY_CONFIG", &config));
    r.expect_code(0);
    let want = signer()
        .sign("GET", "/v3/certificates", b"", 1554208460, NONCE)
        .unwrap();
    assert_eq!(r.stdout.trim_end(), want.header_value());
}

#[test]
fn sign_refuses_a_body_on_get() {
    run(sign().args(["GET", "/v3/certificates", "-d", "{}"])).expect_code(2);
    run(sign().args(["POST", "/v3/x", "-d", "{not json"])).expect_code(4);
}

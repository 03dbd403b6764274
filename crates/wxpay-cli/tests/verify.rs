//! `wxpay verify` on answers captured from the simulator: accepted as received, and each way a
//! capture goes wrong named.

mod common;
use std::io::{Read, Write};

use common::{Sim, run, run_stdin};
use wxpay_crypto::{MerchantPrivateKey, Signer};

const PATH: &str = "/v3/marketing/busifavor/callbacks?mchid=1900009191";

/// A signed GET sent over a plain socket; the whole raw answer as received.
fn raw_answer(sim: &Sim, serial_header: Option<&str>) -> Vec<u8> {
    let key = MerchantPrivateKey::from_pem(wxpay_mock::demo_merchant_private_key_pem()).unwrap();
    let signer = Signer::new(wxpay_mock::DEMO_MCHID, wxpay_mock::DEMO_CERT_SERIAL, key).unwrap();
    let auth = signer.authorize("GET", PATH, b"").unwrap();
    let addr = sim.mock.local_addr();
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    let serial = serial_header
        .map(|v| format!("Wechatpay-Serial: {v}\r\n"))
        .unwrap_or_default();
    write!(
        s,
        "GET {PATH} HTTP/1.1\r\nHost: {addr}\r\nAccept: application/json\r\nUser-Agent: wxpay-cli-test\r\n{serial}Authorization: {}\r\nConnection: close\r\n\r\n",
        auth.header_value()
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    raw
}

fn sim_with_notify_url() -> (tokio::runtime::Runtime, Sim) {
    let rt = common::runtime();
    let sim = Sim::start(&rt);
    sim.mock
        .set_notify_url(wxpay_mock::DEMO_MCHID, "https://example.com/wxpay/coupon")
        .unwrap();
    (rt, sim)
}

fn split(raw: &[u8], dir: &tempfile::TempDir) -> (std::path::PathBuf, std::path::PathBuf) {
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let (h, b) = (dir.path().join("headers.txt"), dir.path().join("body.json"));
    std::fs::write(&h, &raw[..end]).unwrap();
    std::fs::write(&b, &raw[end + 4..]).unwrap();
    (h, b)
}

#[test]
fn verify_accepts_a_captured_answer_whole_or_split() {
    let (_rt, sim) = sim_with_notify_url();
    let raw = raw_answer(&sim, Some(sim.mock.keys().public_key_id()));
    let r = run_stdin(sim.wxpay().arg("verify"), &raw);
    r.expect_code(0);
    assert!(r.stdout.contains("signature OK"), "{}", r.stdout);
    assert!(r.stdout.contains("Request-ID"), "{}", r.stdout);

    let dir = tempfile::tempdir().unwrap();
    let (h, b) = split(&raw, &dir);
    run(sim
        .wxpay()
        .arg("verify")
        .arg("--headers")
        .arg(&h)
        .arg("--body")
        .arg(&b))
    .expect_code(0);
}

#[test]
fn verify_an_answer_signed_with_the_platform_certificate() {
    let (_rt, sim) = sim_with_notify_url();
    // No Wechatpay-Serial in the request: the simulator signs with its platform certificate.
    let raw = raw_answer(&sim, None);
    let r = run_stdin(
        common::wxpay()
            .arg("verify")
            .arg("--platform-cert")
            .arg(sim.key("platform_cert.pem")),
        &raw,
    );
    r.expect_code(0);
    assert!(
        r.stdout.contains(sim.mock.keys().platform_serial()),
        "{}",
        r.stdout
    );

    // Only the public key configured: the serial is named and the fix says what to add.
    let r = run_stdin(sim.wxpay().arg("verify"), &raw);
    r.expect_code(1);
    assert!(r.stderr.contains("stage: key selection"), "{}", r.stderr);
    assert!(r.stderr.contains("--platform-cert"), "{}", r.stderr);
}

#[test]
fn verify_names_an_editor_line_break_and_catches_tampering() {
    let (_rt, sim) = sim_with_notify_url();
    let raw = raw_answer(&sim, Some(sim.mock.keys().public_key_id()));
    let dir = tempfile::tempdir().unwrap();
    let (h, b) = split(&raw, &dir);
    let mut body = std::fs::read(&b).unwrap();
    body.push(b'\n');
    std::fs::write(&b, &body).unwrap();
    let r = run(sim
        .wxpay()
        .arg("verify")
        .arg("--headers")
        .arg(&h)
        .arg("--body")
        .arg(&b));
    r.expect_code(1);
    assert!(r.stderr.contains("ends with a line break"), "{}", r.stderr);

    let tampered = String::from_utf8_lossy(&body).replace("example.com", "example.org");
    std::fs::write(&b, tampered.trim_end()).unwrap();
    let r = run(sim
        .wxpay()
        .arg("verify")
        .arg("--headers")
        .arg(&h)
        .arg("--body")
        .arg(&b));
    r.expect_code(1);
    assert!(r.stderr.contains("stage: signature"), "{}", r.stderr);
}

#[test]
fn verify_an_old_capture_needs_at() {
    let (_rt, sim) = sim_with_notify_url();
    let raw = raw_answer(&sim, Some(sim.mock.keys().public_key_id()));
    let r = run_stdin(sim.wxpay().args(["verify", "--at", "1000000000"]), &raw);
    r.expect_code(1);
    assert!(r.stderr.contains("stage: time window"), "{}", r.stderr);
}

#[test]
fn verify_without_any_key_is_a_configuration_error() {
    let r = run_stdin(common::wxpay().arg("verify"), b"HTTP/1.1 200 OK\r\n\r\n{}");
    r.expect_code(3);
    assert!(r.stderr.contains("--public-key-id"), "{}", r.stderr);
}

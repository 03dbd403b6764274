//! `wxpay notify open`: the Appendix A.5 callback and real simulator callbacks, opened; and
//! each way it fails named by stage and likely cause.

mod common;
use common::{
    A5_KEY_ID, A5_TIMESTAMP, Recorder, Sim, crypto_testdata, data, run, run_stdin, wxpay,
};

/// `notify open` on the A.5 callback files, with its key and APIv3 key.
fn a5() -> std::process::Command {
    let mut c = wxpay();
    c.args(["notify", "open", "--public-key-id", A5_KEY_ID])
        .arg("--public-key")
        .arg(crypto_testdata("spec_a1_pub.pem"))
        .arg("--apiv3-key-file")
        .arg(data("a5_apiv3_key.txt"))
        .arg("--headers")
        .arg(data("a5_headers.txt"));
    c
}

fn body_file(dir: &tempfile::TempDir, bytes: &[u8]) -> std::path::PathBuf {
    let p = dir.path().join("body.json");
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn notify_open_the_a5_callback_as_of_its_own_time() {
    let r = run(a5()
        .arg("--body")
        .arg(data("a5_body.json"))
        .args(["--at", "1576140900"]));
    r.expect_code(0);
    for want in [
        "id 8b33f79f-8869-5ae5-b41b-3c0b59f957d0",
        "COUPON.SEND",
        "coupon_code    1227944959000000911017",
        "send_channel   BUSICOUPON_SEND_CHANNEL_PAYGIFT",
        "4200000462220200226114599",
        "as of --at 1576140900",
    ] {
        assert!(r.stdout.contains(want), "{want} missing:\n{}", r.stdout);
    }
}

#[test]
fn notify_open_json_output() {
    let r = run(a5()
        .arg("--body")
        .arg(data("a5_body.json"))
        .args(["--no-time-check", "--json"]));
    r.expect_code(0);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["envelope"]["event_type"], "COUPON.SEND");
    assert_eq!(v["event"]["stock_id"], "1286950000000039");
    assert_eq!(v["signature"]["timestamp"], A5_TIMESTAMP);
    assert!(
        v["signature"]["time_check"]
            .as_str()
            .unwrap()
            .starts_with("NOT checked")
    );
}

#[test]
fn notify_open_an_old_callback_names_the_time_window_and_the_flag() {
    let r = run(a5().arg("--body").arg(data("a5_body.json")));
    r.expect_code(1);
    assert!(r.stderr.contains("stage: time window"), "{}", r.stderr);
    assert!(r.stderr.contains("--at 1576140878"), "{}", r.stderr);
    // Close to now but outside the window: clock skew.
    let r = run(a5()
        .arg("--body")
        .arg(data("a5_body.json"))
        .args(["--at", "1576141278"]));
    r.expect_code(1);
    assert!(r.stderr.contains("400 s away"), "{}", r.stderr);
}

#[test]
fn notify_open_a_tampered_callback_fails_at_the_signature() {
    let dir = tempfile::tempdir().unwrap();
    let body = std::fs::read_to_string(data("a5_body.json")).unwrap();
    let tampered = body.replace("\"nonce\":\"j9g1wAzF9Xn1\"", "\"nonce\":\"j9g1wAzF9Xn2\"");
    assert_ne!(body, tampered);
    let r = run(a5()
        .arg("--body")
        .arg(body_file(&dir, tampered.as_bytes()))
        .args(["--at", "1576140878"]));
    r.expect_code(1);
    assert!(r.stderr.contains("stage: signature"), "{}", r.stderr);
    assert!(
        !r.stdout.contains("coupon_code"),
        "nothing is decrypted from a tampered callback"
    );
}

#[test]
fn notify_open_names_an_editor_line_break_and_reformatted_json() {
    let dir = tempfile::tempdir().unwrap();
    let mut body = std::fs::read(data("a5_body.json")).unwrap();
    body.push(b'\n');
    let r = run(a5()
        .arg("--body")
        .arg(body_file(&dir, &body))
        .args(["--at", "1576140878"]));
    r.expect_code(1);
    assert!(r.stderr.contains("ends with a line break"), "{}", r.stderr);

    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let pretty = serde_json::to_vec_pretty(&v).unwrap();
    let r = run(a5()
        .arg("--body")
        .arg(body_file(&dir, &pretty))
        .args(["--at", "1576140878"]));
    r.expect_code(1);
    assert!(r.stderr.contains("re-serializ"), "{}", r.stderr);
}

#[test]
fn notify_open_with_a_wrong_apiv3_key_fails_at_decrypt() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("apiv3");
    std::fs::write(&key, "ZYXWVUTSRQPONMLKJIHGFEDCBA987654").unwrap();
    let r = run(wxpay()
        .args([
            "notify",
            "open",
            "--public-key-id",
            A5_KEY_ID,
            "--at",
            "1576140878",
        ])
        .arg("--public-key")
        .arg(crypto_testdata("spec_a1_pub.pem"))
        .arg("--apiv3-key-file")
        .arg(&key)
        .arg("--headers")
        .arg(data("a5_headers.txt"))
        .arg("--body")
        .arg(data("a5_body.json")));
    r.expect_code(1);
    assert!(r.stderr.contains("stage: decrypt"), "{}", r.stderr);
    assert!(r.stderr.contains("wrong APIv3 key"), "{}", r.stderr);
    assert!(!r.stderr.contains("ZYXWVUTS"), "the key was echoed");
}

#[test]
fn notify_open_spots_swapped_apiv2_and_apiv3_keys() {
    let r = run(wxpay()
        .args([
            "notify",
            "open",
            "--public-key-id",
            A5_KEY_ID,
            "--no-time-check",
        ])
        .arg("--public-key")
        .arg(crypto_testdata("spec_a1_pub.pem"))
        .env("WXPAY_APIV3_KEY", "ZYXWVUTSRQPONMLKJIHGFEDCBA987654")
        .env("WXPAY_APIV2_KEY", "0123456789abcdefghijklmnopqrstuv")
        .arg("--headers")
        .arg(data("a5_headers.txt"))
        .arg("--body")
        .arg(data("a5_body.json")));
    r.expect_code(1);
    assert!(r.stderr.contains("swapped"), "{}", r.stderr);
}

#[test]
fn notify_open_without_an_apiv3_key_is_a_configuration_error() {
    let r = run(wxpay()
        .args(["notify", "open", "--public-key-id", A5_KEY_ID])
        .arg("--public-key")
        .arg(crypto_testdata("spec_a1_pub.pem"))
        .arg("--headers")
        .arg(data("a5_headers.txt"))
        .arg("--body")
        .arg(data("a5_body.json")));
    r.expect_code(3);
    assert!(r.stderr.contains("WXPAY_APIV3_KEY"), "{}", r.stderr);
}

#[test]
fn notify_open_a_capture_without_signature_headers() {
    let dir = tempfile::tempdir().unwrap();
    let headers = dir.path().join("h.txt");
    std::fs::write(&headers, "Content-Type: application/json\nWechatpay-Serial: PUB_KEY_ID_00000000000000000000000000000001\n").unwrap();
    let r = run(wxpay()
        .args(["notify", "open", "--public-key-id", A5_KEY_ID])
        .arg("--public-key")
        .arg(crypto_testdata("spec_a1_pub.pem"))
        .arg("--apiv3-key-file")
        .arg(data("a5_apiv3_key.txt"))
        .arg("--headers")
        .arg(&headers)
        .arg("--body")
        .arg(data("a5_body.json")));
    r.expect_code(1);
    assert!(r.stderr.contains("stage: headers"), "{}", r.stderr);
}

/// A stock created through `wxpay api`, a user claiming a coupon through pay-gift, and the
/// COUPON.SEND callback as the merchant's endpoint received it, byte for byte.
fn simulator_callback(probe_first: bool) -> (tokio::runtime::Runtime, Sim, Vec<Vec<u8>>) {
    let rt = common::runtime();
    let sim = Sim::start(&rt);
    let rec = Recorder::start(&rt);
    sim.mock
        .set_notify_url(wxpay_mock::DEMO_MCHID, &rec.url)
        .unwrap();
    sim.mock.set_probe_first(probe_first);
    let r = run(sim.wxpay().args([
        "api",
        "POST",
        "/v3/marketing/busifavor/stocks",
        "-d",
        &common::stock_json("cli-stock-1"),
    ]));
    r.expect_code(0);
    let stock: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let stock_id = stock["stock_id"].as_str().unwrap().to_owned();
    sim.mock
        .claim_coupon(
            &wxpay_mock::Claim::new(&stock_id, "o-cli-user", "cli-claim-1")
                .channel("BUSICOUPON_SEND_CHANNEL_PAYGIFT")
                .attach_info(serde_json::json!({"transaction_id": "4200000462220200226114599", "act_code": "540358695"})),
        )
        .unwrap();
    rt.block_on(sim.mock.deliveries_settled());
    let requests = rec.requests();
    assert!(!requests.is_empty(), "the simulator delivered the callback");
    (rt, sim, requests)
}

#[test]
fn notify_open_a_simulator_callback_piped_as_a_raw_request() {
    let (_rt, sim, requests) = simulator_callback(false);
    let r = run_stdin(sim.wxpay().args(["notify", "open"]), &requests[0]);
    r.expect_code(0);
    assert!(
        r.stdout.contains("BUSICOUPON_SEND_CHANNEL_PAYGIFT"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("o-cli-user"), "{}", r.stdout);
    assert!(r.stdout.contains("within the 300 s window"), "{}", r.stdout);

    // The same capture from a file.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("callback.http");
    std::fs::write(&file, &requests[0]).unwrap();
    run(sim.wxpay().args(["notify", "open", "--request"]).arg(&file)).expect_code(0);
}

#[test]
fn notify_open_a_probe_says_it_is_one() {
    let (_rt, sim, requests) = simulator_callback(true);
    let r = run_stdin(sim.wxpay().args(["notify", "open"]), &requests[0]);
    r.expect_code(1);
    assert!(r.stderr.contains("signature probe"), "{}", r.stderr);
    // The genuine delivery that follows opens.
    run_stdin(sim.wxpay().args(["notify", "open"]), &requests[1]).expect_code(0);
}

#[test]
fn notify_open_a_mistyped_public_key_id_is_named() {
    let (_rt, sim, requests) = simulator_callback(false);
    let r = run_stdin(
        sim.wxpay().args(["notify", "open"]).env(
            "WXPAY_PUBLIC_KEY_ID",
            "PUB_KEY_ID_00000000000000000000000000000002",
        ),
        &requests[0],
    );
    r.expect_code(1);
    assert!(r.stderr.contains("stage: key selection"), "{}", r.stderr);
    assert!(
        r.stderr.contains("the configured id is wrong"),
        "{}",
        r.stderr
    );
}

#[test]
fn notify_open_a_simulator_callback_with_the_wrong_apiv3_key() {
    let (_rt, sim, requests) = simulator_callback(false);
    let r = run_stdin(
        sim.wxpay()
            .args(["notify", "open"])
            .env("WXPAY_APIV3_KEY", "0123456789abcdefghijklmnopqrstuv"),
        &requests[0],
    );
    r.expect_code(1);
    assert!(r.stderr.contains("stage: decrypt"), "{}", r.stderr);
}

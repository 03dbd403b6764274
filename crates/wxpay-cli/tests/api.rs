//! `wxpay api` and `wxpay callbacks` against a simulator in the test process: success,
//! WeChat Pay errors, forged answers, retries, and an unreachable base URL.

mod common;
use common::{Sim, run};
use wxpay_mock::{DEMO_MCHID, Fault, FaultKind};

#[test]
fn callbacks_set_then_get_shows_seed_1() {
    let rt = common::runtime();
    let sim = Sim::start(&rt);
    // No URL yet: WeChat Pay's 404 with its code and hint.
    let r = run(sim.wxpay().args(["callbacks", "get"]));
    r.expect_code(6);
    assert!(r.stderr.contains("RESOURCE_NOT_EXISTS"), "{}", r.stderr);
    assert!(r.stderr.contains("fix:"), "{}", r.stderr);

    let r = run(sim
        .wxpay()
        .args(["callbacks", "set", "https://example.com/wxpay/coupon"]));
    r.expect_code(0);
    assert!(r.stdout.contains("update_time"), "{}", r.stdout);
    let r = run(sim
        .wxpay()
        .args(["callbacks", "get", "--for-mchid", DEMO_MCHID, "--json"]));
    r.expect_code(0);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["notify_url"], "https://example.com/wxpay/coupon");
    assert_eq!(v["mchid"], DEMO_MCHID);
}

#[test]
fn callbacks_set_refuses_a_plain_http_url_before_sending() {
    let rt = common::runtime();
    let sim = Sim::start(&rt);
    let r = run(sim
        .wxpay()
        .args(["callbacks", "set", "http://example.com/wxpay/coupon"]));
    r.expect_code(2);
    assert!(r.stderr.contains("nothing was sent"), "{}", r.stderr);
    assert_eq!(sim.mock.notify_url(DEMO_MCHID), None);
}

#[test]
fn callbacks_set_accepts_a_loopback_http_url_only_against_a_simulator() {
    let rt = common::runtime();
    let sim = Sim::start(&rt);
    let r = run(sim
        .wxpay()
        .args(["callbacks", "set", "http://127.0.0.1:8080/wechatpay/coupon"]));
    r.expect_code(0);
    assert_eq!(
        sim.mock.notify_url(DEMO_MCHID).as_deref(),
        Some("http://127.0.0.1:8080/wechatpay/coupon")
    );
}

#[test]
fn api_get_and_post_any_endpoint() {
    let rt = common::runtime();
    let sim = Sim::start(&rt);
    let r = run(sim.wxpay().args([
        "api",
        "post",
        "/v3/marketing/busifavor/callbacks",
        "-d",
        r#"{"mchid":"1900009191","notify_url":"https://example.com/wxpay/coupon"}"#,
    ]));
    r.expect_code(0);
    assert!(
        r.stderr.contains("answer signature verified"),
        "{}",
        r.stderr
    );
    let r = run(sim.wxpay().args([
        "api",
        "GET",
        "/v3/marketing/busifavor/callbacks?mchid=1900009191",
    ]));
    r.expect_code(0);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["notify_url"], "https://example.com/wxpay/coupon");

    let dir = tempfile::tempdir().unwrap();
    let body = dir.path().join("stock.json");
    std::fs::write(&body, common::stock_json("cli-api-stock")).unwrap();
    let r = run(sim
        .wxpay()
        .args([
            "api",
            "POST",
            "/v3/marketing/busifavor/stocks",
            "--raw",
            "-d",
        ])
        .arg(format!("@{}", body.display())));
    r.expect_code(0);
    assert!(
        r.stdout.starts_with('{') && r.stdout.contains("stock_id"),
        "{}",
        r.stdout
    );
}

#[test]
fn api_error_answer_exits_6_with_code_message_and_hint() {
    let rt = common::runtime();
    let sim = Sim::start(&rt);
    let r = run(sim
        .wxpay()
        .args(["api", "GET", "/v3/marketing/busifavor/stocks/98065001"]));
    r.expect_code(6);
    assert!(
        r.stderr.contains("HTTP 404 RESOURCE_NOT_EXISTS"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("Request-ID"), "{}", r.stderr);
}

#[test]
fn api_a_forged_answer_exits_1() {
    let rt = common::runtime();
    let sim = Sim::start(&rt);
    sim.mock
        .set_notify_url(DEMO_MCHID, "https://example.com/wxpay/coupon")
        .unwrap();
    sim.mock.inject_fault(Fault::any_method(
        "/v3/marketing/busifavor/callbacks",
        FaultKind::BadSignature,
    ));
    let r = run(sim
        .wxpay()
        .args(["api", "GET", "/v3/marketing/busifavor/callbacks"]));
    r.expect_code(1);
    assert!(r.stderr.contains("stage: answer signature"), "{}", r.stderr);
    assert!(
        r.stdout.is_empty(),
        "nothing from a forged answer is printed"
    );
}

#[test]
fn api_retries_a_500_with_the_same_body() {
    let rt = common::runtime();
    let sim = Sim::start(&rt);
    sim.mock.inject_fault(
        Fault::new(
            "POST",
            "/v3/marketing/busifavor/stocks",
            FaultKind::Status(500),
        )
        .times(1),
    );
    let r = run(sim.wxpay().args([
        "api",
        "POST",
        "/v3/marketing/busifavor/stocks",
        "-d",
        &common::stock_json("cli-retry"),
    ]));
    r.expect_code(0);
    assert!(r.stderr.contains("2 attempt(s)"), "{}", r.stderr);
    let r = run(sim.wxpay().args([
        "api",
        "POST",
        "/v3/marketing/busifavor/stocks",
        "--no-retry",
        "-d",
        &common::stock_json("cli-no-retry"),
    ]));
    r.expect_code(0);
    sim.mock.inject_fault(
        Fault::new(
            "POST",
            "/v3/marketing/busifavor/stocks",
            FaultKind::Status(500),
        )
        .times(1),
    );
    let r = run(sim.wxpay().args([
        "api",
        "POST",
        "/v3/marketing/busifavor/stocks",
        "--no-retry",
        "-d",
        &common::stock_json("cli-no-retry-2"),
    ]));
    r.expect_code(6);
}

#[test]
fn api_unreachable_base_url_exits_5_and_contacts_no_other_host() {
    let rt = common::runtime();
    let sim = Sim::start(&rt);
    // A loopback port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let r = run(sim
        .wxpay()
        .args([
            "api",
            "GET",
            "/v3/marketing/busifavor/callbacks",
            "--timeout",
            "20",
        ])
        .env("WXPAY_BASE_URL", &base)
        .env("RUST_LOG", "wxpay_http=warn"));
    r.expect_code(5);
    assert!(r.stderr.contains("no backup host"), "{}", r.stderr);
    // Every attempt (each retry is logged with its host) went to the loopback port.
    let retries = r
        .stderr
        .matches("no response from WeChat Pay; retrying")
        .count();
    assert_eq!(retries, 2, "{}", r.stderr);
    assert!(
        r.stderr.matches(&format!("127.0.0.1:{port}")).count() >= 3,
        "{}",
        r.stderr
    );
    assert!(
        !r.stderr.contains("weixin.qq.com"),
        "another host was tried:\n{}",
        r.stderr
    );
}

#[test]
fn api_refuses_bad_input_before_sending() {
    let rt = common::runtime();
    let sim = Sim::start(&rt);
    run(sim.wxpay().args([
        "api",
        "POST",
        "/v3/marketing/busifavor/callbacks",
        "-d",
        "{notify_url:",
    ]))
    .expect_code(4);
    run(sim.wxpay().args([
        "api",
        "GET",
        "/v3/marketing/busifavor/callbacks",
        "-d",
        "{}",
    ]))
    .expect_code(2);
    run(sim
        .wxpay()
        .args(["api", "FETCH", "/v3/marketing/busifavor/callbacks"]))
    .expect_code(2);
    assert_eq!(sim.mock.notify_url(DEMO_MCHID), None);
}

#[test]
fn api_without_a_way_to_verify_answers_is_a_configuration_error() {
    let rt = common::runtime();
    let sim = Sim::start(&rt);
    let r = run(sim
        .wxpay()
        .args(["api", "GET", "/v3/marketing/busifavor/callbacks"])
        .env_remove("WXPAY_PUBLIC_KEY_ID")
        .env_remove("WXPAY_PUBLIC_KEY_PATH")
        .env_remove("WXPAY_APIV3_KEY"));
    r.expect_code(3);
    assert!(
        r.stderr.contains("verify WeChat Pay's answers"),
        "{}",
        r.stderr
    );
}

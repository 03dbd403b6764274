//! `wxpay demo`: exits 0 with both seeds in its timeline, as text and as JSON lines, and exits
//! 7 naming the step when one does not happen as expected.

mod common;
use common::{run, wxpay};

#[test]
fn demo_exits_0_and_its_timeline_shows_both_seeds() {
    let r = run(wxpay().arg("demo"));
    r.expect_code(0);
    let out = &r.stdout;
    for want in [
        // seed 1: the callback URL, set and read back through the API
        "seed 1: set the COUPON.SEND callback URL and read it back",
        "GET /v3/marketing/busifavor/callbacks?mchid=1900009191 → mchid 1900009191, notify_url http://127.0.0.1:",
        // seed 2: COUPON.SEND through every channel, probes, duplicates, a retried answer
        "seed 2: receive the COUPON.SEND callbacks",
        "via BUSICOUPON_SEND_CHANNEL_API → processed",
        "via BUSICOUPON_SEND_CHANNEL_MINIAPP → processed",
        "via BUSICOUPON_SEND_CHANNEL_H5 → processed",
        "via BUSICOUPON_SEND_CHANNEL_PAYGIFT (pay-gift transaction 4200000462220200226114599) → processed",
        "signature probe (WECHATPAY/SIGNTEST/) refused → 401",
        "duplicate absorbed",
        "→ 500, WeChat Pay retries",
        "used at",
        "usable again since",
        "500, then 200 on attempt 2",
        "rejected: rejected a WeChat Pay response that failed signature verification",
        "demo passed: 15 steps",
    ] {
        assert!(
            out.contains(want),
            "{want:?} missing from the timeline:\n{out}"
        );
    }
    assert!(!out.contains("weixin.qq.com"), "the demo stays on loopback");
}

#[test]
fn demo_json_lines() {
    let r = run(wxpay().args(["demo", "--json", "--quiet"]));
    r.expect_code(0);
    assert!(r.stderr.is_empty(), "--quiet: {}", r.stderr);
    let lines: Vec<serde_json::Value> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("every line is JSON"))
        .collect();
    assert!(lines.iter().any(|l| {
        l["data"]["seed"] == 1
            && l["data"]["notify_url"]
                .as_str()
                .is_some_and(|u| u.starts_with("http://127.0.0.1:"))
    }));
    assert!(lines.iter().any(|l| l["data"]["seed"] == 2));
    let processed: Vec<_> = lines
        .iter()
        .filter(|l| l["data"]["outcome"] == "processed")
        .collect();
    assert_eq!(
        processed.len(),
        5,
        "four channels and the retried callback, once each"
    );
    let last = lines.last().unwrap();
    assert_eq!(last["kind"], "summary");
    assert_eq!(last["passed"], true);
}

#[test]
fn demo_a_step_forced_to_fail_exits_7_and_names_it() {
    for step in ["seed-1", "seed-2", "retried-callback", "forged-answer"] {
        let r = run(wxpay().args(["demo", "--fail-step", step]));
        r.expect_code(7);
        assert!(
            r.stderr
                .contains(&format!("step `{step}` did not happen as expected")),
            "{}",
            r.stderr
        );
        assert!(!r.stdout.contains("demo passed"), "{}", r.stdout);
    }
    let r = run(wxpay().args(["demo", "--json", "--quiet", "--fail-step", "redeem"]));
    r.expect_code(7);
    let last: serde_json::Value = serde_json::from_str(r.stdout.lines().last().unwrap()).unwrap();
    assert_eq!(last["passed"], false);
    assert_eq!(last["failed_step"], "redeem");
}

#[test]
fn demo_refuses_an_unknown_step_name() {
    let r = run(wxpay().args(["demo", "--fail-step", "nonsense"]));
    r.expect_code(2);
    assert!(r.stderr.contains("seed-1"), "{}", r.stderr);
}

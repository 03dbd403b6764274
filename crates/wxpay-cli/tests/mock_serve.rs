//! `wxpay mock serve` as a separate process: it prints the environment, a client configured
//! from it works (the README's flow: callbacks set, callbacks get, api GET), and Ctrl-C
//! (SIGINT) stops it cleanly.

mod common;
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{run, wxpay};

#[test]
fn mock_serve_prints_the_environment_and_serves_until_interrupted() {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys");
    let mut child = wxpay()
        .args(["mock", "serve", "--callback-interval", "200ms"])
        .arg("--keys-dir")
        .arg(&keys)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut env = Vec::new();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(kv) = line.strip_prefix("export ") {
            let (k, v) = kv.split_once('=').unwrap();
            env.push((k.to_owned(), v.to_owned()));
        }
        if line.starts_with("# Ctrl-C") {
            break;
        }
    }
    let names: Vec<&str> = env.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        names,
        [
            "WXPAY_BASE_URL",
            "WXPAY_MCHID",
            "WXPAY_MERCHANT_SERIAL",
            "WXPAY_PRIVATE_KEY_PATH",
            "WXPAY_PUBLIC_KEY_ID",
            "WXPAY_PUBLIC_KEY_PATH",
            "WXPAY_APIV3_KEY",
            "WXPAY_APIV2_KEY"
        ]
    );
    for f in [
        "demo_merchant_key.pem",
        "wechatpay_pub.pem",
        "platform_cert.pem",
        "wxpay-mock.env",
    ] {
        assert!(keys.join(f).is_file(), "{f} written");
    }

    // A client configured only from that environment talks to it.
    let with_env = |args: &[&str]| {
        let mut c = wxpay();
        c.args(args);
        for (k, v) in &env {
            c.env(k, v);
        }
        run(&mut c)
    };
    with_env(&["callbacks", "set", "https://example.com/wxpay/coupon"]).expect_code(0);
    let got = with_env(&["callbacks", "get"]);
    got.expect_code(0);
    assert!(got.stdout.contains("https://example.com/wxpay/coupon"));
    let api = with_env(&[
        "api",
        "GET",
        "/v3/marketing/busifavor/callbacks?mchid=1900009191",
    ]);
    api.expect_code(0);
    assert!(
        api.stdout
            .contains("\"notify_url\": \"https://example.com/wxpay/coupon\""),
        "{}",
        api.stdout
    );

    // SIGINT, as Ctrl-C sends it.
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let started = Instant::now();
    let code = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s.code();
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "the simulator did not stop"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(code, Some(0));
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(stderr.contains("stopped"), "{stderr}");
}

#[test]
fn mock_serve_refuses_a_non_loopback_address() {
    let r = run(wxpay().args(["mock", "serve", "--addr", "0.0.0.0:0"]));
    r.expect_code(3);
    assert!(r.stderr.contains("loopback only"), "{}", r.stderr);
}

//! Running the real `wxpay` binary, a simulator in the test process, and a loopback endpoint
//! that records callbacks byte for byte.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Id of the protocol contract's Appendix A test public key.
pub const A5_KEY_ID: &str = "PUB_KEY_ID_00000000000000000000000000000001";
/// `Wechatpay-Timestamp` of the Appendix A.5 callback.
pub const A5_TIMESTAMP: i64 = 1576140878;

/// What a run of the binary produced.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Panics with both streams unless the exit code is `code`.
    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "exit code {} (wanted {code})\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        );
        self
    }
}

/// The binary with no WXPAY_* variable and no RUST_LOG inherited, stdin empty.
pub fn wxpay() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_wxpay"));
    for (k, _) in std::env::vars() {
        if k.starts_with("WXPAY_") {
            c.env_remove(k);
        }
    }
    c.env_remove("RUST_LOG").stdin(Stdio::null());
    c
}

/// Runs a command to completion.
pub fn run(cmd: &mut Command) -> Run {
    let out = cmd.output().expect("the wxpay binary runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs a command with `input` on stdin.
pub fn run_stdin(cmd: &mut Command, input: &[u8]) -> Run {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the wxpay binary runs");
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(input)
        .expect("stdin accepts the input");
    let out = child.wait_with_output().expect("the binary ends");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A file of tests/data.
pub fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// A file of wxpay-crypto's test data (the Appendix A key pair lives there).
pub fn crypto_testdata(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../wxpay-crypto/testdata")
        .join(name)
}

/// A multi-thread runtime that keeps serving between blocking calls of the test.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime")
}

/// A simulator in this process, its key files written, and the environment that aims the
/// binary at it.
pub struct Sim {
    pub mock: wxpay_mock::MockHandle,
    pub keys: tempfile::TempDir,
}

impl Sim {
    pub fn start(rt: &tokio::runtime::Runtime) -> Self {
        let mock = rt
            .block_on(
                wxpay_mock::MockBuilder::new()
                    .retry_schedule(wxpay_mock::RetrySchedule::new(
                        std::time::Duration::from_millis(20),
                        3,
                    ))
                    .start(),
            )
            .expect("the simulator starts");
        let keys = tempfile::tempdir().expect("a temp dir");
        mock.write_key_files(keys.path())
            .expect("key files written");
        Self { mock, keys }
    }

    /// `wxpay` with WXPAY_* aimed at this simulator.
    pub fn wxpay(&self) -> Command {
        let mut c = wxpay();
        for (k, v) in self.env() {
            c.env(k, v);
        }
        c
    }

    pub fn env(&self) -> Vec<(&'static str, String)> {
        let dir = self.keys.path();
        vec![
            ("WXPAY_BASE_URL", self.mock.base_url()),
            ("WXPAY_MCHID", wxpay_mock::DEMO_MCHID.to_owned()),
            (
                "WXPAY_MERCHANT_SERIAL",
                wxpay_mock::DEMO_CERT_SERIAL.to_owned(),
            ),
            (
                "WXPAY_PRIVATE_KEY_PATH",
                dir.join("demo_merchant_key.pem").display().to_string(),
            ),
            (
                "WXPAY_PUBLIC_KEY_ID",
                self.mock.keys().public_key_id().to_owned(),
            ),
            (
                "WXPAY_PUBLIC_KEY_PATH",
                dir.join("wechatpay_pub.pem").display().to_string(),
            ),
            ("WXPAY_APIV3_KEY", wxpay_mock::DEMO_APIV3_KEY.to_owned()),
        ]
    }

    pub fn key(&self, name: &str) -> PathBuf {
        self.keys.path().join(name)
    }
}

/// A loopback endpoint that records each request byte for byte and answers 204.
pub struct Recorder {
    pub url: String,
    pub requests: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl Recorder {
    pub fn start(rt: &tokio::runtime::Runtime) -> Self {
        let listener = rt
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind");
        let url = format!(
            "http://{}/wechatpay/coupon",
            listener.local_addr().expect("addr")
        );
        let requests: Arc<Mutex<Vec<Vec<u8>>>> = Arc::default();
        let store = Arc::clone(&requests);
        rt.spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let store = Arc::clone(&store);
                tokio::spawn(async move {
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 4096];
                    loop {
                        let Ok(n) = stream.read(&mut chunk).await else {
                            return;
                        };
                        if n == 0 {
                            return;
                        }
                        buf.extend_from_slice(&chunk[..n]);
                        if let Some(total) = complete_length(&buf)
                            && buf.len() >= total
                        {
                            break;
                        }
                    }
                    if let Ok(mut all) = store.lock() {
                        all.push(buf);
                    }
                    let _ = stream
                        .write_all(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
                        .await;
                    let _ = stream.shutdown().await;
                });
            }
        });
        Self { url, requests }
    }

    pub fn requests(&self) -> Vec<Vec<u8>> {
        self.requests.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

/// Head length + Content-Length, once the head is complete.
fn complete_length(buf: &[u8]) -> Option<usize> {
    let end = buf.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = std::str::from_utf8(&buf[..end]).ok()?;
    let len = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse::<usize>().ok())
                .flatten()
        })
        .unwrap_or(0);
    Some(end + len)
}

/// RFC 3339 in Beijing time.
pub fn rfc3339(unix: i64) -> String {
    let offset = time::UtcOffset::from_hms(8, 0, 0).expect("offset");
    time::OffsetDateTime::from_unix_timestamp(unix)
        .expect("in range")
        .to_offset(offset)
        .format(&time::format_description::well_known::Rfc3339)
        .expect("formats")
}

/// A NORMAL stock of the demo merchant, valid from a minute ago for 30 days.
pub fn stock_json(out_request_no: &str) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs() as i64;
    serde_json::json!({
        "stock_name": "满100减10",
        "belong_merchant": wxpay_mock::DEMO_MCHID,
        "goods_name": "全场通用",
        "stock_type": "NORMAL",
        "coupon_use_rule": {
            "coupon_available_time": {
                "available_begin_time": rfc3339(now - 60),
                "available_end_time": rfc3339(now + 30 * 86_400),
                "available_day_after_receive": 7
            },
            "fixed_normal_coupon": {"discount_amount": 1000, "transaction_minimum": 10000},
            "use_method": "OFF_LINE"
        },
        "stock_send_rule": {"max_coupons": 10, "max_coupons_per_user": 2, "max_coupons_by_day": 10},
        "out_request_no": out_request_no,
        "coupon_code_mode": "WECHATPAY_MODE",
        "notify_config": {"notify_appid": "wx1234567890abcdef"}
    })
    .to_string()
}

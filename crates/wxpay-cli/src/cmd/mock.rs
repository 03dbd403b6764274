//! `wxpay mock serve`: the simulator as a standalone process, for services in any language.

use std::path::Path;

use wxpay_mock::{
    DEMO_APIV2_KEY, DEMO_APIV3_KEY, DEMO_CERT_SERIAL, DEMO_MCHID, MockBuilder, RetrySchedule,
};

use crate::cli::MockServeArgs;
use crate::config::var;
use crate::failure::{Failure, Result};
use crate::output::outln;

/// The file the environment is written to, inside the keys directory.
pub const ENV_FILE: &str = "wxpay-mock.env";

/// Runs `wxpay mock serve` until Ctrl-C (or SIGTERM).
pub async fn serve(args: &MockServeArgs) -> Result<()> {
    if !args.addr.ip().is_loopback() {
        return Err(Failure::config(format!(
            "the simulator listens on loopback only, not {}",
            args.addr
        ))
        .cause("its keys are public: anyone who can reach it could sign as the demo merchant")
        .fix("use 127.0.0.1:PORT (or [::1]:PORT); port 0 picks a free one"));
    }
    let mock = MockBuilder::new()
        .addr(args.addr)
        .retry_schedule(RetrySchedule::new(
            args.callback_interval,
            args.callback_attempts,
        ))
        .start()
        .await
        .map_err(|e| {
            Failure::config(format!("cannot start the simulator on {}: {e}", args.addr))
                .fix("choose another --addr, e.g. 127.0.0.1:0 for any free port")
        })?;
    mock.set_probe_first(args.probe_first);
    mock.set_duplicate_deliveries(args.duplicates);
    if let Some(url) = &args.notify_url {
        mock.set_notify_url(DEMO_MCHID, url).map_err(|e| {
            Failure::usage(format!("--notify-url {url:?} was refused: {}", e.message()))
                .fix("give an https URL, or http on 127.0.0.1 / localhost")
        })?;
    }
    let dir = args.keys_dir.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("wxpay-mock-{}", mock.local_addr().port()))
    });
    mock.write_key_files(&dir).map_err(|e| {
        Failure::config(format!(
            "cannot write the key files into {}: {e}",
            dir.display()
        ))
        .fix("give a writable --keys-dir")
    })?;
    let env = environment(&mock.base_url(), &dir, mock.keys().public_key_id());
    let env_path = dir.join(ENV_FILE);
    std::fs::write(&env_path, &env)
        .map_err(|e| Failure::config(format!("cannot write {}: {e}", env_path.display())))?;
    outln!(
        "# wxpay mock: a local WeChat Pay at {} — simulator-only keys, public: never use them with real WeChat Pay",
        mock.base_url()
    );
    crate::output::bytes(env.as_bytes());
    outln!(
        "# also in {} (source it in another shell); platform certificate: {}",
        env_path.display(),
        dir.join("platform_cert.pem").display()
    );
    outln!("# Ctrl-C stops the simulator");

    stop_signal().await;
    eprintln!("stopping…");
    let (notifications, attempts) = (mock.notifications().len(), mock.deliveries().len());
    mock.shutdown().await;
    eprintln!("stopped: {notifications} notification(s), {attempts} delivery attempt(s)");
    Ok(())
}

/// The `export WXPAY_…=…` lines a client needs.
pub fn environment(base_url: &str, dir: &Path, public_key_id: &str) -> String {
    let path = |name: &str| shell_quote(&dir.join(name));
    [
        (var::BASE_URL, base_url.to_owned()),
        (var::MCHID, DEMO_MCHID.to_owned()),
        (var::MERCHANT_SERIAL, DEMO_CERT_SERIAL.to_owned()),
        (var::PRIVATE_KEY_PATH, path("demo_merchant_key.pem")),
        (var::PUBLIC_KEY_ID, public_key_id.to_owned()),
        (var::PUBLIC_KEY_PATH, path("wechatpay_pub.pem")),
        (var::APIV3_KEY, DEMO_APIV3_KEY.to_owned()),
        (var::APIV2_KEY, DEMO_APIV2_KEY.to_owned()),
    ]
    .iter()
    .map(|(k, v)| format!("export {k}={v}\n"))
    .collect()
}

fn shell_quote(p: &Path) -> String {
    let s = p.display().to_string();
    if s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"/._-+:@".contains(&b))
    {
        s
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// Resolves on Ctrl-C, or SIGTERM on Unix.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_quotes_odd_paths() {
        let env = environment("http://127.0.0.1:1", Path::new("/tmp/a b"), "PUB_KEY_ID_1");
        assert!(env.contains("export WXPAY_PRIVATE_KEY_PATH='/tmp/a b/demo_merchant_key.pem'\n"));
        assert!(env.contains("export WXPAY_BASE_URL=http://127.0.0.1:1\n"));
        assert_eq!(env.lines().count(), 8);
    }
}

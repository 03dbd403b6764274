//! The callback store tests (Redis, PostgreSQL) in `cargo xtask ci`'s test step: which servers
//! answered, and which tests were skipped because one did not.
//!
//! A store test that finds no server appends a line to `target/tmp/wxpay-store-tests-skipped.txt`
//! (and prints it) instead of running, unless `CI=true`, where it fails. The test step clears
//! that file before the run and reports it after, so a skip is never silent.

use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The skip log the store tests write (`CARGO_TARGET_TMPDIR` of integration tests).
fn skip_log(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
        .join("tmp")
        .join("wxpay-store-tests-skipped.txt")
}

/// Forgets the skips of an earlier run.
pub fn clear(root: &Path) {
    let _ = std::fs::remove_file(skip_log(root));
}

/// Lines for the test step's summary: each server and whether it answers, then every skipped
/// store test (loudly), or that none was skipped.
pub fn report(root: &Path) -> Vec<String> {
    let mut lines = Vec::new();
    for (name, var, default) in [
        ("Redis", "WXPAY_TEST_REDIS_URL", "redis://127.0.0.1:6379"),
        (
            "PostgreSQL",
            "WXPAY_TEST_DATABASE_URL",
            "postgres://postgres@127.0.0.1:5432/test",
        ),
    ] {
        let url = std::env::var(var).unwrap_or_else(|_| default.to_owned());
        let state = match address(&url) {
            Some(addr) if answers(addr) => "answers",
            Some(_) => "DOES NOT ANSWER",
            None => "unreadable URL",
        };
        lines.push(format!("store server {name} at {url}: {state}"));
    }
    let skipped = std::fs::read_to_string(skip_log(root)).unwrap_or_default();
    let skipped: Vec<&str> = skipped.lines().filter(|l| !l.trim().is_empty()).collect();
    if skipped.is_empty() {
        lines.push("store tests: none skipped".to_owned());
    } else {
        lines.push(format!(
            "!!! {} STORE TEST(S) SKIPPED (start the servers; CI=true fails instead):",
            skipped.len()
        ));
        lines.extend(skipped.iter().map(|l| format!("!!!   {l}")));
    }
    lines
}

/// `host:port` of `scheme://[userinfo@]host:port[/…]`.
fn address(url: &str) -> Option<SocketAddr> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split('/').next()?;
    let hostport = authority.rsplit('@').next()?;
    hostport.to_socket_addrs().ok()?.next()
}

fn answers(addr: SocketAddr) -> bool {
    TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_from_urls() {
        assert_eq!(
            address("redis://127.0.0.1:6379"),
            Some(SocketAddr::from(([127, 0, 0, 1], 6379)))
        );
        assert_eq!(
            address("postgres://postgres:pw@127.0.0.1:5432/test"),
            Some(SocketAddr::from(([127, 0, 0, 1], 5432)))
        );
        assert_eq!(address("not a url"), None);
    }

    #[test]
    fn skips_are_reported_loudly() {
        let dir = std::env::temp_dir().join(format!("xtask-store-{}", std::process::id()));
        let log = dir.join("target/tmp/wxpay-store-tests-skipped.txt");
        std::fs::create_dir_all(log.parent().unwrap()).unwrap();
        // With CARGO_TARGET_DIR set the log lives elsewhere; the test then checks nothing.
        if std::env::var_os("CARGO_TARGET_DIR").is_none() {
            std::fs::write(
                &log,
                "SKIPPED redis_x: no Redis at redis://127.0.0.1:1 (refused)\n",
            )
            .unwrap();
            let lines = report(&dir);
            assert!(
                lines.iter().any(|l| l.contains("1 STORE TEST(S) SKIPPED")),
                "{lines:?}"
            );
            assert!(lines.iter().any(|l| l.contains("redis_x")), "{lines:?}");
            clear(&dir);
            assert!(
                report(&dir)
                    .iter()
                    .any(|l| l == "store tests: none skipped")
            );
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}

//! The load generator and the receiver child process of the `callback_http` bench.

use std::io::{BufRead, BufReader};
use std::process::{ChildStdin, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::HeaderMap;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;

/// One pre-signed delivery.
pub struct Delivery {
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// What a load run did.
pub struct Load {
    pub sent: usize,
    pub wall: Duration,
}

/// Sends the pool over `connections` keep-alive HTTP/1.1 connections, each delivery once
/// (`sustain: None`), or round and round until `sustain` has passed. Panics on any answer
/// other than success: a bench of failures would measure nothing.
pub async fn send_all(
    port: u16,
    pool: Arc<Vec<Delivery>>,
    connections: usize,
    sustain: Option<Duration>,
) -> Load {
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let deadline = sustain.map(|d| start + d);
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .expect("connect to the receiver");
        stream.set_nodelay(true).expect("nodelay");
        let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .expect("handshake");
        tokio::spawn(conn);
        let next = next.clone();
        let requests = pool.clone();
        tasks.push(tokio::spawn(async move {
            let mut sent = 0usize;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if deadline.is_none() && i >= requests.len() {
                    break;
                }
                if deadline.is_some_and(|d| Instant::now() >= d) {
                    break;
                }
                let Delivery { headers, body } = &requests[i % requests.len()];
                let mut req = http::Request::post(super::receiver::PATH)
                    .header(http::header::HOST, "127.0.0.1")
                    .body(Full::new(body.clone()))
                    .expect("request");
                req.headers_mut().extend(headers.clone());
                sender.ready().await.expect("connection ready");
                let res = sender.send_request(req).await.expect("answer");
                let status = res.status();
                let _ = res.into_body().collect().await.expect("body");
                assert!(status.is_success(), "delivery {i}: HTTP {status}");
                sent += 1;
            }
            sent
        }));
    }
    let mut sent = 0;
    for t in tasks {
        sent += t.await.expect("load task");
    }
    Load {
        sent,
        wall: start.elapsed(),
    }
}

/// The receiver: this bench binary re-executed with the worker count in `env`.
pub struct Child {
    child: std::process::Child,
    stdin: Option<ChildStdin>,
    pub port: u16,
    ticks_per_s: f64,
}

impl Child {
    pub fn spawn(env: &str, workers: usize) -> std::io::Result<Self> {
        let mut child = Command::new(std::env::current_exe()?)
            .env(env, workers.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let stdin = child.stdin.take();
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| std::io::Error::other("no stdout"))?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let port = line
            .trim()
            .strip_prefix("port ")
            .and_then(|p| p.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("receiver said {line:?}")))?;
        Ok(Self {
            child,
            stdin,
            port,
            ticks_per_s: clock_ticks(),
        })
    }

    /// The child's CPU time so far: the sum of its threads' `/proc/<pid>/task/*/schedstat`
    /// run time (ns precision; the same CPU time `utime + stime` counts in clock ticks, which
    /// would be too coarse for the quick mode), with the user/system split from
    /// `/proc/<pid>/stat`.
    pub fn cpu(&self) -> Cpu {
        let pid = self.child.id();
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("/proc/<pid>/stat");
        // Fields after the command name, which is in parentheses and may hold spaces.
        let rest = &stat[stat.rfind(')').expect("stat format") + 2..];
        let fields: Vec<&str> = rest.split_whitespace().collect();
        // utime and stime are fields 14 and 15 of proc(5); `rest` starts at field 3.
        let tick = 1e9 / self.ticks_per_s;
        let user_ns = fields[11].parse::<f64>().expect("utime") * tick;
        let system_ns = fields[12].parse::<f64>().expect("stime") * tick;
        let scheduled = std::fs::read_dir(format!("/proc/{pid}/task"))
            .ok()
            .map(|tasks| {
                tasks
                    .filter_map(|t| {
                        let text =
                            std::fs::read_to_string(t.ok()?.path().join("schedstat")).ok()?;
                        text.split_whitespace().next()?.parse::<f64>().ok()
                    })
                    .sum::<f64>()
            })
            .filter(|ns| *ns > 0.0);
        Cpu {
            total_ns: scheduled.unwrap_or(user_ns + system_ns),
            user_ns,
            system_ns,
        }
    }

    /// One clock tick of `/proc/<pid>/stat`, ns.
    pub fn tick_ns(&self) -> f64 {
        1e9 / self.ticks_per_s
    }

    /// A `Vm*` line of `/proc/<pid>/status`, KiB.
    pub fn status_kib(&self, key: &str) -> u64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with(&format!("{key}:")))
                    .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
            })
            .unwrap_or(0)
    }

    /// Closes its stdin (it exits) and waits for it.
    pub fn stop(mut self) {
        drop(self.stdin.take());
        let _ = self.child.wait();
    }
}

/// CPU time of the receiver, ns.
#[derive(Debug, Clone, Copy)]
pub struct Cpu {
    /// Everything (schedstat, or `utime + stime`).
    pub total_ns: f64,
    /// `utime` (clock-tick resolution).
    pub user_ns: f64,
    /// `stime`: the kernel's part (loopback TCP, epoll), clock-tick resolution.
    pub system_ns: f64,
}

impl std::ops::Sub for Cpu {
    type Output = Cpu;
    fn sub(self, o: Cpu) -> Cpu {
        Cpu {
            total_ns: self.total_ns - o.total_ns,
            user_ns: self.user_ns - o.user_ns,
            system_ns: self.system_ns - o.system_ns,
        }
    }
}

/// `getconf CLK_TCK` (the unit of `/proc/<pid>/stat` times), 100 if unknown.
fn clock_ticks() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok()?.trim().parse().ok())
        .unwrap_or(100.0)
}

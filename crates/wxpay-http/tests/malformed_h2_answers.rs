//! Over HTTP/2 (TLS, ALPN `h2`, what WeChat Pay's front end offers), an answer whose header
//! block breaks the protocol came from a server that was reached: `MalformedAnswer`, one
//! attempt, no failover to the backup host — the same rule as for a malformed HTTP/1.1 head
//! (`malformed_answers.rs`). The stand-in server here writes raw HTTP/2 frames after the TLS
//! handshake, so it can send what no well-behaved HTTP/2 library would.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use support::requests::*;
use support::tls::{self, H2, TlsServer};
use support::*;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use wxpay_http::Error;

const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
const SETTINGS: u8 = 0x4;
const HEADERS: u8 = 0x1;
const CONTINUATION: u8 = 0x9;
const END_STREAM: u8 = 0x1;
const END_HEADERS: u8 = 0x4;
const ACK: u8 = 0x1;
/// The default SETTINGS_MAX_FRAME_SIZE: no frame payload may be longer.
const MAX_FRAME: usize = 16_384;

fn frame(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
    let len = payload.len();
    let mut out = vec![(len >> 16) as u8, (len >> 8) as u8, len as u8, kind, flags];
    out.extend_from_slice(&stream.to_be_bytes());
    out.extend_from_slice(payload);
    out
}

/// An HPACK integer with an `n`-bit prefix (RFC 7541 §5.1), the prefix's other bits zero.
fn hpack_int(value: usize, n: u32, out: &mut Vec<u8>) {
    let max = (1usize << n) - 1;
    if value < max {
        out.push(value as u8);
        return;
    }
    out.push(max as u8);
    let mut rest = value - max;
    while rest >= 128 {
        out.push((rest % 128) as u8 | 0x80);
        rest /= 128;
    }
    out.push(rest as u8);
}

/// A header field as an HPACK "literal without indexing, new name", strings not Huffman-coded.
fn literal(name: &[u8], value: &[u8], out: &mut Vec<u8>) {
    out.push(0x00);
    hpack_int(name.len(), 7, out);
    out.extend_from_slice(name);
    hpack_int(value.len(), 7, out);
    out.extend_from_slice(value);
}

/// `:status: 200` (HPACK static table entry 8) followed by `fields`.
fn block(fields: &[(&[u8], Vec<u8>)]) -> Vec<u8> {
    let mut out = vec![0x88];
    for (name, value) in fields {
        literal(name, value, &mut out);
    }
    out
}

/// The header block as a HEADERS frame on `stream`, split into CONTINUATION frames when it is
/// longer than one frame may be.
fn headers_frames(stream: u32, block: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let pieces: Vec<&[u8]> = block.chunks(MAX_FRAME).collect();
    for (i, piece) in pieces.iter().enumerate() {
        let last = i + 1 == pieces.len();
        let end_headers = if last { END_HEADERS } else { 0 };
        if i == 0 {
            out.extend(frame(HEADERS, END_STREAM | end_headers, stream, piece));
        } else {
            out.extend(frame(CONTINUATION, end_headers, stream, piece));
        }
    }
    out
}

/// Reads one frame: (type, flags, stream id, payload); `None` at the end of the stream.
async fn read_frame<R: AsyncRead + Unpin>(r: &mut R) -> Option<(u8, u8, u32, Vec<u8>)> {
    let mut head = [0u8; 9];
    r.read_exact(&mut head).await.ok()?;
    let len = (usize::from(head[0]) << 16) | (usize::from(head[1]) << 8) | usize::from(head[2]);
    let stream = u32::from_be_bytes([head[5], head[6], head[7], head[8]]) & 0x7fff_ffff;
    let mut payload = vec![0u8; len];
    r.read_exact(&mut payload).await.ok()?;
    Some((head[3], head[4], stream, payload))
}

/// A TLS server on 127.0.0.1 port 0 offering only `h2`, answering every request with `block` (the response's header block), counting connections. Returns its
/// base URL, its `host:port` as the client names it, and the counter.
async fn bad_h2_server(block: Vec<u8>) -> (String, String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let tls = TlsServer::new(
        tls::SERVER_CERT,
        tls::SERVER_KEY,
        &[H2],
        rustls::ALL_VERSIONS,
    );
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    let block = Arc::new(block);
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            seen.fetch_add(1, Ordering::SeqCst);
            let (tls, block) = (tls.clone(), block.clone());
            tokio::spawn(async move {
                let Some(mut s) = tls.accept(tcp).await else {
                    return;
                };
                let mut preface = [0u8; 24];
                if s.read_exact(&mut preface).await.is_err() || preface != PREFACE {
                    return;
                }
                if s.write_all(&frame(SETTINGS, 0, 0, &[])).await.is_err() {
                    return;
                }
                while let Some((kind, flags, stream, _)) = read_frame(&mut s).await {
                    let reply = match kind {
                        SETTINGS if flags & ACK == 0 => frame(SETTINGS, ACK, 0, &[]),
                        HEADERS => headers_frames(stream, &block),
                        _ => continue,
                    };
                    if s.write_all(&reply).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    let url = format!("https://localhost:{port}");
    (url, format!("localhost:{port}"), count)
}

/// Each bad header block, named, with the words its `reason` must contain: h2 resets the
/// stream ("malformed HTTP/2 answer") or ends the connection ("connection error").
fn bad_blocks() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    vec![
        (
            // A connection-specific header is malformed in HTTP/2 (RFC 9113 §8.2.2): h2
            // resets the stream.
            "a `connection` header",
            block(&[(b"connection", b"close".to_vec())]),
            "malformed HTTP/2 answer",
        ),
        (
            // HPACK decoding refuses the value: h2 ends the connection (a GOAWAY of its own).
            "a NUL byte in a header value",
            block(&[(b"request-id", b"RID\0X".to_vec())]),
            "connection error",
        ),
        (
            // Over the client's 16 KiB header-list limit, split over CONTINUATION frames.
            "a 20 KiB header block",
            block(&[
                (b"x-big-a", vec![b'a'; 10_000]),
                (b"x-big-b", vec![b'b'; 10_000]),
            ]),
            "malformed HTTP/2 answer",
        ),
    ]
}

#[tokio::test]
async fn a_malformed_http2_answer_is_not_retried_and_does_not_fail_over() {
    for (name, bad, words) in bad_blocks() {
        let (url, host, primary) = bad_h2_server(bad).await;
        let backup = TestServer::start(|_| Reply::json(200, STOCK_JSON)).await;
        let client = client_for(&backup)
            .base_url(url)
            .backup_url(Some(backup.url()))
            .add_root_certificate_pem(tls::TEST_CA)
            .build()
            .unwrap();
        // A POST the primary received: never re-sent, never sent to the backup.
        let err = client.execute(&create_stock()).await.unwrap_err();
        match &err {
            Error::MalformedAnswer {
                host: h,
                attempts,
                reason,
                ..
            } => {
                assert_eq!(h, &host, "{name}");
                assert_eq!(*attempts, 1, "{name}");
                assert!(reason.contains(words), "{name}: {reason}");
            }
            other => panic!("{name}: expected MalformedAnswer, got {other:?}"),
        }
        assert!(
            !err.to_string().contains("could not reach"),
            "{name}: the server was reached: {err}"
        );
        assert_eq!(primary.load(Ordering::SeqCst), 1, "{name}: one connection");
        assert!(backup.requests().is_empty(), "{name}: no failover");
        // The backup did not become the preferred host: the next call goes to the primary.
        let err = client.execute(&get_stock()).await.unwrap_err();
        assert!(
            matches!(err, Error::MalformedAnswer { .. }),
            "{name}: {err:?}"
        );
        assert!(backup.requests().is_empty(), "{name}: backup still unused");
    }
}

/// The stand-in itself is sound: the same server with a well-formed block answers a 200 that
/// the client then refuses only for its missing signature — so the errors above come from
/// the bad header blocks, not from the raw framing.
#[tokio::test]
async fn a_well_formed_block_from_the_same_server_is_read() {
    let (url, _, primary) = bad_h2_server(block(&[(b"content-length", b"0".to_vec())])).await;
    let client = base_builder()
        .base_url(url)
        .wechatpay_public_key(PUB_KEY_ID, WECHATPAY_PUB)
        .add_root_certificate_pem(tls::TEST_CA)
        .build()
        .unwrap();
    let err = client.execute(&get_stock()).await.unwrap_err();
    assert!(
        !matches!(
            err,
            Error::MalformedAnswer { .. } | Error::Connect { .. } | Error::Timeout { .. }
        ),
        "a well-formed answer is read and then judged on its content: {err:?}"
    );
    assert_eq!(primary.load(Ordering::SeqCst), 1);
}

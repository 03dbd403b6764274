//! Reading what the user hands over: `--data` values, files or stdin, header files, and whole
//! captured HTTP messages (a request for callbacks, an answer for `verify`).

use std::io::Read;
use std::path::Path;

use crate::failure::{Failure, Result};

/// Reads a file, or stdin for `-`.
pub fn read_file(path: &Path, what: &str) -> Result<Vec<u8>> {
    if path == Path::new("-") {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| Failure::input(format!("cannot read the {what} from stdin: {e}")))?;
        return Ok(buf);
    }
    std::fs::read(path).map_err(|e| {
        Failure::input(format!(
            "cannot read the {what} file {}: {e}",
            path.display()
        ))
        .fix("check the path")
    })
}

/// A `--data` value: JSON text, `@FILE`, or `@-` for stdin. Checked to be JSON, returned
/// byte for byte (never re-serialized: what is signed is what is sent).
pub fn read_data(arg: &str) -> Result<Vec<u8>> {
    let bytes = match arg.strip_prefix('@') {
        Some(path) => read_file(Path::new(path), "request body")?,
        None => arg.as_bytes().to_vec(),
    };
    if let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(&bytes) {
        return Err(Failure::input(format!("the request body is not JSON: {e}"))
            .fix("WeChat Pay APIv3 bodies are JSON; quote the whole value for the shell, e.g. -d '{\"mchid\":\"1900009191\"}', or use -d @body.json"));
    }
    Ok(bytes)
}

/// A captured HTTP message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Message {
    /// `POST /path HTTP/1.1` or `HTTP/1.1 200 OK`, when the capture has one.
    pub start_line: Option<String>,
    /// Header pairs in order, values trimmed.
    pub headers: Vec<(String, String)>,
    /// The body, de-chunked when it was sent chunked.
    pub body: Vec<u8>,
    /// Things worth telling the user (e.g. bytes ignored after Content-Length).
    pub notes: Vec<String>,
}

impl Message {
    /// The first value of a header (name case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn is_start_line(line: &str) -> bool {
    if line.starts_with("HTTP/") {
        return true;
    }
    let mut parts = line.split(' ');
    let method = parts.next().unwrap_or("");
    !method.is_empty()
        && method.bytes().all(|b| b.is_ascii_uppercase())
        && parts
            .next()
            .is_some_and(|p| p.starts_with('/') || p.starts_with("http"))
}

/// Parses header lines (`Name: value`), skipping a start line, blank lines and `#` comments.
/// Header pairs in order.
pub type Headers = Vec<(String, String)>;

fn parse_head(text: &str, what: &str) -> Result<(Option<String>, Headers)> {
    let mut start = None;
    let mut headers = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        if headers.is_empty() && start.is_none() && is_start_line(line) {
            start = Some(line.to_owned());
            continue;
        }
        let Some((name, value)) = line.split_once(':') else {
            return Err(Failure::input(format!(
                "line {} of the {what} is not a `Name: value` header: {:?}",
                i + 1,
                truncate(line, 80)
            ))
            .fix("one header per line, as `curl -D` or a proxy log writes them"));
        };
        let name = name.trim();
        if name.is_empty() || name.contains(' ') {
            return Err(Failure::input(format!(
                "line {} of the {what} has no header name before ':'",
                i + 1
            )));
        }
        headers.push((name.to_owned(), value.trim().to_owned()));
    }
    Ok((start, headers))
}

fn truncate(s: &str, n: usize) -> String {
    match s.char_indices().nth(n) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_owned(),
    }
}

/// Parses a headers file: `Name: value` lines (as `curl -D` writes them, a start line allowed)
/// or a JSON object of names to values.
pub fn parse_header_file(bytes: &[u8]) -> Result<Vec<(String, String)>> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| Failure::input("the headers file is not UTF-8 text"))?;
    if text.trim_start().starts_with('{') {
        let map: serde_json::Map<String, serde_json::Value> = serde_json::from_str(text)
            .map_err(|e| Failure::input(format!("the headers file is not a JSON object: {e}")))?;
        return Ok(map
            .into_iter()
            .map(|(k, v)| {
                let v = match v {
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                };
                (k, v)
            })
            .collect());
    }
    parse_head(text, "headers file").map(|(_, h)| h)
}

/// Parses a whole captured HTTP message: start line, headers, a blank line, the body.
pub fn parse_raw_http(bytes: &[u8], what: &str) -> Result<Message> {
    let (head_end, sep_len) = match (find(bytes, b"\r\n\r\n"), find(bytes, b"\n\n")) {
        (Some(a), Some(b)) if b < a => (b, 2),
        (Some(a), _) => (a, 4),
        (None, Some(b)) => (b, 2),
        (None, None) => {
            return Err(Failure::input(format!(
                "the captured {what} has no blank line between its headers and its body"
            ))
            .fix("capture the whole message (headers, blank line, body), or pass --headers FILE and --body FILE"));
        }
    };
    let head = std::str::from_utf8(&bytes[..head_end])
        .map_err(|_| Failure::input(format!("the headers of the captured {what} are not UTF-8")))?;
    let (start_line, headers) = parse_head(head, &format!("captured {what}"))?;
    let mut message = Message {
        start_line,
        headers,
        body: bytes[head_end + sep_len..].to_vec(),
        notes: Vec::new(),
    };
    let chunked = message
        .header("transfer-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    if chunked {
        message.body = dechunk(&message.body)?;
        message
            .notes
            .push("the body was sent chunked; the chunks were joined".to_owned());
    } else if let Some(len) = message.header("content-length") {
        let len: usize = len.trim().parse().map_err(|_| {
            Failure::input(format!(
                "Content-Length {len:?} of the captured {what} is not a number"
            ))
        })?;
        match message.body.len().cmp(&len) {
            std::cmp::Ordering::Less => {
                return Err(Failure::input(format!(
                    "the captured {what} is truncated: Content-Length says {len} bytes, the capture has {}",
                    message.body.len()
                ))
                .fix("capture the whole body (e.g. save it with `curl --data-binary`, or from the proxy's raw view)"));
            }
            std::cmp::Ordering::Greater => {
                let extra = message.body.len() - len;
                message.body.truncate(len);
                message.notes.push(format!(
                    "{extra} byte(s) after Content-Length were ignored (an editor's final line break?)"
                ));
            }
            std::cmp::Ordering::Equal => {}
        }
    }
    Ok(message)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn dechunk(mut body: &[u8]) -> Result<Vec<u8>> {
    let bad = |why: &str| Failure::input(format!("the chunked body is malformed: {why}"));
    let mut out = Vec::new();
    loop {
        let line_end = find(body, b"\n").ok_or_else(|| bad("a chunk size line has no end"))?;
        let line = std::str::from_utf8(&body[..line_end]).map_err(|_| bad("a size is not text"))?;
        let size_text = line
            .trim_end_matches('\r')
            .split(';')
            .next()
            .unwrap_or("")
            .trim();
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| bad(&format!("{size_text:?} is not a hex chunk size")))?;
        body = &body[line_end + 1..];
        if size == 0 {
            return Ok(out);
        }
        let chunk = body
            .get(..size)
            .ok_or_else(|| bad("a chunk is shorter than its size"))?;
        out.extend_from_slice(chunk);
        body = &body[size..];
        body = body
            .strip_prefix(b"\r\n")
            .or_else(|| body.strip_prefix(b"\n"))
            .ok_or_else(|| bad("a chunk is not followed by a line break"))?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_request_with_crlf_and_content_length() {
        let raw = b"POST /notify HTTP/1.1\r\nHost: x\r\nWechatpay-Nonce: abc\r\nContent-Length: 7\r\n\r\n{\"a\":1}\n";
        let m = parse_raw_http(raw, "request").unwrap();
        assert_eq!(m.start_line.as_deref(), Some("POST /notify HTTP/1.1"));
        assert_eq!(m.header("wechatpay-nonce"), Some("abc"));
        assert_eq!(m.body, b"{\"a\":1}");
        assert_eq!(m.notes.len(), 1, "the trailing line break is reported");
    }

    #[test]
    fn raw_answer_with_lf_and_no_length() {
        let m = parse_raw_http(b"HTTP/1.1 200 OK\nRequest-ID: r1\n\n{}", "answer").unwrap();
        assert_eq!(m.header("request-id"), Some("r1"));
        assert_eq!(m.body, b"{}");
    }

    #[test]
    fn truncated_and_headless_captures_are_input_errors() {
        let e = parse_raw_http(
            b"POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\n{}",
            "request",
        )
        .unwrap_err();
        assert_eq!(e.exit_code(), 4);
        assert!(e.message.contains("truncated"));
        assert!(parse_raw_http(b"POST / HTTP/1.1\r\nX: y", "request").is_err());
    }

    #[test]
    fn chunked_bodies_are_joined() {
        let raw = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n{\"a\r\n4;ext=1\r\n\":1}\r\n0\r\n\r\n";
        assert_eq!(parse_raw_http(raw, "request").unwrap().body, b"{\"a\":1}");
        let bad = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n";
        assert!(parse_raw_http(bad, "request").is_err());
    }

    #[test]
    fn header_files_as_lines_or_json() {
        let h =
            parse_header_file(b"HTTP/2 200\r\nwechatpay-serial: PUB_KEY_ID_1\n# note\n\nA: b:c\n")
                .unwrap();
        assert_eq!(
            h,
            [
                ("wechatpay-serial".into(), "PUB_KEY_ID_1".into()),
                ("A".into(), "b:c".into())
            ]
        );
        let h = parse_header_file(br#"{"Wechatpay-Timestamp": 1576140878, "X": "y"}"#).unwrap();
        assert!(h.contains(&("Wechatpay-Timestamp".into(), "1576140878".into())));
        let e = parse_header_file(b"not a header line\n").unwrap_err();
        assert!(e.message.contains("line 1"));
    }

    #[test]
    fn data_must_be_json_and_is_kept_byte_for_byte() {
        assert_eq!(read_data("{ \"a\" : 1 }").unwrap(), b"{ \"a\" : 1 }");
        assert_eq!(read_data("{a:1}").unwrap_err().exit_code(), 4);
        assert_eq!(
            read_data("@/nonexistent/x.json").unwrap_err().exit_code(),
            4
        );
    }
}

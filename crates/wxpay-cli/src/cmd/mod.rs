//! One module per command; helpers they share.

pub mod api;
pub mod callbacks;
pub mod mock;
pub mod notify;
pub mod sign;
pub mod verify;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use crate::failure::{Failure, Result};
use crate::input::{self, Message};
use crate::output::outln;

/// The methods WeChat Pay APIv3 uses, upper case.
pub fn method(text: &str) -> Result<&'static str> {
    let upper = text.to_ascii_uppercase();
    ["GET", "POST", "PUT", "PATCH", "DELETE"]
        .into_iter()
        .find(|m| *m == upper)
        .ok_or_else(|| {
            Failure::usage(format!("unknown HTTP method {text:?}"))
                .fix("use GET, POST, PUT, PATCH or DELETE")
        })
}

/// The path and query to sign: as given, or taken from a full URL (with a note on stderr).
pub fn path_and_query(text: &str) -> Result<String> {
    if text.starts_with('/') {
        return Ok(text.to_owned());
    }
    for scheme in ["https://", "http://"] {
        if let Some(rest) = text.strip_prefix(scheme) {
            let path = rest.find('/').map_or("/", |i| &rest[i..]);
            eprintln!("note: only the path and query are signed and sent: {path}");
            return Ok(path.to_owned());
        }
    }
    Err(Failure::usage(format!("{text:?} is not a path"))
        .fix("give the path and query exactly as sent, starting with /, e.g. /v3/marketing/busifavor/callbacks?mchid=1900009191"))
}

/// The request body of `--data`, refused for GET and DELETE.
pub fn body(method: &str, data: Option<&str>) -> Result<Vec<u8>> {
    let body = data.map(input::read_data).transpose()?.unwrap_or_default();
    if !body.is_empty() && matches!(method, "GET" | "DELETE") {
        return Err(Failure::usage(format!(
            "{method} requests have no body, but --data was given"
        ))
        .fix("drop --data; query parameters go into the path"));
    }
    Ok(body)
}

/// A captured message: from a headers file and a body file, or whole from a file or stdin.
pub fn captured(
    headers: Option<&Path>,
    body: Option<&Path>,
    whole: Option<&PathBuf>,
    what: &str,
    whole_flag: &str,
) -> Result<Message> {
    if let Some(h) = headers {
        let headers = input::parse_header_file(&input::read_file(h, &format!("{what} headers"))?)?;
        let body = match body {
            Some(b) => input::read_file(b, &format!("{what} body"))?,
            None => Vec::new(),
        };
        return Ok(Message {
            headers,
            body,
            ..Message::default()
        });
    }
    let path = whole.cloned().unwrap_or_else(|| PathBuf::from("-"));
    if path == Path::new("-") && std::io::stdin().is_terminal() {
        return Err(Failure::usage(format!("no captured {what} given"))
            .fix(format!("pass --headers FILE --body FILE, or {whole_flag} FILE, or pipe the raw HTTP {what} into stdin")));
    }
    let raw = input::read_file(&path, &format!("captured {what}"))?;
    let message = input::parse_raw_http(&raw, what)?;
    for note in &message.notes {
        eprintln!("note: {note}");
    }
    Ok(message)
}

/// Prints JSON, pretty, on stdout.
pub fn print_json(value: &serde_json::Value) -> Result<()> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Failure::internal(format!("could not format JSON: {e}")))?;
    outln!("{text}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_and_paths() {
        assert_eq!(method("patch").unwrap(), "PATCH");
        assert_eq!(method("FETCH").unwrap_err().exit_code(), 2);
        assert_eq!(
            path_and_query("https://api.mch.weixin.qq.com/v3/certificates?x=1").unwrap(),
            "/v3/certificates?x=1"
        );
        assert_eq!(path_and_query("/v3/x").unwrap(), "/v3/x");
        assert!(path_and_query("v3/x").is_err());
    }

    #[test]
    fn get_has_no_body() {
        assert_eq!(body("GET", Some("{}")).unwrap_err().exit_code(), 2);
        assert_eq!(body("POST", Some("{}")).unwrap(), b"{}");
        assert!(body("GET", None).unwrap().is_empty());
    }
}

//! JSON parsing that names the field of a malformed time and never repeats a received value.
//!
//! serde_json reports only line and column; when the failure came from a [`Timestamp`], the
//! document is walked to find the offending `*_time` field so the error can name it (never its
//! text). serde's data errors quote the value they received (`invalid type: string "oXyZ…"`);
//! for decrypted notification data the message keeps the kind of value and what was expected
//! instead (see [`crate::redact`]), since it carries user identifiers and errors end up in logs.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::Error;
use crate::time::{TIME_ERROR_MARKER, Timestamp};

/// Parses `bytes` as `T`; `context` says what was being parsed. serde's message is kept as it
/// is (it may quote the value received: the caller of an API sees what WeChat Pay answered).
pub(crate) fn from_slice<T: DeserializeOwned>(
    bytes: &[u8],
    context: &'static str,
) -> Result<T, Error> {
    serde_json::from_slice(bytes).map_err(|source| classify(source, bytes, context, false))
}

/// [`from_slice`] for decrypted data (notification payloads): serde's message loses the value
/// it quotes, keeping the kind of value and what was expected.
pub(crate) fn from_decrypted<T: DeserializeOwned>(
    bytes: &[u8],
    context: &'static str,
) -> Result<T, Error> {
    serde_json::from_slice(bytes).map_err(|source| classify(source, bytes, context, true))
}

fn classify(source: serde_json::Error, bytes: &[u8], context: &'static str, redact: bool) -> Error {
    if !source.is_data() {
        // Syntax and end-of-input messages name a position, never a value.
        return Error::Json { context, source };
    }
    if source.to_string().contains(TIME_ERROR_MARKER)
        && let Ok(doc) = serde_json::from_slice::<Value>(bytes)
        && let Some((field, reason)) = find_bad_time(&doc, &mut String::new())
    {
        return Error::MalformedTime {
            context,
            field,
            reason,
        };
    }
    let source = if redact { redacted(&source) } else { source };
    Error::Json { context, source }
}

/// `source` with the received value taken out of its message; line and column are kept.
fn redacted(source: &serde_json::Error) -> serde_json::Error {
    let full = source.to_string();
    let position = format!(" at line {} column {}", source.line(), source.column());
    let message = full.strip_suffix(&position).unwrap_or(&full);
    let message = crate::redact::data_error_message(message);
    serde::de::Error::custom(if source.line() == 0 {
        message
    } else {
        format!("{message}{position}")
    })
}

/// Depth-first search for a string under a `*_time` key that is not RFC 3339; returns its JSON
/// pointer and why it is not (never the value).
fn find_bad_time(v: &Value, path: &mut String) -> Option<(String, String)> {
    let len = path.len();
    let found = match v {
        Value::Object(map) => map.iter().find_map(|(k, child)| {
            path.truncate(len);
            push_token(path, k);
            match child {
                Value::String(s) if k.ends_with("_time") => match Timestamp::parse(s) {
                    Err(e) => Some((path.clone(), e.reason().to_owned())),
                    Ok(_) => find_bad_time(child, path),
                },
                _ => find_bad_time(child, path),
            }
        }),
        Value::Array(items) => items.iter().enumerate().find_map(|(i, child)| {
            path.truncate(len);
            path.push('/');
            path.push_str(&i.to_string());
            find_bad_time(child, path)
        }),
        _ => None,
    };
    path.truncate(len);
    found
}

fn push_token(path: &mut String, key: &str) {
    path.push('/');
    for c in key.chars() {
        match c {
            '~' => path.push_str("~0"),
            '/' => path.push_str("~1"),
            c => path.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Inner {
        items: Vec<Item>,
    }
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Item {
        begin_time: Timestamp,
    }

    #[test]
    fn names_the_malformed_time_field() {
        let body = br#"{"items":[{"begin_time":"2020-01-01T00:00:00+08:00"},{"begin_time":"2020-05-20T13:29:35.08:00"}]}"#;
        match from_slice::<Inner>(body, "test") {
            Err(Error::MalformedTime { field, reason, .. }) => {
                assert_eq!(field, "/items/1/begin_time");
                assert!(!reason.contains("2020"), "{reason}");
            }
            other => panic!("expected MalformedTime, got {other:?}"),
        }
    }

    #[test]
    fn other_errors_stay_json_errors() {
        let err = from_slice::<Inner>(b"{\"items\":[{}]}", "test").unwrap_err();
        assert!(
            matches!(
                err,
                Error::Json {
                    context: "test",
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(err.to_string().contains("begin_time"));
    }

    #[test]
    fn pointer_tokens_are_escaped() {
        let mut p = String::new();
        push_token(&mut p, "a/b~c");
        assert_eq!(p, "/a~1b~0c");
    }
}

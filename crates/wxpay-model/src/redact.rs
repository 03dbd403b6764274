//! Redaction of received values in `Debug` output and error messages.
//!
//! Decrypted notification payloads carry user and payment identifiers (openid, unionid, coupon
//! codes, transaction ids). `Debug` output and error messages end up in logs, so they show which
//! field is meant and whether it is empty, never the value.

use std::fmt;

use serde_json::{Map, Value};

/// `Debug` of a string value: `""` when empty (useful: an empty openid means no
/// `notify_appid` was configured), `<redacted>` otherwise.
pub(crate) struct Secret<'a>(pub(crate) &'a str);

impl fmt::Debug for Secret<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            f.write_str("\"\"")
        } else {
            f.write_str("<redacted>")
        }
    }
}

/// `Debug` of an optional string value: `None`, `Some("")` or `Some(<redacted>)`.
pub(crate) struct SecretOpt<'a>(pub(crate) Option<&'a str>);

impl fmt::Debug for SecretOpt<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            None => f.write_str("None"),
            Some(s) => f.debug_tuple("Some").field(&Secret(s)).finish(),
        }
    }
}

/// `Debug` of a JSON object whose values are withheld: its keys only.
pub(crate) struct Keys<'a>(pub(crate) &'a Map<String, Value>);

impl fmt::Debug for Keys<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for key in self.0.keys() {
            map.entry(&format_args!("{key:?}"), &format_args!("<redacted>"));
        }
        map.finish()
    }
}

/// `Debug` of any JSON value whose content is withheld: its kind and size.
pub(crate) struct Shape<'a>(pub(crate) &'a Value);

impl fmt::Debug for Shape<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Value::Null => f.write_str("null"),
            Value::Object(map) => Keys(map).fmt(f),
            Value::Array(items) => write!(f, "<redacted array of {}>", items.len()),
            Value::String(s) => Secret(s).fmt(f),
            Value::Bool(_) => f.write_str("<redacted boolean>"),
            Value::Number(_) => f.write_str("<redacted number>"),
        }
    }
}

/// The message of a serde data error with the received value taken out.
///
/// serde's messages quote what they received (`invalid type: string "oXyZ…", expected u64`);
/// what is kept is the kind of value and what was expected, both of which come from code, and
/// the field name where serde gives one (`missing field `openid``). Messages of unknown form
/// are replaced as a whole: they may quote anything.
pub(crate) fn data_error_message(message: &str) -> String {
    const KEEP: &[&str] = &["missing field ", "duplicate field ", "unknown field "];
    if KEEP.iter().any(|p| message.starts_with(p)) {
        return message.to_owned();
    }
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = message.strip_prefix(prefix) {
            // `<kind> <quoted value>, expected <what the code expected>`; the value may itself
            // contain ", expected ", the expectation (from code) does not.
            let (received, expected) = match rest.rfind(", expected ") {
                Some(at) => rest.split_at(at),
                None => (rest, ""),
            };
            let kind = received
                .split(['`', '"', '\''])
                .next()
                .unwrap_or_default()
                .trim();
            return format!("{prefix}{kind} (value withheld){expected}");
        }
    }
    if message.starts_with("invalid length ") {
        return message.to_owned();
    }
    if let Some(rest) = message.strip_prefix("unknown variant ") {
        let expected = rest
            .rfind(", expected ")
            .map(|at| &rest[at..])
            .unwrap_or("");
        return format!("unknown variant (value withheld){expected}");
    }
    String::from("a value was rejected by its parser (value withheld)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_errors_keep_kind_and_expectation_only() {
        for (message, want) in [
            (
                r#"invalid type: string "oSECRET", expected u64"#,
                "invalid type: string (value withheld), expected u64",
            ),
            (
                "invalid type: integer `42`, expected a string",
                "invalid type: integer (value withheld), expected a string",
            ),
            (
                "invalid type: floating point `1.5`, expected a string",
                "invalid type: floating point (value withheld), expected a string",
            ),
            (
                r#"invalid value: string "a, expected b", expected an RFC 3339 time"#,
                "invalid value: string (value withheld), expected an RFC 3339 time",
            ),
            (
                "invalid type: map, expected a string",
                "invalid type: map (value withheld), expected a string",
            ),
            ("missing field `openid`", "missing field `openid`"),
            (
                "invalid length 3, expected 2 items",
                "invalid length 3, expected 2 items",
            ),
            (
                "unknown variant `SECRET`, expected one of `A`, `B`",
                "unknown variant (value withheld), expected one of `A`, `B`",
            ),
            (
                "found [\"SECRET\"]",
                "a value was rejected by its parser (value withheld)",
            ),
        ] {
            assert_eq!(data_error_message(message), want, "{message}");
        }
    }

    #[test]
    fn debug_helpers_hide_values() {
        assert_eq!(format!("{:?}", Secret("x")), "<redacted>");
        assert_eq!(format!("{:?}", Secret("")), "\"\"");
        assert_eq!(format!("{:?}", SecretOpt(Some("x"))), "Some(<redacted>)");
        assert_eq!(format!("{:?}", SecretOpt(None)), "None");
        let v: Value = serde_json::json!({"a": "SECRET", "b": [1]});
        let text = format!("{:?}", Shape(&v));
        assert!(!text.contains("SECRET") && text.contains("\"a\""), "{text}");
        assert_eq!(
            format!("{:?}", Shape(&serde_json::json!([1, 2]))),
            "<redacted array of 2>"
        );
    }
}

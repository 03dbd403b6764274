//! Small readers over a JSON request body that answer `PARAM_ERROR` with a `detail` pointing at
//! the offending field (spec §6.1).

use serde_json::{Map, Value};

use crate::api_error::ApiError;

/// Characters allowed in request numbers (`out_request_no`, …): `[A-Za-z0-9|_*-]`.
pub(crate) fn is_request_no_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'|' | b'_' | b'*' | b'-')
}

/// The body as an object, or `PARAM_ERROR` at `/`.
pub(crate) fn object(body: &Value) -> Result<&Map<String, Value>, ApiError> {
    body.as_object()
        .ok_or_else(|| ApiError::param("/", body.clone(), "请求体必须是JSON对象"))
}

fn pointer(parent: &str, key: &str) -> String {
    format!("{parent}/{key}")
}

/// A required string with a character-length range.
pub(crate) fn req_str<'a>(
    obj: &'a Map<String, Value>,
    parent: &str,
    key: &str,
    min: usize,
    max: usize,
) -> Result<&'a str, ApiError> {
    match obj.get(key) {
        None | Some(Value::Null) => Err(ApiError::param(
            &pointer(parent, key),
            Value::Null,
            &format!("{key}为必填参数"),
        )),
        Some(_) => opt_str(obj, parent, key, min, max)?
            .ok_or_else(|| ApiError::param(&pointer(parent, key), Value::Null, "缺少参数")),
    }
}

/// An optional string with a character-length range.
pub(crate) fn opt_str<'a>(
    obj: &'a Map<String, Value>,
    parent: &str,
    key: &str,
    min: usize,
    max: usize,
) -> Result<Option<&'a str>, ApiError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => {
            let n = s.chars().count();
            if n < min || n > max {
                Err(ApiError::param(
                    &pointer(parent, key),
                    s.as_str(),
                    &format!("{key}长度必须在{min}到{max}之间"),
                ))
            } else {
                Ok(Some(s))
            }
        }
        Some(other) => Err(ApiError::param(
            &pointer(parent, key),
            other.clone(),
            &format!("{key}必须是字符串"),
        )),
    }
}

/// A required request number: `[A-Za-z0-9|_*-]`, 1..=max characters.
pub(crate) fn request_no<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
    max: usize,
) -> Result<&'a str, ApiError> {
    let s = req_str(obj, "", key, 1, max)?;
    if s.bytes().all(is_request_no_char) {
        Ok(s)
    } else {
        Err(ApiError::param(
            &pointer("", key),
            s,
            &format!("{key}只能包含数字、大小写字母和|_*-"),
        ))
    }
}

/// An optional integer within a range.
pub(crate) fn opt_int(
    obj: &Map<String, Value>,
    parent: &str,
    key: &str,
    min: i64,
    max: i64,
) -> Result<Option<i64>, ApiError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => match v.as_i64() {
            Some(n) if (min..=max).contains(&n) => Ok(Some(n)),
            _ => Err(ApiError::param(
                &pointer(parent, key),
                v.clone(),
                &format!("{key}必须是{min}到{max}之间的整数"),
            )),
        },
    }
}

/// A required integer within a range.
pub(crate) fn req_int(
    obj: &Map<String, Value>,
    parent: &str,
    key: &str,
    min: i64,
    max: i64,
) -> Result<i64, ApiError> {
    opt_int(obj, parent, key, min, max)?.ok_or_else(|| {
        ApiError::param(
            &pointer(parent, key),
            Value::Null,
            &format!("{key}为必填参数"),
        )
    })
}

/// An optional boolean.
pub(crate) fn opt_bool(
    obj: &Map<String, Value>,
    parent: &str,
    key: &str,
) -> Result<Option<bool>, ApiError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(v) => Err(ApiError::param(
            &pointer(parent, key),
            v.clone(),
            &format!("{key}必须是布尔值"),
        )),
    }
}

/// An optional object.
pub(crate) fn opt_obj<'a>(
    obj: &'a Map<String, Value>,
    parent: &str,
    key: &str,
) -> Result<Option<&'a Map<String, Value>>, ApiError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => Ok(Some(m)),
        Some(v) => Err(ApiError::param(
            &pointer(parent, key),
            v.clone(),
            &format!("{key}必须是对象"),
        )),
    }
}

/// A required object.
pub(crate) fn req_obj<'a>(
    obj: &'a Map<String, Value>,
    parent: &str,
    key: &str,
) -> Result<&'a Map<String, Value>, ApiError> {
    opt_obj(obj, parent, key)?.ok_or_else(|| {
        ApiError::param(
            &pointer(parent, key),
            Value::Null,
            &format!("{key}为必填参数"),
        )
    })
}

/// A required value from a fixed set.
pub(crate) fn req_enum<'a>(
    obj: &'a Map<String, Value>,
    parent: &str,
    key: &str,
    allowed: &[&str],
) -> Result<&'a str, ApiError> {
    let s = req_str(obj, parent, key, 1, 128)?;
    if allowed.contains(&s) {
        Ok(s)
    } else {
        Err(ApiError::param(
            &pointer(parent, key),
            s,
            &format!("{key}取值必须是{}之一", allowed.join("/")),
        ))
    }
}

/// A required RFC 3339 time, as Unix seconds.
pub(crate) fn req_time(obj: &Map<String, Value>, parent: &str, key: &str) -> Result<i64, ApiError> {
    let s = req_str(obj, parent, key, 1, 64)?;
    wxpay_model::Timestamp::parse(s)
        .ok()
        .map(|t| t.unix_timestamp())
        .ok_or_else(|| {
            ApiError::param(
                &pointer(parent, key),
                s,
                &format!("{key}必须是RFC3339格式时间"),
            )
        })
}

/// Looks a query parameter up (first occurrence).
pub(crate) fn query<'a>(q: &'a [(String, String)], key: &str) -> Option<&'a str> {
    q.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

/// A required query parameter.
pub(crate) fn req_query<'a>(q: &'a [(String, String)], key: &str) -> Result<&'a str, ApiError> {
    query(q, key)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| ApiError::param_at(key, Value::Null, &format!("{key}为必填参数"), "query"))
}

/// An optional non-negative integer query parameter with a maximum.
pub(crate) fn query_uint(
    q: &[(String, String)],
    key: &str,
    default: u64,
    max: u64,
) -> Result<u64, ApiError> {
    match query(q, key) {
        None | Some("") => Ok(default),
        Some(v) => match v.parse::<u64>() {
            Ok(n) if n <= max => Ok(n),
            _ => Err(ApiError::param_at(
                key,
                v,
                &format!("{key}必须是0到{max}之间的整数"),
                "query",
            )),
        },
    }
}

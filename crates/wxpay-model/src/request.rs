//! The request contract every endpoint type implements, and the URL encoding it relies on.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Error, ValidationError};

/// HTTP method of an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `PATCH`
    Patch,
    /// `DELETE`
    Delete,
}

impl Method {
    /// The method as sent on the wire and signed: `"GET"`, `"POST"`, ….
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The body of a request, serialized exactly once, before signing.
///
/// The bytes held here are the bytes that are signed and sent; never serialize twice.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RequestBody {
    /// No body (GET, DELETE). Signed as an empty body line.
    Empty,
    /// A compact JSON body, sent with `Content-Type: application/json`.
    Json(Vec<u8>),
    /// A `multipart/form-data` upload (spec §8.27).
    Multipart(MultipartBody),
}

impl RequestBody {
    /// Serializes `value` as compact JSON.
    pub fn json<T: Serialize + ?Sized>(value: &T) -> Result<Self, Error> {
        serde_json::to_vec(value)
            .map(RequestBody::Json)
            .map_err(|source| Error::Json {
                context: "serializing the request body",
                source,
            })
    }

    /// The bytes that go into the signature's body line: the JSON, the multipart `meta` JSON,
    /// or nothing.
    pub fn signed_bytes(&self) -> &[u8] {
        match self {
            RequestBody::Empty => b"",
            RequestBody::Json(b) => b,
            RequestBody::Multipart(m) => &m.meta,
        }
    }
}

/// `multipart/form-data` upload (§8.27): `meta` is the JSON of the meta part — what gets signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MultipartBody {
    /// JSON of the `meta` part, e.g. `{"filename":"logo.png","sha256":"…"}`; signed.
    pub meta: Vec<u8>,
    /// File name of the `file` part.
    pub file_name: String,
    /// Content type of the `file` part, e.g. `image/png`.
    pub content_type: String,
    /// The file's bytes.
    pub file: Vec<u8>,
}

/// One WeChat Pay API call: method, path, query, body, validation and response type.
///
/// Transports send `METHOD` to `path_and_query()` with `body()`, after `validate()` passed,
/// and parse a 2xx answer with [`ApiRequest::parse_response`].
///
/// ```
/// use wxpay_model::{ApiRequest, Error, Method, RequestBody, ValidationError, encode_path_segment};
///
/// /// `GET /v3/marketing/busifavor/stocks/{stock_id}`
/// struct GetStock { stock_id: String }
///
/// impl ApiRequest for GetStock {
///     type Response = serde_json::Value;
///     const METHOD: Method = Method::Get;
///     const PATH_TEMPLATE: &'static str = "/v3/marketing/busifavor/stocks/{stock_id}";
///     fn path(&self) -> String {
///         format!("/v3/marketing/busifavor/stocks/{}", encode_path_segment(&self.stock_id))
///     }
///     fn body(&self) -> Result<RequestBody, Error> { Ok(RequestBody::Empty) }
///     fn validate(&self) -> Result<(), ValidationError> { Ok(()) }
/// }
///
/// let req = GetStock { stock_id: "98065001".into() };
/// assert_eq!(req.path_and_query(), "/v3/marketing/busifavor/stocks/98065001");
/// let parsed = GetStock::parse_response(br#"{"stock_id":"98065001"}"#)?;
/// assert_eq!(parsed["stock_id"], "98065001");
/// # Ok::<(), wxpay_model::Error>(())
/// ```
pub trait ApiRequest {
    /// Parsed 2xx response. Endpoints answering 204 use [`NoContent`].
    type Response: DeserializeOwned;
    /// HTTP method.
    const METHOD: Method;
    /// e.g. `"/v3/marketing/busifavor/stocks/{stock_id}"` — for logs/metrics, never sent.
    const PATH_TEMPLATE: &'static str;
    /// The path with parameters substituted and percent-encoded (see [`encode_path_segment`]).
    fn path(&self) -> String;
    /// Query pairs, not yet encoded; `None` fields omitted. Default: none.
    fn query(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }
    /// The body; path and query fields are never in it. GET/DELETE: [`RequestBody::Empty`].
    fn body(&self) -> Result<RequestBody, Error>;
    /// Client-side validation of the spec's §8 rules; an invalid request must never leave the machine.
    fn validate(&self) -> Result<(), ValidationError>;
    /// `path` + (`"?"` + [`encode_query`] of `query` when non-empty). Exactly what is sent and signed.
    fn path_and_query(&self) -> String {
        let mut p = self.path();
        let q = self.query();
        if !q.is_empty() {
            p.push('?');
            p.push_str(&encode_query(&q));
        }
        p
    }
    /// Parses a 2xx body; an empty body is parsed as JSON `null` (so [`NoContent`] works for 204).
    fn parse_response(body: &[u8]) -> Result<Self::Response, Error> {
        let body = if body.iter().all(u8::is_ascii_whitespace) {
            b"null".as_slice()
        } else {
            body
        };
        crate::json::from_slice(body, "parsing the response body")
    }
}

/// Unit struct that deserializes from `null` or anything else, for 204 endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct NoContent;

impl<'de> serde::Deserialize<'de> for NoContent {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        serde::de::IgnoredAny::deserialize(d).map(|_| NoContent)
    }
}

/// Everything except RFC 3986 unreserved characters (`A-Z a-z 0-9 - . _ ~`).
const RESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes everything but RFC 3986 unreserved characters (UTF-8, upper-case hex).
///
/// ```
/// assert_eq!(wxpay_model::encode_path_segment("a/b c"), "a%2Fb%20c");
/// ```
pub fn encode_path_segment(s: &str) -> String {
    utf8_percent_encode(s, RESERVED).to_string()
}

/// `k=v&k2=v2`, keys and values encoded like [`encode_path_segment`], order kept.
///
/// ```
/// let q = wxpay_model::encode_query(&[("appid", "wx1".to_string()), ("offset", "0".to_string())]);
/// assert_eq!(q, "appid=wx1&offset=0");
/// ```
pub fn encode_query(pairs: &[(&str, String)]) -> String {
    let mut out = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.extend(utf8_percent_encode(k, RESERVED));
        out.push('=');
        out.extend(utf8_percent_encode(v, RESERVED));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segment_keeps_unreserved_only() {
        assert_eq!(encode_path_segment("oXyZ-123_abc.~"), "oXyZ-123_abc.~");
        assert_eq!(encode_path_segment("a/b?c#d e"), "a%2Fb%3Fc%23d%20e");
        assert_eq!(encode_path_segment("券"), "%E5%88%B8");
        assert_eq!(encode_path_segment("a+b=c&d"), "a%2Bb%3Dc%26d");
    }

    #[test]
    fn query_keeps_order_and_encodes() {
        let q = encode_query(&[("b", "x y".into()), ("a", "1&2".into())]);
        assert_eq!(q, "b=x%20y&a=1%262");
        assert_eq!(encode_query(&[]), "");
    }

    #[test]
    fn method_strings() {
        assert_eq!(Method::Patch.as_str(), "PATCH");
        assert_eq!(Method::Delete.to_string(), "DELETE");
    }

    #[test]
    fn no_content_accepts_anything() {
        for body in ["null", "{}", "{\"a\":[1,2]}", "\"x\""] {
            assert_eq!(
                serde_json::from_str::<NoContent>(body).ok(),
                Some(NoContent)
            );
        }
    }

    #[test]
    fn signed_bytes_of_multipart_is_meta() {
        let body = RequestBody::Multipart(MultipartBody {
            meta: b"{\"filename\":\"a.png\"}".to_vec(),
            file_name: "a.png".into(),
            content_type: "image/png".into(),
            file: vec![1, 2, 3],
        });
        assert_eq!(body.signed_bytes(), b"{\"filename\":\"a.png\"}");
        assert_eq!(RequestBody::Empty.signed_bytes(), b"");
    }
}

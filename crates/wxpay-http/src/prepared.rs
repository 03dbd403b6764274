//! A request turned into bytes once: what every attempt signs and sends unchanged.

use bytes::Bytes;
use http::HeaderValue;
use http::uri::PathAndQuery;
use wxpay_model::{ApiRequest, MultipartBody, RequestBody};

use crate::error::Error;

/// The wire form of one call. Built once per `execute`, reused by every attempt, so a retry
/// sends the same bytes (the same business request number).
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    pub(crate) method: http::Method,
    pub(crate) path_template: &'static str,
    /// Parsed once; its text is both what is signed and what goes on the wire.
    pub(crate) path_and_query: PathAndQuery,
    /// Bytes sent.
    pub(crate) body: Bytes,
    /// Bytes signed: `body`, or the multipart `meta` JSON.
    pub(crate) signed: Bytes,
    pub(crate) content_type: Option<HeaderValue>,
}

impl Prepared {
    /// Validates, then serializes the body exactly once.
    pub(crate) fn from_request<R: ApiRequest>(request: &R) -> Result<Self, Error> {
        request.validate()?;
        let body = request.body().map_err(|e| match e {
            wxpay_model::Error::Validation(v) => Error::Validation(v),
            other => Error::Encode(other),
        })?;
        let method = http::Method::from_bytes(R::METHOD.as_str().as_bytes())
            .map_err(|_| Error::config(format!("unsupported method {}", R::METHOD)))?;
        Self::new(method, R::PATH_TEMPLATE, request.path_and_query(), body)
    }

    pub(crate) fn new(
        method: http::Method,
        path_template: &'static str,
        path_and_query: String,
        body: RequestBody,
    ) -> Result<Self, Error> {
        let path_and_query = parse_path_and_query(path_and_query)?;
        let (body, signed, content_type) = match body {
            RequestBody::Json(json) => {
                let b = Bytes::from(json);
                (
                    b.clone(),
                    b,
                    Some(HeaderValue::from_static("application/json")),
                )
            }
            RequestBody::Multipart(m) => {
                let boundary = boundary();
                let payload = encode_multipart(&m, &boundary);
                let ct =
                    HeaderValue::from_str(&format!("multipart/form-data; boundary={boundary}"))
                        .ok();
                (Bytes::from(payload), Bytes::from(m.meta), ct)
            }
            _ => (Bytes::new(), Bytes::new(), None),
        };
        Ok(Self {
            method,
            path_template,
            path_and_query,
            body,
            signed,
            content_type,
        })
    }
}

/// Parses the request target once. Anything the URI parser would not send byte for byte (a
/// `#` fragment it drops, a character it rejects, raw non-ASCII, a relative path) is refused:
/// the signed path must be the sent path (spec §2.1).
fn parse_path_and_query(text: String) -> Result<PathAndQuery, Error> {
    let bad = |text: &str| {
        Error::config(format!(
            "request path {text:?} is not a valid URL path and query (percent-encode it)"
        ))
    };
    if !text.starts_with('/') || !text.is_ascii() || text.contains('#') {
        return Err(bad(&text));
    }
    let len = text.len();
    let parsed =
        PathAndQuery::from_maybe_shared(Bytes::from(text.clone())).map_err(|_| bad(&text))?;
    if parsed.as_str().len() != len {
        return Err(bad(&text));
    }
    Ok(parsed)
}

/// A boundary that cannot collide in practice: 32 random alphanumerics.
fn boundary() -> String {
    let random = wxpay_crypto::random_nonce().unwrap_or_else(|_| {
        format!(
            "{:032x}",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0)
        )
    });
    format!("wxpay-{random}")
}

/// `multipart/form-data` with a `meta` part (`application/json`) and a `file` part.
fn encode_multipart(m: &MultipartBody, boundary: &str) -> Vec<u8> {
    let file_name: String = m
        .file_name
        .chars()
        .map(|c| match c {
            '"' | '\r' | '\n' | '\\' => '_',
            c => c,
        })
        .collect();
    let content_type: String = m.content_type.chars().filter(|c| !c.is_control()).collect();
    let mut out = Vec::with_capacity(m.meta.len() + m.file.len() + 256);
    out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
    out.extend_from_slice(b"Content-Disposition: form-data; name=\"meta\"\r\n");
    out.extend_from_slice(b"Content-Type: application/json\r\n\r\n");
    out.extend_from_slice(&m.meta);
    out.extend_from_slice(format!("\r\n--{boundary}\r\n").as_bytes());
    out.extend_from_slice(
        format!("Content-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n")
            .as_bytes(),
    );
    out.extend_from_slice(format!("Content-Type: {content_type}\r\n\r\n").as_bytes());
    out.extend_from_slice(&m.file);
    out.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_body_is_signed_as_sent() {
        let p = Prepared::new(
            http::Method::POST,
            "/v3/x",
            "/v3/x".into(),
            RequestBody::Json(br#"{"a":1}"#.to_vec()),
        )
        .unwrap();
        assert_eq!(p.body, p.signed);
        assert_eq!(p.content_type.unwrap(), "application/json");
    }

    #[test]
    fn path_is_parsed_once_and_kept_byte_for_byte() {
        let ok = "/v3/a%20b/%E6%BB%A1?x=1&y=%2F&z=";
        let p = Prepared::new(http::Method::GET, "/v3/a", ok.into(), RequestBody::Empty).unwrap();
        assert_eq!(p.path_and_query.as_str(), ok);
        for bad in ["/v3/a#frag", "/v3/a b", "v3/a", "", "/v3/\n", "/v3/满"] {
            let r = Prepared::new(http::Method::GET, "/v3/a", bad.into(), RequestBody::Empty);
            assert!(
                matches!(r, Err(Error::Config { .. })),
                "{bad:?} must be refused before signing"
            );
        }
    }

    #[test]
    fn empty_body_has_no_content_type() {
        let p = Prepared::new(
            http::Method::GET,
            "/v3/x",
            "/v3/x".into(),
            RequestBody::Empty,
        )
        .unwrap();
        assert!(p.body.is_empty() && p.signed.is_empty() && p.content_type.is_none());
    }

    #[test]
    fn multipart_signs_meta_and_carries_both_parts() {
        let meta = br#"{"filename":"a.png","sha256":"00"}"#.to_vec();
        let p = Prepared::new(
            http::Method::POST,
            "/v3/marketing/favor/media/image-upload",
            "/v3/marketing/favor/media/image-upload".into(),
            RequestBody::Multipart(MultipartBody {
                meta: meta.clone(),
                file_name: "a\".png".into(),
                content_type: "image/png".into(),
                file: vec![0, 159, 146, 150],
            }),
        )
        .unwrap();
        assert_eq!(&p.signed[..], &meta[..]);
        let ct = p.content_type.unwrap();
        let ct = ct.to_str().unwrap();
        let boundary = ct.strip_prefix("multipart/form-data; boundary=").unwrap();
        let body = &p.body[..];
        let text = String::from_utf8_lossy(body);
        assert!(text.starts_with(&format!("--{boundary}\r\n")));
        assert!(
            text.contains("name=\"meta\"\r\nContent-Type: application/json\r\n\r\n{\"filename\"")
        );
        assert!(text.contains("filename=\"a_.png\""));
        assert!(body.windows(4).any(|w| w == [0, 159, 146, 150]));
        assert!(text.ends_with(&format!("\r\n--{boundary}--\r\n")));
    }
}

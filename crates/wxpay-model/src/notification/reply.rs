//! What to answer WeChat Pay after a notification (spec §7.3).

use serde::Serialize;

/// The HTTP answer to a notification: a status and a body, for any web framework.
///
/// ```
/// use wxpay_model::NotificationReply;
/// assert_eq!(NotificationReply::success().status, 204);
/// let fail = NotificationReply::fail("签名错误");
/// assert_eq!(fail.status, 500);
/// assert_eq!(fail.body, r#"{"code":"FAIL","message":"签名错误"}"#.as_bytes());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationReply {
    /// HTTP status.
    pub status: u16,
    /// Body bytes (empty for 204).
    pub body: Vec<u8>,
}

#[derive(Serialize)]
struct ReplyBody<'a> {
    code: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'a str>,
}

fn json(code: &str, message: Option<&str>) -> Vec<u8> {
    // Serializing two strings cannot fail; fall back to a fixed body to stay panic-free.
    serde_json::to_vec(&ReplyBody { code, message })
        .unwrap_or_else(|_| format!("{{\"code\":\"{code}\"}}").into_bytes())
}

impl NotificationReply {
    /// `204 No Content`: received (the recommended success answer).
    pub fn success() -> Self {
        Self {
            status: 204,
            body: Vec::new(),
        }
    }

    /// `200` with `{"code":"SUCCESS"}`, for frameworks or proxies that dislike 204.
    pub fn success_json() -> Self {
        Self {
            status: 200,
            body: json("SUCCESS", None),
        }
    }

    /// `500` with `{"code":"FAIL","message":…}`: WeChat Pay will send the notification again.
    pub fn fail(message: impl AsRef<str>) -> Self {
        Self::fail_with_status(500, message)
    }

    /// A failure with another 4xx/5xx status (statuses outside 400..=599 become 500). The
    /// message is cut to [`MAX_REPLY_MESSAGE_CHARS`](Self::MAX_REPLY_MESSAGE_CHARS) characters.
    pub fn fail_with_status(status: u16, message: impl AsRef<str>) -> Self {
        let status = if (400..=599).contains(&status) {
            status
        } else {
            500
        };
        let message = message.as_ref();
        let message = match message.char_indices().nth(Self::MAX_REPLY_MESSAGE_CHARS) {
            Some((cut, _)) => message.get(..cut).unwrap_or(message),
            None => message,
        };
        Self {
            status,
            body: json("FAIL", Some(message)),
        }
    }

    /// Longest failure `message`, in characters (the callback docs: `message` string(256)).
    pub const MAX_REPLY_MESSAGE_CHARS: usize = 256;

    /// The reply for a notification that could not be opened: 401 when the signature did not
    /// verify, 500 otherwise; the message names the stage without echoing secrets.
    pub fn for_error(error: &crate::Error) -> Self {
        match error {
            crate::Error::NotificationUnverified(_) => {
                Self::fail_with_status(401, "signature verification failed")
            }
            crate::Error::NotificationDecrypt(_) => Self::fail("decryption failed"),
            _ => Self::fail("notification could not be processed"),
        }
    }

    /// `Content-Type` to send with [`body`](Self::body), if any.
    pub fn content_type(&self) -> Option<&'static str> {
        (!self.body.is_empty()).then_some("application/json")
    }

    /// Whether this is a success reply.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies() {
        let ok = NotificationReply::success();
        assert!(ok.body.is_empty() && ok.is_success() && ok.content_type().is_none());
        let ok = NotificationReply::success_json();
        assert_eq!(
            (ok.status, ok.body.as_slice()),
            (200, br#"{"code":"SUCCESS"}"#.as_slice())
        );
        let f = NotificationReply::fail_with_status(503, "busy \"now\"");
        assert_eq!(f.status, 503);
        assert_eq!(f.body, br#"{"code":"FAIL","message":"busy \"now\""}"#);
        assert_eq!(f.content_type(), Some("application/json"));
        assert_eq!(NotificationReply::fail_with_status(302, "x").status, 500);
        let e = crate::Error::NotificationUnverified(wxpay_crypto::Error::SignatureMismatch);
        assert_eq!(NotificationReply::for_error(&e).status, 401);
    }
}

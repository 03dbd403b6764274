//! The answer to a successful call.

/// A verified 2xx answer: the parsed value, the HTTP status and the `Request-ID`.
///
/// Dereferences to the value.
///
/// ```
/// let r = wxpay_http::Response::new(7u32, 200, Some("RID".into()), 1);
/// assert_eq!(*r, 7);
/// assert_eq!(r.request_id(), Some("RID"));
/// assert_eq!(r.into_value(), 7);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response<T> {
    value: T,
    status: u16,
    request_id: Option<String>,
    attempts: u32,
}

impl<T> Response<T> {
    /// Wraps a value (mainly for tests of code that consumes responses).
    pub fn new(value: T, status: u16, request_id: Option<String>, attempts: u32) -> Self {
        Self {
            value,
            status,
            request_id,
            attempts,
        }
    }

    /// The parsed value.
    pub fn value(&self) -> &T {
        &self.value
    }

    /// The parsed value, by value.
    pub fn into_value(self) -> T {
        self.value
    }

    /// HTTP status (200, 202, 204…).
    pub fn status(&self) -> u16 {
        self.status
    }

    /// `Request-ID` header: quote it to WeChat Pay support.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// How many attempts the call took (1 when no retry was needed).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }
}

impl<T> std::ops::Deref for Response<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

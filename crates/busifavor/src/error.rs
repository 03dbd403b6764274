//! The crate's error type.

/// Everything a `busifavor` call can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The transport failed (placeholder until the facade lands).
    #[error(transparent)]
    Http(#[from] wxpay_http::Error),
}

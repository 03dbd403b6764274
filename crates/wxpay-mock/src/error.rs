//! The crate's error type: what can go wrong while configuring or starting the simulator.
//!
//! Errors that the simulator *answers* to clients (`PARAM_ERROR`, `SIGN_ERROR`, …) are
//! [`ApiError`](crate::api_error::ApiError) values, not this type.

/// Failure to configure, start or drive the simulator.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A key or certificate could not be loaded.
    #[error(
        "simulator key material `{what}` is unusable: {source}; supply a PEM in the format the docs of `SimulatorKeys` describe"
    )]
    Key {
        /// Which key.
        what: &'static str,
        /// The underlying parse error.
        #[source]
        source: wxpay_crypto::Error,
    },
    /// A merchant public key PEM could not be parsed as an RSA SPKI / PKCS#1 public key.
    #[error(
        "merchant {mchid}: public key is not an RSA public key PEM (`BEGIN PUBLIC KEY`): {reason}"
    )]
    MerchantPublicKey {
        /// The merchant id.
        mchid: String,
        /// What was wrong.
        reason: String,
    },
    /// A merchant was configured with an invalid value.
    #[error("merchant {mchid}: {problem}")]
    MerchantConfig {
        /// The merchant id.
        mchid: String,
        /// What to fix.
        problem: String,
    },
    /// A limit given to [`MockBuilder`](crate::MockBuilder) is outside its allowed range.
    #[error("simulator setting `{setting}` {problem}")]
    Config {
        /// The setter's name, e.g. `max_connections`.
        setting: &'static str,
        /// The value given and the range to choose from.
        problem: String,
    },
    /// A WeChat Pay public-key id does not look like `PUB_KEY_ID_` + 32 digits.
    #[error("public-key id `{0}` must be `PUB_KEY_ID_` followed by 32 decimal digits")]
    PublicKeyId(String),
    /// Binding or serving the socket failed.
    #[error("simulator socket error: {0}; check that the address is free and local")]
    Io(#[from] std::io::Error),
    /// A simulator-side operation was refused (the same error clients would get over HTTP).
    #[error("{0}")]
    Api(#[from] crate::api_error::ApiError),
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

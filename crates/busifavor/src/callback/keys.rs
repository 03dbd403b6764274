//! Where the handler's verification and decryption keys come from.

use std::fmt;
use std::sync::Arc;

use wxpay_crypto::{ApiV3Key, Clock, SignatureHeaders, Verifier};

/// The keys of a handler: a static set (no network), or a `wxpay_http::Client`'s live set,
/// which downloads platform certificates once on an unknown serial.
pub(crate) enum Keys {
    Static {
        verifier: Box<Verifier>,
        api_v3: Box<ApiV3Key>,
        clock: Arc<dyn Clock>,
    },
    Live {
        client: wxpay_http::Client,
    },
}

impl fmt::Debug for Keys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Keys::Static { verifier, .. } => f
                .debug_struct("Static")
                .field("serials", &verifier.serials())
                .finish_non_exhaustive(),
            Keys::Live { client } => f.debug_struct("Live").field("client", client).finish(),
        }
    }
}

impl Keys {
    /// Verifies once, with the key set this handler was built with.
    pub(crate) async fn verify(
        &self,
        headers: &SignatureHeaders<'_>,
        body: &[u8],
    ) -> Result<(), wxpay_crypto::Error> {
        match self {
            Keys::Static {
                verifier, clock, ..
            } => verifier.verify(headers, body, clock.now_unix()),
            Keys::Live { client } => client.verify_signature(headers, body).await,
        }
    }

    /// The APIv3 key (checked present when the handler was built).
    pub(crate) fn api_v3(&self) -> Option<&ApiV3Key> {
        match self {
            Keys::Static { api_v3, .. } => Some(api_v3),
            Keys::Live { client } => client.api_v3_key(),
        }
    }
}

//! The client: a [`Transport`], the key set and the certificate manager behind one `Arc`;
//! `execute` for every endpoint (validate, send, verify, parse).

use std::sync::{Arc, Mutex};
use std::time::Instant;

use tracing::{Instrument, field, info_span, warn};
use wxpay_crypto::{ApiV3Key, PUBLIC_KEY_ID_PREFIX, SignatureHeaders};
use wxpay_model::ApiRequest;

use crate::builder::ClientBuilder;
use crate::certificates::CertManager;
use crate::error::Error;
use crate::keys::KeySet;
use crate::prepared::Prepared;
use crate::response::Response;
use crate::transport::{Raw, Transport};

/// A WeChat Pay APIv3 client for one merchant.
///
/// Every call goes through [`Client::execute`]: validate, serialize once, sign, send, verify
/// the answer's signature, parse. Cloning is cheap (one `Arc`); clones share the connection
/// pool, keys, failover state and retry budget. Build one per merchant at start-up.
///
/// ```
/// # fn main() -> Result<(), wxpay_http::Error> {
/// let client = wxpay_http::Client::builder()
///     .mchid("1900009191")
///     .merchant_serial("1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C")
///     .merchant_private_key_pem(include_str!("../../wxpay-crypto/testdata/merchant_key.pem"))
///     .wechatpay_public_key(
///         "PUB_KEY_ID_0000000000000000000000000000000001",
///         include_str!("../../wxpay-crypto/testdata/wechatpay_pub.pem"),
///     )
///     .user_agent_suffix("shop-backend/2.1")
///     .build()?;
/// assert_eq!(client.mchid(), "1900009191");
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

/// What every clone shares: the transport, the verification keys and, in certificate mode,
/// the certificate manager and its periodic refresh.
pub(crate) struct Inner {
    transport: Transport,
    keys: KeySet,
    api_v3_key: Option<Arc<ApiV3Key>>,
    certs: Option<CertManager>,
    /// The periodic certificate refresh task, once started (restarted when it ended, e.g.
    /// because its runtime shut down).
    refresher: Mutex<Option<tokio::task::AbortHandle>>,
}

impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("mchid", &self.transport.signer.mchid())
            .field("endpoints", &self.transport.endpoints)
            .field("keys", &self.keys.serials())
            .field("certificate_download", &self.certs.is_some())
            .field("retry", &self.transport.retry)
            .field("timeouts", &self.transport.timeouts)
            .finish_non_exhaustive()
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        // The background refresher only holds a weak reference; stop it with the client.
        let task = match self.refresher.get_mut() {
            Ok(task) => task,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some(task) = task.take() {
            task.abort();
        }
    }
}

impl Inner {
    /// Verifies with the key set; an unknown certificate serial triggers one single-flight
    /// certificate download (certificate mode only) and a second look.
    async fn verify_with_refresh(
        &self,
        headers: &SignatureHeaders<'_>,
        body: &[u8],
    ) -> Result<(), wxpay_crypto::Error> {
        let now = || self.transport.now_unix();
        match self.keys.verify(headers, body, now()) {
            Err(wxpay_crypto::Error::UnknownSerial { .. })
                if !headers.serial.starts_with(PUBLIC_KEY_ID_PREFIX) =>
            {
                let Some(certs) = &self.certs else {
                    return self.keys.verify(headers, body, now());
                };
                if let Err(e) = certs
                    .refresh_for_serial(&self.transport, &self.keys, headers.serial)
                    .await
                {
                    warn!(error = %e.log_summary(), serial = headers.serial, "platform certificate download for an unknown serial failed");
                }
                self.keys.verify(headers, body, now())
            }
            other => other,
        }
    }

    async fn verify_response(&self, raw: &Raw) -> Result<(), Error> {
        // `from_header_map` carries `Wechatpay-Signature-Type`; verification refuses any
        // type but RSA (wxpay-crypto's one rule) before a key is looked up.
        let headers = SignatureHeaders::from_header_map(&raw.headers);
        self.verify_with_refresh(&headers, &raw.body)
            .await
            .map_err(|source| Error::Verification {
                source,
                request_id: raw.request_id.clone(),
            })
    }
}

impl Client {
    /// A builder with WeChat Pay's defaults.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// Sends one API request and returns its verified, parsed answer.
    ///
    /// In order: `validate()` (an invalid request never leaves); the body is serialized once;
    /// each attempt is signed afresh (new timestamp and nonce) over exactly the bytes and the
    /// path+query sent; the answer is read up to the size cap; a 2xx must carry a valid
    /// WeChat Pay signature over its raw body (empty for 204) or it is rejected; a non-2xx
    /// becomes [`Error::Api`]. Retries and failover follow the client's [`RetryPolicy`](crate::RetryPolicy).
    ///
    /// ```no_run
    /// # async fn run(client: wxpay_http::Client, request: impl wxpay_model::ApiRequest) -> Result<(), wxpay_http::Error> {
    /// let answer = client.execute(&request).await?;
    /// println!("Request-ID {:?}", answer.request_id());
    /// let value = answer.into_value();
    /// # let _ = value; Ok(()) }
    /// ```
    pub async fn execute<R: ApiRequest>(
        &self,
        request: &R,
    ) -> Result<Response<R::Response>, Error> {
        let prepared = Prepared::from_request(request)?;
        let span = info_span!(
            "wxpay.request",
            method = R::METHOD.as_str(),
            path = R::PATH_TEMPLATE,
            status = field::Empty,
            request_id = field::Empty,
            attempts = field::Empty,
            elapsed_ms = field::Empty,
        );
        let started = Instant::now();
        let result = self
            .execute_prepared::<R>(&prepared)
            .instrument(span.clone())
            .await;
        span.record("elapsed_ms", started.elapsed().as_millis() as u64);
        match &result {
            Ok(r) => {
                span.record("status", r.status());
                span.record("attempts", r.attempts());
                if let Some(id) = r.request_id() {
                    span.record("request_id", id);
                }
            }
            Err(e) => {
                if let Some(api) = e.as_api() {
                    span.record("status", api.status);
                    span.record("attempts", api.attempts);
                }
                if let Some(id) = e.request_id() {
                    span.record("request_id", id);
                }
                span.in_scope(
                    || tracing::info!(error = %e.log_summary(), "WeChat Pay call failed"),
                );
            }
        }
        result
    }

    async fn execute_prepared<R: ApiRequest>(
        &self,
        prepared: &Prepared,
    ) -> Result<Response<R::Response>, Error> {
        self.ensure_refresher();
        let raw = self.inner.transport.send(prepared).await?;
        self.inner.verify_response(&raw).await?;
        let Raw {
            status,
            body,
            request_id,
            attempts,
            ..
        } = raw;
        match R::parse_response(&body) {
            Ok(value) => Ok(Response::new(value, status.as_u16(), request_id, attempts)),
            Err(source) => Err(Error::Decode {
                status: status.as_u16(),
                request_id,
                source,
            }),
        }
    }

    /// Verifies a WeChat Pay signature (a callback's, typically) with the client's key set,
    /// downloading platform certificates once if the serial is unknown (certificate mode).
    /// `body` must be the raw bytes received.
    pub async fn verify_signature(
        &self,
        headers: &SignatureHeaders<'_>,
        body: &[u8],
    ) -> Result<(), wxpay_crypto::Error> {
        self.ensure_refresher();
        self.inner.verify_with_refresh(headers, body).await
    }

    /// Downloads the platform certificates now (`GET /v3/certificates`), decrypts them with
    /// the APIv3 key, verifies the download with a certificate from it, and installs those
    /// within validity. Returns how many were installed.
    ///
    /// Merchants that only have a WeChat Pay public key get [`Error::Api`] with status 404
    /// (`RESOURCE_NOT_EXISTS`); the client keeps working with the public key.
    pub async fn refresh_certificates(&self) -> Result<usize, Error> {
        let certs = self.inner.certs.as_ref().ok_or_else(|| {
            Error::config("certificate download is off: set `api_v3_key` (and leave `download_certificates` on)")
        })?;
        self.ensure_refresher();
        certs.refresh(&self.inner.transport, &self.inner.keys).await
    }

    /// The verification keys, shared with every clone of this client (for callback handling).
    pub fn key_set(&self) -> KeySet {
        self.inner.keys.clone()
    }

    /// The APIv3 key, for decrypting callback resources; `None` when not configured.
    pub fn api_v3_key(&self) -> Option<&ApiV3Key> {
        self.inner.api_v3_key.as_deref()
    }

    /// The merchant id requests are signed for.
    pub fn mchid(&self) -> &str {
        self.inner.transport.signer.mchid()
    }

    /// The primary base URL requests go to, `scheme://host[:port]` (e.g.
    /// `https://api.mch.weixin.qq.com`, or a simulator's `http://127.0.0.1:41233`).
    pub fn base_url(&self) -> String {
        self.inner.transport.endpoints.primary().url()
    }

    /// The backup base URL used after a connection failure on the primary; `None` when
    /// failover is off (the default once the base URL is overridden).
    pub fn backup_url(&self) -> Option<String> {
        self.inner.transport.endpoints.backup().map(|b| b.url())
    }

    /// The clock used for signing and for the verification window.
    pub fn now_unix(&self) -> i64 {
        self.inner.transport.now_unix()
    }

    /// Assembles a client from what [`ClientBuilder::build`] checked.
    pub(crate) fn from_parts(
        transport: Transport,
        keys: KeySet,
        api_v3_key: Option<Arc<ApiV3Key>>,
        certs: Option<CertManager>,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                transport,
                keys,
                api_v3_key,
                certs,
                refresher: Mutex::new(None),
            }),
        }
    }

    /// Starts the periodic certificate refresh on the current tokio runtime unless it is
    /// running (it is started again if its runtime went away). The task holds only a weak
    /// reference and is aborted when the last clone is dropped.
    fn ensure_refresher(&self) {
        let Some(certs) = &self.inner.certs else {
            return;
        };
        let mut slot = match self.inner.refresher.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        if slot.as_ref().is_some_and(|task| !task.is_finished()) {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let interval = certs.interval();
        let weak = Arc::downgrade(&self.inner);
        *slot = Some(
            runtime
                .spawn(async move {
                    loop {
                        tokio::time::sleep(interval).await;
                        let Some(inner) = weak.upgrade() else { break };
                        if let Some(certs) = &inner.certs {
                            match certs.refresh(&inner.transport, &inner.keys).await {
                                Ok(n) => tracing::debug!(installed = n, "periodic platform certificate refresh"),
                                Err(e) => warn!(error = %e.log_summary(), "periodic platform certificate refresh failed; keeping the current keys"),
                            }
                        }
                    }
                })
                .abort_handle(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_is_send_sync_and_cheap_to_clone() {
        fn assert_send_sync<T: Send + Sync + Clone + 'static>() {}
        assert_send_sync::<Client>();
        assert_eq!(std::mem::size_of::<Client>(), std::mem::size_of::<usize>());
    }
}

//! What every request handler shares: keys, merchants, the state, the clock, faults and the
//! callback notifier; running a state operation and handing its events to the notifier.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::Value;
use tokio::sync::watch;
use wxpay_crypto::Clock;

use crate::api_error::ApiError;
use crate::callbacks::{Job, Notifier, build_envelope};
use crate::faults::Faults;
use crate::keys::SimulatorKeys;
use crate::merchant::Merchant;
use crate::state::State;

/// Everything the request handlers share.
pub(crate) struct Shared {
    pub(crate) keys: Arc<SimulatorKeys>,
    pub(crate) merchants: HashMap<String, Merchant>,
    pub(crate) state: Mutex<State>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) tolerance: u64,
    pub(crate) faults: Faults,
    pub(crate) notifier: Arc<Notifier>,
    /// Flips to `true` when the server starts shutting down.
    pub(crate) stopping: watch::Sender<bool>,
}

impl Shared {
    pub(crate) fn now(&self) -> i64 {
        self.clock.now_unix()
    }

    /// Runs `f` on the state, then hands any coupon-issued events to the notifier.
    ///
    /// A panic inside `f` (a simulator bug) is answered as `500 SYSTEM_ERROR` instead of
    /// killing the connection, and does not poison the state for later requests.
    pub(crate) fn with_state<R>(&self, f: impl FnOnce(&mut State) -> R) -> Result<R, ApiError> {
        let (out, events) = {
            let mut st = crate::sync::lock(&self.state);
            let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&mut st)));
            (out, std::mem::take(&mut st.events))
        };
        let out = out.map_err(|_| {
            tracing::error!("wxpay-mock: a state operation panicked; answering SYSTEM_ERROR");
            ApiError::system("系统错误（模拟器内部错误）")
        })?;
        for event in events {
            self.notify(&event.creator, event.plaintext);
        }
        Ok(out)
    }

    /// Encrypts, records and (if a notify_url is set) starts delivering one COUPON.SEND.
    pub(crate) fn notify(&self, mchid: &str, plaintext: Value) {
        let Some(merchant) = self.merchants.get(mchid) else {
            return;
        };
        let envelope = build_envelope(&merchant.apiv3, &plaintext, self.now());
        let Ok((id, body)) = envelope else {
            tracing::error!("wxpay-mock: cannot encrypt callback resource");
            return;
        };
        let url = crate::sync::lock(&self.state)
            .notify_urls
            .get(mchid)
            .map(|n| n.url.clone());
        let job = url.map(|url| Job {
            id: id.clone(),
            body: body.clone(),
            url,
            key: merchant.config.callback_key(),
        });
        self.notifier.enqueue(mchid, plaintext, job, (id, body));
    }
}

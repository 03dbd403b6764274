//! Pre-made coupon codes of `MERCHANT_UPLOAD` stocks as the simulator keeps them (spec §8.6–§8.7).

use std::collections::BTreeMap;

use wxpay_model::Timestamp;
use wxpay_model::busifavor::{CodeStatus, CouponCodeEntity};

/// One uploaded code.
#[derive(Debug, Clone)]
pub(crate) struct PremadeCode {
    pub(crate) upload_time: i64,
    /// (dispatch time, openid) once issued.
    pub(crate) dispatched: Option<(i64, String)>,
    pub(crate) upload_order: u64,
}

/// The codes of one stock.
#[derive(Debug, Clone, Default)]
pub(crate) struct CodePool {
    pub(crate) codes: BTreeMap<String, PremadeCode>,
    pub(crate) uploaded: u64,
}

impl CodePool {
    pub(crate) fn total(&self) -> u64 {
        self.codes.len() as u64
    }

    pub(crate) fn available(&self) -> u64 {
        self.codes
            .values()
            .filter(|c| c.dispatched.is_none())
            .count() as u64
    }

    pub(crate) fn contains(&self, code: &str) -> bool {
        self.codes.contains_key(code)
    }

    /// A random available code (WeChat Pay picks randomly among uploaded codes).
    pub(crate) fn pick_available(&self) -> Option<String> {
        let available: Vec<&String> = self
            .codes
            .iter()
            .filter(|(_, c)| c.dispatched.is_none())
            .map(|(k, _)| k)
            .collect();
        if available.is_empty() {
            return None;
        }
        let r = uuid::Uuid::new_v4().as_u128();
        let i = usize::try_from(r % available.len() as u128).unwrap_or(0);
        available.get(i).map(|s| (*s).clone())
    }

    pub(crate) fn dispatch(&mut self, code: &str, now: i64, openid: &str) {
        if let Some(c) = self.codes.get_mut(code) {
            c.dispatched = Some((now, openid.to_owned()));
        }
    }

    /// The code as §8.6 and §8.7 answer it.
    pub(crate) fn render(code: &str, c: &PremadeCode) -> CouponCodeEntity {
        let at = |t: i64| Some(Timestamp::from_unix_beijing(t).into());
        let dispatched = c.dispatched.as_ref();
        CouponCodeEntity {
            code: code.to_owned(),
            code_status: match dispatched {
                Some(_) => CodeStatus::Dispatched,
                None => CodeStatus::Available,
            },
            upload_time: at(c.upload_time),
            dispatched_time: dispatched.and_then(|(t, _)| at(*t)),
            openid: dispatched.map(|(_, openid)| openid.clone()),
            unionid: None,
            coupon_code: dispatched.map(|_| code.to_owned()),
        }
    }
}

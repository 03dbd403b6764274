//! Coupon operations (spec §8.11–§8.18): issuing (and its COUPON.SEND event), redeeming,
//! returning, deactivating, associating orders, and the list/query answers (CouponEntity, §9.6).
//! What stays here is the server's: who may act on which coupon, states, validity, caps.

use serde_json::{Map, Value};
use wxpay_model::Timestamp;
use wxpay_model::busifavor::{
    AssociateOrderRequest, AssociateOrderResponse, AttachInfoField, CouponCodeMode, CouponEntity,
    CouponEventType, CouponSendEvent, CouponState, DeactivateCouponRequest,
    DeactivateCouponResponse, DisassociateOrderResponse, ListUserCouponsRequest,
    ListUserCouponsResponse, NestedSendCouponResult, QueryUserCouponRequest, ReturnCouponRequest,
    ReturnCouponResponse, SendChannel, SendCouponRequest, SendCouponResponse, UseCouponRequest,
    UseCouponResponse, coupon_code_problem,
};

use crate::api_error::ApiError;
use crate::state::coupons::Coupon;
use crate::state::stocks::i64_of;
use crate::state::{CouponSent, Ctx, Reply, State};

/// A page parameter: the default when absent, the server's cap (`PARAM_ERROR` above it).
pub(crate) fn page(key: &str, value: Option<i64>, default: u64, max: u64) -> Result<u64, ApiError> {
    match value {
        None => Ok(default),
        Some(n) => u64::try_from(n).ok().filter(|n| *n <= max).ok_or_else(|| {
            ApiError::param_at(key, n, &format!("{key}必须是0到{max}之间的整数"), "query")
        }),
    }
}

/// One issuance, from `/coupons/send` or a simulated user claim.
#[derive(Debug, Clone)]
pub(crate) struct Issue<'a> {
    pub(crate) stock_id: &'a str,
    pub(crate) openid: &'a str,
    pub(crate) out_request_no: &'a str,
    pub(crate) coupon_code: Option<&'a str>,
    pub(crate) send_channel: SendChannel,
    pub(crate) send_merchant: &'a str,
    pub(crate) attach_info: Option<Value>,
}

impl State {
    /// Issues one coupon (idempotent on the stock's `out_request_no`) and queues its callback.
    pub(crate) fn issue(
        &mut self,
        now: i64,
        req: &Issue<'_>,
        request: &Value,
    ) -> Result<Reply, ApiError> {
        let no = format!("{}/{}", req.stock_id, req.out_request_no);
        self.idempotent("send_coupon", req.send_merchant, &no, request, |st| {
            st.issue_once(now, req)
        })
    }

    fn issue_once(&mut self, now: i64, req: &Issue<'_>) -> Result<Reply, ApiError> {
        let stock = self.own_stock(req.stock_id, req.send_merchant)?;
        stock.check_issuable(req.openid, now)?;
        let code = match stock.code_mode() {
            CouponCodeMode::MerchantApi => {
                let code = req.coupon_code.ok_or_else(|| {
                    ApiError::param(
                        "/coupon_code",
                        Value::Null,
                        "商户API指定code模式的批次必须填写coupon_code",
                    )
                })?;
                if coupon_code_problem(code).is_some() {
                    return Err(ApiError::param(
                        "/coupon_code",
                        code,
                        "coupon_code格式不正确",
                    ));
                }
                if self
                    .coupons
                    .contains_key(&(req.stock_id.to_owned(), code.to_owned()))
                {
                    return Err(ApiError::exists(format!("券code {code} 已存在")));
                }
                code.to_owned()
            }
            CouponCodeMode::MerchantUpload => self
                .codes
                .get(req.stock_id)
                .and_then(|pool| pool.pick_available())
                .ok_or_else(|| ApiError::invalid("预存code已用完，请上传code后重试"))?,
            _ => format!("12279{:017}", self.next_seq()),
        };
        let stock = self.own_stock(req.stock_id, req.send_merchant)?;
        let (valid_days, wait_days) = stock.day_rules();
        let available_start = now.max(stock.begin) + wait_days * 86_400;
        let expire = match valid_days {
            Some(days) => (available_start + days * 86_400 - 1).min(stock.end),
            None => stock.end,
        };
        let creator = stock.creator.clone();
        let notify_openid = stock.notify_appid().map(|_| req.openid.to_owned());
        let coupon = Coupon {
            code: code.clone(),
            stock_id: req.stock_id.to_owned(),
            openid: req.openid.to_owned(),
            state: CouponState::Sended,
            receive_time: now,
            available_start,
            expire,
            send_request_no: req.out_request_no.to_owned(),
            send_merchant: req.send_merchant.to_owned(),
            use_request_no: None,
            use_time: None,
            associate_out_trade_no: None,
            return_request_no: None,
            return_time: None,
            deactivate_request_no: None,
            deactivate_time: None,
            deactivate_reason: None,
        };
        if let Some(pool) = self.codes.get_mut(req.stock_id)
            && pool.contains(&code)
        {
            pool.dispatch(&code, now, req.openid);
        }
        if let Some(stock) = self.stocks.get_mut(req.stock_id) {
            stock.record_issue(req.openid, now);
        }
        self.coupons
            .insert((req.stock_id.to_owned(), code.clone()), coupon);
        let event = CouponSendEvent {
            event_type: CouponEventType::BusicouponSend,
            coupon_code: code.clone(),
            stock_id: req.stock_id.to_owned(),
            send_time: Timestamp::from_unix_beijing(now),
            unionid: notify_openid.as_ref().map(|_| String::new()),
            openid: notify_openid,
            send_channel: req.send_channel.clone(),
            send_merchant: req.send_merchant.to_owned(),
            attach_info: req
                .attach_info
                .clone()
                .map_or(AttachInfoField::Absent, |v| {
                    serde_json::from_value(v.clone()).unwrap_or(AttachInfoField::Other(v))
                }),
            extra: Map::new(),
        };
        let plaintext = serde_json::to_value(&event).unwrap_or(Value::Null);
        self.events.push(CouponSent { creator, plaintext });
        let result = NestedSendCouponResult {
            stock_id: Some(req.stock_id.to_owned()),
            out_request_no: Some(req.out_request_no.to_owned()),
            coupon_code: Some(code),
        };
        // The two documented shapes (spec §8.18): flat fields and `send_coupon_result`.
        Ok(Reply::answer(&SendCouponResponse {
            stock_id: result.stock_id.clone(),
            out_request_no: result.out_request_no.clone(),
            coupon_code: result.coupon_code.clone(),
            send_coupon_result: Some(result),
        }))
    }

    /// `POST /v3/marketing/busifavor/coupons/send`.
    pub(crate) fn send_coupon(
        &mut self,
        ctx: &Ctx,
        req: &SendCouponRequest,
        body: &Value,
    ) -> Result<Reply, ApiError> {
        let issue = Issue {
            stock_id: &req.stock_id,
            openid: &req.openid,
            out_request_no: &req.out_request_no,
            coupon_code: req.coupon_code.as_deref(),
            send_channel: SendChannel::Api,
            send_merchant: &ctx.mchid,
            attach_info: None,
        };
        self.issue(ctx.now, &issue, body)
    }

    /// Finds a coupon the caller may act on: by (stock, code), or by code alone.
    fn find_coupon(
        &self,
        mchid: &str,
        stock_id: Option<&str>,
        code: &str,
    ) -> Result<(String, String), ApiError> {
        let key = match stock_id {
            Some(s) => {
                self.stock(s)?;
                let key = (s.to_owned(), code.to_owned());
                if !self.coupons.contains_key(&key) {
                    return Err(ApiError::not_found(format!("券{code}不存在")));
                }
                key
            }
            None => self
                .coupons
                .keys()
                .find(|(s, c)| {
                    c == code && self.stocks.get(s).is_some_and(|st| st.visible_to(mchid))
                })
                .or_else(|| self.coupons.keys().find(|(_, c)| c == code))
                .cloned()
                .ok_or_else(|| ApiError::not_found(format!("券{code}不存在")))?,
        };
        self.own_stock(&key.0, mchid)?;
        Ok(key)
    }

    fn coupon_mut(&mut self, key: &(String, String)) -> Result<&mut Coupon, ApiError> {
        self.coupons
            .get_mut(key)
            .ok_or_else(|| ApiError::not_found(format!("券{}不存在", key.1)))
    }

    /// `POST /v3/marketing/busifavor/coupons/use`.
    pub(crate) fn use_coupon(
        &mut self,
        ctx: &Ctx,
        req: &UseCouponRequest,
        body: &Value,
    ) -> Result<Reply, ApiError> {
        let (code, stock_id) = (req.coupon_code.as_str(), req.stock_id.as_deref());
        let no = req.use_request_no.clone();
        let openid = req.openid.as_deref();
        let use_time = &req.use_time;
        let key = self.find_coupon(&ctx.mchid, stock_id, code)?;
        if stock_id.is_none() && *self.stock(&key.0)?.code_mode() != CouponCodeMode::WechatpayMode {
            return Err(ApiError::param(
                "/stock_id",
                Value::Null,
                "商户自定义code的批次核销时必须填写stock_id",
            ));
        }
        self.idempotent("use_coupon", &ctx.mchid, &no, body, |st| {
            let now = ctx.now;
            let coupon = st.coupon_mut(&key)?;
            if let Some(o) = openid
                && o != coupon.openid
            {
                return Err(ApiError::invalid("openid与券的归属用户不一致"));
            }
            match coupon.state {
                CouponState::Used => return Err(ApiError::exists("券已被其他订单核销")),
                CouponState::Deactivated => return Err(ApiError::invalid("券已失效，不可核销")),
                _ => {}
            }
            if now < coupon.available_start || now > coupon.expire {
                return Err(ApiError::new(403, "RULE_LIMIT", "券不在有效期内"));
            }
            coupon.state = CouponState::Used;
            coupon.use_request_no = Some(no.clone());
            coupon.use_time = Some(use_time.clone());
            Ok(Reply::answer(&UseCouponResponse {
                stock_id: key.0.clone(),
                openid: coupon.openid.clone(),
                wechatpay_use_time: Timestamp::from_unix_beijing(now).into(),
            }))
        })
    }

    /// The CouponEntity of spec §9.6: the stock's definition and the coupon's own history.
    pub(crate) fn render_coupon(&self, c: &Coupon, now: i64) -> Result<CouponEntity, ApiError> {
        let stock = self.stock(&c.stock_id)?;
        let (info, send) = (&stock.info, &stock.info.stock_send_rule);
        let at = |t: i64| Some(Timestamp::from_unix_beijing(t).into());
        Ok(CouponEntity {
            belong_merchant: info.belong_merchant.clone(),
            stock_name: info.stock_name.clone(),
            comment: info.comment.clone(),
            goods_name: info.goods_name.clone(),
            stock_type: info.stock_type.clone(),
            transferable: Some(send.transferable.unwrap_or(false)),
            shareable: Some(send.shareable.unwrap_or(false)),
            coupon_state: Some(c.state_at(now)),
            display_pattern_info: info.display_pattern_info.clone(),
            coupon_use_rule: info.coupon_use_rule.clone(),
            custom_entrance: info.custom_entrance.clone(),
            coupon_code: Some(c.code.clone()),
            stock_id: Some(c.stock_id.clone()),
            available_start_time: at(c.available_start),
            expire_time: at(c.expire),
            receive_time: at(c.receive_time),
            send_request_no: Some(c.send_request_no.clone()),
            use_request_no: c.use_request_no.clone(),
            use_time: c.use_time.clone().map(Into::into),
            associate_out_trade_no: c.associate_out_trade_no.clone(),
            return_request_no: c.return_request_no.clone(),
            return_time: c.return_time.and_then(at),
            deactivate_request_no: c.deactivate_request_no.clone(),
            deactivate_time: c.deactivate_time.and_then(at),
            deactivate_reason: c.deactivate_reason.clone(),
        })
    }

    /// `GET /v3/marketing/busifavor/users/{openid}/coupons`.
    pub(crate) fn list_user_coupons(
        &self,
        ctx: &Ctx,
        req: &ListUserCouponsRequest,
    ) -> Result<Reply, ApiError> {
        let openid = req.openid.as_str();
        let stock_id = req.stock_id.as_deref();
        if let Some(s) = &req.coupon_state
            && s.is_unknown()
        {
            return Err(ApiError::param_at(
                "coupon_state",
                s.as_str(),
                "coupon_state取值不合法",
                "query",
            ));
        }
        let state = req.coupon_state.as_ref();
        let creator = req.creator_merchant.as_deref();
        let belong = req.belong_merchant.as_deref();
        let sender = req.sender_merchant.as_deref();
        if creator.is_none() && belong.is_none() && sender.is_none() {
            return Err(ApiError::param_at(
                "creator_merchant",
                Value::Null,
                "creator_merchant、belong_merchant、sender_merchant至少填写一个",
                "query",
            ));
        }
        for m in [creator, belong, sender].into_iter().flatten() {
            if m != ctx.mchid {
                return Err(ApiError::no_auth(format!("无权查询商户{m}的券")));
            }
        }
        let offset = page("offset", req.offset, 0, 1_000_000)?;
        let limit = page("limit", req.limit, 20, 50)?;
        let matching: Vec<&Coupon> = self
            .coupons
            .values()
            .filter(|c| c.openid == openid)
            .filter(|c| stock_id.is_none_or(|s| c.stock_id == s))
            .filter(|c| state.is_none_or(|s| c.state_at(ctx.now) == *s))
            .filter(|c| {
                let Some(stock) = self.stocks.get(&c.stock_id) else {
                    return false;
                };
                creator.is_none_or(|m| stock.creator == m)
                    && belong.is_none_or(|m| stock.belong_merchant() == m)
                    && sender.is_none_or(|m| c.send_merchant == m)
            })
            .collect();
        let data = matching
            .iter()
            .skip(usize::try_from(offset).unwrap_or(usize::MAX))
            .take(usize::try_from(limit).unwrap_or(50))
            .map(|c| self.render_coupon(c, ctx.now))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Reply::answer(&ListUserCouponsResponse {
            data: Some(data),
            total_count: i64_of(matching.len() as u64),
            offset: i64_of(offset),
            limit: i64_of(limit),
        }))
    }

    /// `GET /v3/marketing/busifavor/users/{openid}/coupons/{coupon_code}/appids/{appid}`.
    pub(crate) fn query_user_coupon(
        &self,
        ctx: &Ctx,
        req: &QueryUserCouponRequest,
    ) -> Result<Reply, ApiError> {
        let (openid, code) = (req.openid.as_str(), req.coupon_code.as_str());
        let mut found = self
            .coupons
            .values()
            .filter(|c| c.code == code && c.openid == openid);
        let first = found.clone().find(|c| {
            self.stocks
                .get(&c.stock_id)
                .is_some_and(|s| s.visible_to(&ctx.mchid))
        });
        match (first, found.next()) {
            (Some(c), _) => Ok(Reply::answer(&self.render_coupon(c, ctx.now)?)),
            (None, Some(_)) => Err(ApiError::no_auth("无权查询该券")),
            (None, None) => Err(ApiError::not_found(format!("券{code}不存在"))),
        }
    }

    /// `POST /v3/marketing/busifavor/coupons/return`.
    pub(crate) fn return_coupon(
        &mut self,
        ctx: &Ctx,
        req: &ReturnCouponRequest,
        body: &Value,
    ) -> Result<Reply, ApiError> {
        let (code, stock_id) = (req.coupon_code.as_str(), req.stock_id.as_str());
        let no = req.return_request_no.clone();
        let key = self.find_coupon(&ctx.mchid, Some(stock_id), code)?;
        self.idempotent("return_coupon", &ctx.mchid, &no, body, |st| {
            let coupon = st.coupon_mut(&key)?;
            if coupon.state != CouponState::Used {
                return Err(ApiError::invalid("券不是已核销状态，不可退券"));
            }
            coupon.state = CouponState::Sended;
            coupon.use_request_no = None;
            coupon.use_time = None;
            coupon.return_request_no = Some(no.clone());
            coupon.return_time = Some(ctx.now);
            Ok(Reply::answer(&ReturnCouponResponse {
                wechatpay_return_time: Timestamp::from_unix_beijing(ctx.now).into(),
            }))
        })
    }

    /// `POST /v3/marketing/busifavor/coupons/deactivate`.
    pub(crate) fn deactivate_coupon(
        &mut self,
        ctx: &Ctx,
        req: &DeactivateCouponRequest,
        body: &Value,
    ) -> Result<Reply, ApiError> {
        let (code, stock_id) = (req.coupon_code.as_str(), req.stock_id.as_str());
        let no = req.deactivate_request_no.clone();
        let reason = req.deactivate_reason.clone();
        let key = self.find_coupon(&ctx.mchid, Some(stock_id), code)?;
        self.idempotent("deactivate_coupon", &ctx.mchid, &no, body, |st| {
            let now = ctx.now;
            let coupon = st.coupon_mut(&key)?;
            let state = coupon.state_at(now);
            if state != CouponState::Sended {
                return Err(ApiError::invalid(format!(
                    "券状态为{state}，只有可用的券才能失效"
                )));
            }
            coupon.state = CouponState::Deactivated;
            coupon.deactivate_request_no = Some(no.clone());
            coupon.deactivate_time = Some(now);
            coupon.deactivate_reason = reason;
            Ok(Reply::answer(&DeactivateCouponResponse {
                wechatpay_deactivate_time: Timestamp::from_unix_beijing(now).into(),
            }))
        })
    }

    /// `POST /v3/marketing/busifavor/coupons/associate` and `…/disassociate`.
    pub(crate) fn associate(
        &mut self,
        ctx: &Ctx,
        req: &AssociateOrderRequest,
        body: &Value,
        associate: bool,
    ) -> Result<Reply, ApiError> {
        let (stock_id, code) = (req.stock_id.as_str(), req.coupon_code.as_str());
        let trade = req.out_trade_no.clone();
        let no = req.out_request_no.clone();
        let key = self.find_coupon(&ctx.mchid, Some(stock_id), code)?;
        let scope = if associate {
            "associate"
        } else {
            "disassociate"
        };
        self.idempotent(scope, &ctx.mchid, &no, body, |st| {
            let now = ctx.now;
            let coupon = st.coupon_mut(&key)?;
            if associate {
                if coupon.state_at(now) != CouponState::Sended {
                    return Err(ApiError::invalid("只有可用的券才能关联订单"));
                }
                match &coupon.associate_out_trade_no {
                    Some(t) if *t != trade => {
                        return Err(ApiError::invalid(format!("券已关联订单{t}，请先取消关联")));
                    }
                    _ => coupon.associate_out_trade_no = Some(trade),
                }
                Ok(Reply::answer(&AssociateOrderResponse {
                    wechatpay_associate_time: Timestamp::from_unix_beijing(now).into(),
                }))
            } else {
                if coupon.associate_out_trade_no.as_deref() != Some(trade.as_str()) {
                    return Err(ApiError::invalid(format!("券未关联订单{trade}")));
                }
                coupon.associate_out_trade_no = None;
                Ok(Reply::answer(&DisassociateOrderResponse {
                    wechatpay_disassociate_time: Timestamp::from_unix_beijing(now).into(),
                }))
            }
        })
    }
}

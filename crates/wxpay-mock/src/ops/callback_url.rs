//! The merchant's busifavor callback URL (spec §8.9, §8.10, seed `get-coupon-notify-url.txt`).
//! The URL rule is the model's, with the simulator's loopback relaxation
//! (`SetCallbackRequest::validate_allowing_loopback`, applied in `crate::request`).

use wxpay_model::Timestamp;
use wxpay_model::busifavor::{
    GetCallbackRequest, GetCallbackResponse, SetCallbackRequest, SetCallbackResponse,
};

use crate::api_error::ApiError;
use crate::state::{Ctx, NotifyUrl, Reply, State};

impl State {
    /// `POST /v3/marketing/busifavor/callbacks`.
    pub(crate) fn set_callback(
        &mut self,
        ctx: &Ctx,
        req: &SetCallbackRequest,
    ) -> Result<Reply, ApiError> {
        let mchid = req.mchid.as_deref().unwrap_or(&ctx.mchid);
        if mchid != ctx.mchid {
            return Err(ApiError::no_auth(format!("无权设置商户{mchid}的通知地址")));
        }
        let url = req.notify_url.as_str();
        self.notify_urls.insert(
            ctx.mchid.clone(),
            NotifyUrl {
                url: url.to_owned(),
            },
        );
        Ok(Reply::answer(&SetCallbackResponse {
            update_time: Some(Timestamp::from_unix_beijing(ctx.now).into()),
            notify_url: url.to_owned(),
            mchid: ctx.mchid.clone(),
        }))
    }

    /// `GET /v3/marketing/busifavor/callbacks?mchid=…`.
    pub(crate) fn get_callback(
        &self,
        ctx: &Ctx,
        req: &GetCallbackRequest,
    ) -> Result<Reply, ApiError> {
        let mchid = req.mchid.as_deref().unwrap_or(&ctx.mchid);
        if mchid != ctx.mchid {
            return Err(ApiError::no_auth(format!(
                "仅可以查询由请求商户号设置的通知URL（{mchid}）"
            )));
        }
        let n = self
            .notify_urls
            .get(mchid)
            .ok_or_else(|| ApiError::not_found("商户未设置商家券事件通知地址"))?;
        Ok(Reply::answer(&GetCallbackResponse {
            mchid: mchid.to_owned(),
            notify_url: n.url.clone(),
        }))
    }
}

//! `wxpay callbacks get|set`: the COUPON.SEND callback URL (seed 1; spec §8.9, §8.10), through
//! the `busifavor` client.

use busifavor::SetCallbackRequest;
use serde_json::json;

use crate::cli::{CallbacksGetArgs, CallbacksSetArgs};
use crate::client;
use crate::failure::Result;
use crate::output::outln;

/// Runs `wxpay callbacks get`.
pub async fn get(args: &CallbacksGetArgs) -> Result<()> {
    let configured = client::build(&args.client)?;
    let answer = configured
        .client
        .get_callback_url(args.for_mchid.as_deref())
        .await
        .map_err(|e| client::failure(e, &configured))?;
    let value = answer.value();
    if args.json {
        return super::print_json(&json!({"mchid": value.mchid, "notify_url": value.notify_url}));
    }
    outln!("mchid       {}", value.mchid);
    outln!("notify_url  {}", value.notify_url);
    eprintln!("Request-ID {}", answer.request_id().unwrap_or("none"));
    Ok(())
}

/// Runs `wxpay callbacks set`.
pub async fn set(args: &CallbacksSetArgs) -> Result<()> {
    let configured = client::build(&args.client)?;
    let mut request = SetCallbackRequest::new(args.url.clone());
    if let Some(m) = &args.for_mchid {
        request = request.mchid(m.clone());
    }
    // Against a simulator the facade also accepts a loopback http:// URL; against WeChat
    // Pay only https.
    let answer = configured
        .client
        .set_callback_url(&request)
        .await
        .map_err(|e| client::failure(e, &configured))?;
    let value = answer.value();
    let update_time = value.update_time.as_ref().map(|t| t.as_str().to_owned());
    if args.json {
        return super::print_json(&json!({
            "mchid": value.mchid,
            "notify_url": value.notify_url,
            "update_time": update_time,
        }));
    }
    outln!("mchid        {}", value.mchid);
    outln!("notify_url   {}", value.notify_url);
    if let Some(t) = update_time {
        outln!("update_time  {t}");
    }
    eprintln!("Request-ID {}", answer.request_id().unwrap_or("none"));
    Ok(())
}

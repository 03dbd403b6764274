//! `wxpay demo`: the whole merchant-coupon loop on an in-process simulator, on loopback, with
//! no credentials — each step checked, the first one that does not happen as expected named.

mod frontend;
mod receiver;
mod timeline;

use std::fmt::Display;
use std::sync::Arc;
use std::time::Duration;

use busifavor::callback::{IdempotencyStore, MemoryStore, PostgresStore, RedisStore};
use busifavor::{
    Client, CouponCodeMode, CreateStockRequest, PluginCoupon, RetryPolicy, ReturnCouponRequest,
    SendCouponRequest, SetCallbackRequest, StockDiscount, Timestamp, UseCouponRequest, UseMethod,
};
use serde_json::json;
use wxpay_crypto::{Clock, SystemClock};
use wxpay_mock::{AttemptKind, Claim, DeliveryStatus, Fault, FaultKind, MockBuilder, MockHandle};

use crate::cli::DemoArgs;
use crate::failure::{Failure, Kind, Result};
use crate::output::outln;
use receiver::Shared;
use timeline::Timeline;

/// The steps, in order; `--fail-step` takes one of these names.
pub const STEPS: &[&str] = &[
    "simulator",
    "client",
    "receiver",
    "seed-1",
    "stock",
    "issue-api",
    "issue-miniprogram",
    "issue-h5",
    "issue-paygift",
    "seed-2",
    "retried-callback",
    "redeem",
    "return",
    "retried-request",
    "forged-answer",
];

const APPID: &str = "wx1234567890abcdef";

/// Runs `wxpay demo`.
pub async fn run(args: &DemoArgs) -> Result<()> {
    if let Some(step) = &args.fail_step
        && !STEPS.contains(&step.as_str())
    {
        return Err(
            Failure::usage(format!("--fail-step {step:?} is not a step"))
                .fix(format!("one of: {}", STEPS.join(", "))),
        );
    }
    let store = StoreKind::parse(&args.store)?;
    let timeline = Timeline::new(args.json, args.quiet);
    let demo = Demo {
        tl: timeline.clone(),
        fail: args.fail_step.clone(),
        store,
    };
    let result = demo.run().await;
    let elapsed = timeline.elapsed_ms();
    match &result {
        Ok(s) if args.json => outln!(
            "{}",
            json!({"kind": "summary", "passed": true, "steps": STEPS.len(), "elapsed_ms": elapsed as u64,
                   "callbacks_processed": s.processed, "delivery_attempts": s.attempts})
        ),
        Ok(s) => outln!(
            "demo passed: {} steps in {elapsed} ms — seed 1 (callback URL set and read back) and seed 2 ({} COUPON.SEND callbacks processed exactly once, {} delivery attempts)",
            STEPS.len(),
            s.processed,
            s.attempts
        ),
        Err(f) if args.json => outln!(
            "{}",
            json!({"kind": "summary", "passed": false, "failed_step": f.stage, "error": f.message, "elapsed_ms": elapsed as u64})
        ),
        Err(_) => {}
    }
    result.map(|_| ())
}

struct Summary {
    processed: usize,
    attempts: usize,
}

struct Demo {
    tl: Timeline,
    fail: Option<String>,
    store: StoreKind,
}

/// Where the receivers keep which notifications they processed.
#[derive(Debug, Clone, PartialEq, Eq)]
enum StoreKind {
    /// One receiver, an in-memory store.
    Memory,
    /// Two receivers sharing Redis.
    Redis(String),
    /// Two receivers sharing a PostgreSQL inbox table.
    Postgres(String),
}

impl StoreKind {
    fn parse(text: &str) -> Result<Self> {
        let t = text.trim();
        if t == "memory" {
            Ok(Self::Memory)
        } else if t.starts_with("redis://") || t.starts_with("rediss://") {
            Ok(Self::Redis(t.to_owned()))
        } else if t.starts_with("postgres://") || t.starts_with("postgresql://") {
            Ok(Self::Postgres(t.to_owned()))
        } else {
            Err(Failure::usage(format!("--store {text:?} is not a store"))
                .fix("memory, redis://HOST:PORT or postgres://USER@HOST:PORT/DATABASE"))
        }
    }

    /// The URL with any password hidden.
    fn shown(&self) -> String {
        let url = match self {
            Self::Memory => return "memory".to_owned(),
            Self::Redis(u) | Self::Postgres(u) => u,
        };
        match (url.find("://"), url.rfind('@')) {
            (Some(s), Some(at)) if at > s => {
                let userinfo = &url[s + 3..at];
                match userinfo.split_once(':') {
                    Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                    None => url.clone(),
                }
            }
            _ => url.clone(),
        }
    }
}

impl Demo {
    /// Passes when `ok`, unless `--fail-step` names this step.
    fn check(&self, step: &str, ok: bool, what: impl FnOnce() -> String) -> Result<()> {
        let forced = self.fail.as_deref() == Some(step);
        match (ok, forced) {
            (true, false) => Ok(()),
            (false, _) => Err(Failure::new(
                Kind::Demo,
                format!("step `{step}` did not happen as expected: {}", what()),
            )
            .stage(step)),
            (true, true) => Err(Failure::new(
                Kind::Demo,
                format!("step `{step}` did not happen as expected (forced)"),
            )
            .stage(step)
            .cause("forced by --fail-step, to show that the demo checks its steps")),
        }
    }

    /// A call a step depends on.
    fn call<T, E: Display>(
        &self,
        step: &str,
        what: &str,
        r: std::result::Result<T, E>,
    ) -> Result<T> {
        r.map_err(|e| {
            Failure::new(
                Kind::Demo,
                format!("step `{step}` did not happen as expected: {what} failed: {e}"),
            )
            .stage(step)
        })
    }

    async fn run(&self) -> Result<Summary> {
        // A local WeChat Pay: callbacks retried every 100 ms instead of 60 s, a signature probe
        // before each genuine delivery, and each delivered notification sent once more.
        let step = "simulator";
        self.tl.step(
            step,
            "start a local WeChat Pay (simulator) on 127.0.0.1, callbacks retried every 100 ms",
        );
        let mock = self.call(
            step,
            "starting the simulator",
            MockBuilder::new()
                .retry_schedule(
                    wxpay_mock::RetrySchedule::new(Duration::from_millis(100), 11)
                        .with_timeout(Duration::from_secs(2)),
                )
                .start()
                .await,
        )?;
        mock.set_probe_first(true);
        mock.set_duplicate_deliveries(1);
        self.tl.event(
            step,
            format!("simulator at {}", mock.base_url()),
            json!({"base_url": mock.base_url()}),
        );
        self.check(step, mock.local_addr().ip().is_loopback(), || {
            "the simulator is not on loopback".into()
        })?;

        let step = "client";
        self.tl.step(step, "build the busifavor client for merchant 1900009191 (public-key mode), aimed at the simulator");
        let client = self.call(step, "building the client", demo_client(&mock))?;
        self.check(
            step,
            client.mchid() == wxpay_mock::DEMO_MCHID && client.targets_simulator(),
            || "wrong merchant or target".into(),
        )?;

        let step = "receiver";
        let shared = Arc::new(Shared::default());
        let store: Arc<dyn IdempotencyStore> = match &self.store {
            StoreKind::Memory => {
                self.tl.step(step, "start the merchant's callback receiver: busifavor's callback handler, in-memory idempotency store");
                Arc::new(MemoryStore::new())
            }
            StoreKind::Redis(url) => {
                self.tl.step(step, format!("start two receivers sharing the Redis store at {} behind a round-robin balancer", self.store.shown()));
                let prefix = format!("wxpay-demo:{}:", run_id());
                let store = RedisStore::connect(url)
                    .await
                    .map_err(|e| self.unreachable(step, "Redis", e))?
                    .with_prefix(prefix)
                    .map_err(|e| self.unreachable(step, "Redis", e))?;
                Arc::new(store)
            }
            StoreKind::Postgres(url) => {
                self.tl.step(step, format!("start two receivers sharing the PostgreSQL inbox at {} behind a round-robin balancer", self.store.shown()));
                let store = PostgresStore::connect(url)
                    .and_then(|s| s.with_table("wxpay_demo_inbox"))
                    .map_err(|e| self.unreachable(step, "PostgreSQL", e))?;
                store
                    .migrate()
                    .await
                    .map_err(|e| self.unreachable(step, "PostgreSQL", e))?;
                Arc::new(store)
            }
        };
        let names: &[&str] = if self.store == StoreKind::Memory {
            &["A"]
        } else {
            &["A", "B"]
        };
        let mut receivers = Vec::new();
        for name in names {
            let r = self.call(
                step,
                "starting a receiver",
                receiver::start(
                    name,
                    &client,
                    Arc::clone(&store),
                    Arc::clone(&shared),
                    self.tl.clone(),
                )
                .await,
            )?;
            self.tl.event(
                step,
                format!("receiver {name} at {}", r.url),
                json!({"receiver": name, "url": r.url}),
            );
            receivers.push(r);
        }
        let balancer = if receivers.len() > 1 {
            let lb = self.call(
                step,
                "starting the balancer",
                receiver::balancer(
                    receivers.iter().map(|r| r.url.clone()).collect(),
                    self.tl.clone(),
                )
                .await,
            )?;
            self.tl.event(
                step,
                format!("balancer at {} → receivers {}", lb.url, names.join(", ")),
                json!({"url": lb.url}),
            );
            Some(lb)
        } else {
            None
        };
        let notify_url = balancer
            .as_ref()
            .map_or_else(|| receivers[0].url.clone(), |b| b.url.clone());

        // Seed 1: the callback URL.
        let step = "seed-1";
        self.tl.step(
            step,
            "seed 1: set the COUPON.SEND callback URL and read it back",
        );
        let set = self.call(
            step,
            "POST /v3/marketing/busifavor/callbacks",
            client
                .set_callback_url(&SetCallbackRequest::new(notify_url.clone()))
                .await,
        )?;
        self.tl.event(step, format!("POST /v3/marketing/busifavor/callbacks → notify_url {} (loopback http: allowed because the client targets a simulator)", set.notify_url), json!({"notify_url": set.notify_url}));
        let got = self.call(
            step,
            "GET /v3/marketing/busifavor/callbacks",
            client.get_callback_url(Some(wxpay_mock::DEMO_MCHID)).await,
        )?;
        self.tl.event(
            step,
            format!(
                "GET /v3/marketing/busifavor/callbacks?mchid={} → mchid {}, notify_url {} (Request-ID {})",
                wxpay_mock::DEMO_MCHID,
                got.mchid,
                got.notify_url,
                got.request_id().unwrap_or("-")
            ),
            json!({"seed": 1, "mchid": got.mchid, "notify_url": got.notify_url}),
        );
        self.check(
            step,
            got.notify_url == notify_url && got.mchid == wxpay_mock::DEMO_MCHID,
            || format!("read back {:?}, set {:?}", got.notify_url, notify_url),
        )?;

        let step = "stock";
        self.tl.step(
            step,
            "create a stock: 10 CNY off 100, 100 coupons, codes by WeChat Pay",
        );
        let stock = self.call(
            step,
            "POST /v3/marketing/busifavor/stocks",
            client
                .create_stock(&self.normal_stock(step, &client, "demo-stock-0001", 100)?)
                .await,
        )?;
        let stock_id = stock.stock_id.clone();
        let info = self.call(
            step,
            "GET /v3/marketing/busifavor/stocks/{stock_id}",
            client.get_stock(&stock_id).await,
        )?;
        self.tl.event(
            step,
            format!(
                "stock {stock_id} \"{}\" created, state {}",
                info.stock_name, info.stock_state
            ),
            json!({"stock_id": stock_id}),
        );
        self.check(
            step,
            !stock_id.is_empty() && info.stock_id == stock_id,
            || "the stock could not be read back".into(),
        )?;

        let mut issued: Vec<(String, &str)> = Vec::new();
        let step = "issue-api";
        self.tl
            .step(step, "issue a coupon by API (POST /coupons/send)");
        let api_code = self
            .send(step, &client, &stock_id, "demo-send-0001")
            .await?;
        self.tl.event(
            step,
            format!("coupon {api_code} sent to o-demo-api"),
            json!({"coupon_code": api_code, "channel": "API"}),
        );
        self.check(step, !api_code.is_empty(), || {
            "no coupon code in the answer".into()
        })?;
        issued.push((api_code.clone(), "BUSICOUPON_SEND_CHANNEL_API"));

        let sim = frontend::Simulator::new(&mock.base_url());
        let step = "issue-miniprogram";
        self.tl.step(
            step,
            "a user claims one in the mini-program plugin (parameters signed with the APIv2 key)",
        );
        let params = self.call(
            step,
            "signing the plugin parameters",
            client.plugin_params(vec![PluginCoupon::new(&stock_id, "demo-mini-0001")]),
        )?;
        let mini_code = self.call(
            step,
            "the mini-program plugin",
            sim.miniprogram(&params, "o-demo-mini").await,
        )?;
        self.tl.event(
            step,
            format!(
                "coupon {mini_code} claimed by o-demo-mini (sign {}…)",
                &params.sign[..8.min(params.sign.len())]
            ),
            json!({"coupon_code": mini_code, "channel": "MINIAPP"}),
        );
        self.check(step, !mini_code.is_empty(), || "no coupon code".into())?;
        issued.push((mini_code, "BUSICOUPON_SEND_CHANNEL_MINIAPP"));

        let step = "issue-h5";
        self.tl.step(
            step,
            "a user claims one on the H5 page (link signed with the APIv2 key)",
        );
        let link = self.call(
            step,
            "signing the H5 link",
            client.h5_coupon_link(&stock_id, "demoh50001", "o-demo-h5", None),
        )?;
        let h5_code = self.call(step, "the H5 page", sim.h5(&link).await)?;
        self.tl.event(
            step,
            format!("coupon {h5_code} claimed by o-demo-h5"),
            json!({"coupon_code": h5_code, "channel": "H5"}),
        );
        self.check(step, !h5_code.is_empty(), || "no coupon code".into())?;
        issued.push((h5_code, "BUSICOUPON_SEND_CHANNEL_H5"));

        let step = "issue-paygift";
        self.tl.step(
            step,
            "a user gets one as a pay gift (支付有礼, with attach_info)",
        );
        let gift = self.call(
            step,
            "the pay-gift claim",
            mock.claim_coupon(
                &Claim::new(&stock_id, "o-demo-gift", "demo-gift-0001")
                    .channel("BUSICOUPON_SEND_CHANNEL_PAYGIFT")
                    .attach_info(json!({"transaction_id": "4200000462220200226114599", "act_code": "540358695"})),
            )
            .map_err(|e| e.message().to_owned()),
        )?;
        self.tl.event(
            step,
            format!(
                "coupon {} given after payment 4200000462220200226114599",
                gift.coupon_code
            ),
            json!({"coupon_code": gift.coupon_code, "channel": "PAYGIFT"}),
        );
        self.check(step, !gift.coupon_code.is_empty(), || {
            "no coupon code".into()
        })?;
        issued.push((gift.coupon_code.clone(), "BUSICOUPON_SEND_CHANNEL_PAYGIFT"));

        // Seed 2: the callbacks.
        let step = "seed-2";
        self.tl.step(step, "seed 2: receive the COUPON.SEND callbacks (probes first, then genuine, then duplicates)");
        self.settle(step, &mock).await?;
        let processed = shared.processed();
        let log = mock.deliveries();
        let probes: Vec<_> = log
            .iter()
            .filter(|a| a.kind == AttemptKind::Probe)
            .collect();
        let dups: Vec<_> = log
            .iter()
            .filter(|a| a.kind == AttemptKind::Duplicate)
            .collect();
        self.tl.event(
            step,
            format!(
                "{} deliveries: {} probes refused, {} genuine, {} duplicates absorbed; {} coupons processed once",
                log.len(),
                probes.iter().filter(|a| !a.outcome.is_success()).count(),
                log.iter().filter(|a| a.kind == AttemptKind::Genuine).count(),
                dups.iter().filter(|a| a.outcome.is_success()).count(),
                processed.len()
            ),
            json!({"seed": 2, "attempts": log.len(), "probes": probes.len(), "duplicates": dups.len(), "processed": processed.len()}),
        );
        for (code, channel) in &issued {
            let hits: Vec<_> = processed
                .iter()
                .filter(|p| &p.coupon_code == code)
                .collect();
            self.check(step, hits.len() == 1 && hits[0].channel == *channel, || {
                format!(
                    "coupon {code} ({channel}) was processed {} time(s)",
                    hits.len()
                )
            })?;
        }
        self.check(
            step,
            processed
                .iter()
                .any(|p| p.transaction_id.as_deref() == Some("4200000462220200226114599")),
            || "the pay-gift attach_info did not arrive".into(),
        )?;
        self.check(
            step,
            !probes.is_empty() && probes.iter().all(|a| !a.outcome.is_success()),
            || "a signature probe was not refused".into(),
        )?;
        self.check(
            step,
            !dups.is_empty() && dups.iter().all(|a| a.outcome.is_success()),
            || "duplicates were not acknowledged".into(),
        )?;
        self.check(step, processed.len() == issued.len(), || {
            format!(
                "{} coupons processed for {} issued",
                processed.len(),
                issued.len()
            )
        })?;

        let step = "retried-callback";
        self.tl.step(
            step,
            "the merchant's first answer fails (database down): WeChat Pay retries, processed once",
        );
        shared.fail_next();
        let retry_code = self
            .send(step, &client, &stock_id, "demo-send-0002")
            .await?;
        self.settle(step, &mock).await?;
        let id = mock
            .notifications()
            .into_iter()
            .find(|n| n.plaintext["coupon_code"] == retry_code.as_str())
            .map(|n| n.id);
        let genuine: Vec<_> = mock
            .deliveries()
            .into_iter()
            .filter(|a| Some(&a.notification_id) == id.as_ref() && a.kind == AttemptKind::Genuine)
            .collect();
        let once = shared
            .processed()
            .iter()
            .filter(|p| p.coupon_code == retry_code)
            .count();
        self.tl.event(step, format!("coupon {retry_code}: {} genuine deliveries ({}), processed {once} time(s)", genuine.len(),
            genuine.iter().map(|a| outcome(&a.outcome)).collect::<Vec<_>>().join(", ")), json!({"coupon_code": retry_code, "genuine_attempts": genuine.len(), "processed": once}));
        self.check(step, genuine.len() >= 2 && !genuine[0].outcome.is_success() && genuine.last().is_some_and(|a| a.outcome.is_success()) && once == 1, || {
            format!("expected a failed first delivery, a successful retry and one processing; got {} deliveries, {once} processing(s)", genuine.len())
        })?;

        let step = "redeem";
        self.tl.step(
            step,
            format!("redeem coupon {api_code} (POST /coupons/use)"),
        );
        let redeem = self.call(
            step,
            "building the request",
            UseCouponRequest::builder()
                .coupon_code(&api_code)
                .stock_id(&stock_id)
                .appid(APPID)
                .use_time(Timestamp::now_beijing())
                .use_request_no("demo-use-0001")
                .build(),
        )?;
        let used = self.call(
            step,
            "POST /v3/marketing/busifavor/coupons/use",
            client.use_coupon(&redeem).await,
        )?;
        self.tl.event(
            step,
            format!("coupon {api_code} used at {}", used.wechatpay_use_time),
            json!({"coupon_code": api_code}),
        );
        self.check(step, used.stock_id == stock_id, || {
            "redeemed under another stock".into()
        })?;

        let step = "return";
        self.tl.step(
            step,
            format!("return coupon {api_code} after a refund (POST /coupons/return)"),
        );
        let back = self.call(
            step,
            "building the request",
            ReturnCouponRequest::builder()
                .coupon_code(&api_code)
                .stock_id(&stock_id)
                .return_request_no("demo-return-0001")
                .build(),
        )?;
        let returned = self.call(
            step,
            "POST /v3/marketing/busifavor/coupons/return",
            client.return_coupon(&back).await,
        )?;
        self.tl.event(
            step,
            format!(
                "coupon {api_code} usable again since {}",
                returned.wechatpay_return_time
            ),
            json!({"coupon_code": api_code}),
        );
        let state = mock
            .coupons()
            .into_iter()
            .find(|c| c["coupon_code"] == api_code.as_str())
            .map(|c| c["coupon_state"].clone());
        self.check(step, state.as_ref().is_some_and(|s| s == "SENDED"), || {
            format!("coupon state after the return: {state:?}")
        })?;

        let step = "retried-request";
        self.tl.step(
            step,
            "WeChat Pay answers 500 once: the request is retried with the same out_request_no",
        );
        mock.inject_fault(
            Fault::new(
                "POST",
                "/v3/marketing/busifavor/stocks",
                FaultKind::Status(500),
            )
            .times(1),
        );
        let retried = self.call(
            step,
            "POST /v3/marketing/busifavor/stocks",
            client
                .create_stock(&self.normal_stock(step, &client, "demo-stock-0002", 10)?)
                .await,
        )?;
        self.tl.event(
            step,
            format!(
                "500, then 200 on attempt {}: stock {}",
                retried.attempts(),
                retried.stock_id
            ),
            json!({"attempts": retried.attempts()}),
        );
        self.check(step, retried.attempts() == 2, || {
            format!("{} attempts", retried.attempts())
        })?;

        let step = "forged-answer";
        self.tl.step(
            step,
            "an answer with a forged signature is rejected, never used",
        );
        mock.inject_fault(Fault::any_method(
            "/v3/marketing/busifavor/stocks/{stock_id}",
            FaultKind::BadSignature,
        ));
        let forged = client.get_stock(&stock_id).await;
        mock.clear_faults();
        let rejected = matches!(&forged, Err(busifavor::Error::Verification(_)));
        if let Err(e) = &forged {
            self.tl
                .event(step, format!("rejected: {e}"), json!({"rejected": true}));
        }
        self.check(step, rejected, || "a forged answer was accepted".into())?;

        let summary = Summary {
            processed: shared.processed().len(),
            attempts: mock.deliveries().len(),
        };
        let stuck = mock
            .notifications()
            .iter()
            .filter(|n| n.status != DeliveryStatus::Delivered || n.probe_accepted)
            .count();
        self.check("seed-2", stuck == 0, || {
            format!("{stuck} notification(s) not delivered cleanly")
        })?;
        if receivers.len() > 1 {
            let duplicates = shared.duplicates();
            let crossed = duplicates
                .iter()
                .filter(|(r, id)| processed_by(&shared, id).is_some_and(|p| &p != r))
                .count();
            self.tl.event("seed-2", format!("{crossed} duplicate(s) absorbed by a receiver other than the one that processed the notification: the store is shared"), json!({"crossed_duplicates": crossed}));
            self.check("seed-2", crossed > 0 && crossed == duplicates.len(), || {
                format!(
                    "{crossed} of {} duplicates reached the other receiver",
                    duplicates.len()
                )
            })?;
        }
        mock.shutdown().await;
        drop(balancer);
        drop(receivers);
        Ok(summary)
    }

    /// `POST /coupons/send` to `o-demo-api`; the coupon code.
    async fn send(&self, step: &str, client: &Client, stock_id: &str, no: &str) -> Result<String> {
        let request = self.call(
            step,
            "building the request",
            SendCouponRequest::builder()
                .openid("o-demo-api")
                .appid(APPID)
                .stock_id(stock_id)
                .out_request_no(no)
                .build(),
        )?;
        let sent = self.call(
            step,
            "POST /v3/marketing/busifavor/coupons/send",
            client.send_coupon(&request).await,
        )?;
        Ok(sent.result().map(|r| r.coupon_code).unwrap_or_default())
    }

    /// A NORMAL stock: 10 CNY off 100, valid from a minute ago for 30 days, at most `max`.
    fn normal_stock(
        &self,
        step: &str,
        client: &Client,
        no: &str,
        max: i64,
    ) -> Result<CreateStockRequest> {
        let now = SystemClock.now_unix();
        let (begin, end) = (
            Timestamp::from_unix_beijing(now - 60),
            Timestamp::from_unix_beijing(now + 30 * 86_400),
        );
        self.call(
            step,
            "building the stock",
            CreateStockRequest::builder()
                .stock_name("满100减10")
                .belong_merchant(client.mchid())
                .comment("wxpay demo")
                .goods_name("全场通用")
                .discount(StockDiscount::amount_off(1000, 10000))
                .available(begin, end)
                .use_method(UseMethod::OffLine)
                .max_coupons(max)
                .max_coupons_per_user(3)
                .max_coupons_by_day(max)
                .out_request_no(no)
                .coupon_code_mode(CouponCodeMode::WechatpayMode)
                .notify_appid(APPID)
                .build(),
        )
    }

    /// The store could not be reached: a network failure naming the step.
    fn unreachable(&self, step: &str, what: &str, e: impl Display) -> Failure {
        Failure::new(Kind::Network, format!("step `{step}`: cannot use {what} at {}: {e}", self.store.shown()))
            .stage(step)
            .fix(format!("start {what} (see README.md, \"Redis and PostgreSQL\"), or run the demo without --store"))
    }

    /// Waits until every callback is delivered (bounded: the schedule is fast).
    async fn settle(&self, step: &str, mock: &MockHandle) -> Result<()> {
        let settled =
            tokio::time::timeout(Duration::from_secs(20), mock.deliveries_settled()).await;
        self.check(step, settled.is_ok(), || {
            "callbacks still pending after 20 s".into()
        })
    }
}

/// The receiver that processed notification `id`.
fn processed_by(shared: &Shared, id: &str) -> Option<String> {
    shared
        .processed()
        .into_iter()
        .find(|p| p.id == id)
        .map(|p| p.receiver)
}

/// A name for this run (Redis key prefix).
fn run_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("{}-{nanos}", std::process::id())
}

fn outcome(o: &wxpay_mock::AttemptOutcome) -> String {
    match o {
        wxpay_mock::AttemptOutcome::Status(s) => s.to_string(),
        wxpay_mock::AttemptOutcome::Failed(e) => format!("failed: {e}"),
    }
}

/// The busifavor client for the simulator's demo merchant, in public-key mode, with the APIv2
/// key for front-end issuing. Aimed at a loopback simulator, it has no backup host.
fn demo_client(mock: &MockHandle) -> std::result::Result<Client, busifavor::Error> {
    let keys = mock.keys();
    Client::builder()
        .mchid(wxpay_mock::DEMO_MCHID)
        .merchant_serial(wxpay_mock::DEMO_CERT_SERIAL)
        .merchant_private_key_pem(mock.demo_merchant_private_key_pem())
        .wechatpay_public_key(keys.public_key_id(), keys.public_key_pem())
        .api_v3_key(wxpay_mock::DEMO_APIV3_KEY)
        .api_v2_key(wxpay_mock::DEMO_APIV2_KEY)
        .base_url(mock.base_url())
        .retry_policy(RetryPolicy::default().with_base_delay(Duration::from_millis(50)))
        .user_agent_suffix(format!("wxpay-cli/{} demo", env!("CARGO_PKG_VERSION")))
        .build()
}

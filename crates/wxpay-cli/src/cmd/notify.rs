//! `wxpay notify open`: verify → envelope → decrypt → event, on a captured callback (spec §7),
//! naming the stage that failed and its likely cause.

use serde_json::{Value, json};
use wxpay_crypto::{ApiV3Key, Error as CryptoError, FixedClock, SignatureHeaders};
use wxpay_model::{Error as ModelError, Event, Notification, open_notification};

use zeroize::Zeroizing;

use crate::cli::NotifyOpenArgs;
use crate::config::{Settings, Sourced};
use crate::diagnose::{Subject, TimeCheck, Verified, check_signature};
use crate::failure::{Failure, Result};
use crate::output::outln;

/// Runs `wxpay notify open`.
pub fn run(args: &NotifyOpenArgs) -> Result<()> {
    let settings = Settings::load(&args.config)?;
    let ring = settings.key_ring(&args.keys)?;
    let apiv3 = settings.require_apiv3_key(&args.secrets)?;
    let apiv2 = settings.apiv2_key_text(&args.secrets)?;
    let message = super::captured(
        args.headers.as_deref(),
        args.body.as_deref(),
        args.request.as_ref(),
        "request",
        "--request",
    )?;
    let verified = check_signature(
        &message.headers,
        &message.body,
        &ring,
        TimeCheck::from_args(&args.time),
        args.time.tolerance,
        Subject::Callback,
    )?;
    let sig = SignatureHeaders::from_pairs(
        message
            .headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str())),
    );
    // The window was checked (or deliberately skipped) above: open as of the signing time.
    let opened = open_notification(
        &sig,
        &message.body,
        &ring.verifier(args.time.tolerance),
        &apiv3.value,
        &FixedClock(verified.timestamp),
    )
    .map_err(|e| explain(e, &message.body, &apiv3, apiv2.as_ref()))?;
    if args.json {
        print_json(&verified, &opened)
    } else {
        print_text(&verified, &opened);
        Ok(())
    }
}

fn explain(
    err: ModelError,
    body: &[u8],
    apiv3: &Sourced<ApiV3Key>,
    apiv2: Option<&Sourced<Zeroizing<String>>>,
) -> Failure {
    let base = Failure::check(format!(
        "the callback verified but could not be opened: {err}"
    ));
    match err {
        ModelError::NotificationEnvelope(_) => base
            .stage("envelope")
            .cause("the signed body is not a callback envelope (id, create_time, event_type, resource_type, resource) — perhaps an API answer")
            .fix("`wxpay notify open` takes callbacks; check an API answer with `wxpay verify`"),
        ModelError::UnsupportedResourceType { .. } | ModelError::UnsupportedAlgorithm { .. } => base
            .stage("envelope")
            .cause("the callback uses a resource type or algorithm this SDK does not open"),
        ModelError::NotificationDecrypt(CryptoError::DecryptFailed) => {
            let base = base.stage("decrypt");
            if let Some(v2) = apiv2
                && decrypts_with(body, &v2.value)
            {
                return base
                    .cause(format!(
                        "the APIv2 key (from {}) decrypts it, the APIv3 key (from {}) does not: the two keys are swapped",
                        v2.source, apiv3.source
                    ))
                    .fix("configure the APIv3 key (账户中心 → API安全 → APIv3密钥) for callbacks; the APIv2 key only signs front-end coupon parameters");
            }
            base.cause(format!(
                "wrong APIv3 key (from {}): the signature verified, so the data is what WeChat Pay sent, and only another key explains the failure",
                apiv3.source
            ))
            .fix("use the APIv3 key set on the merchant platform (账户中心 → API安全 → APIv3密钥), not the APIv2 key; if it was changed, callbacks sent before the change need the old key")
        }
        ModelError::NotificationDecrypt(_) => base
            .stage("decrypt")
            .cause("resource.nonce or resource.ciphertext is malformed (a 12-character nonce and base64 ciphertext are expected)"),
        ModelError::PlaintextNotJson { .. } => base
            .stage("event")
            .cause("decrypted, but the plaintext is not JSON"),
        ModelError::EventPayload { .. } => base
            .stage("event")
            .cause("decrypted, but the resource does not match the documented shape of its event type")
            .fix("compare the plaintext with spec §10.1; report it if WeChat Pay changed the payload"),
        _ => base.stage("open"),
    }
}

/// Whether the APIv2 key, used as an AES key, decrypts the resource (the keys mixed up).
fn decrypts_with(body: &[u8], apiv2: &str) -> bool {
    let Ok(envelope) = serde_json::from_slice::<wxpay_model::NotificationEnvelope>(body) else {
        return false;
    };
    let Ok(key) = ApiV3Key::new(apiv2) else {
        return false;
    };
    let r = &envelope.resource;
    key.decrypt(
        r.associated_data.as_deref().unwrap_or(""),
        &r.nonce,
        &r.ciphertext,
    )
    .is_ok()
}

fn plaintext_json(n: &Notification) -> Value {
    serde_json::from_str(n.plaintext.as_str()).unwrap_or(Value::Null)
}

fn print_json(v: &Verified, n: &Notification) -> Result<()> {
    let envelope = serde_json::to_value(&n.envelope)
        .map_err(|e| Failure::internal(format!("could not format the envelope: {e}")))?;
    super::print_json(&json!({
        "signature": {
            "serial": v.serial,
            "key_source": v.key_source,
            "timestamp": v.timestamp,
            "time_check": v.time_note,
        },
        "envelope": envelope,
        "event": plaintext_json(n),
    }))
}

fn print_text(v: &Verified, n: &Notification) {
    let e = &n.envelope;
    let r = &e.resource;
    outln!(
        "signature  OK: signed with {} (key from {}); time {}",
        v.serial,
        v.key_source,
        v.time_note
    );
    outln!(
        "envelope   id {}  {}  created {}{}",
        e.id,
        e.event_type,
        e.create_time,
        e.summary
            .as_deref()
            .map(|s| format!("  \"{s}\""))
            .unwrap_or_default()
    );
    outln!(
        "decrypted  {}, associated_data {:?}, nonce {}",
        r.algorithm,
        r.associated_data.as_deref().unwrap_or(""),
        r.nonce
    );
    match &n.event {
        Event::CouponSend(c) => {
            outln!("event      {} (a user received a coupon)", c.event_type);
            let rows = [
                ("coupon_code", Some(c.coupon_code.clone())),
                ("stock_id", Some(c.stock_id.clone())),
                ("send_time", Some(c.send_time.as_str().to_owned())),
                ("send_channel", Some(c.send_channel.to_string())),
                ("send_merchant", Some(c.send_merchant.clone())),
                ("openid", c.openid().map(str::to_owned)),
                ("unionid", c.unionid.clone().filter(|u| !u.is_empty())),
                (
                    "attach_info",
                    c.attach_info().and_then(|a| serde_json::to_string(a).ok()),
                ),
            ];
            for (name, value) in rows {
                if let Some(value) = value {
                    outln!("  {name:<14} {value}");
                }
            }
        }
        _ => outln!(
            "event      {} (not a coupon event: shown as decrypted)",
            e.event_type
        ),
    }
    outln!("plaintext (as decrypted)");
    outln!("  {}", n.plaintext.as_str());
}

//! `open_notification`: verify → envelope → decrypt → typed event (spec §7.1).

use std::fmt;

use serde_json::Value;
use wxpay_crypto::{AEAD_ALGORITHM, ApiV3Key, Clock, SignatureHeaders, Verifier};
use zeroize::Zeroizing;

use super::envelope::{ENCRYPT_RESOURCE, NotificationEnvelope};
use crate::busifavor::{COUPON_SEND, CouponSendEvent};
use crate::error::Error;
use crate::redact::Shape;

/// An opened notification: the envelope, the decrypted plaintext and the typed event.
///
/// The decrypted text is wiped from memory when the notification is dropped. `Debug` prints
/// the envelope, the plaintext's length and the event with its user- and payment-identifying
/// values withheld (see [`Event`]), so a notification can be logged whole.
#[derive(Clone, PartialEq, Eq)]
pub struct Notification {
    /// The outer JSON (id, create_time, event_type, summary, encrypted resource).
    pub envelope: NotificationEnvelope,
    /// The decrypted resource exactly as WeChat Pay sent it; derefs to `String`
    /// (`n.plaintext.as_str()`), zeroed on drop.
    pub plaintext: Zeroizing<String>,
    /// The decrypted resource, typed by `event_type`.
    pub event: Event,
}

impl fmt::Debug for Notification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Notification")
            .field("envelope", &self.envelope)
            .field(
                "plaintext",
                &format_args!("<{} bytes>", self.plaintext.len()),
            )
            .field("event", &self.event)
            .finish()
    }
}

impl Notification {
    /// Notification id, for de-duplication.
    pub fn id(&self) -> &str {
        &self.envelope.id
    }

    /// Envelope event type, e.g. `COUPON.SEND`.
    pub fn event_type(&self) -> &str {
        &self.envelope.event_type
    }

    /// The coupon-send event, if this is one.
    pub fn coupon_send(&self) -> Option<&CouponSendEvent> {
        match &self.event {
            Event::CouponSend(e) => Some(e),
            _ => None,
        }
    }
}

/// The decrypted resource of a notification, by envelope `event_type`.
///
/// `Debug` withholds decrypted values: a [`CouponSendEvent`] shows its non-personal fields
/// (stock, channel, time, merchant), an [`Event::Unknown`] only the keys of its JSON.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// `COUPON.SEND`: a user received a busifavor coupon.
    CouponSend(Box<CouponSendEvent>),
    /// Any other event type (payments, refunds, other coupon products): the decrypted JSON.
    Unknown {
        /// The envelope's `event_type`.
        event_type: String,
        /// The decrypted JSON.
        data: Value,
    },
}

impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Event::CouponSend(e) => f.debug_tuple("CouponSend").field(e).finish(),
            Event::Unknown { event_type, data } => f
                .debug_struct("Unknown")
                .field("event_type", event_type)
                .field("data", &Shape(data))
                .finish(),
        }
    }
}

/// Opens a notification: verifies the signature over the raw `body` bytes first, then parses
/// the envelope, checks `resource_type` and `algorithm`, decrypts with the APIv3 key and parses
/// the plaintext by `event_type`. Nothing is parsed or decrypted before the signature verified.
///
/// Each failing stage has its own [`Error`] variant; answer any of them with
/// [`NotificationReply::for_error`](crate::NotificationReply::for_error) so WeChat Pay retries.
pub fn open_notification(
    headers: &SignatureHeaders<'_>,
    body: &[u8],
    verifier: &Verifier,
    key: &ApiV3Key,
    clock: &dyn Clock,
) -> Result<Notification, Error> {
    verifier
        .verify(headers, body, clock.now_unix())
        .map_err(Error::NotificationUnverified)?;
    open_verified_notification(body, key)
}

/// The stages of [`open_notification`] after the signature check: parse the envelope, check
/// `resource_type` and `algorithm`, decrypt with the APIv3 key, parse the plaintext by
/// `event_type`.
///
/// Call it **only with a body whose signature has already verified** — for example through
/// `wxpay_http::Client::verify_signature`, which refreshes platform certificates on an unknown
/// serial — so a notification is verified once, with whichever key set the caller holds.
/// Decrypting an unverified body would act on forged input (the APIv3 key authenticates the
/// resource, not the envelope's id or event type).
///
/// ```
/// use wxpay_crypto::ApiV3Key;
/// // A body whose signature the caller has just verified.
/// let body = br#"{"id":"EV-1","create_time":"2019-12-12T16:54:38+08:00","resource_type":"encrypt-resource","event_type":"COUPON.SEND","resource":{"algorithm":"AEAD_AES_256_GCM","ciphertext":"L90xQ5QxEOyibwA7WaXPP0AEtLeq","nonce":"61f9c719728a"}}"#;
/// let key = ApiV3Key::new("0123456789abcdefghijklmnopqrstuv")?;
/// // The plaintext ("hello") is not a COUPON.SEND resource: a typed stage error.
/// let err = wxpay_model::open_verified_notification(body, &key).unwrap_err();
/// assert!(matches!(err, wxpay_model::Error::PlaintextNotJson { .. }));
/// # Ok::<(), wxpay_crypto::Error>(())
/// ```
pub fn open_verified_notification(body: &[u8], key: &ApiV3Key) -> Result<Notification, Error> {
    let envelope: NotificationEnvelope =
        serde_json::from_slice(body).map_err(Error::NotificationEnvelope)?;
    if envelope.resource_type != ENCRYPT_RESOURCE {
        return Err(Error::UnsupportedResourceType {
            found: envelope.resource_type,
        });
    }
    let resource = &envelope.resource;
    if resource.algorithm != AEAD_ALGORITHM {
        return Err(Error::UnsupportedAlgorithm {
            found: resource.algorithm.clone(),
        });
    }
    let plain = key
        .decrypt(
            resource.associated_data.as_deref().unwrap_or(""),
            &resource.nonce,
            &resource.ciphertext,
        )
        .map_err(Error::NotificationDecrypt)?;

    // The decrypted buffer becomes the kept plaintext as is (no copy), and the event is
    // parsed from it in place.
    let text = plain.into_string().map_err(|e| Error::PlaintextNotJson {
        event_type: envelope.event_type.clone(),
        source: serde::de::Error::custom(format!("the plaintext is not UTF-8: {e}")),
    })?;
    let event = parse_event(&envelope.event_type, &text)?;
    Ok(Notification {
        envelope,
        plaintext: text,
        event,
    })
}

/// [`open_notification`] reading the `Wechatpay-*` headers (`Wechatpay-Signature-Type`
/// included) from any list of header pairs (names matched case-insensitively), as web
/// frameworks hand them over.
pub fn open_notification_from_headers<'a, I, K, V>(
    headers: I,
    body: &[u8],
    verifier: &Verifier,
    key: &ApiV3Key,
    clock: &dyn Clock,
) -> Result<Notification, Error>
where
    I: IntoIterator<Item = (&'a K, &'a V)>,
    K: AsRef<str> + ?Sized + 'a,
    V: AsRef<str> + ?Sized + 'a,
{
    // A `Wechatpay-*` header repeated with another value is refused before anything else.
    let headers =
        SignatureHeaders::try_from_pairs(headers).map_err(Error::NotificationUnverified)?;
    open_notification(&headers, body, verifier, key, clock)
}

fn parse_event(event_type: &str, text: &str) -> Result<Event, Error> {
    let not_json = |source: serde_json::Error| Error::PlaintextNotJson {
        event_type: event_type.to_owned(),
        source,
    };
    match event_type {
        COUPON_SEND => match crate::json::from_decrypted::<CouponSendEvent>(
            text.as_bytes(),
            "parsing the COUPON.SEND resource",
        ) {
            Ok(e) => Ok(Event::CouponSend(Box::new(e))),
            Err(Error::Json { source, .. }) if source.is_syntax() || source.is_eof() => {
                Err(not_json(source))
            }
            Err(e) => Err(Error::EventPayload {
                event_type: event_type.to_owned(),
                source: Box::new(e),
            }),
        },
        _ => serde_json::from_str::<Value>(text)
            .map(|data| Event::Unknown {
                event_type: event_type.to_owned(),
                data,
            })
            .map_err(not_json),
    }
}

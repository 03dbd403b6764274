//! # wxpay-model
//!
//! The wire types of WeChat Pay APIv3 merchant coupons (商家券, `/v3/marketing/busifavor`), and
//! one call that turns a raw callback into a verified, typed event. No IO: a transport (such as
//! `wxpay-http`) sends the requests this crate describes.
//!
//! * [`busifavor`] — one request type per endpoint, each implementing [`ApiRequest`] (method,
//!   path, query, body serialized once, [`ApiRequest::validate`], typed answer), the shared
//!   objects, and the `COUPON.SEND` event.
//! * Open enums: every enum keeps values it does not know as `Unknown(String)` and writes them
//!   back unchanged; WeChat Pay's spellings (`STOPED`, `SENDED`, `irregulary_avaliable_time`)
//!   are kept on the wire.
//! * [`Timestamp`] — RFC 3339 that re-serializes byte-identically; [`Timestamp::from_unix_beijing`]
//!   writes a time as WeChat Pay does.
//! * [`certificates`] — the `GET /v3/certificates` download and its list.
//! * [`ErrorBody`] / [`ErrorCode`] — WeChat Pay's error answer, with the documented fix as
//!   [`ErrorCode::hint`].
//! * [`open_notification`] — verify, parse, decrypt and type a callback, for any WeChat Pay
//!   product; [`NotificationReply`] — what to answer.
//!
//! ## Opening a COUPON.SEND callback, on any web framework
//!
//! Hand over the request's headers (any name case) and its **raw body bytes** — never a body
//! that was parsed and serialized again, which no longer matches the signature.
//!
//! ```
//! use wxpay_crypto::{ApiV3Key, Clock, FixedClock, Verifier, WechatPayPublicKey};
//! use wxpay_model::{Event, NotificationReply, open_notification_from_headers};
//!
//! /// Your handler: framework-agnostic input, framework-agnostic output.
//! fn on_callback(
//!     headers: &[(&str, &str)],
//!     body: &[u8],
//!     verifier: &Verifier,
//!     apiv3: &ApiV3Key,
//!     clock: &dyn Clock, // `wxpay_crypto::SystemClock` in production
//! ) -> NotificationReply {
//!     let opened = open_notification_from_headers(
//!         headers.iter().map(|(k, v)| (*k, *v)),
//!         body,
//!         verifier,
//!         apiv3,
//!         clock,
//!     );
//!     match opened {
//!         Ok(n) => {
//!             // De-duplicate on n.id(): WeChat Pay may deliver the same notification again.
//!             if let Event::CouponSend(e) = &n.event {
//!                 println!("coupon {} of stock {} sent via {}", e.coupon_code, e.stock_id, e.send_channel);
//!             }
//!             NotificationReply::success() // 204
//!         }
//!         // Each stage has its own error; any failure makes WeChat Pay retry.
//!         Err(err) => NotificationReply::for_error(&err),
//!     }
//! }
//!
//! // Once, at start-up (the key pair here is the protocol contract's Appendix A test key).
//! let verifier = Verifier::new().with_public_key(
//!     "PUB_KEY_ID_00000000000000000000000000000001",
//!     WechatPayPublicKey::from_pem(include_str!("../../wxpay-crypto/testdata/spec_a1_pub.pem"))?,
//! );
//! let apiv3 = ApiV3Key::new("0123456789abcdefghijklmnopqrstuv")?;
//!
//! // What a framework hands over (Appendix A.5 of the protocol contract).
//! let body = r#"{"id":"8b33f79f-8869-5ae5-b41b-3c0b59f957d0","create_time":"2019-12-12T16:54:38+08:00","resource_type":"encrypt-resource","event_type":"COUPON.SEND","summary":"商家券领券通知","resource":{"original_type":"coupon","algorithm":"AEAD_AES_256_GCM","ciphertext":"TM+gylPJHsCnRYOe1FCfedKo4T7nDCxE4+RAkmOpKW7kepEn6yco586AoWwrynAckbvaMk/yGAbQyvU5siY/FvfYkZCgeDVKBsTR2sjzy0lxLEqqjUIYhH86tvoyrMEcK+1aevo2YQW8wuzLRA01QKfrqAacUeeCtsVMzElx3kT2zKjxZJf0NutRYtsFYJIXI7L7shml1ZzdRVPXDnp3s+Kl9pd369eyIEwiJYZOS8ud7TEce2uRqGIg+MSY2aqIGisTRIfwVoKueoldukNeiZO8wl+QzoILmcyMy0DkJGqVFjZesNDnCcFNEFme/Uvzx1BZmq4aIhZt6mMJ5OhRgnx+myxg+bvSHEgGKbO+JEHJMw77UZ8WUYaBpKUevyPf4ucYS/UrRayBrGYXQ0R7FeHRhPCRcurkbnbQtiLLNQzCCnQYPXoElUy96Lmam7xfWC0xbr4ozLi7EwNpWMLn7Lh0JlmLKQqPiHaqHtOuROIvf2lQRKQVheZvGrderg8/wUYp9tWfGc/7w8pcU7GmkQ+P/kQRFkeEVg==","associated_data":"coupon","nonce":"j9g1wAzF9Xn1"}}"#.as_bytes();
//! let headers = [
//!     ("Content-Type", "application/json"),
//!     ("Wechatpay-Timestamp", "1576140878"),
//!     ("wechatpay-nonce", "c5ac7061fccab6bf3e254dcf98995b8c"),
//!     ("Wechatpay-Signature", "oZkZQvatL31bl0Q6t8z6QnJSsmnx6uRj3LEEm18xHe/FJNxaXPFSLe/jsVxfGGz8snlM0glAv0vEURfNks6HfX+8/MX1W9Mq22/NJvHAKNLFORx8ry9dAg/gvIjo1WYmcEhq3Ze24l8Hr+M84+83xNEadekbtzmItbtwezKjifPBd6DsnET2Z0LaaFBYqpks1mxpFlV6XoAzcM5iruQ/d6mMbhz4i0flA+ZTtLWBc89+oGS0u2fVZbWA3Jp0J9VK5bd8/coCWqEKLXM/LY58ZHbya6pFFtMDPy2yHQLwKHdAuhGQcBkHE6dYah2RaHzyJoyA7cABL+sHni81Dz7KFQ=="),
//!     ("WECHATPAY-SERIAL", "PUB_KEY_ID_00000000000000000000000000000001"),
//! ];
//! let clock = FixedClock(1576140878); // the vector is old; production uses SystemClock
//!
//! let reply = on_callback(&headers, body, &verifier, &apiv3, &clock);
//! assert_eq!(reply.status, 204);
//!
//! // A body altered in transit (or re-serialized) is refused before anything is parsed.
//! let mut altered = body.to_vec();
//! altered[10] ^= 1;
//! let reply = on_callback(&headers, &altered, &verifier, &apiv3, &clock);
//! assert_eq!(reply.status, 401);
//! assert_eq!(reply.body, br#"{"code":"FAIL","message":"signature verification failed"}"#);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Calling an endpoint
//!
//! ```
//! use wxpay_model::{ApiRequest, Method};
//! use wxpay_model::busifavor::{ListUserCouponsRequest, CouponState};
//!
//! let mut req = ListUserCouponsRequest::new("oXyZ-123_abc", "wx233544546545989");
//! req.coupon_state = Some(CouponState::Sended);
//! req.validate()?; // never send an invalid request
//! assert_eq!(ListUserCouponsRequest::METHOD, Method::Get);
//! assert_eq!(
//!     req.path_and_query(), // exactly what is signed and sent
//!     "/v3/marketing/busifavor/users/oXyZ-123_abc/coupons?appid=wx233544546545989&coupon_state=SENDED",
//! );
//! let answer = ListUserCouponsRequest::parse_response(br#"{"total_count":0,"offset":0,"limit":20}"#)?;
//! assert_eq!(answer.total_count, 0);
//! # Ok::<(), wxpay_model::Error>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod api_error;
pub mod busifavor;
pub mod certificates;
mod error;
mod json;
mod notification;
mod open_enum;
mod redact;
mod request;
mod time;
mod validate;

pub use api_error::{ErrorBody, ErrorCode, ErrorDetail};
pub use error::{Error, ValidationError};
pub use notification::{
    ENCRYPT_RESOURCE, EncryptedResource, Event, Notification, NotificationEnvelope,
    NotificationReply, open_notification, open_notification_from_headers,
    open_verified_notification,
};
pub use request::{
    ApiRequest, Method, MultipartBody, NoContent, RequestBody, encode_path_segment, encode_query,
};
pub use time::{InvalidTimestamp, LenientTimestamp, Timestamp};
pub use validate::is_loopback_host;

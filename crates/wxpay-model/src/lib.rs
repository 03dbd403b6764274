//! # wxpay-model
//!
//! The wire types of WeChat Pay APIv3 merchant coupons (商家券, `/v3/marketing/busifavor`), and
//! one call that turns a raw callback into a verified, typed event. No IO: a transport sends the
//! requests this crate describes.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod api_error;
pub mod busifavor;
mod error;
mod json;
mod notification;
mod open_enum;
mod request;
mod time;
mod validate;

pub use api_error::{ErrorBody, ErrorCode, ErrorDetail};
pub use error::{Error, ValidationError};
pub use notification::{
    ENCRYPT_RESOURCE, EncryptedResource, Event, Notification, NotificationEnvelope,
    NotificationReply, open_notification, open_notification_from_headers,
};
pub use request::{
    ApiRequest, Method, MultipartBody, NoContent, RequestBody, encode_path_segment, encode_query,
};
pub use time::{InvalidTimestamp, Timestamp};

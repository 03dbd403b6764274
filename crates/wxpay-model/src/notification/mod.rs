//! Opening WeChat Pay notifications (spec §7): verify, parse the envelope, decrypt, dispatch —
//! for any WeChat Pay product — and the replies of §7.3.

mod envelope;
mod open;
mod reply;

pub use envelope::{ENCRYPT_RESOURCE, EncryptedResource, NotificationEnvelope};
pub use open::{
    Event, Notification, open_notification, open_notification_from_headers,
    open_verified_notification,
};
pub use reply::NotificationReply;

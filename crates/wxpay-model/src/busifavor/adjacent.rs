//! Endpoints next to busifavor: consumption cards, product coupons, marketing image upload
//! (spec §8.24–§8.27).

use serde::{Deserialize, Serialize};

use super::coupons::post_body;
use super::enums::ProductCouponType;
use super::{BASE, seg};
use crate::error::{Error, ValidationError};
use crate::request::{ApiRequest, Method, MultipartBody, RequestBody};
use crate::time::Timestamp;
use crate::validate as v;

/// `POST /v3/marketing/busifavor/coupons/{card_id}/send` — send a consumption card (§8.24).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendConsumptionCardRequest {
    /// Card id (path; never in the body).
    #[serde(skip)]
    pub card_id: String,
    /// Appid.
    pub appid: String,
    /// User.
    pub openid: String,
    /// Request number; with `send_time` unique.
    pub out_request_no: String,
    /// Send time, not older than 24 h.
    pub send_time: Timestamp,
}

impl SendConsumptionCardRequest {
    /// Send card `card_id` to `openid` at `send_time`.
    pub fn new(
        card_id: impl Into<String>,
        appid: impl Into<String>,
        openid: impl Into<String>,
        out_request_no: impl Into<String>,
        send_time: Timestamp,
    ) -> Self {
        Self {
            card_id: card_id.into(),
            appid: appid.into(),
            openid: openid.into(),
            out_request_no: out_request_no.into(),
            send_time,
        }
    }
}

impl ApiRequest for SendConsumptionCardRequest {
    type Response = SendConsumptionCardResponse;
    const METHOD: Method = Method::Post;
    const PATH_TEMPLATE: &'static str = "/v3/marketing/busifavor/coupons/{card_id}/send";
    fn path(&self) -> String {
        format!("{BASE}/coupons/{}/send", seg(&self.card_id))
    }
    fn body(&self) -> Result<RequestBody, Error> {
        RequestBody::json(self)
    }
    fn validate(&self) -> Result<(), ValidationError> {
        v::id("card_id", &self.card_id, 1, 64)?;
        v::id("appid", &self.appid, 1, 32)?;
        v::id("openid", &self.openid, 1, 128)?;
        v::id("out_request_no", &self.out_request_no, 1, 128)
    }
}

/// Answer to [`SendConsumptionCardRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendConsumptionCardResponse {
    /// The card's code.
    pub card_code: String,
}

/// `POST /v3/marketing/busifavor/product-coupons/send` — send a product coupon (§8.25).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendProductCouponRequest {
    /// User.
    pub openid: String,
    /// Appid.
    pub appid: String,
    /// Stock id.
    pub stock_id: String,
    /// Request number.
    pub out_request_no: String,
    /// `NORMAL` or `MEMBER`.
    pub coupon_type: ProductCouponType,
    /// Code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon_code: Option<String>,
    /// Member card id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_card_id: Option<String>,
}

impl SendProductCouponRequest {
    /// Send a product coupon of `stock_id` to `openid`.
    pub fn new(
        openid: impl Into<String>,
        appid: impl Into<String>,
        stock_id: impl Into<String>,
        out_request_no: impl Into<String>,
        coupon_type: ProductCouponType,
    ) -> Self {
        Self {
            openid: openid.into(),
            appid: appid.into(),
            stock_id: stock_id.into(),
            out_request_no: out_request_no.into(),
            coupon_type,
            coupon_code: None,
            member_card_id: None,
        }
    }

    fn check(&self) -> Result<(), ValidationError> {
        v::id("openid", &self.openid, 1, 128)?;
        v::id("appid", &self.appid, 1, 32)?;
        v::id("stock_id", &self.stock_id, 1, 20)?;
        v::id("out_request_no", &self.out_request_no, 1, 128)?;
        v::opt_text("coupon_code", self.coupon_code.as_ref(), 1, 32)?;
        v::opt_id("member_card_id", self.member_card_id.as_ref(), 1, 64)
    }
}
post_body!(
    SendProductCouponRequest,
    SendProductCouponResponse,
    "/product-coupons/send"
);

/// Answer to [`SendProductCouponRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendProductCouponResponse {
    /// Stock id.
    pub stock_id: String,
    /// Code.
    pub coupon_code: String,
    /// Request number.
    pub out_request_no: String,
}

/// `POST /v3/marketing/busifavor/product-coupons/pre-send` — pre-send a product coupon (§8.26).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreSendProductCouponRequest {
    /// Stock id.
    pub stock_id: String,
    /// Appid.
    pub appid: String,
    /// Request number.
    pub send_request_no: String,
    /// Code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon_code: Option<String>,
    /// User.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub openid: Option<String>,
    /// Brand id (listed as required by one source, not defined).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brand_id: Option<String>,
    /// Product coupon id (listed as required by one source, not defined).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_coupon_id: Option<String>,
}

impl PreSendProductCouponRequest {
    /// Pre-send a product coupon of `stock_id`.
    pub fn new(
        stock_id: impl Into<String>,
        appid: impl Into<String>,
        send_request_no: impl Into<String>,
    ) -> Self {
        Self {
            stock_id: stock_id.into(),
            appid: appid.into(),
            send_request_no: send_request_no.into(),
            coupon_code: None,
            openid: None,
            brand_id: None,
            product_coupon_id: None,
        }
    }

    fn check(&self) -> Result<(), ValidationError> {
        v::id("stock_id", &self.stock_id, 1, 20)?;
        v::id("appid", &self.appid, 1, 32)?;
        v::id("send_request_no", &self.send_request_no, 1, 128)?;
        v::opt_text("coupon_code", self.coupon_code.as_ref(), 1, 32)?;
        v::opt_id("openid", self.openid.as_ref(), 1, 128)
    }
}
post_body!(
    PreSendProductCouponRequest,
    PreSendProductCouponResponse,
    "/product-coupons/pre-send"
);

/// Answer to [`PreSendProductCouponRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreSendProductCouponResponse {
    /// Token for the mini-program component.
    pub token: String,
}

/// Largest image accepted by the marketing image upload, bytes.
pub const MAX_IMAGE_BYTES: usize = 2 * 1024 * 1024;

/// `POST /v3/marketing/favor/media/image-upload` — upload a logo or coupon image (§8.27).
///
/// The signed body is the `meta` JSON `{"filename":…,"sha256":…}`; [`ImageUploadRequest::new`]
/// computes the file's SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageUploadRequest {
    /// File name, ending in `.jpg`, `.jpeg` or `.png`.
    pub file_name: String,
    /// `image/jpeg` or `image/png`.
    pub content_type: String,
    /// The image.
    pub file: Vec<u8>,
    /// Hex SHA-256 of `file`.
    pub sha256: String,
}

/// The `meta` part of an image upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageUploadMeta {
    /// File name.
    pub filename: String,
    /// Hex SHA-256 of the file.
    pub sha256: String,
}

impl ImageUploadRequest {
    /// Upload `file` named `file_name` (`.jpg`, `.jpeg`, `.png`; the content type follows the
    /// extension). The SHA-256 for the signed `meta` part is computed here.
    pub fn new(file_name: impl Into<String>, file: Vec<u8>) -> Self {
        let file_name = file_name.into();
        let content_type = if file_name.to_ascii_lowercase().ends_with(".png") {
            "image/png"
        } else {
            "image/jpeg"
        };
        Self {
            file_name,
            content_type: content_type.to_owned(),
            sha256: wxpay_crypto::sha256_hex(&file),
            file,
        }
    }
}

impl ApiRequest for ImageUploadRequest {
    type Response = ImageUploadResponse;
    const METHOD: Method = Method::Post;
    const PATH_TEMPLATE: &'static str = "/v3/marketing/favor/media/image-upload";
    fn path(&self) -> String {
        Self::PATH_TEMPLATE.to_owned()
    }
    fn body(&self) -> Result<RequestBody, Error> {
        let meta = ImageUploadMeta {
            filename: self.file_name.clone(),
            sha256: self.sha256.clone(),
        };
        let meta = match RequestBody::json(&meta)? {
            RequestBody::Json(bytes) => bytes,
            _ => Vec::new(),
        };
        Ok(RequestBody::Multipart(MultipartBody {
            meta,
            file_name: self.file_name.clone(),
            content_type: self.content_type.clone(),
            file: self.file.clone(),
        }))
    }
    fn validate(&self) -> Result<(), ValidationError> {
        v::text("file_name", &self.file_name, 1, 128)?;
        let lower = self.file_name.to_ascii_lowercase();
        v::rule(
            "file_name",
            [".jpg", ".jpeg", ".png"].iter().any(|e| lower.ends_with(e)),
            "end in .jpg, .jpeg or .png",
            || format!("{:?}", self.file_name),
        )?;
        v::rule(
            "content_type",
            matches!(
                self.content_type.as_str(),
                "image/jpeg" | "image/jpg" | "image/png"
            ),
            "be image/jpeg or image/png",
            || format!("{:?}", self.content_type),
        )?;
        v::rule(
            "file",
            !self.file.is_empty() && self.file.len() <= MAX_IMAGE_BYTES,
            "be 1..=2097152 bytes",
            || format!("{} bytes", self.file.len()),
        )?;
        v::chars("sha256", &self.sha256, 64, 64)?;
        v::charset("sha256", &self.sha256, "be hex digits", |c| {
            c.is_ascii_hexdigit()
        })?;
        let actual = wxpay_crypto::sha256_hex(&self.file);
        v::rule(
            "sha256",
            self.sha256.eq_ignore_ascii_case(&actual),
            "be the hex SHA-256 of `file` (WeChat Pay checks it)",
            || format!("{} (the file's is {actual})", self.sha256),
        )
    }
}

/// Answer to [`ImageUploadRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageUploadResponse {
    /// URL to use as `merchant_logo_url`, `coupon_image_url` or a cover image.
    pub media_url: String,
}

//! Request types of every call shape, implementing the model's `ApiRequest` contract the way
//! the busifavor endpoints do.

use serde::{Deserialize, Serialize};
use wxpay_model::{
    ApiRequest, Error, Method, MultipartBody, NoContent, RequestBody, ValidationError,
    encode_path_segment,
};

/// `GET /v3/test/stocks/{stock_id}?…` with a query that needs encoding.
pub struct GetStock {
    pub stock_id: String,
    pub filter: Option<String>,
    pub limit: u32,
}

/// The answer of [`GetStock`] and [`CreateStock`].
#[derive(Debug, Deserialize, PartialEq, Eq)]
pub struct Stock {
    pub stock_id: String,
    #[serde(default)]
    pub stock_name: Option<String>,
}

impl ApiRequest for GetStock {
    type Response = Stock;
    const METHOD: Method = Method::Get;
    const PATH_TEMPLATE: &'static str = "/v3/test/stocks/{stock_id}";
    fn path(&self) -> String {
        format!("/v3/test/stocks/{}", encode_path_segment(&self.stock_id))
    }
    fn query(&self) -> Vec<(&'static str, String)> {
        let mut q = vec![("limit", self.limit.to_string())];
        if let Some(f) = &self.filter {
            q.push(("filter", f.clone()));
        }
        q
    }
    fn body(&self) -> Result<RequestBody, Error> {
        Ok(RequestBody::Empty)
    }
    fn validate(&self) -> Result<(), ValidationError> {
        if self.stock_id.is_empty() {
            return Err(ValidationError::new(
                "stock_id",
                "be non-empty",
                "an empty string",
            ));
        }
        Ok(())
    }
}

/// `POST /v3/test/stocks` with a JSON body carrying a business request number.
#[derive(Serialize)]
pub struct CreateStock {
    pub stock_name: String,
    pub out_request_no: String,
}

impl ApiRequest for CreateStock {
    type Response = Stock;
    const METHOD: Method = Method::Post;
    const PATH_TEMPLATE: &'static str = "/v3/test/stocks";
    fn path(&self) -> String {
        Self::PATH_TEMPLATE.to_owned()
    }
    fn body(&self) -> Result<RequestBody, Error> {
        RequestBody::json(self)
    }
    fn validate(&self) -> Result<(), ValidationError> {
        if self.stock_name.chars().count() > 21 {
            return Err(ValidationError::new(
                "stock_name",
                "be 1..=21 characters",
                format!("{} characters", self.stock_name.chars().count()),
            ));
        }
        Ok(())
    }
}

/// `PATCH /v3/test/stocks/{stock_id}` answered with 204.
#[derive(Serialize)]
pub struct PatchStock {
    #[serde(skip)]
    pub stock_id: String,
    pub out_request_no: String,
    pub comment: String,
}

impl ApiRequest for PatchStock {
    type Response = NoContent;
    const METHOD: Method = Method::Patch;
    const PATH_TEMPLATE: &'static str = "/v3/test/stocks/{stock_id}";
    fn path(&self) -> String {
        format!("/v3/test/stocks/{}", encode_path_segment(&self.stock_id))
    }
    fn body(&self) -> Result<RequestBody, Error> {
        RequestBody::json(self)
    }
    fn validate(&self) -> Result<(), ValidationError> {
        Ok(())
    }
}

/// `DELETE /v3/test/stocks/{stock_id}/codes/{code}?…` answered with 204.
pub struct DeleteCode {
    pub stock_id: String,
    pub code: String,
    pub delete_request_no: String,
}

impl ApiRequest for DeleteCode {
    type Response = NoContent;
    const METHOD: Method = Method::Delete;
    const PATH_TEMPLATE: &'static str = "/v3/test/stocks/{stock_id}/codes/{code}";
    fn path(&self) -> String {
        format!(
            "/v3/test/stocks/{}/codes/{}",
            encode_path_segment(&self.stock_id),
            encode_path_segment(&self.code)
        )
    }
    fn query(&self) -> Vec<(&'static str, String)> {
        vec![("delete_request_no", self.delete_request_no.clone())]
    }
    fn body(&self) -> Result<RequestBody, Error> {
        Ok(RequestBody::Empty)
    }
    fn validate(&self) -> Result<(), ValidationError> {
        Ok(())
    }
}

/// `POST /v3/test/media/upload` as `multipart/form-data` (meta + file).
pub struct UploadImage {
    pub file_name: String,
    pub file: Vec<u8>,
}

/// The answer of [`UploadImage`].
#[derive(Debug, Deserialize)]
pub struct Uploaded {
    pub media_url: String,
}

impl ApiRequest for UploadImage {
    type Response = Uploaded;
    const METHOD: Method = Method::Post;
    const PATH_TEMPLATE: &'static str = "/v3/test/media/upload";
    fn path(&self) -> String {
        Self::PATH_TEMPLATE.to_owned()
    }
    fn body(&self) -> Result<RequestBody, Error> {
        let meta = format!(r#"{{"filename":"{}","sha256":"00ff"}}"#, self.file_name);
        Ok(RequestBody::Multipart(MultipartBody {
            meta: meta.into_bytes(),
            file_name: self.file_name.clone(),
            content_type: "image/png".into(),
            file: self.file.clone(),
        }))
    }
    fn validate(&self) -> Result<(), ValidationError> {
        Ok(())
    }
}

pub fn get_stock() -> GetStock {
    GetStock {
        stock_id: "98065001".into(),
        filter: Some("满 100 减/10".into()),
        limit: 10,
    }
}

pub fn create_stock() -> CreateStock {
    CreateStock {
        stock_name: "新人券".into(),
        out_request_no: "REQ-20260101-0001".into(),
    }
}

pub const STOCK_JSON: &str = r#"{"stock_id":"98065001","stock_name":"新人券","new_field":1}"#;

//! `wxpay api METHOD PATH [--data …]`: any APIv3 endpoint, signed, sent, answer verified.

use wxpay_model::{ApiRequest, Method, RequestBody, ValidationError};

use crate::cli::ApiArgs;
use crate::client;
use crate::failure::Result;

/// Any endpoint, sent through the `busifavor` client: the method is a type parameter because
/// `ApiRequest::METHOD` is a constant.
struct Raw<const M: u8> {
    path: String,
    body: Vec<u8>,
}

const fn method_of(m: u8) -> Method {
    match m {
        0 => Method::Get,
        1 => Method::Post,
        2 => Method::Put,
        3 => Method::Patch,
        _ => Method::Delete,
    }
}

impl<const M: u8> ApiRequest for Raw<M> {
    /// The raw answer body: printed as received.
    type Response = Vec<u8>;
    const METHOD: Method = method_of(M);
    const PATH_TEMPLATE: &'static str = "(wxpay api)";

    fn path(&self) -> String {
        self.path.clone()
    }

    fn body(&self) -> Result<RequestBody, wxpay_model::Error> {
        Ok(if self.body.is_empty() {
            RequestBody::Empty
        } else {
            RequestBody::Json(self.body.clone())
        })
    }

    fn validate(&self) -> Result<(), ValidationError> {
        Ok(())
    }

    fn parse_response(body: &[u8]) -> Result<Vec<u8>, wxpay_model::Error> {
        Ok(body.to_vec())
    }
}

/// Runs `wxpay api`.
pub async fn run(args: &ApiArgs) -> Result<()> {
    let method = super::method(&args.method)?;
    let path = super::path_and_query(&args.path)?;
    let body = super::body(method, args.data.as_deref())?;
    let configured = client::build(&args.client)?;
    let c = &configured.client;
    let answer = match method {
        "GET" => c.execute(&Raw::<0> { path, body }).await,
        "POST" => c.execute(&Raw::<1> { path, body }).await,
        "PUT" => c.execute(&Raw::<2> { path, body }).await,
        "PATCH" => c.execute(&Raw::<3> { path, body }).await,
        _ => c.execute(&Raw::<4> { path, body }).await,
    }
    .map_err(|e| client::failure(e, &configured))?;
    eprintln!(
        "HTTP {} · Request-ID {} · {} attempt(s) · answer signature verified",
        answer.status(),
        answer.request_id().unwrap_or("none"),
        answer.attempts()
    );
    let raw = answer.into_value();
    if args.raw || raw.is_empty() {
        crate::output::bytes(&raw);
        return Ok(());
    }
    match serde_json::from_slice::<serde_json::Value>(&raw) {
        Ok(v) => super::print_json(&v),
        Err(_) => {
            eprintln!("note: the answer is not JSON; printed as received");
            crate::output::bytes(&raw);
            Ok(())
        }
    }
}

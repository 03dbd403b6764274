//! # busifavor
//!
//! WeChat Pay merchant coupons (商家券, `/v3/marketing/busifavor`) for Rust services: every
//! endpoint as a typed method on [`Client`], front-end issuing signs, and COUPON.SEND callbacks
//! verified, decrypted and handled exactly once (module [`callback`]).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod callback;
mod client;
mod error;

pub use client::Client;
pub use error::Error;

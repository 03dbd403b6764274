//! Every endpoint of the `busifavor` client end to end: against the in-process simulator
//! (`wxpay-mock`, 127.0.0.1 port 0) for §8.1–§8.23, against a small signing server for the
//! endpoints the simulator does not serve (§8.24–§8.27). For each: a success, a validation
//! error caught before sending (checked from the server's side), and an API error mapped to the
//! typed error with its hint; plus paging, configuration, front-end issuing, callbacks, lenient
//! answers and the no-other-host guarantee.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod adjacent;
mod codes;
mod config;
mod coupons;
mod issuing;
mod lenient;
mod notification;
mod notify_url;
mod safety;
mod signing_server;
mod stocks;
mod subsidy;
mod support;

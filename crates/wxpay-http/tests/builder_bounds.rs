//! `build()` refuses durations outside sane bounds with a clear error, instead of panicking on
//! a background task (`pool_idle_timeout(Duration::MAX)` overflowed an `Instant`) or flooding
//! WeChat Pay (`certificate_refresh_interval(Duration::ZERO)` sent ~460 certificate downloads a
//! second) — issue 12.

mod support;

use std::time::Duration;

use support::*;
use wxpay_http::Error;

fn builder() -> wxpay_http::ClientBuilder {
    base_builder()
        .base_url("http://127.0.0.1:9")
        .wechatpay_public_key(PUB_KEY_ID, WECHATPAY_PUB)
}

#[track_caller]
fn refused(builder: wxpay_http::ClientBuilder, setting: &str) {
    match builder.build() {
        Err(Error::Config { reason, .. }) => {
            assert!(reason.contains(setting), "{reason}")
        }
        Err(other) => panic!("{setting}: expected Config, got {other:?}"),
        Ok(_) => panic!("{setting}: an out-of-bounds value was accepted"),
    }
}

#[test]
fn out_of_bounds_durations_are_refused_by_build() {
    refused(
        builder().pool_idle_timeout(Duration::MAX),
        "pool_idle_timeout",
    );
    refused(
        builder().pool_idle_timeout(Duration::from_secs(3601)),
        "pool_idle_timeout",
    );
    refused(
        builder().certificate_refresh_interval(Duration::ZERO),
        "certificate_refresh_interval",
    );
    refused(
        builder().certificate_refresh_interval(Duration::from_millis(999)),
        "certificate_refresh_interval",
    );
    refused(
        builder().certificate_refresh_interval(Duration::MAX),
        "certificate_refresh_interval",
    );
    refused(builder().signature_tolerance(0), "signature_tolerance");
    refused(
        builder().signature_tolerance(u64::MAX),
        "signature_tolerance",
    );
}

#[test]
fn values_inside_the_bounds_build() {
    builder()
        .pool_idle_timeout(Duration::ZERO)
        .certificate_refresh_interval(Duration::from_secs(1))
        .signature_tolerance(3600)
        .build()
        .expect("bounds are inclusive");
    builder().build().expect("the defaults build");
}

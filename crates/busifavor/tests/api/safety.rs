//! A client aimed at a simulator contacts no other host, even when the simulator is down.

use busifavor::{Client, Error};

use crate::support::*;

#[tokio::test]
async fn a_client_aimed_at_a_stopped_simulator_contacts_no_other_host() {
    let mock = wxpay_mock::MockBuilder::new().start().await.unwrap();
    let client = Client::builder()
        .config(&config(&mock))
        .unwrap()
        .retry_policy(fast_retries())
        .build()
        .unwrap();
    let base = mock.base_url();
    let host = base.trim_start_matches("http://").to_owned();
    mock.shutdown().await;

    // The only endpoint the client has is the simulator: no implicit WeChat Pay backup.
    assert_eq!(client.http().base_url(), base);
    assert_eq!(client.http().backup_url(), None);
    let err = client.get_callback_url(None).await.unwrap_err();
    let Error::Transport(busifavor::wxpay_http::Error::Connect { tried, .. }) = &err else {
        panic!("expected a connection failure, got {err:?}");
    };
    assert_eq!(tried, &vec![host.clone()], "only the simulator was tried");
    let text = err.to_string();
    assert!(text.contains(&host) && !text.contains("weixin"), "{text}");
    assert!(err.is_retryable());
}

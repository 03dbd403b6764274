//! Every call shape against the local stand-in: what is sent, signed and returned.

mod support;

use support::requests::*;
use support::*;
use wxpay_http::Error;
use wxpay_model::NoContent;

#[tokio::test]
async fn get_with_query_is_signed_as_sent_and_verified() {
    let server = TestServer::start(|_| Reply::json(200, STOCK_JSON)).await;
    let client = client_for(&server)
        .user_agent_suffix("shop/1.0")
        .build()
        .unwrap();

    let answer = client.execute(&get_stock()).await.unwrap();
    assert_eq!(answer.value().stock_id, "98065001");
    assert_eq!(answer.stock_name.as_deref(), Some("新人券"));
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.request_id(), Some("RID-1"));
    assert_eq!(answer.attempts(), 1);

    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert!(r.auth_ok, "merchant signature must verify: {:?}", r.auth);
    assert_eq!(r.method, "GET");
    assert_eq!(
        r.path_and_query,
        "/v3/test/stocks/98065001?limit=10&filter=%E6%BB%A1%20100%20%E5%87%8F%2F10"
    );
    assert!(r.body.is_empty());
    assert_eq!(r.header("accept"), Some("application/json"));
    assert_eq!(r.header("content-type"), None);
    assert_eq!(r.header("wechatpay-serial"), Some(PUB_KEY_ID));
    let ua = r.header("user-agent").unwrap();
    assert!(
        ua.starts_with("wxpay/") && ua.contains(") Rust") && ua.ends_with(" shop/1.0"),
        "{ua}"
    );
    assert_eq!(r.auth["mchid"], MCHID);
    assert_eq!(r.auth["serial_no"], MERCHANT_SERIAL);
    assert_eq!(r.auth["nonce_str"].len(), 32);
}

#[tokio::test]
async fn post_sends_and_signs_the_same_json_bytes() {
    let server = TestServer::start(|_| Reply::json(200, STOCK_JSON)).await;
    let client = client_for(&server).build().unwrap();
    let answer = client.execute(&create_stock()).await.unwrap();
    assert_eq!(answer.stock_id, "98065001");

    let r = &server.requests()[0];
    assert!(r.auth_ok);
    assert_eq!(r.method, "POST");
    assert_eq!(r.path_and_query, "/v3/test/stocks");
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(
        r.body,
        r#"{"stock_name":"新人券","out_request_no":"REQ-20260101-0001"}"#.as_bytes()
    );
}

#[tokio::test]
async fn patch_answered_204_verifies_the_empty_body() {
    let server = TestServer::start(|_| Reply::no_content()).await;
    let client = client_for(&server).build().unwrap();
    let req = PatchStock {
        stock_id: "9806 5001".into(),
        out_request_no: "R1".into(),
        comment: "x".into(),
    };
    let answer = client.execute(&req).await.unwrap();
    assert_eq!(answer.status(), 204);
    assert_eq!(*answer.value(), NoContent);
    let r = &server.requests()[0];
    assert!(r.auth_ok);
    assert_eq!(r.method, "PATCH");
    assert_eq!(r.path_and_query, "/v3/test/stocks/9806%205001");
    assert_eq!(r.body, br#"{"out_request_no":"R1","comment":"x"}"#);
}

#[tokio::test]
async fn delete_with_query_answered_204() {
    let server = TestServer::start(|_| Reply::no_content()).await;
    let client = client_for(&server).build().unwrap();
    let req = DeleteCode {
        stock_id: "98065001".into(),
        code: "code/1".into(),
        delete_request_no: "D 1".into(),
    };
    let answer = client.execute(&req).await.unwrap();
    assert_eq!(answer.status(), 204);
    let r = &server.requests()[0];
    assert!(r.auth_ok);
    assert_eq!(r.method, "DELETE");
    assert_eq!(
        r.path_and_query,
        "/v3/test/stocks/98065001/codes/code%2F1?delete_request_no=D%201"
    );
    assert!(r.body.is_empty());
    assert_eq!(r.header("content-type"), None);
}

#[tokio::test]
async fn invalid_request_never_leaves() {
    let server = TestServer::start(|_| Reply::json(200, STOCK_JSON)).await;
    let client = client_for(&server).build().unwrap();
    let mut req = create_stock();
    req.stock_name = "一二三四五六七八九十一二三四五六七八九十一二".into();
    let err = client.execute(&req).await.unwrap_err();
    match &err {
        Error::Validation(v) => assert_eq!(v.field, "stock_name"),
        other => panic!("expected a validation error, got {other:?}"),
    }
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn connections_are_reused_across_requests() {
    let server = TestServer::start(|_| Reply::json(200, STOCK_JSON)).await;
    let client = client_for(&server).build().unwrap();
    for _ in 0..5 {
        client.execute(&get_stock()).await.unwrap();
    }
    let clone = client.clone();
    clone.execute(&create_stock()).await.unwrap();
    assert_eq!(server.requests().len(), 6);
    assert_eq!(
        server.connections(),
        1,
        "every request after the first reuses the pooled connection"
    );
}

#[tokio::test]
async fn non_2xx_is_an_api_error_with_everything_kept() {
    let server = TestServer::start(|_| {
        Reply::json(
            400,
            r#"{"code":"PARAM_ERROR","message":"参数错误","detail":{"field":"/stock_name","issue":"too long","location":"body"}}"#,
        )
        .unsigned()
    })
    .await;
    let client = client_for(&server).build().unwrap();
    let err = client.execute(&create_stock()).await.unwrap_err();
    let api = err.as_api().expect("api error");
    assert_eq!(api.status, 400);
    assert_eq!(api.code.as_ref().map(|c| c.as_str()), Some("PARAM_ERROR"));
    assert_eq!(api.message.as_deref(), Some("参数错误"));
    assert_eq!(
        api.detail.as_ref().and_then(|d| d.field.as_deref()),
        Some("/stock_name")
    );
    assert!(api.hint.is_some());
    assert_eq!(api.request_id.as_deref(), Some("RID-1"));
    assert!(api.raw_body.contains("PARAM_ERROR"));
    assert_eq!(err.request_id(), Some("RID-1"));
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn gateway_error_with_html_body_is_kept_raw() {
    let server = TestServer::start(|_| {
        Reply::json(403, "<html>forbidden by gateway</html>")
            .unsigned()
            .header("x", "y")
    })
    .await;
    let client = client_for(&server).build().unwrap();
    let err = client.execute(&get_stock()).await.unwrap_err();
    let api = err.as_api().expect("api error");
    assert_eq!(api.status, 403);
    assert!(api.code.is_none());
    assert_eq!(api.raw_body, "<html>forbidden by gateway</html>");
    assert!(err.to_string().contains("forbidden by gateway"));
}

#[tokio::test]
async fn undecodable_verified_body_is_a_decode_error() {
    let server = TestServer::start(|_| Reply::json(200, r#"{"no_stock_id":true}"#)).await;
    let client = client_for(&server).build().unwrap();
    let err = client.execute(&get_stock()).await.unwrap_err();
    assert!(matches!(err, Error::Decode { status: 200, .. }), "{err:?}");
}

#[tokio::test]
async fn multipart_upload_signs_the_meta_part() {
    let server =
        TestServer::start(|_| Reply::json(200, r#"{"media_url":"https://example.invalid/m"}"#))
            .await;
    let client = client_for(&server).build().unwrap();
    let req = UploadImage {
        file_name: "logo.png".into(),
        file: vec![0x89, b'P', b'N', b'G', 0, 1, 2],
    };
    let answer = client.execute(&req).await.unwrap();
    assert_eq!(answer.media_url, "https://example.invalid/m");
    let r = &server.requests()[0];
    assert!(r.auth_ok, "signed over the meta JSON");
    assert!(
        r.header("content-type")
            .unwrap()
            .starts_with("multipart/form-data; boundary=")
    );
    assert_eq!(
        multipart_meta(&r.body).unwrap(),
        br#"{"filename":"logo.png","sha256":"00ff"}"#
    );
    assert!(
        r.body
            .windows(7)
            .any(|w| w == [0x89, b'P', b'N', b'G', 0, 1, 2])
    );
}

#[tokio::test]
async fn the_stand_in_rejects_a_wrong_merchant_signature() {
    let server = TestServer::start(|_| Reply::json(200, STOCK_JSON)).await;
    // Signed with another private key than the merchant public key the server holds.
    let client = client_for(&server)
        .merchant_private_key_pem(WECHATPAY_KEY)
        .build()
        .unwrap();
    let err = client.execute(&create_stock()).await.unwrap_err();
    assert_eq!(err.as_api().map(|a| a.status), Some(401));
    assert!(!server.requests()[0].auth_ok);
}

#[tokio::test]
async fn idle_pooled_connections_are_closed_after_the_idle_timeout() {
    let server = TestServer::start(|_| Reply::json(200, STOCK_JSON)).await;
    let client = client_for(&server)
        .pool_idle_timeout(std::time::Duration::from_millis(50))
        .build()
        .unwrap();
    client.execute(&get_stock()).await.unwrap();
    client.execute(&get_stock()).await.unwrap();
    assert_eq!(server.connections(), 1, "reused while fresh");
    // WeChat Pay closes idle connections after 8 s; the client must drop its own first.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    client.execute(&get_stock()).await.unwrap();
    assert_eq!(server.connections(), 2, "an idle connection is not reused");
}

#[tokio::test]
async fn debug_output_of_public_types_holds_no_secret() {
    let server = TestServer::start(|_| Reply::json(200, STOCK_JSON)).await;
    let builder = client_for(&server).api_v3_key(API_V3_KEY);
    let builder_debug = format!("{builder:?}");
    let client = builder.build().unwrap();
    let config_error = client_for(&server)
        .merchant_private_key_pem(MERCHANT_KEY.replace("MII", "XXX"))
        .build()
        .unwrap_err();
    let texts = [
        builder_debug,
        format!("{client:?}"),
        format!("{:?}", client.key_set()),
        format!("{:?}", client.api_v3_key()),
        format!("{config_error:?}"),
        config_error.to_string(),
    ];
    let mut secrets = vec![API_V3_KEY.to_owned(), "PRIVATE KEY".to_owned()];
    secrets.extend(
        MERCHANT_KEY
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .map(|l| l[..16].to_owned()),
    );
    for text in &texts {
        for secret in &secrets {
            assert!(!text.contains(secret.as_str()), "{secret:?} in {text}");
        }
    }
    assert!(texts[1].contains(MCHID), "Debug stays useful: {}", texts[1]);
}

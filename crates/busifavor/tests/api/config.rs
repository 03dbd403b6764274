//! Configuration from the environment (injected, never the process's own) and from TOML:
//! one error per variable, naming it and never showing a secret.

use std::collections::HashMap;
use std::path::PathBuf;

use busifavor::{Client, Config, ConfigError, SetCallbackRequest};
use wxpay_mock::{
    DEFAULT_PUBLIC_KEY_ID, DEMO_APIV2_KEY, DEMO_APIV3_KEY, DEMO_CERT_SERIAL, DEMO_MCHID,
    MockBuilder,
};

/// A fresh folder holding the simulator's key files.
fn key_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("busifavor-config-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("demo_merchant_key.pem"),
        wxpay_mock::demo_merchant_private_key_pem(),
    )
    .unwrap();
    std::fs::write(
        dir.join("wechatpay_pub.pem"),
        include_str!("../../../wxpay-mock/keys/wechatpay_pub.pem"),
    )
    .unwrap();
    std::fs::write(
        dir.join("garbage.pem"),
        "-----BEGIN PRIVATE KEY-----\nSECRETMATERIAL\n-----END PRIVATE KEY-----\n",
    )
    .unwrap();
    dir
}

fn good_env(dir: &std::path::Path) -> HashMap<&'static str, String> {
    HashMap::from([
        ("WXPAY_MCHID", DEMO_MCHID.to_owned()),
        ("WXPAY_MERCHANT_SERIAL", DEMO_CERT_SERIAL.to_owned()),
        (
            "WXPAY_PRIVATE_KEY_PATH",
            dir.join("demo_merchant_key.pem").display().to_string(),
        ),
        ("WXPAY_PUBLIC_KEY_ID", DEFAULT_PUBLIC_KEY_ID.to_owned()),
        (
            "WXPAY_PUBLIC_KEY_PATH",
            dir.join("wechatpay_pub.pem").display().to_string(),
        ),
        ("WXPAY_APIV3_KEY", DEMO_APIV3_KEY.to_owned()),
        ("WXPAY_APIV2_KEY", DEMO_APIV2_KEY.to_owned()),
        ("WXPAY_BASE_URL", "http://127.0.0.1:9".to_owned()),
    ])
}

fn load(vars: &HashMap<&'static str, String>) -> Result<Config, ConfigError> {
    Config::from_env_source(|name| vars.get(name).cloned())
}

/// Loads `vars` with `name` changed (`None`: unset) and returns the error.
fn error_with(dir: &std::path::Path, name: &'static str, value: Option<&str>) -> ConfigError {
    let mut vars = good_env(dir);
    match value {
        Some(v) => vars.insert(name, v.to_owned()),
        None => vars.remove(name),
    };
    load(&vars).expect_err(name)
}

fn assert_names(e: &ConfigError, key: &str, secret: Option<&str>) {
    assert_eq!(e.key, key, "{e}");
    let text = e.to_string();
    assert!(text.contains(key), "{text}");
    if let Some(secret) = secret {
        assert!(!text.contains(secret), "leaks the value: {text}");
        assert!(
            !format!("{e:?}").contains(secret),
            "leaks the value in Debug: {e:?}"
        );
    }
}

#[test]
fn every_variable_has_its_own_error() {
    let dir = key_dir("env");
    load(&good_env(&dir)).expect("the complete set loads");

    assert_names(&error_with(&dir, "WXPAY_MCHID", None), "WXPAY_MCHID", None);
    assert_names(
        &error_with(&dir, "WXPAY_MCHID", Some("19000x")),
        "WXPAY_MCHID",
        None,
    );
    assert_names(
        &error_with(&dir, "WXPAY_MERCHANT_SERIAL", None),
        "WXPAY_MERCHANT_SERIAL",
        None,
    );
    assert_names(
        &error_with(&dir, "WXPAY_MERCHANT_SERIAL", Some("not-hex!")),
        "WXPAY_MERCHANT_SERIAL",
        None,
    );
    // Private key: inline PEM that is not a key, both forms at once, neither, an unreadable file.
    let garbage = "-----BEGIN PRIVATE KEY-----\nSECRETMATERIAL\n-----END PRIVATE KEY-----\n";
    let mut vars = good_env(&dir);
    vars.remove("WXPAY_PRIVATE_KEY_PATH");
    vars.insert("WXPAY_PRIVATE_KEY", garbage.to_owned());
    assert_names(
        &load(&vars).unwrap_err(),
        "WXPAY_PRIVATE_KEY",
        Some("SECRETMATERIAL"),
    );
    assert_names(
        &error_with(
            &dir,
            "WXPAY_PRIVATE_KEY",
            Some(wxpay_mock::demo_merchant_private_key_pem()),
        ),
        "WXPAY_PRIVATE_KEY",
        Some("BEGIN"),
    );
    assert_names(
        &error_with(&dir, "WXPAY_PRIVATE_KEY_PATH", None),
        "WXPAY_PRIVATE_KEY",
        None,
    );
    assert_names(
        &error_with(
            &dir,
            "WXPAY_PRIVATE_KEY_PATH",
            Some("/nonexistent/apiclient_key.pem"),
        ),
        "WXPAY_PRIVATE_KEY_PATH",
        None,
    );
    assert_names(
        &error_with(
            &dir,
            "WXPAY_PRIVATE_KEY_PATH",
            Some(&dir.join("garbage.pem").display().to_string()),
        ),
        "WXPAY_PRIVATE_KEY_PATH",
        Some("SECRETMATERIAL"),
    );
    // Public key: id without file, file without id, a bad id, a file that is no key.
    assert_names(
        &error_with(&dir, "WXPAY_PUBLIC_KEY_PATH", None),
        "WXPAY_PUBLIC_KEY_PATH",
        None,
    );
    assert_names(
        &error_with(&dir, "WXPAY_PUBLIC_KEY_ID", None),
        "WXPAY_PUBLIC_KEY_ID",
        None,
    );
    assert_names(
        &error_with(&dir, "WXPAY_PUBLIC_KEY_ID", Some("1DDE55AD98ED")),
        "WXPAY_PUBLIC_KEY_ID",
        None,
    );
    assert_names(
        &error_with(
            &dir,
            "WXPAY_PUBLIC_KEY_PATH",
            Some(&dir.join("garbage.pem").display().to_string()),
        ),
        "WXPAY_PUBLIC_KEY_PATH",
        Some("SECRETMATERIAL"),
    );
    // Keys of the wrong length, never echoed.
    assert_names(
        &error_with(&dir, "WXPAY_APIV3_KEY", Some("apiv3-secret-too-short")),
        "WXPAY_APIV3_KEY",
        Some("apiv3-secret-too-short"),
    );
    assert_names(
        &error_with(&dir, "WXPAY_APIV2_KEY", Some("apiv2-secret-too-short")),
        "WXPAY_APIV2_KEY",
        Some("apiv2-secret-too-short"),
    );
    assert_names(
        &error_with(&dir, "WXPAY_BASE_URL", Some("http://api.example.com")),
        "WXPAY_BASE_URL",
        None,
    );
    assert_names(
        &error_with(
            &dir,
            "WXPAY_BASE_URL",
            Some("https://user:hunter2@h.example.com"),
        ),
        "WXPAY_BASE_URL",
        Some("hunter2"),
    );
    assert_names(
        &error_with(&dir, "WXPAY_APIV2_KEY", Some("  ")),
        "WXPAY_APIV2_KEY",
        None,
    );
    // No way to verify answers: neither a public key nor the APIv3 key.
    let mut vars = good_env(&dir);
    for v in [
        "WXPAY_PUBLIC_KEY_ID",
        "WXPAY_PUBLIC_KEY_PATH",
        "WXPAY_APIV3_KEY",
    ] {
        vars.remove(v);
    }
    let e = load(&vars).unwrap_err();
    assert!(e.problem.contains("WXPAY_APIV3_KEY"), "{e}");
}

#[test]
fn toml_errors_name_the_key() {
    let dir = key_dir("toml");
    let good = format!(
        "mchid = \"{DEMO_MCHID}\"\nmerchant_serial = \"{DEMO_CERT_SERIAL}\"\nprivate_key_path = \"demo_merchant_key.pem\"\npublic_key_id = \"{DEFAULT_PUBLIC_KEY_ID}\"\npublic_key_path = \"wechatpay_pub.pem\"\napiv3_key = \"{DEMO_APIV3_KEY}\"\n"
    );
    let path = dir.join("wxpay.toml");
    std::fs::write(&path, &good).unwrap();
    Config::from_toml_file(&path).expect("relative paths resolve against the file");
    // The same text from a string: relative paths are relative to the working directory.
    assert_eq!(
        Config::from_toml_str(&good).unwrap_err().key,
        "private_key_path"
    );

    for (line, key) in [
        (
            "apiv3_key = \"toolong-secret-value-0123456789abcdef\"",
            "apiv3_key",
        ),
        ("apiv2_key = \"short-secret\"", "apiv2_key"),
        ("base_url = \"ftp://x\"", "base_url"),
        ("mchid = \"abc\"", "mchid"),
        (
            "public_key_id = \"PUB_KEY_ID_0000000000000000000000000000000001\"\npublic_key_path = \"garbage.pem\"",
            "public_key_path",
        ),
        ("api_v3_key = \"x\"", "api_v3_key"),
    ] {
        let text = good
            .lines()
            .filter(|l| {
                !line
                    .lines()
                    .any(|n| n.split('=').next() == l.split('=').next())
            })
            .chain(line.lines())
            .collect::<Vec<_>>()
            .join("\n");
        std::fs::write(&path, text).unwrap();
        let e = Config::from_toml_file(&path).expect_err(line);
        assert_eq!(e.key, key, "{line}: {e}");
        assert!(!e.to_string().contains("secret"), "{e}");
    }
    let e = Config::from_toml_file(dir.join("missing.toml")).unwrap_err();
    assert!(e.problem.contains("cannot read"), "{e}");
}

/// A client configured only through (injected) environment variables works end to end.
#[tokio::test]
async fn a_client_from_the_environment_calls_the_simulator() {
    let mock = MockBuilder::new().start().await.unwrap();
    let dir = key_dir("client");
    let mut vars = good_env(&dir);
    vars.insert("WXPAY_BASE_URL", mock.base_url());
    let client = Client::from_config(&load(&vars).unwrap()).unwrap();
    assert_eq!(client.http().base_url(), mock.base_url());
    assert_eq!(client.http().backup_url(), None);
    let url = "http://localhost:18080/wechatpay/coupon";
    client
        .set_callback_url(&SetCallbackRequest::new(url))
        .await
        .unwrap();
    assert_eq!(client.get_callback_url(None).await.unwrap().notify_url, url);
    // And the APIv2 key came along: front-end issuing works.
    assert!(
        client
            .plugin_params(vec![busifavor::PluginCoupon::new("1", "a")])
            .is_ok()
    );
}

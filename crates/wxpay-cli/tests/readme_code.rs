//! The Rust code the README shows, compiled here so it cannot rot: the callback handler on
//! axum (between the README markers below, copied verbatim into README.md) — and the
//! `busifavor` quick start, which must be the one of crates/busifavor/README.md (a doctest there).

#![allow(dead_code, clippy::unwrap_used)]

// README-BEGIN axum
use busifavor::callback::{CallbackHandler, RedisStore};

async fn receive_callbacks(client: busifavor::Client) -> Result<(), Box<dyn std::error::Error>> {
    let handler = CallbackHandler::builder()
        .client(client.http()) // verify with the client's keys, decrypt with its APIv3 key
        .store(RedisStore::connect("redis://127.0.0.1:6379").await?) // exactly once, many machines
        .on_coupon_send(|event, meta| async move {
            // Your code, idempotent on the coupon code; meta.fencing orders competing writers.
            println!(
                "coupon {} of stock {} (fencing {})",
                event.coupon_code, event.stock_id, meta.fencing
            );
            Ok::<(), std::io::Error>(())
        })
        .build()?;
    let app = axum::Router::new().route_service("/wechatpay/coupon", handler);
    axum::serve(tokio::net::TcpListener::bind("0.0.0.0:8080").await?, app).await?;
    Ok(())
}
// README-END axum

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap()
}

/// The lines between `// README-BEGIN name` and `// README-END name` of `text`.
fn between(text: &str, name: &str) -> String {
    let begin = format!("// README-BEGIN {name}\n");
    let end = format!("// README-END {name}");
    let start = text.find(&begin).unwrap() + begin.len();
    let stop = text[start..].find(&end).unwrap() + start;
    text[start..stop].to_owned()
}

#[test]
fn the_readme_shows_the_compiled_axum_handler_verbatim() {
    let this =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/readme_code.rs"))
            .unwrap();
    let code = between(&this, "axum");
    assert!(
        readme().contains(&format!("```rust\n{code}```")),
        "README.md must show:\n{code}"
    );
}

#[test]
fn the_readme_shows_the_busifavor_quick_start_verbatim() {
    let crate_readme = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../busifavor/README.md"
    ))
    .unwrap();
    let start = crate_readme.find("```rust,no_run\n").unwrap();
    let stop = crate_readme[start + 3..].find("```").unwrap() + start + 6;
    let quick_start = &crate_readme[start..stop];
    assert!(quick_start.contains("busifavor::Client::from_env()"));
    assert!(
        readme().contains(quick_start),
        "README.md must show:\n{quick_start}"
    );
}

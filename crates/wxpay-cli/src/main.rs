//! `wxpay`: WeChat Pay merchant coupons (商家券) from the command line.
//!
//! * `wxpay demo` — the whole merchant-coupon loop on a local simulator, checked step by step;
//! * `wxpay callbacks get|set` and `wxpay api METHOD PATH` — calls against a configured
//!   environment (WeChat Pay, or a simulator with `--base-url`);
//! * `wxpay notify open`, `wxpay sign`, `wxpay verify` — answers to "why does my signature
//!   fail?" from captured traffic;
//! * `wxpay mock serve` — the simulator for a service in any language.
//!
//! Exit codes are documented in `wxpay --help` and docs/cli.md.
#![forbid(unsafe_code)]

mod cli;
mod client;
mod cmd;
mod config;
mod demo;
mod diagnose;
mod duration;
mod failure;
mod input;
mod keyring;
mod output;
mod timefmt;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{CallbacksCommand, Cli, Command, MockCommand, NotifyCommand};
use crate::failure::{Failure, Result};

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("{}", failure.report());
            ExitCode::from(failure.exit_code())
        }
    }
}

/// Logs only when asked (`RUST_LOG=wxpay_http=debug`); the SDK never logs secrets.
fn init_logging() {
    if std::env::var_os("RUST_LOG").is_some() {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_writer(std::io::stderr)
            .try_init();
    }
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Sign(a) => cmd::sign::run(&a),
        Command::Verify(a) => cmd::verify::run(&a),
        Command::Notify(NotifyCommand::Open(a)) => cmd::notify::run(&a),
        Command::Api(a) => runtime()?.block_on(cmd::api::run(&a)),
        Command::Callbacks(CallbacksCommand::Get(a)) => {
            runtime()?.block_on(cmd::callbacks::get(&a))
        }
        Command::Callbacks(CallbacksCommand::Set(a)) => {
            runtime()?.block_on(cmd::callbacks::set(&a))
        }
        Command::Mock(MockCommand::Serve(a)) => runtime()?.block_on(cmd::mock::serve(&a)),
        Command::Demo(a) => runtime()?.block_on(demo::run(&a)),
    }
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::internal(format!("cannot start the async runtime: {e}")))
}

//! `wxpay verify`: checks the signature of a captured WeChat Pay answer (spec §3).

use crate::cli::VerifyArgs;
use crate::config::Settings;
use crate::diagnose::{Subject, TimeCheck, check_signature};
use crate::failure::{Failure, Result};
use crate::output::outln;

/// Runs `wxpay verify`.
pub fn run(args: &VerifyArgs) -> Result<()> {
    if args.headers.is_some() && args.body.is_none() && !args.empty_body {
        return Err(Failure::usage(
            "--headers needs --body FILE (or --empty-body for a 204 answer)",
        ));
    }
    if args.headers.is_none() && (args.body.is_some() || args.empty_body) {
        return Err(Failure::usage("--body / --empty-body need --headers FILE"));
    }
    let settings = Settings::load(&args.config)?;
    let ring = settings.key_ring(&args.keys)?;
    let message = super::captured(
        args.headers.as_deref(),
        args.body.as_deref(),
        args.response.as_ref(),
        "answer",
        "--response",
    )?;
    if let Some(status) = message
        .start_line
        .as_deref()
        .and_then(|l| l.split(' ').nth(1))
        .filter(|s| !s.starts_with('2'))
    {
        eprintln!(
            "note: this is an HTTP {status} answer; error answers may come unsigned, only 2xx answers must be signed"
        );
    }
    let ok = check_signature(
        &message.headers,
        &message.body,
        &ring,
        TimeCheck::from_args(&args.time),
        args.time.tolerance,
        Subject::Answer,
    )?;
    outln!(
        "signature OK: signed with {} (key from {}) over {} body bytes",
        ok.serial,
        ok.key_source,
        message.body.len()
    );
    outln!("time: {}", ok.time_note);
    if let Some(id) = message.header("request-id") {
        outln!("Request-ID: {id}");
    }
    Ok(())
}

//! `cargo xtask fuzz`: being written.

use std::io;
use std::path::Path;

/// Options of `cargo xtask fuzz`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Fuzz only this target (repeatable); the default is every target in `fuzz/fuzz_targets/`.
    #[arg(long)]
    target: Vec<String>,
    /// Seconds to fuzz each target.
    #[arg(long, default_value_t = 30)]
    seconds: u64,
}

/// Fuzzes each selected target for the given time.
pub fn run(_root: &Path, args: &Args) -> io::Result<bool> {
    eprintln!(
        "fuzzing ({:?}, {} s each) is not wired up yet",
        args.target, args.seconds
    );
    Ok(false)
}

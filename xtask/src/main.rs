//! Project automation for the wxpay workspace.
//!
//! Run through the cargo alias in `.cargo/config.toml`:
//!
//! - `cargo xtask ci` — every check CI runs (see `docs/ci.md`);
//! - `cargo xtask bench` — the benchmark suite under both crypto backends, written into
//!   `docs/performance.md`;
//! - `cargo xtask fuzz` — the cargo-fuzz targets in `fuzz/`, time-boxed.
#![forbid(unsafe_code)]

mod advisory_db;
mod bench;
mod ci;
mod cmd;
mod deny;
mod fuzz;
mod layering;
mod module_cycles;
mod store_tests;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// wxpay project automation.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the checks CI runs: fmt, clippy, tests, backends, benches, docs, package, layering,
    /// deny, fuzz smoke.
    Ci(ci::Args),
    /// Run the benchmark suite (both backends, several runs) and write `docs/performance.md`;
    /// `--only`/`--backend` re-measure part of it, `-p` is a plain `cargo bench`.
    Bench(bench::Args),
    /// Run the fuzz targets in `fuzz/` for a bounded time each.
    Fuzz(fuzz::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let root = workspace_root();
    let result = match cli.command {
        Command::Ci(args) => ci::run(&root, &args),
        Command::Bench(args) => bench::run(&root, &args),
        Command::Fuzz(args) => fuzz::run(&root, &args),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(err) => {
            eprintln!("xtask: {err}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root: the parent of this crate's manifest directory.
fn workspace_root() -> PathBuf {
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .parent()
        .map(PathBuf::from)
        .unwrap_or(manifest_dir)
}

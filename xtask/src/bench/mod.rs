//! `cargo xtask bench`: the benchmark suite, and `docs/performance.md` written from it.
//!
//! Without `-p` or a filter it runs every benchmark of the suite ([`suite::invocations`]) under both
//! crypto backends, `--runs` times, takes the median of criterion's per-run medians (read from
//! `target/criterion/**/new/estimates.json`), and rewrites the generated part of
//! `docs/performance.md`. With `-p` (or anything after `--`) it is a plain `cargo bench` of
//! those packages and writes nothing.

mod criterion;
mod machine;
mod report;
mod suite;

use std::io;
use std::path::{Path, PathBuf};

use crate::cmd;

/// Options of `cargo xtask bench`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Benchmark only this package (repeatable), as a plain `cargo bench`; nothing is written.
    #[arg(short = 'p', long = "package")]
    packages: Vec<String>,
    /// Shorter measurement (criterion's `--quick`): rough numbers fast. The suite then prints
    /// its report but does not write `docs/performance.md`.
    #[arg(long)]
    quick: bool,
    /// How many times the suite runs; every row is the median of the runs' medians.
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Print the report instead of writing `docs/performance.md`.
    #[arg(long)]
    no_write: bool,
    /// Further arguments for the benchmark binaries, e.g. a name filter: `-- sign`.
    #[arg(last = true)]
    extra: Vec<String>,
}

/// Runs the suite (or a plain `cargo bench` with `-p`/`--`); true if every bench succeeded.
pub fn run(root: &Path, args: &Args) -> io::Result<bool> {
    if !args.packages.is_empty() || !args.extra.is_empty() {
        return plain(root, args);
    }
    let results = suite::run(root, args.runs.max(1), args.quick)?;
    let text = report::render(&results);
    let doc = root.join("docs/performance.md");
    if args.quick || args.no_write {
        println!("{text}");
        println!(
            "(not written: {})",
            if args.quick { "--quick" } else { "--no-write" }
        );
    } else {
        report::write_into(&doc, &text)?;
        println!("wrote {}", doc.display());
    }
    Ok(results.failures.is_empty())
}

/// `cargo bench --bench '*'` for the given packages (only `[[bench]]` targets; `--benches`
/// would add every lib, whose libtest harness rejects criterion's flags).
fn plain(root: &Path, args: &Args) -> io::Result<bool> {
    let mut command = cmd::cargo();
    command.current_dir(root).arg("bench");
    if args.packages.is_empty() {
        command.arg("--workspace");
    }
    for package in &args.packages {
        command.args(["--package", package]);
    }
    command.args(["--bench", "*", "--"]);
    if args.quick {
        command.arg("--quick");
    }
    command.args(&args.extra);
    let ok = cmd::run_inherited(&mut command)?;
    println!(
        "criterion results: {} (per benchmark: <group>/<bench>/new/estimates.json)",
        target_dir(root).join("criterion").display()
    );
    Ok(ok)
}

/// `target/`, or `CARGO_TARGET_DIR`.
fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
}

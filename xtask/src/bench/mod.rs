//! `cargo xtask bench`: the benchmark suite, and `docs/performance.md` written from it.
//!
//! Without `-p` or a filter it runs every benchmark of the suite ([`suite::invocations`]) under both
//! crypto backends, `--runs` times, takes the median of criterion's per-run medians (read from
//! `target/criterion/**/new/estimates.json`, and the JSON files custom benches write under
//! `target/wxpay-bench/`), and rewrites the generated part of `docs/performance.md`.
//!
//! `--only` and `--backend` run part of the suite ([`suite::select`]) and print its report
//! **without writing** `docs/performance.md` (a partial report would drop the other rows);
//! anything after `--` then goes to those bench binaries (a criterion group filter). With
//! `-p` (or `--` alone) it is a plain `cargo bench` of those packages and writes nothing.

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
    /// Run only the suite's benchmarks whose `package/bench` contains this (repeatable), e.g.
    /// `--only callback_http` or `--only wxpay-crypto/`. Narrow to a criterion group with
    /// `-- <group>`. A partial run prints its report and writes nothing: the generated block of
    /// `docs/performance.md` keeps every row of the last full run.
    #[arg(long, value_name = "FILTER")]
    only: Vec<String>,
    /// Run the suite under one crypto backend only (a partial run: nothing is written).
    #[arg(long, value_parser = ["ring", "aws-lc-rs"])]
    backend: Option<String>,
    /// Further arguments for the benchmark binaries, e.g. a name filter: `-- sign`. Without
    /// `--only`/`--backend` this makes the run a plain `cargo bench` (nothing is written).
    #[arg(last = true)]
    extra: Vec<String>,
}

/// Runs the suite (or a plain `cargo bench` with `-p`/`--`); true if every bench succeeded.
pub fn run(root: &Path, args: &Args) -> io::Result<bool> {
    if args.is_plain() {
        return plain(root, args);
    }
    let plan = suite::Plan {
        runs: args.runs.max(1),
        quick: args.quick,
        only: args.only.clone(),
        backend: args.backend.clone(),
        extra: args.extra.clone(),
    };
    let results = suite::run(root, &plan)?;
    let text = report::render(&results);
    let doc = root.join("docs/performance.md");
    if let Some(why) = args.not_written() {
        println!("{text}");
        println!("(not written: {why})");
    } else {
        report::write_into(&doc, &text)?;
        println!("wrote {}", doc.display());
    }
    Ok(results.failures.is_empty())
}

impl Args {
    /// A plain `cargo bench`: `-p`, or `--` arguments without selecting part of the suite.
    fn is_plain(&self) -> bool {
        !self.packages.is_empty() || (!self.extra.is_empty() && !self.is_partial())
    }

    /// Only part of the suite runs.
    fn is_partial(&self) -> bool {
        !self.only.is_empty() || self.backend.is_some()
    }

    /// Why the suite's report is printed instead of written, if it is.
    fn not_written(&self) -> Option<&'static str> {
        if self.quick {
            Some("--quick")
        } else if self.no_write {
            Some("--no-write")
        } else if self.is_partial() || !self.extra.is_empty() {
            Some("a partial run (--only/--backend/--) would drop the other rows")
        } else {
            None
        }
    }
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

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::Args;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        args: Args,
    }

    fn parse(argv: &[&str]) -> Result<Args, clap::Error> {
        Cli::try_parse_from(std::iter::once("bench").chain(argv.iter().copied())).map(|c| c.args)
    }

    #[test]
    fn the_full_suite_writes_the_doc() {
        let a = parse(&[]).unwrap();
        assert!(!a.is_plain() && !a.is_partial());
        assert_eq!(a.not_written(), None);
        assert_eq!(a.runs, 3);
    }

    #[test]
    fn only_and_backend_make_a_partial_run_that_writes_nothing() {
        let a = parse(&[
            "--only",
            "callback_http",
            "--only",
            "wxpay-crypto/",
            "--backend",
            "aws-lc-rs",
        ])
        .unwrap();
        assert_eq!(a.only, ["callback_http", "wxpay-crypto/"]);
        assert_eq!(a.backend.as_deref(), Some("aws-lc-rs"));
        assert!(a.is_partial() && !a.is_plain());
        assert!(a.not_written().is_some());
        // A group filter after `--` stays in the suite when --only selects the bench.
        let a = parse(&["--only", "crypto", "--", "sign"]).unwrap();
        assert_eq!(a.extra, ["sign"]);
        assert!(!a.is_plain() && a.not_written().is_some());
        assert!(
            parse(&["--backend", "ring"])
                .unwrap()
                .not_written()
                .is_some()
        );
    }

    #[test]
    fn unknown_backends_are_refused() {
        assert!(parse(&["--backend", "openssl"]).is_err());
    }

    #[test]
    fn package_or_bare_filter_is_a_plain_cargo_bench() {
        assert!(parse(&["-p", "wxpay-crypto"]).unwrap().is_plain());
        assert!(parse(&["--", "sign"]).unwrap().is_plain());
        assert_eq!(parse(&["--quick"]).unwrap().not_written(), Some("--quick"));
    }
}

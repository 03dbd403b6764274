//! `cargo xtask bench`: the criterion benchmarks, and where their reports land.

use std::io;
use std::path::Path;

use crate::cmd;

/// Options of `cargo xtask bench`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Benchmark only this package (repeatable); the default is the whole workspace.
    #[arg(short = 'p', long = "package")]
    packages: Vec<String>,
    /// Shorter measurement (criterion's `--quick`): a rough number in seconds, not minutes.
    #[arg(long)]
    quick: bool,
    /// Further arguments for the benchmark binaries, e.g. a name filter: `-- sign`.
    #[arg(last = true)]
    extra: Vec<String>,
}

/// Runs `cargo bench --bench '*'` (only the `[[bench]]` targets) and prints where criterion
/// wrote its reports.
pub fn run(root: &Path, args: &Args) -> io::Result<bool> {
    let mut command = cmd::cargo();
    command.current_dir(root).arg("bench");
    if args.packages.is_empty() {
        command.arg("--workspace");
    }
    for package in &args.packages {
        command.args(["--package", package]);
    }
    // Only [[bench]] targets (`--benches` would add every lib, whose libtest harness
    // rejects criterion's flags).
    command.args(["--bench", "*", "--"]);
    if args.quick {
        command.arg("--quick");
    }
    command.args(&args.extra);
    let ok = cmd::run_inherited(&mut command)?;
    let reports = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
        .join("criterion");
    println!(
        "criterion results: {} (per benchmark: <group>/<bench>/new/estimates.json)",
        reports.display()
    );
    Ok(ok)
}

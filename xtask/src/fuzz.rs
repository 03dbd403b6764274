//! `cargo xtask fuzz`: the cargo-fuzz (libFuzzer) targets in `fuzz/`, each for a bounded time.
//!
//! Only stable Rust is available, so cargo-fuzz runs with `RUSTC_BOOTSTRAP=1` (it needs
//! `-Z` flags for the sanitizer and coverage instrumentation). A target is a file in
//! `fuzz/fuzz_targets/` plus its `[[bin]]` entry in `fuzz/Cargo.toml`: adding one there
//! is all it takes for `cargo xtask fuzz` (and the CI smoke run) to pick it up.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cmd;

/// Options of `cargo xtask fuzz`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Fuzz only this target (repeatable); the default is every target in `fuzz/fuzz_targets/`.
    #[arg(long)]
    target: Vec<String>,
    /// Seconds to fuzz each target.
    #[arg(long, default_value_t = 30)]
    seconds: u64,
    /// List the targets and exit.
    #[arg(long)]
    list: bool,
}

/// Seed inputs per target, relative to the workspace root: every file in each directory
/// with one of the extensions is copied into `fuzz/corpus/<target>/` before a run.
const SEEDS: &[(&str, &str, &[&str])] = &[(
    "pem_loaders",
    "crates/wxpay-crypto/testdata",
    &["pem", "der"],
)];

/// Fuzzes each selected target for the given time; true if none found a crash.
pub fn run(root: &Path, args: &Args) -> io::Result<bool> {
    let all = targets(root)?;
    if args.list {
        for target in &all {
            println!("{target}");
        }
        return Ok(true);
    }
    let selected = select(&all, &args.target)?;
    if !installed() {
        return Err(not_installed());
    }
    let mut failed = Vec::new();
    let mut summaries = Vec::new();
    for target in &selected {
        let log = cmd::log_dir(root).join(format!("fuzz-{target}.log"));
        println!(
            "fuzzing {target} for {} s (libFuzzer output: {})",
            args.seconds,
            log.display()
        );
        let (ok, text) = run_target(root, target, args.seconds, &log)?;
        let summary = Stats::parse(&text).describe(target);
        println!("{} {summary}", if ok { "ok  " } else { "FAIL" });
        if !ok {
            failed.push(target.clone());
            print!("{}", tail(&text, 40));
        }
        summaries.push((ok, summary));
    }
    println!("--");
    for (ok, summary) in &summaries {
        println!("{} {summary}", if *ok { "ok  " } else { "FAIL" });
    }
    if !failed.is_empty() {
        println!(
            "crashing inputs are in {}/<target>/; replay one with \
             `RUSTC_BOOTSTRAP=1 cargo fuzz run --fuzz-dir fuzz <target> <file>`",
            root.join("fuzz/artifacts").display()
        );
    }
    Ok(failed.is_empty())
}

/// What the CI smoke run found.
#[derive(Debug)]
pub struct Smoke {
    /// No target crashed or failed to build.
    pub passed: bool,
    /// One line per target: its executions, coverage and corpus.
    pub lines: Vec<String>,
    /// The output of the targets that failed.
    pub text: String,
}

/// The CI smoke run: every target for `seconds`, output captured next to `log`.
/// `Ok(None)` means cargo-fuzz is not installed.
pub fn smoke(root: &Path, seconds: u64, log: &Path) -> io::Result<Option<Smoke>> {
    if !installed() {
        return Ok(None);
    }
    let mut smoke = Smoke {
        passed: true,
        lines: Vec::new(),
        text: String::new(),
    };
    for target in targets(root)? {
        let target_log = log.with_extension(format!("{target}.log"));
        let (ok, text) = run_target(root, &target, seconds, &target_log)?;
        let summary = Stats::parse(&text).describe(&target);
        smoke
            .lines
            .push(format!("{} {summary}", if ok { "ok  " } else { "FAIL" }));
        if !ok {
            smoke.passed = false;
            smoke.text.push_str(&tail(&text, 60));
        }
    }
    fs::write(log, &smoke.text)?;
    Ok(Some(smoke))
}

/// Seeds and runs one target, its output captured to `log`; `(passed, output)`.
fn run_target(root: &Path, target: &str, seconds: u64, log: &Path) -> io::Result<(bool, String)> {
    seed(root, target)?;
    let mut command = fuzz_command(root, target, seconds);
    let output = cmd::run_captured(&mut command, log)?;
    let text = format!("$ {}\n{}", cmd::describe(&command), output.text);
    Ok((output.success, text))
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    let mut out = all[all.len().saturating_sub(lines)..].join("\n");
    out.push('\n');
    out
}

/// The numbers libFuzzer prints at the end of a run (`-print_final_stats=1` and its last
/// status line).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// `stat::number_of_executed_units`.
    pub executions: Option<u64>,
    /// `stat::average_exec_per_sec`.
    pub per_second: Option<u64>,
    /// `cov:` of the last status line: edges covered.
    pub coverage: Option<u64>,
    /// `ft:` of the last status line: features (edges with hit counts).
    pub features: Option<u64>,
    /// `corp:` of the last status line: inputs in the corpus.
    pub corpus: Option<u64>,
    /// `stat::peak_rss_mb`.
    pub peak_rss_mb: Option<u64>,
}

impl Stats {
    /// Reads the stats out of libFuzzer's output.
    pub fn parse(text: &str) -> Self {
        let mut stats = Stats::default();
        for line in text.lines() {
            let line = line.trim();
            if let Some(stat) = line.strip_prefix("stat::")
                && let Some((key, value)) = stat.split_once(':')
            {
                let value = value.trim().parse().ok();
                match key {
                    "number_of_executed_units" => stats.executions = value,
                    "average_exec_per_sec" => stats.per_second = value,
                    "peak_rss_mb" => stats.peak_rss_mb = value,
                    _ => {}
                }
            }
            // `#1234\tDONE   cov: 950 ft: 2830 corp: 163/9446b lim: …` (or a NEW/REDUCE/pulse line)
            if line.starts_with('#') {
                let mut words = line.split_whitespace();
                while let Some(word) = words.next() {
                    let value = || words.clone().next().and_then(number);
                    match word {
                        "cov:" => stats.coverage = value(),
                        "ft:" => stats.features = value(),
                        "corp:" => stats.corpus = value(),
                        _ => {}
                    }
                }
            }
        }
        stats
    }

    /// `fuzz <target>: 123456 executions (24691/s), cov 950, ft 2830, corpus 163, peak RSS 60 MB`
    pub fn describe(&self, target: &str) -> String {
        let n = |v: Option<u64>| v.map_or_else(|| "?".to_string(), |v| v.to_string());
        format!(
            "fuzz {target}: {} executions ({}/s), cov {}, ft {}, corpus {}, peak RSS {} MB",
            n(self.executions),
            n(self.per_second),
            n(self.coverage),
            n(self.features),
            n(self.corpus),
            n(self.peak_rss_mb),
        )
    }
}

/// The leading digits of `word` (`163/9446b` → 163).
fn number(word: &str) -> Option<u64> {
    let digits: String = word.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// True if `cargo fuzz` can be run.
pub fn installed() -> bool {
    cmd::succeeds(cmd::cargo(), ["fuzz", "--version"])
}

fn not_installed() -> io::Error {
    io::Error::new(
        io::ErrorKind::NotFound,
        "cargo-fuzz is not installed: `cargo install cargo-fuzz --locked` (about a minute)",
    )
}

/// `cargo fuzz run <target>` for `seconds`, on stable through `RUSTC_BOOTSTRAP=1`.
fn fuzz_command(root: &Path, target: &str, seconds: u64) -> Command {
    let mut command = cmd::cargo();
    command
        .current_dir(root)
        .env("RUSTC_BOOTSTRAP", "1")
        .args(["fuzz", "run", "--fuzz-dir", "fuzz", target, "--"])
        .arg(format!("-max_total_time={seconds}"))
        .arg("-print_final_stats=1");
    command
}

/// Target names: the `.rs` files in `fuzz/fuzz_targets/`, sorted.
pub fn targets(root: &Path) -> io::Result<Vec<String>> {
    let dir = root.join("fuzz/fuzz_targets");
    let mut names = Vec::new();
    for entry in fs::read_dir(&dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|ext| ext == "rs")
            && let Some(stem) = path.file_stem()
        {
            names.push(stem.to_string_lossy().into_owned());
        }
    }
    names.sort();
    Ok(names)
}

/// The requested targets (all when none is named); an unknown name is an error.
fn select(all: &[String], wanted: &[String]) -> io::Result<Vec<String>> {
    if wanted.is_empty() {
        return Ok(all.to_vec());
    }
    for name in wanted {
        if !all.contains(name) {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!(
                    "no fuzz target `{name}`; the targets are: {}",
                    all.join(", ")
                ),
            ));
        }
    }
    Ok(wanted.to_vec())
}

/// Copies the seed files of `target` (see [`SEEDS`]) into its corpus, keeping what is there.
fn seed(root: &Path, target: &str) -> io::Result<()> {
    let corpus = root.join("fuzz/corpus").join(target);
    fs::create_dir_all(&corpus)?;
    for (name, dir, extensions) in SEEDS {
        if *name != target {
            continue;
        }
        for path in seed_files(&root.join(dir), extensions)? {
            if let Some(file) = path.file_name() {
                let dest = corpus.join(file);
                if !dest.exists() {
                    fs::copy(&path, dest)?;
                }
            }
        }
    }
    Ok(())
}

fn seed_files(dir: &Path, extensions: &[&str]) -> io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        let wanted = path
            .extension()
            .and_then(|ext| ext.to_str())
            .is_some_and(|ext| extensions.contains(&ext));
        if wanted {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
    }

    #[test]
    fn targets_are_found_and_each_has_a_bin_entry() {
        let names = targets(&root()).expect("fuzz/fuzz_targets is readable");
        for expected in ["decrypt", "pem_loaders", "verify"] {
            assert!(names.iter().any(|n| n == expected), "{names:?}");
        }
        let manifest = fs::read_to_string(root().join("fuzz/Cargo.toml")).expect("fuzz manifest");
        for name in &names {
            assert!(
                manifest.contains(&format!("name = \"{name}\"")),
                "fuzz/Cargo.toml has no [[bin]] for {name}"
            );
        }
    }

    #[test]
    fn libfuzzer_final_stats_are_read() {
        let text = "INFO: seed corpus: files: 9\n\
                    #2\tINITED cov: 120 ft: 121 corp: 9/1200b exec/s: 0 rss: 40Mb\n\
                    #65536\tpulse  cov: 900 ft: 2000 corp: 150/9000b lim: 4096 exec/s: 21845 rss: 60Mb\n\
                    #123456\tDONE   cov: 950 ft: 2830 corp: 163/9446b lim: 4096 exec/s: 24691 rss: 61Mb\n\
                    Done 123456 runs in 5 second(s)\n\
                    stat::number_of_executed_units: 123456\n\
                    stat::average_exec_per_sec:     24691\n\
                    stat::new_units_added:          154\n\
                    stat::slowest_unit_time_sec:    0\n\
                    stat::peak_rss_mb:              61\n";
        let stats = Stats::parse(text);
        assert_eq!(
            stats,
            Stats {
                executions: Some(123_456),
                per_second: Some(24_691),
                coverage: Some(950),
                features: Some(2830),
                corpus: Some(163),
                peak_rss_mb: Some(61),
            }
        );
        assert_eq!(
            stats.describe("verify"),
            "fuzz verify: 123456 executions (24691/s), cov 950, ft 2830, corpus 163, peak RSS 61 MB"
        );
        assert_eq!(
            Stats::parse("no output").describe("x").matches('?').count(),
            6
        );
    }

    #[test]
    fn unknown_target_is_an_error_naming_the_real_ones() {
        let all = vec!["decrypt".to_string(), "verify".to_string()];
        let err = select(&all, &["nope".to_string()]).expect_err("unknown target");
        assert!(err.to_string().contains("decrypt, verify"), "{err}");
        assert_eq!(select(&all, &[]).expect("all"), all);
    }

    #[test]
    fn seed_directories_exist_and_hold_seeds() {
        for (_, dir, extensions) in SEEDS {
            let files = seed_files(&root().join(dir), extensions).expect("seed dir readable");
            assert!(!files.is_empty(), "no seeds in {dir}");
        }
    }
}

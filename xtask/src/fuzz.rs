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
    for target in &selected {
        seed(root, target)?;
        let mut command = fuzz_command(root, target, args.seconds);
        if !cmd::run_inherited(&mut command)? {
            failed.push(target.clone());
        }
    }
    for target in &selected {
        let verdict = if failed.contains(target) {
            "FAIL"
        } else {
            "ok  "
        };
        println!("{verdict} fuzz {target} ({} s)", args.seconds);
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

/// The CI smoke run: every target for `seconds`, output captured to `log`.
/// `Ok(None)` means cargo-fuzz is not installed; otherwise `(passed, output)`.
pub fn smoke(root: &Path, seconds: u64, log: &Path) -> io::Result<Option<(bool, String)>> {
    if !installed() {
        return Ok(None);
    }
    let mut ok = true;
    let mut text = String::new();
    for target in targets(root)? {
        seed(root, &target)?;
        let mut command = fuzz_command(root, &target, seconds);
        let output = cmd::run_captured(&mut command, &log.with_extension(format!("{target}.log")))?;
        if !output.success {
            ok = false;
            text.push_str(&format!("$ {}\n{}", cmd::describe(&command), output.text));
        }
    }
    fs::write(log, &text)?;
    Ok(Some((ok, text)))
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
        .arg(format!("-max_total_time={seconds}"));
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

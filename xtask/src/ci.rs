//! `cargo xtask ci`: the checks CI runs, one line per step, then `N passed, M failed`.

use std::io;
use std::path::Path;
use std::time::Instant;

use clap::ValueEnum;

use crate::cmd::{self, Output};
use crate::{deny, fuzz, layering, module_cycles, store_tests};

/// Options of `cargo xtask ci`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Leave out this step (repeatable).
    #[arg(long, value_enum)]
    skip: Vec<Step>,
    /// Run only this step (repeatable); the default is every step.
    #[arg(long, value_enum)]
    only: Vec<Step>,
}

/// One check, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Step {
    /// `cargo fmt --all -- --check`, and the same for `fuzz/`.
    Fmt,
    /// `cargo clippy --workspace --all-targets --all-features -- -D warnings`.
    Clippy,
    /// Every test of the workspace (nextest when installed, plus doctests).
    Test,
    /// The crypto, model and busifavor tests under each crypto backend (ring, aws-lc-rs).
    Backends,
    /// Every benchmark compiled and run once, untimed (`cargo test --bench '*'`).
    Benches,
    /// `cargo doc --workspace --no-deps --all-features` with `RUSTDOCFLAGS=-D warnings`.
    Doc,
    /// `cargo package` for every library crate, together (see [`PUBLISHED`]).
    Package,
    /// Dependency arrows point down only (see `layering.rs`), and no import circle among the
    /// files of wxpay-http and wxpay-mock (see `module_cycles.rs`).
    Layering,
    /// `cargo deny check advisories bans licenses sources` offline, and the default-graph
    /// policy (skipped without cargo-deny or the snapshot, except under `CI=true`).
    Deny,
    /// Every fuzz target for a few seconds (skipped without cargo-fuzz, except under `CI=true`).
    Fuzz,
}

const ALL: &[Step] = &[
    Step::Fmt,
    Step::Clippy,
    Step::Test,
    Step::Backends,
    Step::Benches,
    Step::Doc,
    Step::Package,
    Step::Layering,
    Step::Deny,
    Step::Fuzz,
];

impl Step {
    fn name(self) -> &'static str {
        match self {
            Step::Fmt => "fmt",
            Step::Clippy => "clippy",
            Step::Test => "test",
            Step::Backends => "backends",
            Step::Benches => "benches",
            Step::Doc => "doc",
            Step::Package => "package",
            Step::Layering => "layering",
            Step::Deny => "deny",
            Step::Fuzz => "fuzz",
        }
    }
}

/// How a step ended.
enum Outcome {
    /// Passed; the lines are worth showing even on success (test summaries).
    Pass(Vec<String>),
    /// Failed; the text is the output that explains why.
    Fail(String),
    /// Not run, and why.
    Skip(String),
}

/// Most lines of a failing step's output shown; the full log stays in `target/xtask/`.
const MAX_SHOWN_LINES: usize = 400;

/// Runs the selected steps and prints the closing line; true if none failed.
pub fn run(root: &Path, args: &Args) -> io::Result<bool> {
    let steps: Vec<Step> = ALL
        .iter()
        .copied()
        .filter(|step| args.only.is_empty() || args.only.contains(step))
        .filter(|step| !args.skip.contains(step))
        .collect();
    let (mut passed, mut failed) = (0usize, 0usize);
    for step in steps {
        let start = Instant::now();
        let outcome = run_step(root, step)?;
        let secs = start.elapsed().as_secs_f64();
        match outcome {
            Outcome::Pass(lines) => {
                for line in lines {
                    println!("     {line}");
                }
                println!("ok   {} ({secs:.1}s)", step.name());
                passed += 1;
            }
            Outcome::Fail(text) => {
                print_tail(
                    &text,
                    &cmd::log_dir(root).join(format!("{}.log", step.name())),
                );
                println!("FAIL {} ({secs:.1}s)", step.name());
                failed += 1;
            }
            Outcome::Skip(reason) => println!("skip {}: {reason}", step.name()),
        }
    }
    println!("{passed} passed, {failed} failed");
    Ok(failed == 0)
}

fn run_step(root: &Path, step: Step) -> io::Result<Outcome> {
    let log = cmd::log_dir(root).join(format!("{}.log", step.name()));
    match step {
        Step::Fmt => cargo_steps(
            root,
            &log,
            &[
                &["fmt", "--all", "--", "--check"],
                // fuzz/ is its own workspace, outside `--all`.
                &["fmt", "--manifest-path", "fuzz/Cargo.toml", "--", "--check"],
            ],
            &[],
        ),
        Step::Clippy => cargo_steps(
            root,
            &log,
            &[&[
                "clippy",
                "--workspace",
                "--all-targets",
                "--all-features",
                "--",
                "-D",
                "warnings",
            ]],
            &[],
        ),
        Step::Test => test_step(root, &log),
        Step::Backends => backends_step(root, &log),
        Step::Benches => benches_step(root, &log),
        Step::Doc => cargo_steps(
            root,
            &log,
            &[&["doc", "--workspace", "--no-deps", "--all-features"]],
            &[("RUSTDOCFLAGS", "-D warnings")],
        ),
        Step::Package => package_step(root, &log),
        Step::Layering => Ok(layering_step(root)),
        Step::Deny => deny_step(root, &log),
        Step::Fuzz => fuzz_step(root, &log),
    }
}

/// Runs cargo once per argument list, stopping at the first failure.
fn cargo_steps(
    root: &Path,
    log: &Path,
    runs: &[&[&str]],
    env: &[(&str, &str)],
) -> io::Result<Outcome> {
    let mut all = String::new();
    for args in runs {
        let mut command = cmd::cargo();
        command
            .current_dir(root)
            .args(*args)
            .envs(env.iter().copied());
        let output = cmd::run_captured(&mut command, log)?;
        all.push_str(&format!("$ {}\n{}", cmd::describe(&command), output.text));
        if !output.success {
            return Ok(Outcome::Fail(all));
        }
    }
    Ok(Outcome::Pass(Vec::new()))
}

/// nextest (when installed) plus doctests, or plain `cargo test`.
fn test_step(root: &Path, log: &Path) -> io::Result<Outcome> {
    let nextest = cmd::succeeds(cmd::cargo(), ["nextest", "--version"]);
    let runs: Vec<Vec<&str>> = if nextest {
        vec![
            vec![
                "nextest",
                "run",
                "--workspace",
                "--all-features",
                "--no-fail-fast",
            ],
            vec![
                "test",
                "--workspace",
                "--all-features",
                "--doc",
                "--no-fail-fast",
            ],
        ]
    } else {
        vec![vec![
            "test",
            "--workspace",
            "--all-features",
            "--no-fail-fast",
        ]]
    };
    let mut summary = Vec::new();
    let mut all = String::new();
    let mut ok = true;
    store_tests::clear(root);
    for (index, args) in runs.iter().enumerate() {
        let mut command = cmd::cargo();
        command.current_dir(root).args(args);
        let run_log = log.with_extension(format!("{index}.log"));
        let Output { success, text, .. } = cmd::run_captured(&mut command, &run_log)?;
        summary.extend(summary_lines(&text));
        all.push_str(&format!("$ {}\n{text}", cmd::describe(&command)));
        ok &= success;
    }
    // Which callback store tests ran, and which were skipped for want of a server.
    let stores = store_tests::report(root);
    all.push_str(&format!("{}\n", stores.join("\n")));
    summary.extend(stores);
    std::fs::write(log, &all)?;
    if ok {
        Ok(Outcome::Pass(summary))
    } else {
        Ok(Outcome::Fail(without_passing_tests(&all)))
    }
}

/// The packages whose tests run under both crypto backends: every crate that forwards the
/// `aws-lc-rs` feature.
const BACKEND_PACKAGES: &[&str] = &[
    "wxpay-crypto",
    "wxpay-model",
    "wxpay-http",
    "busifavor",
    "wxpay-mock",
    "wxpay-cli",
];

/// The tests of every crate that forwards `aws-lc-rs` (and the crypto and model doctests) once
/// with the default backend (ring + `aes-gcm`) and once with `aws-lc-rs`: the `test` step builds with
/// `--all-features`, which selects aws-lc-rs everywhere, so this step is where the default is
/// tested.
fn backends_step(root: &Path, log: &Path) -> io::Result<Outcome> {
    let nextest = cmd::succeeds(cmd::cargo(), ["nextest", "--version"]);
    let aws_lc: String = BACKEND_PACKAGES
        .iter()
        .map(|p| format!("{p}/aws-lc-rs"))
        .collect::<Vec<_>>()
        .join(",");
    let mut runs: Vec<(&str, Vec<String>)> = Vec::new();
    for (backend, features) in [("ring", None), ("aws-lc-rs", Some(aws_lc.as_str()))] {
        let mut tests: Vec<String> = if nextest {
            vec!["nextest".into(), "run".into()]
        } else {
            vec!["test".into()]
        };
        let mut docs: Vec<String> = vec!["test".into(), "--doc".into()];
        for p in BACKEND_PACKAGES {
            tests.extend(["-p".into(), (*p).into()]);
        }
        const DOC_PACKAGES: [&str; 2] = ["wxpay-crypto", "wxpay-model"];
        for p in DOC_PACKAGES {
            docs.extend(["-p".into(), p.into()]);
        }
        if let Some(f) = features {
            tests.extend(["--features".into(), f.into()]);
            // Only the selected packages' features: cargo refuses a feature of a package
            // that is not selected.
            let doc_features: Vec<String> = DOC_PACKAGES
                .iter()
                .map(|p| format!("{p}/aws-lc-rs"))
                .collect();
            docs.extend(["--features".into(), doc_features.join(",")]);
        }
        for args in [&mut tests, &mut docs] {
            args.push("--no-fail-fast".into());
        }
        runs.push((backend, tests));
        runs.push((backend, docs));
    }
    labelled_runs(root, log, &runs)
}

/// Every `[[bench]]` target built in the test profile and run once by `cargo test`, which puts
/// criterion in its test mode (each benchmark runs a single iteration, nothing is timed), under
/// both backends. Catches benches that no longer compile or panic, never a slow one.
fn benches_step(root: &Path, log: &Path) -> io::Result<Outcome> {
    let ring: Vec<String> = ["test", "--workspace", "--bench", "*", "--no-fail-fast"]
        .map(String::from)
        .to_vec();
    let mut aws_lc = ring.clone();
    aws_lc.insert(2, "--all-features".into());
    labelled_runs(root, log, &[("ring", ring), ("aws-lc-rs", aws_lc)])
}

/// Runs each cargo command, all of them even after a failure; passes with the runners'
/// summaries labelled by backend.
fn labelled_runs(root: &Path, log: &Path, runs: &[(&str, Vec<String>)]) -> io::Result<Outcome> {
    let mut summary = Vec::new();
    let mut all = String::new();
    let mut ok = true;
    for (index, (label, args)) in runs.iter().enumerate() {
        let mut command = cmd::cargo();
        command.current_dir(root).args(args);
        let run_log = log.with_extension(format!("{index}.log"));
        let Output { success, text, .. } = cmd::run_captured(&mut command, &run_log)?;
        summary.extend(
            summary_lines(&text)
                .into_iter()
                .map(|line| format!("{label}: {line}")),
        );
        all.push_str(&format!("$ {}\n{text}", cmd::describe(&command)));
        ok &= success;
    }
    std::fs::write(log, &all)?;
    if ok {
        Ok(Outcome::Pass(summary))
    } else {
        Ok(Outcome::Fail(without_passing_tests(&all)))
    }
}

/// Drops the one-line reports of tests that passed, so a failure is not buried under them
/// (the full output stays in the log).
fn without_passing_tests(text: &str) -> String {
    text.lines()
        .filter(|line| {
            let line = line.trim();
            !(line.starts_with("PASS [")
                || (line.starts_with("test ") && line.ends_with(" ... ok")))
        })
        .fold(String::new(), |mut kept, line| {
            kept.push_str(line);
            kept.push('\n');
            kept
        })
}

/// The test runners' own closing lines: nextest's `Summary […]` and libtest's `test result:`.
fn summary_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|line| line.starts_with("Summary [") || line.starts_with("test result:"))
        .map(String::from)
        .collect()
}

/// The library crates published to crates.io, in dependency order.
pub const PUBLISHED: &[&str] = &[
    "wxpay-crypto",
    "wxpay-model",
    "wxpay-http",
    "busifavor",
    "wxpay-mock",
];

/// `cargo package -p … --allow-dirty` for [`PUBLISHED`] in one run: cargo packages them
/// together, resolving the not-yet-published workspace crates from the packages it just made
/// (its local overlay), and builds each `.crate` to verify it (other dependencies come from
/// crates.io's index; the build reuses `target/`).
fn package_step(root: &Path, log: &Path) -> io::Result<Outcome> {
    let mut args = vec!["package", "--allow-dirty"];
    for name in PUBLISHED {
        args.extend(["-p", name]);
    }
    cargo_steps(root, log, &[args.as_slice()], &[])
}

fn layering_step(root: &Path) -> Outcome {
    let graph = match layering::Graph::load(root) {
        Ok(graph) => graph,
        Err(err) => return Outcome::Fail(format!("cargo metadata failed: {err}\n")),
    };
    let violations = layering::check(&graph);
    let circles = match module_cycles::check(root) {
        Ok(circles) => circles,
        Err(err) => return Outcome::Fail(format!("cannot read the crates' sources: {err}\n")),
    };
    if violations.is_empty() && circles.is_empty() {
        return Outcome::Pass(Vec::new());
    }
    let mut text = String::from("layering violations (normal dependencies, all features):\n");
    for violation in violations {
        text.push_str(&format!("  {violation}\n"));
    }
    for circle in circles {
        text.push_str(&format!("  {circle}\n"));
    }
    text.push_str("rules: xtask/src/layering.rs, docs/ci.md\n");
    Outcome::Fail(text)
}

/// The full offline cargo-deny audit and the default-graph policy (see `deny.rs`).
fn deny_step(root: &Path, log: &Path) -> io::Result<Outcome> {
    Ok(match deny::run(root, log)? {
        deny::Report::Pass(lines) => Outcome::Pass(lines),
        deny::Report::Fail(text) => Outcome::Fail(text),
        deny::Report::Missing(why) => missing(why),
    })
}

/// A step whose tool or data is missing: skipped on a developer's machine, a failure on CI
/// (where `.ci/run` installs everything), so a green CI run shows every step ran.
fn missing(why: String) -> Outcome {
    missing_on(why, cmd::on_ci())
}

fn missing_on(why: String, on_ci: bool) -> Outcome {
    if on_ci {
        Outcome::Fail(format!(
            "{why}
CI is set, so this step must run: `.ci/run` installs its tools; unset CI to skip it locally\n"
        ))
    } else {
        Outcome::Skip(why)
    }
}

/// Seconds each fuzz target runs in the CI smoke step.
const FUZZ_SMOKE_SECONDS: u64 = 5;

/// A few seconds of each fuzz target: they keep building, and shallow crashes show up. The
/// pass lines name each target with its executions, so the log shows the step really ran.
fn fuzz_step(root: &Path, log: &Path) -> io::Result<Outcome> {
    Ok(match fuzz::smoke(root, FUZZ_SMOKE_SECONDS, log)? {
        None => missing(
            "cargo-fuzz is not installed (`.ci/run` installs it; or `cargo install cargo-fuzz --locked --version ^0.13`)"
                .into(),
        ),
        Some(fuzz::Smoke { passed: true, lines, .. }) => Outcome::Pass(lines),
        Some(fuzz::Smoke { lines, text, .. }) => {
            Outcome::Fail(format!("{text}{}", lines.join("\n")))
        }
    })
}

/// Prints the last [`MAX_SHOWN_LINES`] lines of a failing step's output.
fn print_tail(text: &str, log: &Path) {
    let lines: Vec<&str> = text.lines().collect();
    let skip = lines.len().saturating_sub(MAX_SHOWN_LINES);
    if skip > 0 {
        println!("… {skip} earlier lines in {}", log.display());
    }
    for line in &lines[skip..] {
        println!("{line}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_lines_keep_only_runner_totals() {
        let text = "   Compiling x\n     Summary [   1.2s] 3 tests run: 3 passed, 0 skipped\n\
                    running 2 tests\ntest a ... ok\ntest result: ok. 2 passed; 0 failed; 0 ignored\n";
        assert_eq!(
            summary_lines(text),
            [
                "Summary [   1.2s] 3 tests run: 3 passed, 0 skipped",
                "test result: ok. 2 passed; 0 failed; 0 ignored"
            ]
        );
    }

    #[test]
    fn failure_output_keeps_failures_and_drops_passes() {
        let text = "        PASS [   0.1s] (1/3) a::b ok_test\n        FAIL [   0.2s] (2/3) a::b bad\n\
                    test src/lib.rs - f (line 3) ... ok\ntest src/lib.rs - g (line 9) ... FAILED\n\
                    error: linking failed\n";
        assert_eq!(
            without_passing_tests(text),
            "        FAIL [   0.2s] (2/3) a::b bad\ntest src/lib.rs - g (line 9) ... FAILED\n\
             error: linking failed\n"
        );
    }

    #[test]
    fn a_missing_tool_skips_locally_and_fails_on_ci() {
        assert!(matches!(
            missing_on("cargo-deny is not installed".into(), false),
            Outcome::Skip(ref why) if why == "cargo-deny is not installed"
        ));
        assert!(matches!(
            missing_on("cargo-deny is not installed".into(), true),
            Outcome::Fail(ref text) if text.contains("cargo-deny is not installed") && text.contains("CI is set")
        ));
    }

    #[test]
    fn every_step_has_a_distinct_name_matching_its_cli_value() {
        for step in ALL {
            let value = step.to_possible_value().map(|v| v.get_name().to_string());
            assert_eq!(value.as_deref(), Some(step.name()));
        }
    }
}

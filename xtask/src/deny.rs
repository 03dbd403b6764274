//! The `deny` step: the full cargo-deny audit (advisories, bans, licenses, sources) with no
//! network, plus the policy on the graph users get by default.
//!
//! 1. `cargo metadata --all-features` (the only call that may reach crates.io, for crates not
//!    downloaded yet), then `cargo deny --offline --metadata-path … check advisories bans
//!    licenses sources` against the RustSec snapshot laid out by [`advisory_db::prepare`]. The
//!    rules are in `deny.toml`; with every feature on, `aws-lc-*` is allowed only as
//!    `wxpay-crypto`'s optional backend (`wrappers`).
//! 2. `cargo metadata` with default features: the same graph a user's `cargo add` resolves.
//!    There [`DEFAULT_GRAPH_BANNED`] must be absent and `ring` present exactly once, so the
//!    opt-in backend can never become the default by accident (cargo-deny alone cannot say
//!    "allowed with this feature, banned without it": its bans see one graph per run).

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::Path;

use cargo_metadata::Metadata;

use crate::advisory_db;
use crate::cmd;

/// Packages that must not be in the default-features graph: another TLS or crypto stack
/// beside rustls + ring.
pub const DEFAULT_GRAPH_BANNED: &[&str] = &[
    "openssl",
    "openssl-sys",
    "native-tls",
    "aws-lc-rs",
    "aws-lc-sys",
    "aws-lc-fips-sys",
];

/// The one crypto backend the default graph must hold, exactly once.
pub const BACKEND: &str = "ring";

/// The cargo-deny checks run, all four.
const CHECKS: &[&str] = &["advisories", "bans", "licenses", "sources"];

/// What the step found, for the CI log.
#[derive(Debug)]
pub enum Report {
    /// Everything passed; the lines say what was checked.
    Pass(Vec<String>),
    /// Something failed; the text explains.
    Fail(String),
    /// A prerequisite is missing (the tool or the snapshot); the text says which.
    Missing(String),
}

/// Runs the step; `log` receives cargo-deny's output.
pub fn run(root: &Path, log: &Path) -> io::Result<Report> {
    let version = cmd::stdout_of(cmd::cargo(), ["deny", "--version"]);
    let Some(version) = version else {
        return Ok(Report::Missing(
            "cargo-deny is not installed (`.ci/run` installs it; or `cargo install cargo-deny --locked --version ^0.20`)"
                .into(),
        ));
    };
    let Some(snapshot) = advisory_db::prepare(root)? else {
        return Ok(Report::Missing(format!(
            "no advisory snapshot at {} (a RustSec advisory-db checkout with its crates/ folder)",
            advisory_db::SNAPSHOT
        )));
    };
    let mut lines = Vec::new();

    // 1. cargo-deny over the all-features graph.
    let all = log.with_extension("all-features.json");
    if let Some(fail) = metadata(root, &all, log, true)? {
        return Ok(Report::Fail(fail));
    }
    let mut command = cmd::cargo();
    command
        .current_dir(root)
        .args(["deny", "--offline", "--color", "never", "--metadata-path"])
        .arg(&all)
        .arg("check")
        .args(CHECKS);
    let output = cmd::run_captured(&mut command, log)?;
    if !output.success {
        return Ok(Report::Fail(format!(
            "$ {}\n{}",
            cmd::describe(&command),
            output.text
        )));
    }
    let graph = load(&all)?;
    let counts = third_party_counts(&graph);
    lines.push(format!(
        "{} ({}): {} ok over {} third-party crates ({} packages incl. versions), all features",
        version.trim(),
        snapshot.date,
        CHECKS.join(", "),
        counts.len(),
        counts.values().sum::<usize>(),
    ));
    if let Some(summary) = output
        .text
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("advisories "))
    {
        lines.push(format!("cargo-deny: {summary}"));
    }

    // 2. The default-features graph.
    let default = log.with_extension("default-features.json");
    if let Some(fail) = metadata(root, &default, log, false)? {
        return Ok(Report::Fail(fail));
    }
    let counts = third_party_counts(&load(&default)?);
    let problems = default_graph_problems(&counts);
    if !problems.is_empty() {
        return Ok(Report::Fail(format!(
            "default-features graph (what `cargo add wxpay-…` gives a user):\n  {}\nrules: xtask/src/deny.rs, docs/ci.md\n",
            problems.join("\n  ")
        )));
    }
    lines.push(format!(
        "default features: {} third-party crates, one {BACKEND}, none of {}",
        counts.len(),
        DEFAULT_GRAPH_BANNED.join(", ")
    ));
    Ok(Report::Pass(lines))
}

/// `cargo metadata` into `out`; `Some(text)` when it failed.
fn metadata(root: &Path, out: &Path, log: &Path, all_features: bool) -> io::Result<Option<String>> {
    let mut command = cmd::cargo();
    command
        .current_dir(root)
        .args(["metadata", "--format-version", "1"]);
    if all_features {
        command.arg("--all-features");
    }
    let output = cmd::run_captured_stdout(&mut command, out, &log.with_extension("metadata.log"))?;
    Ok((!output.success).then(|| format!("$ {}\n{}", cmd::describe(&command), output.text)))
}

fn load(path: &Path) -> io::Result<Metadata> {
    let text = fs::read_to_string(path)?;
    cargo_metadata::MetadataCommand::parse(text).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{}: not cargo metadata: {e}", path.display()),
        )
    })
}

/// Versions of each non-workspace package in the resolved graph, by name.
fn third_party_counts(metadata: &Metadata) -> BTreeMap<String, usize> {
    let members: Vec<_> = metadata.workspace_members.iter().collect();
    let names: BTreeMap<_, _> = metadata
        .packages
        .iter()
        .map(|p| (&p.id, p.name.to_string()))
        .collect();
    let mut counts = BTreeMap::new();
    for node in metadata.resolve.iter().flat_map(|r| r.nodes.iter()) {
        if members.contains(&&node.id) {
            continue;
        }
        if let Some(name) = names.get(&node.id) {
            *counts.entry(name.clone()).or_insert(0) += 1;
        }
    }
    counts
}

/// What breaks the default-graph policy; empty when it holds.
fn default_graph_problems(counts: &BTreeMap<String, usize>) -> Vec<String> {
    let mut problems: Vec<String> = DEFAULT_GRAPH_BANNED
        .iter()
        .filter(|name| counts.contains_key(**name))
        .map(|name| {
            format!(
                "`{name}` is in the default graph: only rustls with ring is allowed there; put it behind an opt-in feature"
            )
        })
        .collect();
    match counts.get(BACKEND).copied().unwrap_or(0) {
        1 => {}
        0 => problems.push(format!(
            "`{BACKEND}` is missing from the default graph: it is the one crypto backend"
        )),
        n => problems.push(format!(
            "{n} versions of `{BACKEND}` in the default graph: exactly one is allowed (align the dependents)"
        )),
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(pairs: &[(&str, usize)]) -> BTreeMap<String, usize> {
        pairs.iter().map(|(n, c)| (n.to_string(), *c)).collect()
    }

    #[test]
    fn default_graph_needs_exactly_one_ring_and_no_other_stack() {
        assert!(default_graph_problems(&counts(&[("ring", 1), ("rustls", 1)])).is_empty());
        let problems = default_graph_problems(&counts(&[("ring", 2), ("aws-lc-sys", 1)]));
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("aws-lc-sys"), "{problems:?}");
        assert!(problems[1].contains("2 versions of `ring`"), "{problems:?}");
        let problems = default_graph_problems(&counts(&[("native-tls", 1)]));
        assert!(problems.iter().any(|p| p.contains("native-tls")));
        assert!(problems.iter().any(|p| p.contains("missing")));
    }

    #[test]
    fn this_workspace_default_graph_holds() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let metadata = cargo_metadata::MetadataCommand::new()
            .current_dir(&root)
            .exec()
            .expect("cargo metadata");
        let problems = default_graph_problems(&third_party_counts(&metadata));
        assert!(problems.is_empty(), "{problems:?}");
    }
}

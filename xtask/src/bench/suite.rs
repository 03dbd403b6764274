//! Which benchmarks the suite runs, and running them: every `[[bench]]` target of the
//! workspace (found with `cargo metadata`), under each crypto backend its package offers,
//! `runs` times, interleaved so that drift in the machine's load hits every row alike.

use std::collections::BTreeMap;
use std::io;
use std::path::Path;
use std::time::SystemTime;

use cargo_metadata::MetadataCommand;

use super::criterion::{self, Estimate};
use super::machine::{self, Machine};
use crate::cmd;

/// The feature that selects the aws-lc-rs backend, in every crate that forwards it.
pub const AWS_LC_FEATURE: &str = "aws-lc-rs";

/// One benchmark binary to run under one backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invocation {
    /// Package name.
    pub package: String,
    /// `[[bench]]` target name.
    pub bench: String,
    /// `"ring"` or `"aws-lc-rs"`.
    pub backend: &'static str,
    /// The package's other features (stores, helpers), all turned on so every benchmark the
    /// package has runs; the backend feature is added for aws-lc-rs.
    pub features: Vec<String>,
}

impl Invocation {
    /// The command that reproduces it (what the report prints).
    pub fn command(&self, quick: bool) -> String {
        let mut text = format!("cargo bench -p {} --bench {}", self.package, self.bench);
        let features = self.feature_list();
        if !features.is_empty() {
            text.push_str(&format!(" --features {features}"));
        }
        if quick {
            text.push_str(" -- --quick");
        }
        text
    }
}

impl Invocation {
    /// The `--features` value: the package's other features, plus the backend's.
    pub fn feature_list(&self) -> String {
        let mut all = self.features.clone();
        if self.backend == AWS_LC_FEATURE {
            all.push(AWS_LC_FEATURE.to_string());
        }
        all.join(",")
    }
}

/// A criterion id labelled with the backend: `group [backend]/function`, unless the group
/// already names it (benches that do not label their groups would otherwise mix the two
/// backends' results).
pub fn labelled(id: &str, backend: &str) -> String {
    if id.contains(&format!("[{backend}]")) {
        return id.to_string();
    }
    match id.split_once('/') {
        Some((group, function)) => format!("{group} [{backend}]/{function}"),
        None => format!("{id} [{backend}]"),
    }
}

/// Everything one suite run measured.
#[derive(Debug)]
pub struct Results {
    /// The machine.
    pub machine: Machine,
    /// When the suite started (UTC).
    pub started: String,
    /// Load averages when it started and when it ended.
    pub load_before: String,
    /// See `load_before`.
    pub load_after: String,
    /// How many times each benchmark ran.
    pub runs: usize,
    /// Whether criterion ran with `--quick`.
    pub quick: bool,
    /// What ran.
    pub invocations: Vec<Invocation>,
    /// criterion `group/function` id → that benchmark's median in each run, in ns.
    pub estimates: BTreeMap<String, Vec<Estimate>>,
    /// backend → the allocation counts of the `allocs` bench (its JSON).
    pub allocs: BTreeMap<String, serde_json::Value>,
    /// backend → what the `callback_http` bench wrote in each run (its JSON).
    pub http: BTreeMap<String, Vec<serde_json::Value>>,
    /// Benchmarks that failed, with the log to read.
    pub failures: Vec<String>,
}

/// The median of a benchmark's per-run medians, and their spread.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stat {
    /// Median over the runs of criterion's median, ns.
    pub median: f64,
    /// Smallest per-run median, ns.
    pub min: f64,
    /// Largest per-run median, ns.
    pub max: f64,
    /// How many runs it is over.
    pub runs: usize,
}

impl Stat {
    /// Summarises per-run estimates; `None` when there are none.
    pub fn of(estimates: &[Estimate]) -> Option<Self> {
        let mut medians: Vec<f64> = estimates.iter().map(|e| e.median).collect();
        medians.sort_by(f64::total_cmp);
        let n = medians.len();
        let median = match n {
            0 => return None,
            n if n % 2 == 1 => medians[n / 2],
            n => (medians[n / 2 - 1] + medians[n / 2]) / 2.0,
        };
        Some(Self {
            median,
            min: medians[0],
            max: medians[n - 1],
            runs: n,
        })
    }
}

impl Results {
    /// The first benchmark of `group` whose function name starts with `prefix`.
    pub fn find(&self, group: &str, prefix: &str) -> Option<(String, Stat)> {
        let start = format!("{group}/{prefix}");
        self.estimates
            .iter()
            .find(|(id, _)| id.starts_with(&start))
            .and_then(|(id, e)| Some((id[group.len() + 1..].to_string(), Stat::of(e)?)))
    }
}

/// Every `[[bench]]` target of the workspace, under each backend its package offers.
pub fn invocations(root: &Path) -> io::Result<Vec<Invocation>> {
    let metadata = MetadataCommand::new()
        .current_dir(root)
        .no_deps()
        .exec()
        .map_err(|e| io::Error::other(format!("cargo metadata: {e}")))?;
    let mut out = Vec::new();
    for package in metadata.workspace_packages() {
        let backends: &[&'static str] = if package.features.contains_key(AWS_LC_FEATURE) {
            &["ring", AWS_LC_FEATURE]
        } else {
            &["ring"]
        };
        let features: Vec<String> = package
            .features
            .keys()
            .filter(|f| *f != AWS_LC_FEATURE && *f != "default")
            .cloned()
            .collect();
        for target in &package.targets {
            if !target.kind.iter().any(|k| k.to_string() == "bench") {
                continue;
            }
            for backend in backends {
                out.push(Invocation {
                    package: package.name.to_string(),
                    bench: target.name.clone(),
                    backend,
                    features: features.clone(),
                });
            }
        }
    }
    out.sort_by(|a, b| (&a.package, &a.bench).cmp(&(&b.package, &b.bench)));
    Ok(out)
}

/// Which invocations a partial run keeps: `only` (any of them) is a substring of
/// `package/bench`, and the backend is `backend`; an empty `only` or `None` keeps all.
pub fn select(all: Vec<Invocation>, only: &[String], backend: Option<&str>) -> Vec<Invocation> {
    all.into_iter()
        .filter(|i| {
            let name = format!("{}/{}", i.package, i.bench);
            only.is_empty() || only.iter().any(|o| name.contains(o.as_str()))
        })
        .filter(|i| backend.is_none_or(|b| i.backend == b))
        .collect()
}

/// What one suite run does.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// How many times every invocation runs.
    pub runs: usize,
    /// criterion `--quick`.
    pub quick: bool,
    /// `--only` filters (see [`select`]).
    pub only: Vec<String>,
    /// `--backend`.
    pub backend: Option<String>,
    /// Passed to every bench binary after `--` (a criterion name filter).
    pub extra: Vec<String>,
}

/// Reads a JSON file a custom bench wrote, if it was written at or after `since`.
fn fresh_json(path: &Path, since: SystemTime) -> Option<serde_json::Value> {
    let modified = std::fs::metadata(path).ok()?.modified().ok()?;
    if modified < since {
        return None;
    }
    serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()
}

/// Runs every selected invocation `plan.runs` times and collects the results.
pub fn run(root: &Path, plan: &Plan) -> io::Result<Results> {
    let (runs, quick) = (plan.runs, plan.quick);
    let invocations = select(invocations(root)?, &plan.only, plan.backend.as_deref());
    if invocations.is_empty() {
        return Err(io::Error::other(format!(
            "no benchmark of the suite matches --only {:?} --backend {:?}",
            plan.only, plan.backend
        )));
    }
    let target = super::target_dir(root);
    let mut results = Results {
        machine: Machine::read(),
        started: machine::now_utc(),
        load_before: machine::load_average(),
        load_after: String::new(),
        runs,
        quick,
        invocations: invocations.clone(),
        estimates: BTreeMap::new(),
        allocs: BTreeMap::new(),
        http: BTreeMap::new(),
        failures: Vec::new(),
    };
    println!(
        "bench suite: {} benchmark binaries x {runs} runs; load average {}",
        invocations.len(),
        results.load_before
    );
    for round in 1..=runs {
        for inv in &invocations {
            let log = cmd::log_dir(root).join("bench").join(format!(
                "{}-{}-{}-run{round}.log",
                inv.package, inv.bench, inv.backend
            ));
            println!("run {round}/{runs}: {}", inv.command(quick));
            let since = SystemTime::now();
            let mut command = cmd::cargo();
            command
                .current_dir(root)
                .args(["bench", "-p", &inv.package, "--bench", &inv.bench]);
            let features = inv.feature_list();
            if !features.is_empty() {
                command.args(["--features", &features]);
            }
            command.arg("--");
            if quick {
                command.arg("--quick");
            }
            command.args(&plan.extra);
            let output = cmd::run_captured(&mut command, &log)?;
            if !output.success {
                println!("  FAILED (log: {})", log.display());
                results
                    .failures
                    .push(format!("{} (log: {})", inv.command(quick), log.display()));
                continue;
            }
            for (id, estimate) in criterion::read_since(&target.join("criterion"), since)? {
                results
                    .estimates
                    .entry(labelled(&id, inv.backend))
                    .or_default()
                    .push(estimate);
            }
            let written = target
                .join("wxpay-bench")
                .join(format!("{} [{}].json", inv.bench, inv.backend));
            match inv.bench.as_str() {
                "allocs" => {
                    if let Some(v) = fresh_json(&written, since) {
                        results.allocs.insert(inv.backend.to_string(), v);
                    }
                }
                "callback_http" => {
                    if let Some(v) = fresh_json(&written, since) {
                        results
                            .http
                            .entry(inv.backend.to_string())
                            .or_default()
                            .push(v);
                    }
                }
                _ => {}
            }
        }
    }
    results.load_after = machine::load_average();
    Ok(results)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(median: f64) -> Estimate {
        Estimate {
            median,
            lower: median,
            upper: median,
        }
    }

    #[test]
    fn ids_are_labelled_with_the_backend_once() {
        assert_eq!(labelled("sign [ring]/raw", "ring"), "sign [ring]/raw");
        assert_eq!(
            labelled("callback_one_core/open_only", "aws-lc-rs"),
            "callback_one_core [aws-lc-rs]/open_only"
        );
    }

    fn inv(package: &str, bench: &str, backend: &'static str) -> Invocation {
        Invocation {
            package: package.into(),
            bench: bench.into(),
            backend,
            features: Vec::new(),
        }
    }

    #[test]
    fn only_and_backend_select_invocations() {
        let all = vec![
            inv("wxpay-crypto", "crypto", "ring"),
            inv("wxpay-crypto", "crypto", AWS_LC_FEATURE),
            inv("busifavor", "callback", "ring"),
            inv("busifavor", "callback_http", "ring"),
            inv("busifavor", "callback_http", AWS_LC_FEATURE),
        ];
        let names = |v: Vec<Invocation>| {
            v.into_iter()
                .map(|i| format!("{}/{} {}", i.package, i.bench, i.backend))
                .collect::<Vec<_>>()
        };
        assert_eq!(select(all.clone(), &[], None).len(), 5);
        assert_eq!(
            names(select(all.clone(), &["callback_http".into()], Some("ring"))),
            ["busifavor/callback_http ring"]
        );
        assert_eq!(
            names(select(
                all.clone(),
                &["crypto".into()],
                Some(AWS_LC_FEATURE)
            )),
            ["wxpay-crypto/crypto aws-lc-rs"]
        );
        // A package name selects its benches; several filters add up.
        assert_eq!(select(all.clone(), &["busifavor/".into()], None).len(), 3);
        assert_eq!(
            select(all.clone(), &["crypto".into(), "callback".into()], None).len(),
            5
        );
        assert!(select(all, &["nothing".into()], None).is_empty());
    }

    #[test]
    fn stat_is_the_median_of_the_runs() {
        let s = Stat::of(&[e(3.0), e(1.0), e(2.0)]).unwrap();
        assert_eq!((s.median, s.min, s.max, s.runs), (2.0, 1.0, 3.0, 3));
        assert_eq!(Stat::of(&[e(1.0), e(4.0)]).unwrap().median, 2.5);
        assert!(Stat::of(&[]).is_none());
    }

    #[test]
    fn the_suite_covers_both_backends_of_the_crypto_benches() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let all = invocations(root).unwrap();
        for backend in ["ring", AWS_LC_FEATURE] {
            assert!(all.iter().any(|i| i.package == "wxpay-crypto"
                && i.bench == "crypto"
                && i.backend == backend));
        }
        assert!(
            all.iter()
                .any(|i| i.package == "wxpay-model" && i.bench == "open")
        );
    }
}

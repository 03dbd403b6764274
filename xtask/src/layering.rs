//! The layering check: dependency arrows between workspace crates point down only,
//! and `wxpay-crypto` stays free of IO runtimes and of every other workspace crate.
//!
//! The rules are the tables below; [`check`] applies them to a [`Graph`] of normal
//! (non-dev, non-build) dependencies, built from `cargo metadata --all-features` by
//! [`Graph::from_metadata`] or by hand in the tests.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt;
use std::path::Path;

use cargo_metadata::{CargoOpt, DependencyKind, Metadata, MetadataCommand};

/// One layered workspace crate.
#[derive(Debug, Clone, Copy)]
pub struct Layer {
    /// Package name.
    pub name: &'static str,
    /// Position in the stack: a crate may depend only on crates of a lower rank.
    pub rank: u8,
    /// Lower-ranked workspace crates this crate must still not depend on.
    pub never: &'static [&'static str],
}

/// The stack, bottom first. A workspace crate missing from this table and from
/// [`EXEMPT`] is itself a violation: add it here when you create it.
#[rustfmt::skip]
pub const LAYERS: &[Layer] = &[
    Layer { name: "wxpay-crypto", rank: 0, never: &[] },
    Layer { name: "wxpay-model", rank: 1, never: &[] },
    Layer { name: "wxpay-http", rank: 2, never: &[] },
    Layer { name: "busifavor", rank: 3, never: &[] },
    Layer { name: "wxpay-mock", rank: 4, never: &["wxpay-http", "busifavor"] },
    Layer { name: "wxpay-cli", rank: 5, never: &[] },
];

/// Workspace crates outside the stack: they may depend on anything.
pub const EXEMPT: &[&str] = &["xtask", "wxpay-e2e"];

/// Third-party crates a layered crate must not reach, even transitively.
#[rustfmt::skip]
pub const BANNED: &[(&str, &[&str])] = &[
    ("wxpay-crypto", &["tokio", "hyper", "mio", "reqwest"]),
    // TLS is rustls with ring only: the Redis and PostgreSQL stores must not bring OpenSSL.
    ("busifavor", &["openssl", "openssl-sys", "native-tls", "postgres-openssl"]),
];

/// A package in the dependency graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// Package name.
    pub name: String,
    /// Whether it is a member of this workspace.
    pub workspace: bool,
    /// Ids of its normal dependencies (on any platform).
    pub deps: Vec<String>,
}

/// Normal-dependency graph keyed by package id.
#[derive(Debug, Clone, Default)]
pub struct Graph {
    nodes: BTreeMap<String, Node>,
}

/// One broken rule, with the dependency path that breaks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Package names from the offending crate to the forbidden one.
    pub path: Vec<String>,
    /// Which rule, in words.
    pub reason: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}  ({})", self.path.join(" -> "), self.reason)
    }
}

impl Graph {
    /// Adds a package (its id doubles as its name in hand-built graphs).
    pub fn add(&mut self, id: impl Into<String>, node: Node) {
        self.nodes.insert(id.into(), node);
    }

    /// Runs `cargo metadata --all-features` in `root` and keeps normal dependencies only.
    pub fn load(root: &Path) -> Result<Self, cargo_metadata::Error> {
        let metadata = MetadataCommand::new()
            .current_dir(root)
            .features(CargoOpt::AllFeatures)
            .exec()?;
        Ok(Self::from_metadata(&metadata))
    }

    /// Builds the graph from already-loaded metadata.
    pub fn from_metadata(metadata: &Metadata) -> Self {
        let members: BTreeSet<String> = metadata
            .workspace_members
            .iter()
            .map(|id| id.repr.clone())
            .collect();
        let names: BTreeMap<String, String> = metadata
            .packages
            .iter()
            .map(|p| (p.id.repr.clone(), p.name.to_string()))
            .collect();
        let mut graph = Self::default();
        for node in metadata.resolve.iter().flat_map(|r| r.nodes.iter()) {
            let deps = node
                .deps
                .iter()
                .filter(|dep| {
                    dep.dep_kinds
                        .iter()
                        .any(|info| info.kind == DependencyKind::Normal)
                })
                .map(|dep| dep.pkg.repr.clone())
                .collect();
            let id = node.id.repr.clone();
            let name = names.get(&id).cloned().unwrap_or_else(|| id.clone());
            let workspace = members.contains(&id);
            graph.add(
                id,
                Node {
                    name,
                    workspace,
                    deps,
                },
            );
        }
        graph
    }

    /// Ids of workspace members, by name.
    fn members(&self) -> impl Iterator<Item = (&String, &Node)> {
        self.nodes.iter().filter(|(_, node)| node.workspace)
    }

    /// Every package reachable from `start` through normal dependencies, each with the
    /// shortest path to it (as ids, `start` first). `start` itself is not included.
    fn reachable(&self, start: &str) -> Vec<Vec<String>> {
        let mut parent: BTreeMap<&str, &str> = BTreeMap::new();
        let mut queue = VecDeque::from([start]);
        let mut order = Vec::new();
        while let Some(id) = queue.pop_front() {
            let Some(node) = self.nodes.get(id) else {
                continue;
            };
            for dep in &node.deps {
                if dep != start && !parent.contains_key(dep.as_str()) {
                    parent.insert(dep, id);
                    order.push(dep.as_str());
                    queue.push_back(dep);
                }
            }
        }
        order
            .into_iter()
            .map(|end| {
                let mut path = vec![end.to_string()];
                let mut at = end;
                while let Some(&up) = parent.get(at) {
                    path.push(up.to_string());
                    at = up;
                }
                path.reverse();
                path
            })
            .collect()
    }

    fn name<'a>(&'a self, id: &'a str) -> &'a str {
        self.nodes.get(id).map_or(id, |node| node.name.as_str())
    }

    fn names(&self, path: &[String]) -> Vec<String> {
        path.iter().map(|id| self.name(id).to_string()).collect()
    }
}

fn layer(name: &str) -> Option<&'static Layer> {
    LAYERS.iter().find(|layer| layer.name == name)
}

/// Applies [`LAYERS`], [`EXEMPT`] and [`BANNED`] to `graph`; empty means clean.
pub fn check(graph: &Graph) -> Vec<Violation> {
    let mut violations = Vec::new();
    for (id, node) in graph.members() {
        if EXEMPT.contains(&node.name.as_str()) {
            continue;
        }
        let Some(this) = layer(&node.name) else {
            violations.push(Violation {
                path: vec![node.name.clone()],
                reason:
                    "workspace crate missing from LAYERS in xtask/src/layering.rs: give it a rank"
                        .into(),
            });
            continue;
        };
        let banned: &[&str] = BANNED
            .iter()
            .find(|(name, _)| *name == this.name)
            .map_or(&[], |(_, list)| list);
        for path in graph.reachable(id) {
            let Some(end_id) = path.last() else { continue };
            let Some(end) = graph.nodes.get(end_id) else {
                continue;
            };
            let reason = if end.workspace {
                workspace_edge(this, &end.name)
            } else if banned.contains(&end.name.as_str()) {
                Some(format!("{} must not depend on {}", this.name, end.name))
            } else {
                None
            };
            if let Some(reason) = reason {
                violations.push(Violation {
                    path: graph.names(&path),
                    reason,
                });
            }
        }
    }
    violations
}

/// Why `from` may not reach the workspace crate `to`, if it may not.
fn workspace_edge(from: &Layer, to: &str) -> Option<String> {
    let Some(target) = layer(to) else {
        return Some(format!(
            "{} may only depend on layered workspace crates, and {to} is not one",
            from.name
        ));
    };
    if target.rank >= from.rank {
        Some(format!(
            "upward: {} (rank {}) must not depend on {to} (rank {})",
            from.name, from.rank, target.rank
        ))
    } else if from.never.contains(&to) {
        Some(format!("{} must never depend on {to}", from.name))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a graph from `(name, workspace?, deps)` rows; ids are the names.
    fn graph(rows: &[(&str, bool, &[&str])]) -> Graph {
        let mut graph = Graph::default();
        for (name, workspace, deps) in rows {
            graph.add(
                *name,
                Node {
                    name: name.to_string(),
                    workspace: *workspace,
                    deps: deps.iter().map(|d| d.to_string()).collect(),
                },
            );
        }
        graph
    }

    fn clean_rows() -> Vec<(&'static str, bool, &'static [&'static str])> {
        vec![
            ("wxpay-crypto", true, &["ring", "base64"]),
            ("wxpay-model", true, &["wxpay-crypto", "serde"]),
            (
                "wxpay-http",
                true,
                &["wxpay-model", "wxpay-crypto", "hyper", "tokio"],
            ),
            ("busifavor", true, &["wxpay-http"]),
            ("wxpay-mock", true, &["wxpay-model", "tokio"]),
            ("wxpay-cli", true, &["busifavor", "wxpay-mock"]),
            ("xtask", true, &["cargo_metadata"]),
            ("wxpay-e2e", true, &["wxpay-mock", "wxpay-http"]),
            ("ring", false, &["cc"]),
            ("base64", false, &[]),
            ("serde", false, &[]),
            ("hyper", false, &["tokio"]),
            ("tokio", false, &["mio"]),
            ("mio", false, &[]),
            ("cc", false, &[]),
            ("cargo_metadata", false, &["serde"]),
        ]
    }

    #[test]
    fn clean_graph_passes() {
        assert_eq!(check(&graph(&clean_rows())), Vec::new());
    }

    #[test]
    fn crypto_reaching_tokio_transitively_is_caught_with_its_path() {
        let mut rows = clean_rows();
        rows[0] = ("wxpay-crypto", true, &["ring", "foo"]);
        rows.push(("foo", false, &["tokio"]));
        let violations = check(&graph(&rows));
        let paths: Vec<String> = violations.iter().map(|v| v.path.join(" -> ")).collect();
        assert!(
            paths.contains(&"wxpay-crypto -> foo -> tokio".to_string()),
            "{paths:?}"
        );
        assert!(
            paths.contains(&"wxpay-crypto -> foo -> tokio -> mio".to_string()),
            "{paths:?}"
        );
        assert_eq!(violations.len(), 2, "{violations:?}");
    }

    #[test]
    fn crypto_reaching_any_workspace_crate_is_caught() {
        let mut rows = clean_rows();
        rows[0] = ("wxpay-crypto", true, &["ring", "wxpay-model"]);
        let violations = check(&graph(&rows));
        assert!(
            violations
                .iter()
                .any(|v| v.path == ["wxpay-crypto", "wxpay-model"] && v.reason.contains("upward")),
            "{violations:?}"
        );
    }

    #[test]
    fn upward_dependency_is_caught() {
        let mut rows = clean_rows();
        rows[1] = ("wxpay-model", true, &["wxpay-crypto", "wxpay-http"]);
        let violations = check(&graph(&rows));
        assert!(
            violations
                .iter()
                .any(|v| v.path == ["wxpay-model", "wxpay-http"]),
            "{violations:?}"
        );
    }

    #[test]
    fn mock_may_not_reach_http_even_through_a_third_party_crate() {
        let mut rows = clean_rows();
        rows[4] = ("wxpay-mock", true, &["wxpay-model", "shim"]);
        rows.push(("shim", false, &["wxpay-http"]));
        let violations = check(&graph(&rows));
        let paths: Vec<String> = violations.iter().map(|v| v.path.join(" -> ")).collect();
        assert!(
            paths.contains(&"wxpay-mock -> shim -> wxpay-http".to_string()),
            "{paths:?}"
        );
    }

    #[test]
    fn unlisted_workspace_crate_is_reported() {
        let mut rows = clean_rows();
        rows.push(("wxpay-new", true, &[]));
        let violations = check(&graph(&rows));
        assert_eq!(violations.len(), 1, "{violations:?}");
        assert_eq!(violations[0].path, ["wxpay-new"]);
    }

    #[test]
    fn exempt_crates_may_depend_on_anything() {
        let mut rows = clean_rows();
        rows[7] = ("wxpay-e2e", true, &["wxpay-cli", "wxpay-crypto", "tokio"]);
        assert_eq!(check(&graph(&rows)), Vec::new());
    }

    #[test]
    fn absent_crates_are_fine() {
        let rows = [
            ("wxpay-crypto", true, &["ring"][..]),
            ("ring", false, &[][..]),
            ("xtask", true, &[][..]),
        ];
        assert_eq!(check(&graph(&rows)), Vec::new());
    }

    #[test]
    fn the_real_workspace_loads() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let graph = Graph::load(&root).expect("cargo metadata runs in the workspace");
        assert!(graph.members().any(|(_, node)| node.name == "wxpay-crypto"));
    }
}

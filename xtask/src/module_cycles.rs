//! No import circles between the files of a crate (part of the `layering` step).
//!
//! Crate arrows are checked by `layering.rs`; this looks one level down, at the files of the
//! crates whose insides grew tangled once: every `crate::…` and `super::…` path (in `use` items
//! and inline) is an edge from the file that writes it to the file that defines the module it
//! names. A strongly connected group of more than one file is a circle: a change to one of its
//! files has no single room to go to. Unit-test modules (`#[cfg(test)] mod tests`) are left out.
//!
//! The one circle allowed is `builder.rs` ↔ `client.rs` in `wxpay-http`: `Client::builder()`
//! returns the builder, and the builder builds the client.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Crates whose files are checked, and the circles each may keep (sets of file paths relative
/// to the crate's `src/`).
pub const CHECKED: &[(&str, &[&[&str]])] = &[
    ("crates/wxpay-http", &[&["builder.rs", "client.rs"]]),
    ("crates/wxpay-mock", &[]),
];

/// Files of one crate and the edges between them (paths relative to `src/`).
#[derive(Debug, Default)]
pub struct FileGraph {
    /// `from` → the files it refers to.
    pub edges: BTreeMap<String, BTreeSet<String>>,
}

/// A circle that is not allowed.
#[derive(Debug, PartialEq, Eq)]
pub struct Circle {
    /// The crate directory.
    pub krate: String,
    /// The files of the circle.
    pub files: Vec<String>,
}

impl fmt::Display for Circle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: files import one another in a circle: {}",
            self.krate,
            self.files.join(" ↔ ")
        )
    }
}

/// Checks every crate of [`CHECKED`] under `root`.
pub fn check(root: &Path) -> io::Result<Vec<Circle>> {
    let mut out = Vec::new();
    for (krate, allowed) in CHECKED {
        let graph = FileGraph::load(&root.join(krate).join("src"))?;
        for group in graph.circles() {
            let is_allowed = allowed.iter().any(|a| {
                let a: BTreeSet<&str> = a.iter().copied().collect();
                let g: BTreeSet<&str> = group.iter().map(String::as_str).collect();
                a == g
            });
            if !is_allowed {
                out.push(Circle {
                    krate: (*krate).to_owned(),
                    files: group,
                });
            }
        }
    }
    Ok(out)
}

impl FileGraph {
    /// Reads every `.rs` file under `src`.
    pub fn load(src: &Path) -> io::Result<Self> {
        let mut files = Vec::new();
        collect(src, &mut files)?;
        let known: BTreeSet<String> = files.iter().map(|f| rel(src, f)).collect();
        let mut graph = FileGraph::default();
        for file in &files {
            let from = rel(src, file);
            let text = fs::read_to_string(file)?;
            let targets = graph.edges.entry(from.clone()).or_default();
            for path in module_paths(&without_tests(&text), &module_of(&from)) {
                if let Some(to) = resolve(&path, &known)
                    && to != from
                {
                    targets.insert(to);
                }
            }
        }
        Ok(graph)
    }

    /// Groups of two or more files that reach one another (Tarjan's algorithm), each sorted.
    pub fn circles(&self) -> Vec<Vec<String>> {
        let nodes: Vec<&String> = self.edges.keys().collect();
        let index_of: BTreeMap<&String, usize> =
            nodes.iter().enumerate().map(|(i, n)| (*n, i)).collect();
        let succ: Vec<Vec<usize>> = nodes
            .iter()
            .map(|n| {
                self.edges[*n]
                    .iter()
                    .filter_map(|t| index_of.get(t).copied())
                    .collect()
            })
            .collect();
        let mut t = Tarjan {
            succ: &succ,
            index: vec![None; nodes.len()],
            low: vec![0; nodes.len()],
            on_stack: vec![false; nodes.len()],
            stack: Vec::new(),
            next: 0,
            groups: Vec::new(),
        };
        for v in 0..nodes.len() {
            if t.index[v].is_none() {
                t.visit(v);
            }
        }
        let mut out: Vec<Vec<String>> = t
            .groups
            .into_iter()
            .filter(|g| g.len() > 1)
            .map(|g| {
                let mut names: Vec<String> = g.into_iter().map(|i| nodes[i].clone()).collect();
                names.sort();
                names
            })
            .collect();
        out.sort();
        out
    }
}

struct Tarjan<'a> {
    succ: &'a [Vec<usize>],
    index: Vec<Option<usize>>,
    low: Vec<usize>,
    on_stack: Vec<bool>,
    stack: Vec<usize>,
    next: usize,
    groups: Vec<Vec<usize>>,
}

impl Tarjan<'_> {
    fn visit(&mut self, v: usize) {
        self.index[v] = Some(self.next);
        self.low[v] = self.next;
        self.next += 1;
        self.stack.push(v);
        self.on_stack[v] = true;
        for &w in &self.succ[v] {
            match self.index[w] {
                None => {
                    self.visit(w);
                    self.low[v] = self.low[v].min(self.low[w]);
                }
                Some(iw) if self.on_stack[w] => self.low[v] = self.low[v].min(iw),
                Some(_) => {}
            }
        }
        if Some(self.low[v]) == self.index[v] {
            let mut group = Vec::new();
            while let Some(w) = self.stack.pop() {
                self.on_stack[w] = false;
                group.push(w);
                if w == v {
                    break;
                }
            }
            self.groups.push(group);
        }
    }
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    Ok(())
}

fn rel(src: &Path, file: &Path) -> String {
    file.strip_prefix(src)
        .unwrap_or(file)
        .to_string_lossy()
        .replace('\\', "/")
}

/// The module path of a file: `lib.rs` → `[]`, `state/mod.rs` → `[state]`,
/// `state/stocks.rs` → `[state, stocks]`.
fn module_of(file: &str) -> Vec<String> {
    let mut parts: Vec<String> = file.split('/').map(str::to_owned).collect();
    let last = parts.pop().unwrap_or_default();
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" && stem != "lib" && stem != "main" {
        parts.push(stem.to_owned());
    }
    parts
}

/// The text before a trailing `#[cfg(test)] mod tests`, with line comments removed.
fn without_tests(text: &str) -> String {
    let mut out = String::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        if line.trim() == "#[cfg(test)]"
            && lines
                .peek()
                .is_some_and(|next| next.trim_start().starts_with("mod tests"))
        {
            break;
        }
        let code = match line.find("//") {
            Some(i) => &line[..i],
            None => line,
        };
        out.push_str(code);
        out.push('\n');
    }
    out
}

/// Every absolute module path written as `crate::…` or `super::…` (use trees expanded), or as
/// `use child::…` of a module the file declares (`mod child;`, e.g. a re-export in `lib.rs`), as
/// segments from the crate root.
fn module_paths(text: &str, module: &[String]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let children = declared_modules(text);
    for line_start in std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)) {
        let line = &text[line_start..];
        let trimmed = line.trim_start();
        let after_vis = trimmed
            .strip_prefix("pub(crate) ")
            .or_else(|| trimmed.strip_prefix("pub(super) "))
            .or_else(|| trimmed.strip_prefix("pub "))
            .unwrap_or(trimmed);
        let Some(rest) = after_vis.strip_prefix("use ") else {
            continue;
        };
        let ident: String = rest
            .bytes()
            .take_while(|b| is_ident(*b))
            .map(char::from)
            .collect();
        if children.contains(&ident) && rest[ident.len()..].starts_with("::") {
            let mut pos = line_start + (line.len() - rest.len()) + ident.len() + 2;
            let mut base = module.to_vec();
            base.push(ident);
            parse_tree(text, &mut pos, base, &mut out);
        }
    }
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let rest = &bytes[i..];
        let boundary = i == 0 || !is_ident(bytes[i - 1]) && bytes[i - 1] != b':';
        let start = if !boundary {
            None
        } else if rest.starts_with(b"crate::") {
            Some((Vec::new(), "crate::".len()))
        } else if rest.starts_with(b"super::") {
            let mut base = module.to_vec();
            base.pop();
            let mut skip = "super::".len();
            while bytes[i + skip..].starts_with(b"super::") {
                base.pop();
                skip += "super::".len();
            }
            Some((base, skip))
        } else {
            None
        };
        match start {
            Some((base, skip)) => {
                let mut pos = i + skip;
                parse_tree(text, &mut pos, base, &mut out);
                i = pos.max(i + 1);
            }
            None => i += 1,
        }
    }
    out
}

/// Names of the modules declared with `mod name;` in this file.
fn declared_modules(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter_map(|line| {
            let t = line.trim_start();
            let t = t
                .strip_prefix("pub(crate) ")
                .or_else(|| t.strip_prefix("pub "))
                .unwrap_or(t);
            let name = t.strip_prefix("mod ")?.trim_end().strip_suffix(';')?;
            Some(name.trim().to_owned())
        })
        .collect()
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Parses `a::b::{c, d::e}` at `pos`, pushing every leaf path.
fn parse_tree(text: &str, pos: &mut usize, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
    let bytes = text.as_bytes();
    let mut path = prefix;
    loop {
        skip_ws(bytes, pos);
        if *pos < bytes.len() && bytes[*pos] == b'{' {
            *pos += 1;
            loop {
                skip_ws(bytes, pos);
                if *pos >= bytes.len() {
                    return;
                }
                if bytes[*pos] == b'}' {
                    *pos += 1;
                    return;
                }
                if bytes[*pos] == b',' {
                    *pos += 1;
                    continue;
                }
                let before = *pos;
                parse_tree(text, pos, path.clone(), out);
                if *pos == before {
                    *pos += 1;
                }
            }
        }
        let start = *pos;
        while *pos < bytes.len() && is_ident(bytes[*pos]) {
            *pos += 1;
        }
        if start == *pos {
            out.push(path);
            return;
        }
        let ident = &text[start..*pos];
        if ident != "self" {
            path.push(ident.to_owned());
        }
        if bytes[*pos..].starts_with(b"::") {
            *pos += 2;
        } else {
            out.push(path);
            return;
        }
    }
}

fn skip_ws(bytes: &[u8], pos: &mut usize) {
    while *pos < bytes.len() && bytes[*pos].is_ascii_whitespace() {
        *pos += 1;
    }
}

/// The file defining the longest module prefix of `path`.
fn resolve(path: &[String], known: &BTreeSet<String>) -> Option<String> {
    for len in (0..=path.len()).rev() {
        let module = &path[..len];
        let candidates = if module.is_empty() {
            vec!["lib.rs".to_owned(), "main.rs".to_owned()]
        } else {
            let joined = module.join("/");
            vec![format!("{joined}.rs"), format!("{joined}/mod.rs")]
        };
        if let Some(found) = candidates.into_iter().find(|c| known.contains(c)) {
            return Some(found);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(files: &[&str]) -> BTreeSet<String> {
        files.iter().map(|f| (*f).to_owned()).collect()
    }

    #[test]
    fn use_trees_expand_to_every_leaf() {
        let text = "use crate::{a, b::{C, d::E}};\nfn f() { crate::sync::lock(x); }";
        let paths = module_paths(text, &[]);
        let shown: Vec<String> = paths.iter().map(|p| p.join("::")).collect();
        assert_eq!(shown, ["a", "b::C", "b::d::E", "sync::lock"]);
    }

    #[test]
    fn super_is_relative_to_the_file() {
        let module = module_of("state/stocks.rs");
        assert_eq!(module, ["state", "stocks"]);
        let paths = module_paths("use super::{Ctx, coupons::check};", &module);
        let shown: Vec<String> = paths.iter().map(|p| p.join("::")).collect();
        assert_eq!(shown, ["state::Ctx", "state::coupons::check"]);
        assert_eq!(module_of("state/mod.rs"), ["state"]);
        assert_eq!(module_of("lib.rs"), Vec::<String>::new());
    }

    #[test]
    fn re_exports_of_declared_modules_are_edges() {
        let text = "mod codes;\npub(crate) mod stocks;\npub(crate) use codes::CodePool;\npub use stocks::{Stock, X};\nuse std::fmt;\n";
        let paths = module_paths(text, &["state".to_owned()]);
        let shown: Vec<String> = paths.iter().map(|p| p.join("::")).collect();
        assert_eq!(
            shown,
            [
                "state::codes::CodePool",
                "state::stocks::Stock",
                "state::stocks::X"
            ]
        );
    }

    #[test]
    fn paths_resolve_to_the_defining_file() {
        let files = known(&["lib.rs", "state/mod.rs", "state/coupons.rs", "sync.rs"]);
        let p = |s: &str| s.split("::").map(str::to_owned).collect::<Vec<_>>();
        assert_eq!(
            resolve(&p("state::Ctx"), &files).as_deref(),
            Some("state/mod.rs")
        );
        assert_eq!(
            resolve(&p("state::coupons::check"), &files).as_deref(),
            Some("state/coupons.rs")
        );
        assert_eq!(
            resolve(&p("sync::lock"), &files).as_deref(),
            Some("sync.rs")
        );
        assert_eq!(resolve(&p("Error"), &files).as_deref(), Some("lib.rs"));
    }

    #[test]
    fn circles_are_found_and_tests_ignored() {
        let mut g = FileGraph::default();
        let mut add = |a: &str, b: &[&str]| {
            g.edges
                .insert(a.to_owned(), b.iter().map(|s| (*s).to_owned()).collect());
        };
        add("a.rs", &["b.rs"]);
        add("b.rs", &["c.rs"]);
        add("c.rs", &["a.rs"]);
        add("d.rs", &["a.rs"]);
        assert_eq!(g.circles(), vec![vec!["a.rs", "b.rs", "c.rs"]]);
        let text = "use crate::a;\n#[cfg(test)]\nmod tests {\n use crate::b;\n}\n";
        assert_eq!(module_paths(&without_tests(text), &[]).len(), 1);
    }

    #[test]
    fn the_workspace_has_no_circle_but_the_allowed_one() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let circles = check(&root).expect("read the crates");
        assert!(
            circles.is_empty(),
            "{}",
            circles
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

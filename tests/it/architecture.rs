//! The crate graph is the architecture: `cargo metadata` must show only the
//! edges docs/ARCHITECTURE.md allows, and no library crate may reach clap, nor
//! grading, rendering or the evidence model an HTTP or async runtime.

use std::collections::{BTreeMap, BTreeSet};

use super::support::root;

/// Which workspace crates each workspace crate may depend on (any kind).
const ALLOWED: &[(&str, &[&str])] = &[
    ("mcp-auth-evidence", &[]),
    ("mcp-auth-grade", &["mcp-auth-evidence"]),
    ("mcp-auth-net", &["mcp-auth-evidence"]),
    ("mcp-auth-report", &["mcp-auth-grade", "mcp-auth-evidence"]),
    (
        "mcp-auth",
        &[
            "mcp-auth-evidence",
            "mcp-auth-grade",
            "mcp-auth-net",
            "mcp-auth-report",
        ],
    ),
];

/// Crates a library crate must not reach, directly or through others
/// (normal and build dependencies).
const FORBIDDEN: &[(&str, &[&str])] = &[
    (
        "mcp-auth-evidence",
        &["clap", "reqwest", "tokio", "axum", "oauth2", "hyper"],
    ),
    (
        "mcp-auth-grade",
        &["clap", "reqwest", "tokio", "axum", "oauth2", "hyper"],
    ),
    (
        "mcp-auth-report",
        &["clap", "reqwest", "tokio", "axum", "oauth2", "hyper"],
    ),
    ("mcp-auth-net", &["clap", "comfy-table", "colored"]),
];

struct Graph {
    /// Package id → name.
    names: BTreeMap<String, String>,
    /// Package id → (dependency id, whether only a dev-dependency).
    deps: BTreeMap<String, Vec<(String, bool)>>,
    workspace: BTreeSet<String>,
}

fn graph(manifest: &std::path::Path) -> Graph {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = std::process::Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--offline",
            "--manifest-path",
        ])
        .arg(manifest)
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).expect("metadata JSON");
    let names = meta["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .map(|p| {
            (
                p["id"].as_str().unwrap().to_owned(),
                p["name"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let workspace = meta["workspace_members"]
        .as_array()
        .expect("members")
        .iter()
        .map(|m| m.as_str().unwrap().to_owned())
        .collect();
    let deps = meta["resolve"]["nodes"]
        .as_array()
        .expect("resolve nodes")
        .iter()
        .map(|n| {
            let list = n["deps"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| {
                    let dev_only = d["dep_kinds"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .all(|k| k["kind"] == "dev");
                    (d["pkg"].as_str().unwrap().to_owned(), dev_only)
                })
                .collect();
            (n["id"].as_str().unwrap().to_owned(), list)
        })
        .collect();
    Graph {
        names,
        deps,
        workspace,
    }
}

impl Graph {
    fn id(&self, name: &str) -> &str {
        self.workspace
            .iter()
            .find(|id| self.names[*id] == name)
            .unwrap_or_else(|| panic!("{name} is not a workspace member"))
    }

    /// Every crate `id` reaches through normal and build dependencies.
    fn reach(&self, id: &str) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut todo = vec![id.to_owned()];
        while let Some(next) = todo.pop() {
            for (dep, dev_only) in &self.deps[&next] {
                if !dev_only && seen.insert(dep.clone()) {
                    todo.push(dep.clone());
                }
            }
        }
        seen.iter().map(|d| self.names[d].clone()).collect()
    }
}

/// The violations of the rules above in the workspace at `manifest`.
pub fn violations(manifest: &std::path::Path) -> Vec<String> {
    let g = graph(manifest);
    let mut wrong = Vec::new();
    let members: BTreeSet<&str> = g.workspace.iter().map(|id| g.names[id].as_str()).collect();
    let listed: BTreeSet<&str> = ALLOWED.iter().map(|(c, _)| *c).collect();
    if members != listed {
        wrong.push(format!(
            "workspace members {members:?} differ from the crates the architecture names {listed:?}"
        ));
    }
    for (krate, allowed) in ALLOWED {
        let id = g.id(krate);
        for (dep, _) in &g.deps[id] {
            let name = g.names[dep].as_str();
            if listed.contains(name) && !allowed.contains(&name) {
                wrong.push(format!("{krate} depends on {name}"));
            }
        }
    }
    for (krate, forbidden) in FORBIDDEN {
        let reached = g.reach(g.id(krate));
        for f in *forbidden {
            if reached.contains(*f) {
                wrong.push(format!("{krate} reaches {f}"));
            }
        }
    }
    wrong
}

#[test]
fn the_crate_graph_has_only_the_allowed_edges() {
    let wrong = violations(&root().join("Cargo.toml"));
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn the_fuzz_targets_build_on_the_library_crates_only() {
    let wrong: Vec<String> = {
        let g = graph(&root().join("fuzz/Cargo.toml"));
        let reached = g.reach(g.id("mcp-auth-fuzz"));
        [
            "mcp-auth",
            "mcp-auth-net",
            "reqwest",
            "tokio",
            "clap",
            "axum",
            "oauth2",
        ]
        .iter()
        .filter(|c| reached.contains(**c))
        .map(|c| format!("the fuzz targets reach {c}"))
        .collect()
    };
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// House style: no source file over 600 lines (function length is clippy's
/// `too_many_lines`, threshold 80 in clippy.toml).
#[test]
fn no_source_file_is_over_600_lines() {
    fn walk(dir: &std::path::Path, long: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            let name = entry.file_name();
            if path.is_dir() {
                if !matches!(name.to_str(), Some("target" | "node_modules" | ".venv")) {
                    walk(&path, long);
                }
            } else if path.extension().is_some_and(|e| e == "rs") {
                let lines = std::fs::read_to_string(&path).unwrap().lines().count();
                if lines > 600 {
                    long.push(format!("{} has {lines} lines", path.display()));
                }
            }
        }
    }
    let mut long = Vec::new();
    for dir in ["src", "crates", "tests", "fuzz/fuzz_targets", "bench"] {
        walk(&root().join(dir), &mut long);
    }
    assert!(long.is_empty(), "{long:#?}");
}

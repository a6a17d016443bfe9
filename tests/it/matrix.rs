//! `mcp-auth matrix` over providers that are real local peers, a dead one
//! and a slow one; record, replay, baseline; the repository's providers/.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use crate::support::peer::{McpServer, OidcProvider};
use crate::support::replay::{ReplayServer, Route};
use crate::support::*;

fn provider_file(dir: &Path, id: &str, kind: &str, url: &str) {
    let text = format!(
        r#"name = "{id} (local)"
homepage = "https://example.com/{id}"
docs = "https://example.com/{id}/docs"
kind = "{kind}"
url = "{url}"
updated = "2026-11-23"
sources = ["tests/it/matrix.rs"]
verified = {{ date = "2026-11-23", source = "https://example.com/{id}/docs" }}
"#
    );
    std::fs::write(dir.join(format!("{id}.toml")), text).unwrap();
}

fn row<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no row {id}"))
}

fn matrix(args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["matrix"];
    all.extend_from_slice(args);
    run(&all)
}

/// The providers that answer, and so are recorded.
const RECORDED: [&str; 3] = ["node-oidc-root", "node-oidc-path", "ts-sdk-mcp"];

/// What `matrix --record` over local providers left: the files of
/// providers/ and evidence/ (path and contents), and the JSON report.
struct Recording {
    files: Vec<(PathBuf, Vec<u8>)>,
    live: serde_json::Value,
}

/// Recorded once per test binary, by whichever test asks first; no test
/// depends on another having run.
static RECORDING: OnceLock<Recording> = OnceLock::new();

/// Two node-oidc-providers (at the root with registration, under /oidc
/// without), the TypeScript SDK MCP server, an issuer nothing answers on and
/// one that never answers, recorded with `matrix --record`. The peers stop
/// when it returns: a replay needs only the files.
fn record() -> Recording {
    let root = OidcProvider::start(&["--registration"]);
    let path = OidcProvider::start(&["--path", "/oidc"]);
    let for_mcp = OidcProvider::for_mcp();
    let mcp = McpServer::typescript(&for_mcp.issuer, &[]);
    let dead = ClosedPort::bind();
    let slow = ReplayServer::start(|_| {
        [
            "/.well-known/oauth-authorization-server",
            "/.well-known/openid-configuration",
        ]
        .into_iter()
        .map(|p| {
            (
                p.to_owned(),
                Route::raw(200, Some("application/json"), "{}").delayed(Duration::from_secs(120)),
            )
        })
        .collect()
    });
    let dir = tempfile::tempdir().unwrap();
    let providers = dir.path().join("providers");
    std::fs::create_dir(&providers).unwrap();
    provider_file(&providers, "node-oidc-root", "issuer", &root.issuer);
    provider_file(&providers, "node-oidc-path", "issuer", &path.issuer);
    provider_file(&providers, "ts-sdk-mcp", "mcp", &mcp.url);
    provider_file(&providers, "dead", "issuer", &dead.origin());
    provider_file(&providers, "slow", "issuer", &slow.origin);
    let (code, json, stderr) = matrix(&[
        "--providers",
        providers.to_str().unwrap(),
        "--format",
        "json",
        "--record",
        dir.path().join("evidence").to_str().unwrap(),
        "--provider-timeout",
        "2",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let mut files = Vec::new();
    for sub in ["providers", "evidence"] {
        for e in std::fs::read_dir(dir.path().join(sub)).unwrap() {
            let p = e.unwrap().path();
            let name = Path::new(sub).join(p.file_name().unwrap());
            files.push((name, std::fs::read(&p).unwrap()));
        }
    }
    Recording {
        files,
        live: serde_json::from_str(&json).unwrap(),
    }
}

/// The recording, in a scratch directory of the test's own.
struct Recorded {
    dir: tempfile::TempDir,
    providers: String,
    evidence: PathBuf,
    /// The recording run's JSON report.
    live: serde_json::Value,
}

impl Recorded {
    fn new() -> Self {
        let recording = RECORDING.get_or_init(record);
        let dir = tempfile::tempdir().unwrap();
        for sub in ["providers", "evidence"] {
            std::fs::create_dir(dir.path().join(sub)).unwrap();
        }
        for (name, bytes) in &recording.files {
            std::fs::write(dir.path().join(name), bytes).unwrap();
        }
        Self {
            providers: dir.path().join("providers").to_str().unwrap().to_owned(),
            evidence: dir.path().join("evidence"),
            live: recording.live.clone(),
            dir,
        }
    }

    /// `matrix --providers <providers> --replay <evidence> <args>`.
    fn replay(&self, args: &[&str]) -> (i32, String, String) {
        let mut all = vec![
            "--providers",
            &self.providers,
            "--replay",
            self.evidence.to_str().unwrap(),
        ];
        all.extend_from_slice(args);
        matrix(&all)
    }

    /// The replay of the providers `only` as a JSON report.
    fn replay_json(&self, only: &str) -> (i32, serde_json::Value) {
        let (code, out, _) = self.replay(&["--format", "json", "--only", only]);
        (code, serde_json::from_str(&out).unwrap())
    }

    /// The replay of the recorded providers against the baseline `base`.
    fn replay_against(&self, base: &serde_json::Value) -> (i32, String) {
        let file = self.dir.path().join("base.json");
        std::fs::write(&file, serde_json::to_string(base).unwrap()).unwrap();
        let (code, _, stderr) = self.replay(&[
            "--only",
            &RECORDED.join(","),
            "--baseline",
            file.to_str().unwrap(),
        ]);
        (code, stderr)
    }
}

#[test]
fn matrix_records_every_provider_sorted_by_id() {
    let rec = Recorded::new();
    let ids: Vec<&str> = rec.live["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "dead",
            "node-oidc-path",
            "node-oidc-root",
            "slow",
            "ts-sdk-mcp"
        ],
        "sorted by id"
    );
    assert!(row(&rec.live, "node-oidc-root")["checked_at"].is_string());
    for id in RECORDED {
        assert!(
            rec.evidence.join(format!("{id}.json")).exists(),
            "{id} recorded"
        );
    }
}

#[test]
fn matrix_grades_the_local_peers() {
    let live = Recorded::new().live;
    let r = &row(&live, "node-oidc-root")["cells"];
    assert_eq!(r["pkce_s256"], "pass");
    assert_eq!(r["dcr"], "pass");
    assert_eq!(
        r["cors_registration"], "warn",
        "oidc-provider sends no CORS on registration"
    );
    assert_eq!(r["mcp_2025_06_18"], true);
    let r = &row(&live, "node-oidc-path")["cells"];
    assert_eq!(r["dcr"], "warn", "no registration endpoint");
    assert_eq!(
        r["mcp_2025_06_18"], false,
        "only OIDC discovery under /oidc"
    );
    assert_eq!(r["mcp_2025_11_25"], true);
    assert!(r["metadata_url"]
        .as_str()
        .unwrap()
        .ends_with("/oidc/.well-known/openid-configuration"));
    let r = &row(&live, "ts-sdk-mcp")["cells"];
    assert_eq!(r["prm_resource"], "pass");
    assert_eq!(r["typescript_sdk"], true);
}

#[test]
fn matrix_gives_a_dead_and_a_slow_provider_an_error_not_a_verdict() {
    let live = Recorded::new().live;
    assert!(
        row(&live, "dead")["error"]
            .as_str()
            .unwrap()
            .contains("unreachable"),
        "{}",
        row(&live, "dead")
    );
    assert!(row(&live, "slow")["error"]
        .as_str()
        .unwrap()
        .contains("no verdict within 2 s"));
}

/// Replay: byte-identical JSON for every recorded provider.
#[test]
fn matrix_replay_is_identical_for_every_recorded_provider() {
    let rec = Recorded::new();
    let (code, replayed) = rec.replay_json(&RECORDED.join(","));
    assert_eq!(code, 0);
    for id in RECORDED {
        assert_eq!(
            row(&rec.live, id),
            row(&replayed, id),
            "{id} differs after replay"
        );
    }
}

/// The dead provider's failed exchanges were recorded too, and replay the same.
#[test]
fn matrix_replays_a_dead_providers_failed_exchanges() {
    let rec = Recorded::new();
    let (_, out) = rec.replay_json("dead");
    assert_eq!(row(&out, "dead"), row(&rec.live, "dead"));
}

/// The slow one has no recording: a cell, not a crash.
#[test]
fn matrix_replay_without_a_recording_is_a_cell_not_a_crash() {
    let rec = Recorded::new();
    let (code, out) = rec.replay_json("slow");
    assert_eq!(code, 0);
    assert!(row(&out, "slow")["error"]
        .as_str()
        .unwrap()
        .contains("cannot read"));
}

/// Baseline: the same run is no regression.
#[test]
fn matrix_baseline_of_the_same_run_is_no_regression() {
    let rec = Recorded::new();
    let (code, stderr) = rec.replay_against(&rec.live);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("regression"), "{stderr}");
}

/// Baseline: a better past is a regression.
#[test]
fn matrix_baseline_that_was_better_is_a_regression() {
    let rec = Recorded::new();
    let mut better = rec.live.clone();
    for r in better["rows"].as_array_mut().unwrap() {
        if r["id"] == "node-oidc-path" {
            for c in r["checks"].as_array_mut().unwrap() {
                if c["id"] == "DISC-AS-RFC8414" {
                    c["status"] = "pass".into();
                }
            }
        }
    }
    let (code, stderr) = rec.replay_against(&better);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("regression: node-oidc-path DISC-AS-RFC8414: pass → warn"),
        "{stderr}"
    );
}

#[test]
fn matrix_markdown_from_recorded_evidence() {
    let rec = Recorded::new();
    let (_, md, _) = rec.replay(&[
        "--only",
        "node-oidc-root,ts-sdk-mcp",
        "--format",
        "markdown",
    ]);
    assert!(md.starts_with("# MCP authorization compatibility"), "{md}");
    assert_eq!(
        md.lines()
            .filter(|l| l.starts_with("| node-oidc-root") || l.starts_with("| ts-sdk-mcp"))
            .count(),
        4,
        "a row in the main table and one in the provider × host table each: {md}"
    );
    // The provider × host table: Claude's servers call only https on 443,
    // so a loopback http server stops it at discovery; Cursor registers
    // dynamically, which both offer.
    let hosts = &md[md.find("## Hosts").expect("a hosts section")..];
    let header = hosts.lines().find(|l| l.starts_with("| Provider")).unwrap();
    let column = |id: &str| {
        header
            .split(" | ")
            .position(|c| c == format!("`{id}`"))
            .unwrap()
    };
    let row = hosts
        .lines()
        .find(|l| l.starts_with("| ts-sdk-mcp"))
        .unwrap();
    let cells: Vec<&str> = row.split(" | ").collect();
    assert_eq!(cells[column("claude")], "❌ discovery", "{row}");
    assert_eq!(cells[column("cursor")], "✅", "{row}");
}

#[test]
fn matrix_junit_from_recorded_evidence() {
    let rec = Recorded::new();
    let (_, xml, _) = rec.replay(&[
        "--only",
        "node-oidc-root,node-oidc-path,ts-sdk-mcp,dead",
        "--format",
        "junit",
    ]);
    let doc = roxmltree::Document::parse(&xml).expect("JUnit XML parses");
    let suites: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    assert_eq!(suites.len(), 4);
    let dead_suite = suites
        .iter()
        .find(|s| s.attribute("name") == Some("dead"))
        .unwrap();
    assert!(
        dead_suite.descendants().any(|n| n.has_tag_name("error")),
        "unreachable is an error case"
    );
    let ts = suites
        .iter()
        .find(|s| s.attribute("name") == Some("ts-sdk-mcp"))
        .unwrap();
    let cases = ts.children().filter(|n| n.has_tag_name("testcase")).count();
    assert!(cases >= 60, "one test case per check: {cases}");
    assert!(
        ts.descendants().any(|n| n.has_tag_name("skipped")),
        "skipped checks are marked"
    );
}

#[test]
fn repository_providers_are_valid_and_the_schema_is_current() {
    let list = mcp_auth::commands::load_providers(&root().join("providers"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(list.len() >= 30, "{} providers", list.len());
    assert!(list
        .iter()
        .any(|p| p.def.kind == mcp_auth_grade::providers::ProviderKind::Mcp));
    let committed = std::fs::read_to_string(root().join("providers/schema.json")).unwrap();
    assert_eq!(
        committed,
        mcp_auth_grade::providers::json_schema(),
        "providers/schema.json is stale: regenerate it with `cargo run -q -- providers-schema > providers/schema.json`"
    );
    // The guide states the counts.
    let mcp = list
        .iter()
        .filter(|p| p.def.kind == mcp_auth_grade::providers::ProviderKind::Mcp)
        .count();
    let checked = list.iter().filter(|p| p.def.matrix).count();
    let guide = std::fs::read_to_string(root().join("docs/GUIDE.md"))
        .unwrap()
        .replace('\n', " ");
    let claim = format!(
        "defines {} providers: {} authorization servers and {} public MCP servers; `matrix` checks the {} that",
        list.len(),
        list.len() - mcp,
        mcp,
        checked
    );
    assert!(guide.contains(&claim), "docs/GUIDE.md should say: {claim}");
    // The built-in set is the same as the directory.
    assert_eq!(mcp_auth_grade::providers::embedded().len(), list.len());
}

#[test]
fn a_bad_provider_file_names_file_and_field() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("broken.toml"),
        "name = \"B\"\nhomepage = \"https://b.example\"\ndocs = \"https://b.example/d\"\nkind = \"issuer\"\nurl = \"https://{tenant}.b.example\"\nupdated = \"2026-11-23\"\nsources = [\"x\"]\nverified = { date = \"2026-11-23\", source = \"https://b.example/d\" }\n",
    )
    .unwrap();
    let (code, stdout, stderr) = matrix(&["--providers", dir.path().to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("broken.toml: example.tenant: missing"),
        "{stderr}"
    );
    let (code, _, stderr) = matrix(&["--only", "no-such-provider"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("--only: no provider 'no-such-provider'"),
        "{stderr}"
    );
}

/// With a low open-file limit, the matrix checks fewer providers at a time
/// (and says so) instead of failing rows with "Too many open files": every
/// provider is a separate server, and each one's connections close when its
/// check ends.
#[test]
fn a_low_open_file_limit_lowers_concurrency_instead_of_failing_rows() {
    let servers: Vec<ReplayServer> = (0..24)
        .map(|_| {
            ReplayServer::start(|origin| {
                let doc =
                    crate::support::replay::recorded("oidc-provider-9.13.3-root.json", origin);
                vec![(
                    "/.well-known/openid-configuration".to_owned(),
                    Route::json(&doc),
                )]
            })
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    for (i, s) in servers.iter().enumerate() {
        provider_file(dir.path(), &format!("p{i:02}"), "issuer", &s.origin);
    }
    let home = tempfile::tempdir().unwrap();
    let bin = assert_cmd::cargo::cargo_bin("mcp-auth");
    // 128 descriptors: (128 - 64) / 16 = 4 providers at a time. All 24 at once
    // would need about 24 × 6 sockets.
    let out = assert_cmd::Command::new("sh")
        .env_clear()
        .env("HOME", home.path())
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .args(["-c", "ulimit -n 128 && exec \"$0\" \"$@\""])
        .arg(&bin)
        .args([
            "matrix",
            "--providers",
            dir.path().to_str().unwrap(),
            "--format",
            "json",
        ])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("checking 4 providers at a time, not 24: the open-file limit is 128"),
        "{stderr}"
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = report["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 24);
    for r in rows {
        assert!(
            r["cells"]["metadata_url"].as_str().is_some(),
            "{} lost its metadata: {}",
            r["id"],
            r["error"]
        );
    }
    assert!(!String::from_utf8_lossy(&out.stdout).contains("Too many open files"));
}

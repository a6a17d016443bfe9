//! `mcp-auth matrix` over providers that are real local peers, a dead one
//! and a slow one; record, replay, baseline; the repository's providers/.

use std::path::Path;
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

#[test]
fn matrix_over_local_peers_record_replay_and_baseline() {
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
    let evidence = dir.path().join("evidence");
    let p = providers.to_str().unwrap();
    let e = evidence.to_str().unwrap();

    let (code, json, stderr) = matrix(&[
        "--providers",
        p,
        "--format",
        "json",
        "--record",
        e,
        "--provider-timeout",
        "2",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let live: serde_json::Value = serde_json::from_str(&json).unwrap();
    let ids: Vec<&str> = live["rows"]
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
    assert!(row(&live, "node-oidc-root")["checked_at"].is_string());
    for id in ["node-oidc-root", "node-oidc-path", "ts-sdk-mcp"] {
        assert!(
            evidence.join(format!("{id}.json")).exists(),
            "{id} recorded"
        );
    }

    // Replay: byte-identical JSON for every recorded provider.
    let (code, replayed, _) = matrix(&[
        "--providers",
        p,
        "--format",
        "json",
        "--replay",
        e,
        "--only",
        "node-oidc-root,node-oidc-path,ts-sdk-mcp",
    ]);
    assert_eq!(code, 0);
    let replayed: serde_json::Value = serde_json::from_str(&replayed).unwrap();
    for id in ["node-oidc-root", "node-oidc-path", "ts-sdk-mcp"] {
        assert_eq!(
            row(&live, id),
            row(&replayed, id),
            "{id} differs after replay"
        );
    }
    // The dead provider's failed exchanges were recorded too, and replay the same.
    let (_, out, _) = matrix(&[
        "--providers",
        p,
        "--format",
        "json",
        "--replay",
        e,
        "--only",
        "dead",
    ]);
    let out: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(row(&out, "dead"), row(&live, "dead"));
    // The slow one has no recording: a cell, not a crash.
    let (code, out, _) = matrix(&[
        "--providers",
        p,
        "--format",
        "json",
        "--replay",
        e,
        "--only",
        "slow",
    ]);
    assert_eq!(code, 0);
    let out: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(row(&out, "slow")["error"]
        .as_str()
        .unwrap()
        .contains("cannot read"));

    // Baseline: the same run is no regression; a better past is.
    let base = dir.path().join("base.json");
    std::fs::write(&base, serde_json::to_string(&live).unwrap()).unwrap();
    let b = base.to_str().unwrap();
    let (code, _, stderr) = matrix(&[
        "--providers",
        p,
        "--replay",
        e,
        "--only",
        "node-oidc-root,node-oidc-path,ts-sdk-mcp",
        "--baseline",
        b,
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("regression"), "{stderr}");
    let mut better = live.clone();
    for r in better["rows"].as_array_mut().unwrap() {
        if r["id"] == "node-oidc-path" {
            for c in r["checks"].as_array_mut().unwrap() {
                if c["id"] == "DISC-AS-RFC8414" {
                    c["status"] = "pass".into();
                }
            }
        }
    }
    std::fs::write(&base, serde_json::to_string(&better).unwrap()).unwrap();
    let (code, _, stderr) = matrix(&[
        "--providers",
        p,
        "--replay",
        e,
        "--only",
        "node-oidc-root,node-oidc-path,ts-sdk-mcp",
        "--baseline",
        b,
    ]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("regression: node-oidc-path DISC-AS-RFC8414: pass → warn"),
        "{stderr}"
    );

    // Markdown and JUnit from the same evidence.
    let (_, md, _) = matrix(&[
        "--providers",
        p,
        "--replay",
        e,
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
        2,
        "{md}"
    );
    let (_, xml, _) = matrix(&[
        "--providers",
        p,
        "--replay",
        e,
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
    // README states the counts.
    let mcp = list
        .iter()
        .filter(|p| p.def.kind == mcp_auth_grade::providers::ProviderKind::Mcp)
        .count();
    let checked = list.iter().filter(|p| p.def.matrix).count();
    let readme = std::fs::read_to_string(root().join("README.md"))
        .unwrap()
        .replace('\n', " ");
    let claim = format!(
        "defines {} providers: {} authorization servers and {} public MCP servers; `matrix` checks the {} that",
        list.len(),
        list.len() - mcp,
        mcp,
        checked
    );
    assert!(readme.contains(&claim), "README.md should say: {claim}");
    // The built-in set is the same as the directory.
    assert_eq!(mcp_auth_grade::providers::embedded().len(), list.len());
}

#[test]
fn a_bad_provider_file_names_file_and_field() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("broken.toml"),
        "name = \"B\"\nhomepage = \"https://b.example\"\ndocs = \"https://b.example/d\"\nkind = \"issuer\"\nurl = \"https://{tenant}.b.example\"\nupdated = \"2026-11-23\"\nsources = [\"x\"]\n",
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

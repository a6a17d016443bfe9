//! `check --probe-hosts` against a real node-oidc-provider with Client ID
//! Metadata Documents on (`--cimd DIR`, whose fetch never leaves loopback):
//! the built-in hosts' documents are not loopback URLs, so the provider
//! refuses them; a loopback document (through `MCP_AUTH_TEST_HOSTS`) passes.

use std::path::Path;

use serde_json::Value;

use crate::support::peer::{McpServer, OidcProvider};
use crate::support::*;

/// The built-in hosts (src/commands/hosts.rs).
/// The host profiles with a CIMD document of their own (`clients/*.toml`).
const BUILT_IN: [&str; 5] = ["claude", "claude-code", "chatgpt", "vscode", "mcpjam"];

/// node-oidc-provider under `/oidc` with CIMD from `docs` (and any loopback
/// MCP server accepted as a resource), and the TS SDK server it protects.
fn peers(docs: &Path) -> (OidcProvider, McpServer) {
    let provider = OidcProvider::start(&[
        "--path",
        "/oidc",
        "--resource-any-loopback",
        "--cimd",
        docs.to_str().unwrap(),
    ]);
    let server = McpServer::typescript(&provider.issuer, &[]);
    (provider, server)
}

/// `check URL --format json --save-evidence …` with `args` and, when given,
/// `MCP_AUTH_TEST_HOSTS`: (exit code, report, saved evidence).
fn check(url: &str, args: &[&str], test_hosts: Option<&str>) -> (i32, Value, Value) {
    let home = tempfile::tempdir().unwrap();
    let evidence = home.path().join("evidence.json");
    let mut cmd = mcp_auth(home.path());
    cmd.args(["check", url, "--format", "json", "--save-evidence"])
        .arg(&evidence)
        .args(args);
    if let Some(json) = test_hosts {
        cmd.env("MCP_AUTH_TEST_HOSTS", json);
    }
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let ev = serde_json::from_str(&std::fs::read_to_string(&evidence).unwrap()).unwrap();
    (out.status.code().unwrap(), report, ev)
}

/// The AUTHZ-HOST-ACCEPTED findings: (subject, status, detail).
fn host_findings(report: &Value) -> Vec<(String, String, String)> {
    let text = |c: &Value, k: &str| c[k].as_str().unwrap_or_default().to_owned();
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["id"] == "AUTHZ-HOST-ACCEPTED")
        .map(|c| (text(c, "subject"), text(c, "status"), text(c, "detail")))
        .collect()
}

/// The `authz_host` probes of the saved evidence: (host, request URL).
fn host_probes(ev: &Value) -> Vec<(String, String)> {
    ev["authorization_servers"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["probes"].as_array().cloned().unwrap_or_default())
        .filter(|p| p["kind"] == "authz_host")
        .map(|p| {
            (
                p["host"].as_str().unwrap().to_owned(),
                p["exchange"]["request"]["url"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn param(url: &str, name: &str) -> Option<String> {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

#[test]
fn the_built_in_hosts_are_refused_by_a_provider_that_cannot_fetch_their_documents() {
    let docs = tempfile::tempdir().unwrap();
    let (_provider, server) = peers(docs.path());
    let (_, report, ev) = check(&server.url, &["--probe-hosts"], None);
    let found = host_findings(&report);
    assert_eq!(found.len(), BUILT_IN.len(), "{found:#?}");
    for (host, (subject, status, detail)) in BUILT_IN.iter().zip(&found) {
        assert_eq!(subject, host);
        // A SHOULD: not met is a warning.
        assert_eq!(status, "warn", "{detail}");
        assert!(detail.contains("error=invalid_client"), "{detail}");
        assert!(detail.contains(&format!("{host} would show")), "{detail}");
    }
    let probes = host_probes(&ev);
    let hosts: Vec<&str> = probes.iter().map(|(h, _)| h.as_str()).collect();
    assert_eq!(hosts, BUILT_IN, "exactly one probe per host");
    // VS Code would use its document here (CIMD, and `none`): refused, its
    // row stops at authorize; Cursor registers dynamically, unprobed.
    let row = |id: &str| {
        report["resource"]["clients"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .cloned()
            .unwrap()
    };
    let vscode = row("vscode");
    assert_eq!(vscode["registers_with"], "cimd", "{vscode}");
    assert_eq!(vscode["works"], false, "{vscode}");
    assert_eq!(vscode["stops_at"], "authorize", "{vscode}");
    assert!(
        vscode["detail"]
            .as_str()
            .unwrap()
            .ends_with("then AUTHZ-HOST-ACCEPTED warns (authorize)"),
        "{vscode}"
    );
    let cursor = row("cursor");
    assert_ne!(cursor["registers_with"], "cimd", "{cursor}");
    assert!(
        !cursor["detail"]
            .as_str()
            .unwrap()
            .contains("AUTHZ-HOST-ACCEPTED"),
        "{cursor}"
    );
    for (host, url) in &probes {
        let profile = mcp_auth_grade::clients::profile(host).unwrap();
        let reg = profile.def.registration.as_ref().unwrap();
        assert_eq!(param(url, "client_id"), reg.cimd_url);
        assert_eq!(
            param(url, "redirect_uri"),
            profile.def.redirect.as_ref().unwrap().uri
        );
        assert_eq!(param(url, "code_challenge_method").as_deref(), Some("S256"));
        assert_eq!(param(url, "resource").as_deref(), Some(server.url.as_str()));
    }
}

#[test]
fn without_probe_hosts_no_host_is_probed_and_the_check_skips() {
    let docs = tempfile::tempdir().unwrap();
    let (_provider, server) = peers(docs.path());
    let (_, report, ev) = check(&server.url, &[], None);
    let found = host_findings(&report);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].1, "skip");
    assert_eq!(found[0].2, "not probed: run with --probe-hosts");
    assert!(host_probes(&ev).is_empty());
}

#[test]
fn a_host_whose_loopback_document_the_provider_serves_gets_a_login_page() {
    let docs = tempfile::tempdir().unwrap();
    let (provider, server) = peers(docs.path());
    let port = url::Url::parse(&provider.issuer).unwrap().port().unwrap();
    // On the provider's own port: its fetch answers from DIR, never the network.
    let id = format!("https://127.0.0.1:{port}/hosts/loopback-host.json");
    let callback = format!("https://127.0.0.1:{port}/api/mcp/auth_callback");
    let document = serde_json::json!({
        "client_id": id,
        "client_name": "a loopback host",
        "redirect_uris": [callback],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
    });
    std::fs::write(docs.path().join("loopback-host.json"), document.to_string()).unwrap();
    let hosts = serde_json::json!([{"id": "loopback", "client_id": id, "redirect_uri": callback}]);
    let (_, report, ev) = check(&server.url, &["--probe-hosts"], Some(&hosts.to_string()));
    let found = host_findings(&report);
    assert_eq!(found.len(), 1, "{found:#?}");
    let (subject, status, detail) = &found[0];
    assert_eq!(subject, "loopback");
    assert_eq!(status, "pass", "{detail}");
    assert!(detail.contains("login or consent"), "{detail}");
    assert_eq!(host_probes(&ev).len(), 1);
}

#[test]
fn a_malformed_test_host_list_is_a_usage_error() {
    let home = tempfile::tempdir().unwrap();
    let out = mcp_auth(home.path())
        .args(["check", "https://127.0.0.1:9/mcp", "--probe-hosts"])
        .env("MCP_AUTH_TEST_HOSTS", "[{\"id\":\"x\"}]")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("MCP_AUTH_TEST_HOSTS"), "{stderr}");
}

//! `matrix`'s live flow: a provider file whose `[live]` table names the
//! environment variables of a test tenant's client credentials gets
//! `check --login`'s flow (real node-oidc-provider and TypeScript SDK
//! server); without the variables the row says "not run" and which to set.
//! No secret reaches the report, stderr or the recorded evidence.

use std::path::Path;

use serde_json::Value;

use crate::check_live::{assert_no_secrets, provider, CLIENT, SECRET};
use crate::support::peer::McpServer;
use crate::support::*;

fn live_provider(dir: &Path, id: &str, url: &str, var: &str) {
    let text = format!(
        r#"name = "{id} (local)"
homepage = "https://example.com/{id}"
docs = "https://example.com/{id}/docs"
kind = "mcp"
url = "{url}"
updated = "2026-12-02"
sources = ["tests/it/matrix_live.rs"]
verified = {{ date = "2026-12-02", source = "https://example.com/{id}/docs" }}

[live]
grant = "client_credentials"
client_id_env = "MCP_AUTH_LIVE_{var}_ID"
client_secret_env = "MCP_AUTH_LIVE_{var}_SECRET"
"#
    );
    std::fs::write(dir.join(format!("{id}.toml")), text).unwrap();
}

/// `matrix <args> --format json` with the TEST tenant's variables set:
/// (exit code, report, stdout + stderr).
fn matrix_json(dir: &Path, args: &[&str]) -> (i32, Value, String) {
    let out = mcp_auth(dir)
        .env("MCP_AUTH_HOME", dir.join("home"))
        .env("MCP_AUTH_LIVE_TEST_ID", CLIENT)
        .env("MCP_AUTH_LIVE_TEST_SECRET", SECRET)
        .arg("matrix")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let all = format!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
    let report = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {all}"));
    (out.status.code().unwrap(), report, all)
}

fn live_of<'a>(report: &'a Value, id: &str) -> &'a Value {
    let row = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no row {id}: {report}"));
    &row["live"]
}

#[test]
fn matrix_runs_the_live_flow_where_the_tenants_variables_are_set() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("tokens.log");
    let provider = provider(&log, &[]);
    let server = McpServer::typescript(&provider.issuer, &[]);
    let providers = dir.path().join("providers");
    std::fs::create_dir(&providers).unwrap();
    live_provider(&providers, "tenant", &server.url, "TEST");
    live_provider(&providers, "no-secrets", &server.url, "UNSET");
    let evidence = dir.path().join("evidence");
    std::fs::create_dir(&evidence).unwrap();
    let (_, report, output) = matrix_json(
        dir.path(),
        &[
            "--providers",
            providers.to_str().unwrap(),
            "--record",
            evidence.to_str().unwrap(),
        ],
    );
    let live = live_of(&report, "tenant");
    assert_eq!(live["verdict"], "pass", "{live}");
    let not_run = live_of(&report, "no-secrets");
    assert_eq!(not_run["verdict"], "not run", "{not_run}");
    assert_eq!(
        not_run["note"],
        "set MCP_AUTH_LIVE_UNSET_ID, MCP_AUTH_LIVE_UNSET_SECRET"
    );
    // The live flow's checks are in the row, graded.
    let checks = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "tenant")
        .unwrap()["checks"]
        .as_array()
        .unwrap()
        .clone();
    let status = |id: &str| {
        checks
            .iter()
            .find(|c| c["id"] == id)
            .map(|c| c["status"].as_str().unwrap().to_owned())
    };
    assert_eq!(status("RS-ACCEPTS-TOKEN").as_deref(), Some("pass"));
    assert_eq!(status("TOK-AUDIENCE").as_deref(), Some("pass"));
    // No secret anywhere: the report, stderr, the recorded evidence.
    let recorded = std::fs::read_to_string(evidence.join("tenant.json")).unwrap();
    assert_no_secrets(&recorded, &log, &[]);
    assert_no_secrets(&output, &log, &[]);
    // The replay, with the same variables, gives the same rows.
    let (_, replayed, _) = matrix_json(
        dir.path(),
        &[
            "--providers",
            providers.to_str().unwrap(),
            "--replay",
            evidence.to_str().unwrap(),
        ],
    );
    assert_eq!(replayed["rows"], report["rows"]);
}

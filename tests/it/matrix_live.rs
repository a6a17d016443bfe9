//! `matrix`'s live flow: a provider file whose `[live]` table names the
//! environment variables of a test tenant's client credentials gets
//! `check --login`'s flow (real node-oidc-provider and TypeScript SDK
//! server); without the variables the row says "not run" and which to set.
//! No secret reaches the report, stderr or the recorded evidence.

use std::path::Path;

use serde_json::Value;

use crate::check_live::{assert_no_secrets, provider, CLIENT, SECRET};
use crate::support::login::{browser_login, LoginRun};
use crate::support::peer::McpServer;
use crate::support::*;

fn live_provider(dir: &Path, id: &str, url: &str, var: &str) {
    let live = format!(
        "grant = \"client_credentials\"\nclient_id_env = \"MCP_AUTH_LIVE_{var}_ID\"\nclient_secret_env = \"MCP_AUTH_LIVE_{var}_SECRET\""
    );
    provider_file(dir, id, url, &live);
}

/// A provider file for the MCP server at `url` with this `[live]` table.
fn provider_file(dir: &Path, id: &str, url: &str, live: &str) {
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
{live}
"#
    );
    std::fs::write(dir.join(format!("{id}.toml")), text).unwrap();
}

/// `matrix <args> --format json` with the TEST tenant's variables set:
/// (exit code, report, stdout + stderr).
fn matrix_json(dir: &Path, args: &[&str]) -> (i32, Value, String) {
    matrix_json_with(dir, args, &[])
}

/// [`matrix_json`] with more variables set.
fn matrix_json_with(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, Value, String) {
    let out = mcp_auth(dir)
        .env("MCP_AUTH_HOME", dir.join("home"))
        .env("MCP_AUTH_LIVE_TEST_ID", CLIENT)
        .env("MCP_AUTH_LIVE_TEST_SECRET", SECRET)
        .envs(env.iter().copied())
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

/// A test user's refresh token as the tenant's credential: the matrix
/// redeems it as its client (`grant = "refresh_token"`), and the value
/// appears nowhere in its output or recording.
#[test]
fn matrix_runs_the_live_flow_from_a_test_users_refresh_token() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("tokens.log");
    let provider = provider(&log, &[]);
    let server = McpServer::typescript(&provider.issuer, &[]);
    // The test user's login, in the browser, as the pre-registered public client.
    let home = dir.path().join("user");
    std::fs::create_dir(&home).unwrap();
    let run = LoginRun::start(&home, &[&server.url, "--client-id", "mcp-auth-test"]);
    browser_login(&run.url, "alice");
    let (code, _, err) = run.finish();
    assert_eq!(code, 0, "{err}");
    let file = std::fs::read_dir(home.join("tokens"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let entry: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    let refresh = entry["refresh_token"]
        .as_str()
        .expect("a refresh token")
        .to_owned();
    let providers = dir.path().join("providers");
    std::fs::create_dir(&providers).unwrap();
    provider_file(
        &providers,
        "rt-tenant",
        &server.url,
        "grant = \"refresh_token\"\nclient_id_env = \"MCP_AUTH_LIVE_RT_ID\"\nrefresh_token_env = \"MCP_AUTH_LIVE_RT_TOKEN\"",
    );
    let evidence = dir.path().join("evidence");
    std::fs::create_dir(&evidence).unwrap();
    let (_, report, output) = matrix_json_with(
        dir.path(),
        &[
            "--providers",
            providers.to_str().unwrap(),
            "--record",
            evidence.to_str().unwrap(),
        ],
        &[
            ("MCP_AUTH_LIVE_RT_ID", "mcp-auth-test"),
            ("MCP_AUTH_LIVE_RT_TOKEN", &refresh),
        ],
    );
    let live = live_of(&report, "rt-tenant");
    assert_eq!(live["verdict"], "pass", "{live}\n{output}");
    let recorded = std::fs::read_to_string(evidence.join("rt-tenant.json")).unwrap();
    assert!(
        recorded.contains("\"grant\": \"refresh-token\""),
        "{recorded}"
    );
    assert_no_secrets(&recorded, &log, &[&refresh]);
    assert_no_secrets(&output, &log, &[&refresh]);
}

//! `check <mcp-url> --login` end to end: a real node-oidc-provider, the MCP
//! TypeScript SDK server (also in its `--ignore-audience` mode), client
//! credentials for the non-interactive path and headless Chromium for the
//! browser. The saved evidence must hold no token, code, verifier or secret,
//! and re-grade to the same report.

use std::path::Path;

use serde_json::Value;

use crate::support::login::{browser_login, LoginRun};
use crate::support::peer::{McpServer, OidcProvider};
use crate::support::*;

pub(crate) const CLIENT: &str = "mcp-auth-service";
pub(crate) const SECRET: &str = "mcp-auth-service-secret";
/// The audience node-oidc-provider gives tokens requested without `resource`.
const OTHER: &str = "http://127.0.0.1:9/other";

/// The provider, logging the values of its opaque tokens to `log`.
pub(crate) fn provider(log: &Path, extra: &[&str]) -> OidcProvider {
    let log = log.display().to_string();
    let mut args = vec![
        "--path",
        "/oidc",
        "--resource-any-loopback",
        "--client-credentials",
        "--default-resource",
        OTHER,
        "--token-log",
        &log,
    ];
    args.extend_from_slice(extra);
    OidcProvider::start(&args)
}

/// `check <url> --login --grant client-credentials --format json
/// --save-evidence`: (exit code, report, stdout, evidence text).
fn check_cc(dir: &Path, url: &str, extra: &[&str]) -> (i32, Value, String, String) {
    let secret = dir.join("client.secret");
    std::fs::write(&secret, format!("{SECRET}\n")).unwrap();
    let evidence = dir.join("evidence.json");
    let out = mcp_auth(dir)
        .env("MCP_AUTH_HOME", dir.join("home"))
        .args(["check", url, "--login", "--grant", "client-credentials"])
        .args(["--client-id", CLIENT, "--client-secret-file"])
        .arg(&secret)
        .arg("--save-evidence")
        .arg(&evidence)
        .args(["--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let text = std::fs::read_to_string(&evidence).unwrap();
    (out.status.code().unwrap(), report, stdout, text)
}

/// The detail of a check in a JSON report.
fn detail(report: &Value, id: &str) -> String {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no {id}"))["detail"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// No secret of the flow is in the evidence text: the client secret, any
/// JWT, the opaque tokens the provider logged, `extra`; and every
/// `code`, `code_verifier` and `refresh_token` parameter sent is redacted.
pub(crate) fn assert_no_secrets(evidence: &str, token_log: &Path, extra: &[&str]) {
    let logged = std::fs::read_to_string(token_log).unwrap_or_default();
    let values: Vec<&str> = logged
        .lines()
        .filter_map(|l| l.split_once(' ').map(|(_, v)| v))
        .collect();
    for secret in values.iter().chain(extra).chain(&[SECRET]) {
        assert!(secret.len() >= 8, "{secret}");
        assert!(!evidence.contains(secret), "the evidence holds {secret}");
    }
    assert!(!evidence.contains("eyJ"), "the evidence holds a JWT");
    for param in [
        "code=",
        "code_verifier=",
        "refresh_token=",
        "client_secret=",
    ] {
        for (i, _) in evidence.match_indices(param) {
            let before = evidence[..i].chars().last();
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
                continue; // e.g. `response_code=`
            }
            let rest = &evidence[i + param.len()..];
            assert!(
                rest.starts_with("%5Bredacted%5D") || rest.starts_with("[redacted]"),
                "{param} not redacted: {}",
                &rest[..rest.len().min(40)]
            );
        }
    }
}

/// `check --from-evidence` of a saved file, in JSON: its stdout.
fn regraded(dir: &Path, evidence: &str) -> String {
    let file = dir.join("again.json");
    std::fs::write(&file, evidence).unwrap();
    let out = mcp_auth(dir)
        .arg("check")
        .arg("--from-evidence")
        .arg(&file)
        .args(["--format", "json"])
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn check_login_with_client_credentials_grades_the_live_flow_and_caches_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("tokens.log");
    let provider = provider(&log, &[]);
    let server = McpServer::typescript(&provider.issuer, &[]);
    let (code, report, stdout, evidence) = check_cc(dir.path(), &server.url, &[]);
    assert_statuses(
        &report,
        &[
            ("TOK-RESPONSE", "pass"),
            ("TOK-RESOURCE-ACCEPTED", "pass"),
            ("TOK-AUDIENCE", "pass"),
            ("RS-ACCEPTS-TOKEN", "pass"),
            ("RS-AUDIENCE-ENFORCED", "pass"),
            ("TOK-REFRESH-ROTATION", "skip"),
            ("TOK-REFRESH-LIFECYCLE", "info"),
            ("STATE-ECHO", "skip"),
            ("ISS-RESPONSE", "skip"),
            ("UI-CALL", "skip"),
            ("CIMD-LIVE", "skip"),
        ],
    );
    assert_eq!(code, 0, "{stdout}");
    assert!(
        detail(&report, "RS-AUDIENCE-ENFORCED").contains(OTHER),
        "{}",
        detail(&report, "RS-AUDIENCE-ENFORCED")
    );
    // Nothing was cached: the token cache is the user's, `--save-login` writes it.
    assert!(!dir.path().join("home/tokens").exists());
    assert_no_secrets(&evidence, &log, &[]);
    // The saved run re-grades to the same report, byte for byte.
    assert_eq!(regraded(dir.path(), &evidence), stdout);
}

#[test]
fn check_login_save_login_keeps_the_token_in_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    let provider = provider(&dir.path().join("tokens.log"), &[]);
    let server = McpServer::typescript(&provider.issuer, &[]);
    let (code, _, _, _) = check_cc(dir.path(), &server.url, &["--save-login"]);
    assert_eq!(code, 0);
    let cached: Vec<_> = std::fs::read_dir(dir.path().join("home/tokens"))
        .expect("a token cache")
        .collect();
    assert_eq!(cached.len(), 1, "{cached:?}");
}

#[test]
fn rs_audience_enforced_fails_against_a_server_that_ignores_aud() {
    let dir = tempfile::tempdir().unwrap();
    let provider = provider(&dir.path().join("tokens.log"), &[]);
    let server = McpServer::typescript(&provider.issuer, &["--ignore-audience"]);
    let (code, report, _, _) = check_cc(dir.path(), &server.url, &[]);
    assert_statuses(
        &report,
        &[
            ("RS-ACCEPTS-TOKEN", "pass"),
            ("RS-AUDIENCE-ENFORCED", "fail"),
        ],
    );
    assert!(detail(&report, "RS-AUDIENCE-ENFORCED").contains("was accepted"));
    assert_eq!(code, 1);
}

#[test]
fn tok_response_fails_when_the_token_response_may_be_cached() {
    let dir = tempfile::tempdir().unwrap();
    let provider = provider(&dir.path().join("tokens.log"), &["--omit-no-store"]);
    let server = McpServer::typescript(&provider.issuer, &[]);
    let (code, report, _, _) = check_cc(dir.path(), &server.url, &[]);
    assert_statuses(
        &report,
        &[("TOK-RESPONSE", "fail"), ("RS-ACCEPTS-TOKEN", "pass")],
    );
    assert!(detail(&report, "TOK-RESPONSE").contains("Cache-Control: no-store"));
    assert_eq!(code, 1);
}

/// The code of the callback a browser login ended at.
fn code_of(page: &Value) -> String {
    let callback = url::Url::parse(page["final_url"].as_str().unwrap()).unwrap();
    callback
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .expect("the callback carried a code")
}

/// `check --login` in Chromium as alice with offline_access (twice with
/// `--intrusive`): (report, stdout, evidence text, the authorization codes
/// the browser delivered).
fn check_in_the_browser(
    dir: &Path,
    url: &str,
    extra: &[&str],
) -> (Value, String, String, Vec<String>) {
    let evidence = dir.join("evidence.json");
    let ev = evidence.display().to_string();
    let mut args = vec![url, "--login", "--client-id", "mcp-auth-test"];
    args.extend_from_slice(&["--scope", "openid mcp:tools offline_access"]);
    args.extend_from_slice(&["--format", "json", "--save-evidence", &ev]);
    args.extend_from_slice(extra);
    let mut run = LoginRun::start_command(dir, "check", &args);
    let mut codes = vec![code_of(&browser_login(&run.url, "alice"))];
    if extra.contains(&"--intrusive") {
        let second = run.next_url();
        codes.push(code_of(&browser_login(&second, "alice")));
    }
    let (_, stdout, stderr) = run.finish();
    let report: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}\n{stderr}"));
    (
        report,
        stdout,
        std::fs::read_to_string(&evidence).unwrap(),
        codes,
    )
}

#[test]
fn check_login_in_the_browser_grades_the_callback_refresh_and_userinfo() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("tokens.log");
    let provider = provider(&log, &["--rotate-refresh", "on"]);
    let server = McpServer::typescript(&provider.issuer, &[]);
    let (report, stdout, evidence, codes) =
        check_in_the_browser(dir.path(), &server.url, &["--intrusive"]);
    assert_statuses(
        &report,
        &[
            ("STATE-ECHO", "pass"),
            ("ISS-RESPONSE", "pass"),
            ("TOK-RESPONSE", "pass"),
            ("TOK-AUDIENCE", "pass"),
            ("RS-ACCEPTS-TOKEN", "pass"),
            ("TOK-REFRESH-ROTATION", "pass"),
            ("TOK-PKCE-VERIFIED", "pass"),
            // node-oidc-provider refuses audience-bound tokens at userinfo:
            // UI-AUDIENCE's finding, and no failure of the MCP flow.
            ("UI-CALL", "info"),
            ("UI-AUDIENCE", "info"),
        ],
    );
    let rotation = detail(&report, "TOK-REFRESH-ROTATION");
    assert!(
        rotation.contains("--intrusive") && rotation.contains("refused"),
        "{rotation}"
    );
    let lifecycle = detail(&report, "TOK-REFRESH-LIFECYCLE");
    assert!(lifecycle.contains("refresh token issued"), "{lifecycle}");
    assert!(std::fs::read_to_string(&log)
        .unwrap()
        .contains("refresh_token "));
    let pkce = detail(&report, "TOK-PKCE-VERIFIED");
    assert!(pkce.contains("spent a second authorization code"), "{pkce}");
    let codes: Vec<&str> = codes.iter().map(String::as_str).collect();
    assert_no_secrets(&evidence, &log, &codes);
    assert_eq!(regraded(dir.path(), &evidence), stdout);
}

#[test]
fn tok_refresh_rotation_warns_when_the_provider_does_not_rotate() {
    let dir = tempfile::tempdir().unwrap();
    let provider = provider(&dir.path().join("tokens.log"), &["--rotate-refresh", "off"]);
    let server = McpServer::typescript(&provider.issuer, &[]);
    let (report, _, _, _) = check_in_the_browser(dir.path(), &server.url, &[]);
    assert_statuses(&report, &[("TOK-REFRESH-ROTATION", "warn")]);
    assert!(detail(&report, "TOK-REFRESH-LIFECYCLE").contains("not rotated"));
}

/// The recorded `--login` run the snapshots render holds no secret either.
#[test]
fn the_recorded_login_evidence_holds_no_secret() {
    let text = fixture("evidence/ts-sdk-mcp-login.json");
    assert!(text.contains("\"live\""), "not a --login recording");
    assert!(
        text.contains("pkce_wrong_verifier"),
        "not an --intrusive recording"
    );
    assert_no_secrets(&text, Path::new("/nonexistent"), &[]);
}

/// The Python servers (the `mcp` SDK's FastMCP and Logto's mcpauth) under
/// `check --login` with client credentials: both accept the login token,
/// refuse the token requested without `resource`, and exit 0.
#[test]
fn check_login_against_the_python_servers() {
    for script in ["fastmcp_server.py", "mcpauth_server.py"] {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("tokens.log");
        let provider = provider(&log, &[]);
        let server = McpServer::python(script, &provider.issuer);
        let (code, report, stdout, evidence) = check_cc(dir.path(), &server.url, &[]);
        assert_statuses(
            &report,
            &[
                ("TOK-RESPONSE", "pass"),
                ("TOK-RESOURCE-ACCEPTED", "pass"),
                ("TOK-AUDIENCE", "pass"),
                ("RS-ACCEPTS-TOKEN", "pass"),
                ("RS-AUDIENCE-ENFORCED", "pass"),
                ("TOK-REFRESH-LIFECYCLE", "info"),
            ],
        );
        assert_eq!(code, 0, "{script}: {stdout}");
        assert!(
            detail(&report, "RS-AUDIENCE-ENFORCED").contains(OTHER),
            "{script}"
        );
        assert_no_secrets(&evidence, &log, &[]);
    }
}

//! MCP 2026-07-28's stateless transport against a real server: v2 of the MCP
//! TypeScript SDK (`createMcpHandler`, `tests/peers/mcp-ts-v2-server.mjs`)
//! behind the SDK's `requireBearerAuth`, with node-oidc-provider. Plain
//! `check` grades its `server/discover` and its CORS for `Mcp-Method` and
//! `Mcp-Name`; `check --login` and `call` speak the stateless transport
//! (`server/discover` first, as a dual-era client), or `initialize` when
//! `--protocol-version` says so.

use std::path::Path;

use serde_json::Value;

use crate::check_live::{assert_no_secrets, provider, CLIENT, SECRET};
use crate::support::peer::{McpServer, OidcProvider};
use crate::support::*;

/// `mcp-auth` with MCP_AUTH_HOME in `dir`: (exit code, stdout, stderr).
fn cli(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = mcp_auth(dir)
        .env("MCP_AUTH_HOME", dir.join("home"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// The client secret in a file of `dir`.
fn secret_file(dir: &Path) -> String {
    let path = dir.join("client.secret");
    std::fs::write(&path, format!("{SECRET}\n")).unwrap();
    path.display().to_string()
}

/// A request header of a recorded exchange.
fn header<'a>(exchange: &'a Value, name: &str) -> Option<&'a str> {
    exchange["request"]["headers"]
        .as_array()?
        .iter()
        .find(|h| h["name"] == name)
        .and_then(|h| h["value"].as_str())
}

/// The JSON-RPC method of a recorded MCP POST.
fn rpc_method(exchange: &Value) -> String {
    let body: Value = serde_json::from_str(exchange["request"]["body"].as_str().unwrap_or(""))
        .unwrap_or_default();
    body["method"].as_str().unwrap_or("").to_owned()
}

/// The live exchanges of `step` (evidence of a `check --login`).
fn live_exchanges<'a>(evidence: &'a Value, step: &str) -> Vec<&'a Value> {
    evidence["live"]["exchanges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["step"] == step)
        .map(|e| &e["exchange"])
        .collect()
}

/// The verdict of a step of the report's story.
fn story_step(report: &Value, step: &str) -> String {
    report["story"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == step)
        .unwrap_or_else(|| panic!("no step {step}: {}", report["story"]))["verdict"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn plain_check_grades_the_stateless_discover_and_cors_of_a_2026_07_28_server() {
    let dir = tempfile::tempdir().unwrap();
    let provider = OidcProvider::for_mcp();
    let server = McpServer::typescript_v2(&provider.issuer, &[]);
    let evidence = dir.path().join("evidence.json");
    let evidence_arg = evidence.display().to_string();
    let (code, report, stderr) = check_json(&[&server.url, "--save-evidence", &evidence_arg]);
    assert_statuses(
        &report,
        &[
            ("CH-401", "pass"),
            ("CH-RESOURCE-METADATA", "pass"),
            ("CH-INVALID-TOKEN", "pass"),
            ("CH-STATELESS-DISCOVER", "pass"),
            ("RS-UNAUTHENTICATED-REFUSED", "pass"),
            ("RS-EXPIRED-TOKEN-REFUSED", "pass"),
            ("RS-FORGED-TOKEN-REFUSED", "pass"),
            ("PRM-RESOURCE-MATCH", "pass"),
            ("CORS-MCP-PREFLIGHT", "pass"),
            ("CORS-MCP-EXPOSE", "pass"),
            ("CORS-PRM-GET", "pass"),
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(
        detail_of(&report, "CH-STATELESS-DISCOVER").contains("resource_metadata="),
        "{}",
        detail_of(&report, "CH-STATELESS-DISCOVER")
    );
    // The probe is the stateless form: `Mcp-Method` and the 2026-07-28 `_meta`.
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&evidence).unwrap()).unwrap();
    let probe = saved["resource"]["probes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["kind"] == "stateless_discover")
        .expect("a stateless_discover probe");
    let ex = &probe["exchange"];
    assert_eq!(header(ex, "mcp-method"), Some("server/discover"));
    assert_eq!(header(ex, "mcp-protocol-version"), Some("2026-07-28"));
    assert_eq!(rpc_method(ex), "server/discover");
    assert_eq!(ex["response"]["status"], 401);
    // The preflight asked for the 2026-07-28 headers, and the server allowed them.
    let preflight = saved["resource"]["probes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["kind"] == "cors_mcp_preflight")
        .expect("a preflight");
    let asked = header(&preflight["exchange"], "access-control-request-headers").unwrap();
    assert!(
        asked.contains("mcp-method") && asked.contains("mcp-name"),
        "{asked}"
    );
}

#[test]
fn cors_without_mcp_method_is_reported_and_a_modern_only_server_still_answers_call() {
    let dir = tempfile::tempdir().unwrap();
    let provider = OidcProvider::start(&[
        "--path",
        "/oidc",
        "--resource-any-loopback",
        "--client-credentials",
    ]);
    let server = McpServer::typescript_v2(
        &provider.issuer,
        &["--legacy", "reject", "--cors", "legacy"],
    );
    let (_, report, _) = check_json(&[&server.url]);
    assert_statuses(
        &report,
        &[
            ("CH-STATELESS-DISCOVER", "pass"),
            ("CORS-MCP-PREFLIGHT", "info"),
        ],
    );
    let cors = detail_of(&report, "CORS-MCP-PREFLIGHT");
    assert!(cors.contains("mcp-method, mcp-name"), "{cors}");

    let secret = secret_file(dir.path());
    let login = [
        "login",
        &server.url,
        "--grant",
        "client-credentials",
        "--client-id",
        CLIENT,
        "--client-secret-file",
        &secret,
    ];
    let (code, _, err) = cli(dir.path(), &login);
    assert_eq!(code, 0, "{err}");
    // No `initialize` here: only `server/discover` reaches the tools.
    let (code, out, err) = cli(
        dir.path(),
        &["call", &server.url, "whoami", "--format", "json"],
    );
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["protocol_version"], "2026-07-28", "{out}");
    assert_eq!(
        v["result"]["structuredContent"]["claims"]["aud"],
        server.url.as_str()
    );
    // Once `--login`'s call shows the server speaks 2026-07-28, the missing
    // headers block its browser clients: WARN.
    let (_, out, err) = cli(
        dir.path(),
        &[
            "check",
            &server.url,
            "--login",
            "--grant",
            "client-credentials",
            "--client-id",
            CLIENT,
            "--client-secret-file",
            &secret,
            "--format",
            "json",
        ],
    );
    let report: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
    assert_statuses(
        &report,
        &[("RS-ACCEPTS-TOKEN", "pass"), ("CORS-MCP-PREFLIGHT", "warn")],
    );
    let cors = detail_of(&report, "CORS-MCP-PREFLIGHT");
    assert!(cors.contains("speaks MCP 2026-07-28"), "{cors}");
    // Forced to 2025-11-25, the server refuses `initialize`: one clear line, exit 1.
    let (code, _, err) = cli(
        dir.path(),
        &["call", &server.url, "--protocol-version", "2025-11-25"],
    );
    assert_eq!(code, 1, "{err}");
    one_error(&err, "Unsupported protocol version: 2025-11-25");
}

#[test]
fn check_login_calls_the_server_over_the_stateless_transport() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("tokens.log");
    let provider = provider(&log, &[]);
    let server = McpServer::typescript_v2(&provider.issuer, &[]);
    let secret = secret_file(dir.path());
    let evidence = dir.path().join("evidence.json");
    let evidence_arg = evidence.display().to_string();
    let check = |extra: &[&str]| {
        let mut args = vec![
            "check",
            &server.url,
            "--login",
            "--grant",
            "client-credentials",
            "--client-id",
            CLIENT,
            "--client-secret-file",
            &secret,
            "--save-evidence",
            &evidence_arg,
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        let (code, out, err) = cli(dir.path(), &args);
        let report: Value =
            serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
        let text = std::fs::read_to_string(&evidence).unwrap();
        (code, report, text)
    };
    let (code, report, text) = check(&[]);
    assert_statuses(
        &report,
        &[
            ("TOK-RESPONSE", "pass"),
            ("TOK-AUDIENCE", "pass"),
            ("RS-ACCEPTS-TOKEN", "pass"),
            ("RS-AUDIENCE-ENFORCED", "pass"),
            ("CH-STATELESS-DISCOVER", "pass"),
            ("CORS-MCP-PREFLIGHT", "pass"),
        ],
    );
    assert_eq!(story_step(&report, "MCP call"), "pass");
    assert_eq!(code, 0);
    assert_no_secrets(&text, &log, &[]);
    let saved: Value = serde_json::from_str(&text).unwrap();
    let call = live_exchanges(&saved, "mcp_call");
    let methods: Vec<String> = call.iter().map(|e| rpc_method(e)).collect();
    assert_eq!(methods, ["server/discover", "tools/list"], "{methods:?}");
    for ex in &call {
        assert_eq!(header(ex, "mcp-method"), Some(rpc_method(ex).as_str()));
        assert_eq!(header(ex, "mcp-protocol-version"), Some("2026-07-28"));
        assert_eq!(header(ex, "mcp-session-id"), None);
        assert_eq!(ex["response"]["status"], 200);
        let body: Value = serde_json::from_str(ex["request"]["body"].as_str().unwrap()).unwrap();
        assert_eq!(
            body["params"]["_meta"]["io.modelcontextprotocol/protocolVersion"],
            "2026-07-28"
        );
    }
    // The token for another audience is refused at `server/discover` already.
    let other = live_exchanges(&saved, "other_audience_call");
    assert_eq!(other.len(), 1, "{other:?}");
    assert_eq!(rpc_method(other[0]), "server/discover");
    assert_eq!(other[0]["response"]["status"], 401);

    // `--protocol-version 2025-11-25`: `initialize`, served by the SDK's
    // stateless legacy fallback.
    let (code, report, text) = check(&["--protocol-version", "2025-11-25"]);
    assert_statuses(&report, &[("RS-ACCEPTS-TOKEN", "pass")]);
    assert_eq!(code, 0);
    let saved: Value = serde_json::from_str(&text).unwrap();
    let methods: Vec<String> = live_exchanges(&saved, "mcp_call")
        .iter()
        .map(|e| rpc_method(e))
        .collect();
    assert_eq!(
        methods,
        ["initialize", "notifications/initialized", "tools/list"],
        "{methods:?}"
    );
}

#[test]
fn call_speaks_2026_07_28_and_initialize_when_forced() {
    let dir = tempfile::tempdir().unwrap();
    let provider = OidcProvider::start(&[
        "--path",
        "/oidc",
        "--resource-any-loopback",
        "--client-credentials",
    ]);
    let server = McpServer::typescript_v2(&provider.issuer, &[]);
    let secret = secret_file(dir.path());
    let (code, _, err) = cli(
        dir.path(),
        &[
            "login",
            &server.url,
            "--grant",
            "client-credentials",
            "--client-id",
            CLIENT,
            "--client-secret-file",
            &secret,
        ],
    );
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = cli(dir.path(), &["call", &server.url]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("mcp-auth-test-peer-ts-v2 0.0.0 (protocol 2026-07-28)"),
        "{out}"
    );
    assert!(out.contains("whoami"), "{out}");
    let (code, out, err) = cli(
        dir.path(),
        &["call", &server.url, "whoami", "--format", "json"],
    );
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["protocol_version"], "2026-07-28", "{out}");
    let claims = &v["result"]["structuredContent"]["claims"];
    assert_eq!(claims["client_id"], CLIENT, "{out}");
    assert_eq!(claims["aud"], server.url.as_str(), "{out}");
    let (code, out, err) = cli(
        dir.path(),
        &["call", &server.url, "--protocol-version", "2025-11-25"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("(protocol 2025-11-25)"), "{out}");
}

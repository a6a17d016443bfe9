//! `check <mcp-url>` against real MCP servers (TypeScript SDK, Python SDK,
//! Logto's mcpauth) that trust a real node-oidc-provider.

use crate::support::peer::{McpServer, OidcProvider};
use crate::support::*;

/// The status of `id` for a given subject (None: the MCP server itself).
fn status_for(report: &serde_json::Value, id: &str, subject: Option<&str>) -> String {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id && c["subject"].as_str() == subject)
        .unwrap_or_else(|| panic!("no {id} for {subject:?}"))["status"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn typescript_sdk_server() {
    let provider = OidcProvider::for_mcp();
    let server = McpServer::typescript(&provider.issuer, &[]);
    let (code, report, stderr) = check_json(&[&server.url, "--register"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(report["target"]["kind"], "mcp_server");
    assert_eq!(report["resource"]["status"], 401);
    assert_statuses(
        &report,
        &[
            ("SEC-HTTPS-RS", "warn"),
            ("CH-401", "pass"),
            ("CH-WWW-AUTH", "pass"),
            ("CH-BEARER-SCHEME", "pass"),
            ("CH-RESOURCE-METADATA", "pass"),
            ("CH-PARAM-SYNTAX", "pass"),
            // The SDK omits scope and sends error="invalid_token" without credentials.
            ("CH-SCOPE", "warn"),
            ("CH-NO-ERROR-WITHOUT-CREDS", "info"),
            ("CH-INVALID-TOKEN", "pass"),
            ("CH-QUERY-TOKEN", "pass"),
            ("PRM-DISCOVERABLE", "pass"),
            ("PRM-HTTP", "pass"),
            ("PRM-RESOURCE-MATCH", "pass"),
            ("PRM-AS-PRESENT", "pass"),
            ("PRM-NAME", "pass"),
            // Express answers OPTIONS /mcp itself, without CORS; the 401 has none either.
            ("CORS-MCP-PREFLIGHT", "warn"),
            ("CORS-MCP-EXPOSE", "warn"),
            ("CORS-PRM-GET", "pass"),
            ("CORS-PRM-PREFLIGHT", "pass"),
        ],
    );
    let issuer = Some(provider.issuer.as_str());
    for (id, expected) in [
        ("DISC-AS-FOUND", "pass"),
        ("DISC-AS-ISSUER-EQ-PRM", "pass"),
        ("AS-PKCE-S256", "pass"),
        // node-oidc-provider registers no CORS for its registration endpoint.
        ("CORS-REG-PREFLIGHT", "warn"),
        ("CORS-AS-GET", "pass"),
        ("DCR-STATUS", "pass"),
        ("DCR-CLIENT-ID", "pass"),
        ("DCR-ECHO-METADATA", "pass"),
        ("DCR-AUTH-METHOD", "pass"),
        ("DCR-LOOPBACK-IP", "pass"),
        ("DCR-LOOPBACK-LOCALHOST", "pass"),
        ("DCR-APP-TYPE", "pass"),
        // The deliberately invalid redirect URI is refused with 400 invalid_redirect_uri.
        ("DCR-ERROR-FORMAT", "pass"),
    ] {
        assert_eq!(status_for(&report, id, issuer), expected, "{id}");
    }
    assert!(report["registered_client_id"].is_string());
    assert!(resource_client_works(&report, "MCP 2025-11-25"));
    assert!(resource_client_works(&report, "TypeScript SDK"));
    assert!(resource_client_works(&report, "Python SDK"));
    // 2025-06-18 clients need RFC 8414, which oidc-provider under /oidc does not serve.
    assert!(!resource_client_works(&report, "MCP 2025-06-18"));
    // The SDK's metadata router also serves the authorization server's metadata at
    // the MCP origin, which is where 2025-03-26 clients look.
    assert!(resource_client_works(&report, "MCP 2025-03-26"));
    // The header URL is the path-inserted well-known URL: one row, two sources.
    let attempts = report["resource"]["prm_attempts"].as_array().unwrap();
    assert_eq!(
        attempts[0]["sources"],
        serde_json::json!(["header", "path_inserted"])
    );
}

#[test]
fn typescript_sdk_server_human_report() {
    let provider = OidcProvider::for_mcp();
    let server = McpServer::typescript(&provider.issuer, &[]);
    let (code, stdout, _) = run(&["check", &server.url]);
    assert_eq!(code, 0);
    for needle in [
        "(MCP server)",
        "Protected resource",
        "WWW-Authenticate: Bearer",
        "Authorization server #1",
        "Clients, end to end",
        "CORS (as a browser at http://localhost:6274)",
        "Checks: MCP server",
        &format!("Checks: authorization server {}", provider.issuer),
        "(--all shows them)",
    ] {
        assert!(stdout.contains(needle), "missing {needle:?} in:\n{stdout}");
    }
    // Skips are counted, not listed, unless --all asks for every row.
    assert!(!stdout.contains("DCR-STATUS"), "{stdout}");
    let (code, all, _) = run(&["check", "--all", &server.url]);
    assert_eq!(code, 0);
    for needle in ["DCR-STATUS", "not probed: run with --register"] {
        assert!(all.contains(needle), "missing {needle:?} in:\n{all}");
    }
    assert!(!all.contains("(--all shows them)"), "{all}");
}

#[test]
fn python_sdk_server() {
    let provider = OidcProvider::for_mcp();
    let server = McpServer::python("fastmcp_server.py", &provider.issuer);
    let (code, report, stderr) = check_json(&[&server.url]);
    assert_eq!(code, 0, "{stderr}");
    assert_statuses(
        &report,
        &[
            ("CH-401", "pass"),
            ("CH-RESOURCE-METADATA", "pass"),
            ("CH-NO-ERROR-WITHOUT-CREDS", "info"),
            // The Python SDK answers a bad token like a missing one: 401 invalid_token.
            ("CH-INVALID-TOKEN", "pass"),
            ("PRM-RESOURCE-MATCH", "pass"),
            ("PRM-BEARER-METHODS", "pass"),
            ("CORS-MCP-EXPOSE", "warn"),
        ],
    );
    assert_eq!(
        status_for(&report, "DISC-AS-ISSUER-EQ-PRM", Some(&provider.issuer)),
        "pass"
    );
    // Without --register nothing is registered.
    assert_eq!(
        status_for(&report, "DCR-STATUS", Some(&provider.issuer)),
        "skip"
    );
    assert!(report["registered_client_id"].is_null());
    assert!(resource_client_works(&report, "Python SDK"));
    // Nothing at the MCP origin: 2025-03-26 clients fall back to default endpoints.
    assert!(!resource_client_works(&report, "MCP 2025-03-26"));
}

#[test]
fn mcpauth_server() {
    let provider = OidcProvider::for_mcp();
    let server = McpServer::python("mcpauth_server.py", &provider.issuer);
    let (code, report, stderr) = check_json(&[&server.url]);
    assert_eq!(code, 0, "{stderr}");
    assert_statuses(
        &report,
        &[
            ("CH-401", "pass"),
            ("CH-BEARER-SCHEME", "pass"),
            ("CH-RESOURCE-METADATA", "pass"),
            ("PRM-RESOURCE-MATCH", "pass"),
            ("CH-INVALID-TOKEN", "pass"),
        ],
    );
    // mcpauth sends its own error code on a request without credentials.
    let www = report["resource"]["www_authenticate"][0].as_str().unwrap();
    assert!(www.contains("missing_auth_header"), "{www}");
    assert_eq!(status(&report, "CH-NO-ERROR-WITHOUT-CREDS"), "info");
}

#[test]
fn as_flag_forces_the_kind() {
    let provider = OidcProvider::for_mcp();
    let server = McpServer::typescript(&provider.issuer, &[]);
    // --client keeps one kind of client.
    let (_, report, _) = check_json(&[&server.url, "--client", "ts-sdk"]);
    let clients = report["resource"]["clients"].as_array().unwrap();
    assert_eq!(clients.len(), 1);
    assert_eq!(clients[0]["client"], "TypeScript SDK v2");
    let (_, report, _) = check_json(&[&server.url, "--client", "seeds"]);
    assert!(report["resource"]["clients"].as_array().unwrap().is_empty());
    assert!(report["discovery"]["clients"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["client"].as_str().unwrap().starts_with("Logto")));
    // Forced to issuer: the MCP URL is treated as an issuer and has no metadata.
    let (code, report, stderr) = check_json(&[&server.url, "--as", "issuer"]);
    assert_eq!(report["target"]["kind"], "issuer");
    assert_eq!(code, 3, "{stderr}");
    // The issuer, forced to MCP: a 404 instead of a 401, no protected resource
    // metadata, and nothing at the origin either (the legacy 2025-03-26 chain).
    let (code, report, stderr) = check_json(&[&provider.issuer, "--as", "mcp"]);
    assert_eq!(report["target"]["kind"], "mcp_server");
    assert_statuses(&report, &[("CH-401", "fail"), ("PRM-DISCOVERABLE", "fail")]);
    assert_eq!(report["discovery"]["role"], "legacy");
    assert_eq!(code, 3);
    assert!(
        stderr.contains("no protected resource or authorization server metadata"),
        "{stderr}"
    );
}

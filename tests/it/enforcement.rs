//! The enforcement probes of plain `check` (no login): requests without a
//! token, a garbage, an expired and a wrong-audience token, and the
//! 2026-07-28 stateless `server/discover`, against the real SDK servers
//! (which refuse them all) and the TypeScript peer's lax modes.

use crate::support::peer::{McpServer, OidcProvider};
use crate::support::replay::{recorded_mcp, set_route, Route};
use crate::support::*;

const ENFORCEMENT: [&str; 4] = [
    "RS-UNAUTHENTICATED-REFUSED",
    "RS-EXPIRED-TOKEN-REFUSED",
    "RS-FORGED-TOKEN-REFUSED",
    "CH-STATELESS-DISCOVER",
];

/// `check`'s statuses of the enforcement checks for `url`.
fn enforcement(url: &str, extra: &[&str]) -> Vec<(String, String)> {
    let mut args = vec![url];
    args.extend_from_slice(extra);
    let (_, report, stderr) = check_json(&args);
    assert!(report["checks"].is_array(), "{stderr}");
    ENFORCEMENT
        .iter()
        .map(|id| ((*id).to_owned(), status(&report, id)))
        .collect()
}

fn expect(got: &[(String, String)], want: &[&str; 4]) {
    let got: Vec<&str> = got.iter().map(|(_, s)| s.as_str()).collect();
    assert_eq!(&got, want, "{ENFORCEMENT:?}");
}

#[test]
fn the_sdk_servers_refuse_every_probe() {
    let provider = OidcProvider::for_mcp();
    let ts = McpServer::typescript(&provider.issuer, &[]);
    expect(&enforcement(&ts.url, &[]), &["pass"; 4]);
    // Forced to the stateless form, the SDK's middleware still answers 401 first.
    expect(
        &enforcement(&ts.url, &["--protocol-version", "2026-07-28"]),
        &["pass"; 4],
    );
    for script in ["fastmcp_server.py", "mcpauth_server.py"] {
        let py = McpServer::python(script, &provider.issuer);
        expect(&enforcement(&py.url, &[]), &["pass"; 4]);
    }
}

#[test]
fn a_server_that_accepts_any_token_fails_the_token_probes() {
    let provider = OidcProvider::for_mcp();
    let lax = McpServer::typescript(&provider.issuer, &["--accept-any-token"]);
    let (_, report, _) = check_json(&[&lax.url]);
    assert_statuses(
        &report,
        &[
            ("CH-401", "pass"),
            ("CH-INVALID-TOKEN", "fail"),
            ("RS-UNAUTHENTICATED-REFUSED", "pass"),
            ("RS-EXPIRED-TOKEN-REFUSED", "fail"),
            ("RS-FORGED-TOKEN-REFUSED", "fail"),
        ],
    );
}

#[test]
fn a_server_that_advertises_oauth_but_does_not_enforce_it_fails() {
    let provider = OidcProvider::for_mcp();
    let open = McpServer::typescript(&provider.issuer, &["--no-enforcement"]);
    let (code, report, _) = check_json(&[&open.url]);
    assert_eq!(code, 1);
    assert_statuses(
        &report,
        &[
            ("CH-401", "fail"),
            ("RS-UNAUTHENTICATED-REFUSED", "fail"),
            ("RS-EXPIRED-TOKEN-REFUSED", "fail"),
            ("RS-FORGED-TOKEN-REFUSED", "fail"),
            // A 2025-era SDK server: no session, so 400 to the stateless request.
            ("CH-STATELESS-DISCOVER", "info"),
        ],
    );
    let detail = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "RS-UNAUTHENTICATED-REFUSED")
        .unwrap()["detail"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        detail.contains("OAuth advertised but not enforced"),
        "{detail}"
    );
}

/// The MCP requests of saved evidence: (probe kind, its `mcp-method` header).
fn mcp_methods(evidence: &serde_json::Value) -> Vec<(String, Option<String>)> {
    evidence["resource"]["probes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let method = p["exchange"]["request"]["headers"]
                .as_array()
                .unwrap()
                .iter()
                .find(|h| h["name"] == "mcp-method")
                .map(|h| h["value"].as_str().unwrap().to_owned());
            (p["kind"].as_str().unwrap().to_owned(), method)
        })
        .collect()
}

#[test]
fn a_400_to_initialize_makes_the_probes_stateless_unless_forced() {
    // Every POST gets 400 (a 2026-07-28 server has no initialize).
    let (_server, url) = recorded_mcp(|_, routes| {
        set_route(
            routes,
            "POST /mcp",
            Route::raw(
                400,
                Some("application/json"),
                r#"{"jsonrpc":"2.0","error":{"code":-32600,"message":"no initialize"},"id":null}"#,
            ),
        );
    });
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("ev.json");
    let path = saved.to_str().unwrap();
    for (forced, stateless) in [(None, true), (Some("2025-11-25"), false)] {
        let mut args = vec!["check", url.as_str(), "--save-evidence", path];
        if let Some(v) = forced {
            args.extend(["--protocol-version", v]);
        }
        run(&args);
        let text = std::fs::read_to_string(&saved).unwrap();
        // The forged JWTs are never recorded (the Authorization header is redacted).
        assert!(!text.contains("eyJ"), "a JWT in the evidence");
        let ev: serde_json::Value = serde_json::from_str(&text).unwrap();
        let methods = mcp_methods(&ev);
        for kind in [
            "unauth_tools_list",
            "unauth_tools_call",
            "expired_token",
            "wrong_audience_token",
        ] {
            let m = methods
                .iter()
                .find(|(k, _)| k == kind)
                .unwrap_or_else(|| panic!("no {kind}"));
            assert_eq!(m.1.is_some(), stateless, "{kind} with {forced:?}: {m:?}");
        }
        // server/discover is always sent in its stateless form.
        assert!(methods.contains(&("stateless_discover".into(), Some("server/discover".into()))));
    }
}

#[test]
fn protocol_version_takes_known_revisions_only() {
    let (code, _, stderr) = run(&[
        "call",
        "http://127.0.0.1:1/mcp",
        "--protocol-version",
        "2024-11-05",
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("unknown MCP protocol revision"), "{stderr}");
}

//! Broken MCP servers, replayed from the recorded TypeScript SDK server and
//! oidc-provider documents with one fault each.

use serde_json::json;

use crate::support::replay::{recorded, recorded_mcp, set_route, ReplayServer, Route};
use crate::support::*;

const PRM_PATH: &str = "/.well-known/oauth-protected-resource/mcp";

fn prm_with(origin: &str, patch: impl FnOnce(&mut serde_json::Value)) -> Route {
    let mut prm = recorded("ts-sdk-1.32.2-prm.json", origin);
    patch(&mut prm);
    Route::json(&prm)
}

fn detail(report: &serde_json::Value, id: &str) -> String {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap()["detail"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn recorded_server_replayed_unchanged() {
    let (server, url) = recorded_mcp(|_, _| {});
    let (code, report, stderr) = check_json(&[&url]);
    assert_eq!(code, 0, "{stderr}");
    assert_statuses(
        &report,
        &[
            ("CH-401", "pass"),
            ("CH-RESOURCE-METADATA", "pass"),
            ("PRM-RESOURCE-MATCH", "pass"),
            // No route answers the registration preflight: no CORS there.
            ("CORS-REG-PREFLIGHT", "warn"),
        ],
    );
    assert_eq!(
        server.hits("POST /mcp"),
        9,
        "probe, invalid token, query token, CORS, and the enforcement probes (tools/list, \
         tools/call, server/discover, expired and wrong-audience tokens)"
    );
    assert_eq!(server.hits("OPTIONS /mcp"), 1);
}

#[test]
fn no_www_authenticate() {
    let (_s, url) = recorded_mcp(|_, r| {
        set_route(
            r,
            "POST /mcp",
            Route::raw(401, Some("application/json"), "{}"),
        );
    });
    let (code, report, _) = check_json(&[&url]);
    assert_eq!(code, 1);
    assert_statuses(
        &report,
        &[
            ("CH-401", "pass"),
            ("CH-WWW-AUTH", "fail"),
            // 2025-11-25 clients still find the well-known metadata.
            ("CH-RESOURCE-METADATA", "warn"),
            ("PRM-DISCOVERABLE", "pass"),
        ],
    );
    assert!(resource_client_works(&report, "MCP 2025-11-25"));
}

#[test]
fn resource_mismatch() {
    let (_s, url) = recorded_mcp(|o, r| {
        set_route(
            r,
            PRM_PATH,
            prm_with(o, |p| {
                p["resource"] = json!("https://elsewhere.example/mcp")
            }),
        );
    });
    let (code, report, _) = check_json(&[&url]);
    assert_eq!(code, 1);
    assert_eq!(status(&report, "PRM-RESOURCE-MATCH"), "fail");
    for client in ["MCP 2025-11-25", "TypeScript SDK", "Python SDK"] {
        assert!(!resource_client_works(&report, client), "{client}");
    }
}

#[test]
fn trailing_slash_resource() {
    let (_s, url) = recorded_mcp(|o, r| {
        set_route(
            r,
            PRM_PATH,
            prm_with(o, |p| p["resource"] = json!(format!("{o}/mcp/"))),
        );
    });
    let (code, report, _) = check_json(&[&url]);
    assert_eq!(code, 1);
    assert_eq!(status(&report, "PRM-RESOURCE-MATCH"), "fail");
    assert!(detail(&report, "PRM-RESOURCE-MATCH").contains("the Python SDK accepts it"));
    assert_eq!(status(&report, "PRM-RESOURCE-FORMAT"), "warn");
    assert!(!resource_client_works(&report, "TypeScript SDK"));
    assert!(resource_client_works(&report, "Python SDK"));
}

#[test]
fn prm_without_authorization_servers() {
    let (_s, url) = recorded_mcp(|o, r| {
        set_route(
            r,
            PRM_PATH,
            prm_with(o, |p| {
                p.as_object_mut().unwrap().remove("authorization_servers");
            }),
        );
    });
    let (code, report, _) = check_json(&[&url]);
    assert_eq!(code, 1);
    assert_eq!(status(&report, "PRM-AS-PRESENT"), "fail");
    // The chain falls back to the 2025-03-26 rule: the MCP origin as authorization server.
    assert_eq!(report["discovery"]["role"], "legacy");
}

#[test]
fn malformed_challenge() {
    let (_s, url) = recorded_mcp(|o, r| {
        let www = format!(
            r#"Bearer error="invalid_token", resource_metadata="{o}{PRM_PATH}", scope="mcp:tools"#
        );
        set_route(
            r,
            "POST /mcp",
            Route::raw(401, Some("application/json"), "{}").header("www-authenticate", &www),
        );
    });
    let (code, report, _) = check_json(&[&url]);
    assert_eq!(code, 0, "a syntax warning alone does not fail the run");
    assert_eq!(status(&report, "CH-PARAM-SYNTAX"), "warn");
    assert!(detail(&report, "CH-PARAM-SYNTAX").contains("unterminated"));
    assert_eq!(status(&report, "CH-RESOURCE-METADATA"), "pass");
    let (code, _, _) = check_json(&[&url, "--strict"]);
    assert_eq!(code, 1);
}

#[test]
fn ok_instead_of_401() {
    let (_s, url) = recorded_mcp(|_, r| {
        set_route(
            r,
            "POST /mcp",
            Route::raw(
                200,
                Some("application/json"),
                r#"{"jsonrpc":"2.0","id":1,"result":{}}"#,
            ),
        );
    });
    // Still detected as an MCP server: it serves protected resource metadata.
    let (code, report, _) = check_json(&[&url]);
    assert_eq!(report["target"]["kind"], "mcp_server");
    assert_eq!(code, 1);
    assert_eq!(status(&report, "CH-401"), "fail");
    assert!(detail(&report, "CH-401").contains("without a token"));
}

#[test]
fn registration_rejects_loopback_redirects() {
    let (server, url) = recorded_mcp(|_, r| {
        set_route(
            r,
            "POST /oidc/reg",
            Route::raw(
                400,
                Some("application/json"),
                r#"{"error":"invalid_redirect_uri","error_description":"loopback redirect URIs are not allowed"}"#,
            ),
        );
    });
    let (code, report, _) = check_json(&[&url, "--register"]);
    assert_eq!(code, 1);
    assert_statuses(
        &report,
        &[
            ("DCR-STATUS", "fail"),
            ("DCR-LOOPBACK-IP", "fail"),
            ("DCR-LOOPBACK-LOCALHOST", "warn"),
            ("DCR-APP-TYPE", "fail"),
            ("DCR-ERROR-FORMAT", "pass"),
        ],
    );
    assert!(detail(&report, "DCR-LOOPBACK-IP").contains("invalid_redirect_uri"));
    assert!(report["registered_client_id"].is_null());
    assert_eq!(
        server.hits("POST /oidc/reg"),
        4,
        "four registration variants"
    );
    // Without --register nothing is registered.
    let (_, report, _) = check_json(&[&url]);
    assert_eq!(status(&report, "DCR-STATUS"), "skip");
    assert_eq!(server.hits("POST /oidc/reg"), 4);
}

/// A 2025-03-26 server: a 401 without `resource_metadata`, no protected resource
/// metadata, the authorization server at the MCP origin. Its metadata is
/// fetched in the first round, with the unauthenticated request (the 401 is
/// only sent once that GET has arrived), and reused for discovery and the
/// 2025-03-26 client path: one GET, not one per use.
#[test]
fn a_server_without_prm_is_discovered_in_the_first_round() {
    let server = ReplayServer::start(|origin| {
        vec![
            (
                "POST /mcp".to_owned(),
                Route::raw(401, Some("application/json"), "{}")
                    .header("www-authenticate", "Bearer")
                    .after(&["GET /.well-known/oauth-authorization-server"]),
            ),
            (
                "/.well-known/oauth-authorization-server".to_owned(),
                Route::json(&recorded("oidc-provider-9.13.3-root.json", origin)),
            ),
        ]
    });
    let url = format!("{}/mcp", server.origin);
    let (_, report, stderr) = check_json(&[&url, "--timeout", "10"]);
    assert_eq!(report["target"]["kind"], "mcp_server", "{stderr}");
    assert_eq!(report["discovery"]["role"], "legacy");
    assert_eq!(status(&report, "DISC-AS-FOUND"), "pass");
    // Discovery and the legacy probe reuse the first round's answer; the
    // second GET is the CORS check's (with Origin).
    assert_eq!(
        server.hits("GET /.well-known/oauth-authorization-server"),
        2
    );
    assert_eq!(
        server.hits("POST /mcp"),
        9,
        "401 probe, invalid token, query token, Origin, five enforcement probes"
    );
}

#[test]
fn login_follows_the_chain_under_the_same_url_policy_as_check() {
    // The PRM names a plain-http authorization server off loopback: `check`
    // records it as not sent, and `login` refuses it without a request.
    let (server, url) = recorded_mcp(|origin, r| {
        set_route(
            r,
            &format!("GET {PRM_PATH}"),
            prm_with(origin, |p| {
                p["authorization_servers"] = json!(["http://auth.example.net/"]);
            }),
        );
    });
    let home = tempfile::tempdir().unwrap();
    let out = mcp_auth(home.path())
        .args(["login", &url, "--no-browser", "--timeout", "5"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("not using the authorization server")
            && stderr.contains("plain http outside loopback"),
        "{stderr}"
    );
    let (_, report, _) = check_json(&[&url]);
    let attempts = report["additional_authorization_servers"]
        .as_array()
        .into_iter()
        .flatten()
        .chain(std::iter::once(&report["discovery"]))
        .flat_map(|d| d["attempts"].as_array().unwrap())
        .filter(|a| a["url"] == "http://auth.example.net/")
        .count();
    assert_eq!(attempts, 1, "check records the refused server once");
    assert_eq!(
        server.hits("POST /mcp"),
        1 + 9,
        "login's probe, then check's nine"
    );
}

#[test]
fn login_refuses_a_resource_that_is_not_this_server() {
    // conformance auth/resource-mismatch: the PRM names another server.
    let (server, url) = recorded_mcp(|origin, r| {
        set_route(
            r,
            &format!("GET {PRM_PATH}"),
            prm_with(origin, |p| {
                p["resource"] = json!("https://evil.example.com/mcp");
            }),
        );
    });
    let home = tempfile::tempdir().unwrap();
    let out = mcp_auth(home.path())
        .args(["login", &url, "--client-id", "x", "--no-browser", "--force"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("PRM-RESOURCE-MATCH failed") && stderr.contains("evil.example.com"),
        "{stderr}"
    );
    assert_eq!(server.hits("POST /oidc/token"), 0, "no token was asked for");
}

/// `login` until it waits for the browser (then it times out after 1 s).
fn login_until_the_callback(url: &str) -> String {
    let home = tempfile::tempdir().unwrap();
    let out = mcp_auth(home.path())
        .args(["login", url, "--client-id", "x", "--no-browser"])
        .args(["--redirect-port", "0", "--login-timeout", "1"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn login_asks_for_the_root_prm_only_as_the_fallback() {
    // conformance auth/metadata-default: the challenge names the
    // path-inserted URL, which serves the document: the root is never asked.
    let (server, url) = recorded_mcp(|_, _| {});
    let err = login_until_the_callback(&url);
    assert!(err.contains("no callback within 1 s"), "{err}");
    assert_eq!(server.hits(&format!("GET {PRM_PATH}")), 1, "{err}");
    assert_eq!(server.hits("GET /.well-known/oauth-protected-resource"), 0);
    // No resource_metadata and no path-inserted document: then the root.
    let (server, url) = recorded_mcp(|origin, r| {
        set_route(
            r,
            "POST /mcp",
            Route::raw(401, None, "").header("www-authenticate", "Bearer"),
        );
        set_route(r, PRM_PATH, Route::raw(404, None, ""));
        set_route(
            r,
            "/.well-known/oauth-protected-resource",
            Route::json(&recorded("ts-sdk-1.32.2-prm.json", origin)),
        );
    });
    let err = login_until_the_callback(&url);
    assert!(err.contains("no callback within 1 s"), "{err}");
    assert_eq!(server.hits(&format!("GET {PRM_PATH}")), 1);
    assert_eq!(server.hits("GET /.well-known/oauth-protected-resource"), 1);
}

/// The recorded server with a CORS preflight answer at /mcp allowing `allowed`.
fn with_preflight(allowed: &'static str) -> (ReplayServer, String) {
    recorded_mcp(move |_, r| {
        set_route(
            r,
            "OPTIONS /mcp",
            Route::raw(204, None, "")
                .header("access-control-allow-origin", "*")
                .header("access-control-allow-methods", "POST")
                .header("access-control-allow-headers", allowed),
        );
    })
}

/// The preflight asks for MCP 2026-07-28's Mcp-Method and Mcp-Name too: a
/// server allowing only the older headers is told they matter once it moves
/// to 2026-07-28; one allowing Mcp-Method but not Mcp-Name is warned.
#[test]
fn cors_preflight_asks_for_the_2026_07_28_headers() {
    let (_s, url) = with_preflight("authorization, content-type, mcp-protocol-version");
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("ev.json");
    let (_, report, _) = check_json(&[&url, "--save-evidence", saved.to_str().unwrap()]);
    assert_eq!(status(&report, "CORS-MCP-PREFLIGHT"), "info");
    assert!(
        detail(&report, "CORS-MCP-PREFLIGHT").contains("not mcp-method, mcp-name"),
        "{}",
        detail(&report, "CORS-MCP-PREFLIGHT")
    );
    let evidence = std::fs::read_to_string(&saved).unwrap();
    assert!(
        evidence.contains(
            "\"value\": \"authorization, content-type, mcp-protocol-version, mcp-method, mcp-name\""
        ),
        "the preflight did not ask for them"
    );

    let (_s, url) = with_preflight("authorization, content-type, mcp-protocol-version, mcp-method");
    let (_, report, _) = check_json(&[&url]);
    assert_eq!(status(&report, "CORS-MCP-PREFLIGHT"), "warn");
    assert!(detail(&report, "CORS-MCP-PREFLIGHT").contains("but not mcp-name"));

    let (_s, url) =
        with_preflight("authorization, content-type, mcp-protocol-version, mcp-method, mcp-name");
    let (_, report, _) = check_json(&[&url]);
    assert_eq!(status(&report, "CORS-MCP-PREFLIGHT"), "pass");
}

/// `protected_resources` in the authorization server's metadata is
/// cross-checked against the PRM's `resource`.
#[test]
fn as_protected_resources_against_the_prm_resource() {
    let serve = |listed: &'static str| {
        recorded_mcp(move |origin, r| {
            let mut doc = recorded("oidc-provider-9.13.3-path-registration.json", origin);
            let listed = listed.replace("{origin}", origin);
            doc["protected_resources"] = json!([listed]);
            set_route(
                r,
                "/oidc/.well-known/openid-configuration",
                Route::json(&doc),
            );
        })
    };
    let (_s, url) = serve("{origin}/mcp");
    let (_, report, _) = check_json(&[&url]);
    assert_eq!(status(&report, "AS-PROTECTED-RESOURCES"), "pass");
    let (_s, url) = serve("{origin}/other");
    let (_, report, _) = check_json(&[&url]);
    assert_eq!(status(&report, "AS-PROTECTED-RESOURCES"), "warn");
    assert!(detail(&report, "AS-PROTECTED-RESOURCES").contains("invalid_target"));
}

//! Provider quirks, replayed from a recorded oidc-provider document by a
//! loopback server.

use std::time::Duration;

use serde_json::json;

use crate::support::replay::{live_endpoints, recorded, ReplayServer, Route};
use crate::support::*;

const ROOT_DOC: &str = "oidc-provider-9.13.3-root.json";
const PATH_DOC: &str = "oidc-provider-9.13.3-path-registration.json";

/// The recorded root-issuer document, changed by `patch`, served at the RFC
/// 8414 location of a path-less issuer, with its token endpoint and JWKS.
fn serve_root(patch: impl FnOnce(&mut serde_json::Value)) -> ReplayServer {
    ReplayServer::start(|origin| {
        let mut doc = recorded(ROOT_DOC, origin);
        patch(&mut doc);
        let mut routes = live_endpoints(origin, &doc);
        routes.push((
            "/.well-known/oauth-authorization-server".into(),
            Route::json(&doc),
        ));
        routes
    })
}

#[test]
fn recorded_document_replayed_unchanged_passes() {
    let server = serve_root(|_| {});
    let (code, report, _) = check_json(&[&server.origin]);
    assert_eq!(code, 0);
    assert_eq!(status(&report, "DISC-AS-ISSUER-MATCH"), "pass");
    // Discovery GET plus the CORS GET (with Origin) of the document in use,
    // and its preflight; served with MCP-Protocol-Version, the document needs
    // no comparison GET without it.
    assert_eq!(
        server.hits("GET /.well-known/oauth-authorization-server"),
        2
    );
    assert_eq!(status(&report, "DISC-PROTOCOL-HEADER"), "pass");
    assert_eq!(
        server.hits("OPTIONS /.well-known/oauth-authorization-server"),
        1
    );
    assert_eq!(
        server.hits("GET /.well-known/openid-configuration"),
        1,
        "candidates are all fetched"
    );
    // Auto-detection: one MCP request and the protected resource metadata URL, then issuer mode.
    assert_eq!(server.hits("POST /"), 1);
    assert_eq!(server.hits("GET /.well-known/oauth-protected-resource"), 1);
    assert_eq!(report["target"]["kind"], "issuer");
}

#[test]
fn wrong_issuer() {
    let server = serve_root(|d| d["issuer"] = json!("https://login.example.com"));
    let (code, report, _) = check_json(&[&server.origin]);
    assert_eq!(code, 1);
    assert_statuses(
        &report,
        &[
            ("DISC-AS-ISSUER-MATCH", "fail"),
            ("DISC-AS-ISSUER-FORMAT", "pass"),
        ],
    );
    assert!(!client_works(&report, "MCP 2025-11-25"));
    assert!(!client_works(&report, "TypeScript SDK"));
}

#[test]
fn trailing_slash_issuer() {
    let server = serve_root(|d| {
        let i = d["issuer"].as_str().unwrap().to_owned();
        d["issuer"] = json!(format!("{i}/"));
    });
    let (code, report, _) = check_json(&[&server.origin]);
    assert_eq!(code, 1);
    let detail = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "DISC-AS-ISSUER-MATCH")
        .unwrap()["detail"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(detail.contains("trailing '/'"), "{detail}");
}

#[test]
fn missing_code_challenge_methods() {
    let server = serve_root(|d| {
        d.as_object_mut()
            .unwrap()
            .remove("code_challenge_methods_supported");
    });
    let (code, report, _) = check_json(&[&server.origin]);
    assert_eq!(code, 1);
    assert_statuses(
        &report,
        &[("AS-PKCE-PRESENT", "fail"), ("AS-PKCE-S256", "fail")],
    );
    // The TypeScript SDK tolerates the absence; the spec client refuses.
    assert!(client_works(&report, "TypeScript SDK"));
    assert!(!client_works(&report, "MCP 2025-11-25"));
}

#[test]
fn plain_only_pkce() {
    let server = serve_root(|d| d["code_challenge_methods_supported"] = json!(["plain"]));
    let (code, report, _) = check_json(&[&server.origin]);
    assert_eq!(code, 1);
    assert_statuses(
        &report,
        &[
            ("AS-PKCE-PRESENT", "pass"),
            ("AS-PKCE-S256", "fail"),
            ("AS-PKCE-PLAIN", "info"),
        ],
    );
    assert!(!client_works(&report, "TypeScript SDK"));
}

/// A server that answers 400 to any request carrying MCP-Protocol-Version,
/// as SDK clients send it: the comparison GET without it shows the cause.
#[test]
fn metadata_refused_with_the_protocol_version_header() {
    let server = ReplayServer::start(|origin| {
        let doc = recorded(ROOT_DOC, origin);
        let mut routes = live_endpoints(origin, &doc);
        let refused = Route::raw(
            400,
            Some("application/json"),
            r#"{"error":"invalid_request","error_description":"unexpected header"}"#,
        );
        routes.push((
            "/.well-known/oauth-authorization-server".into(),
            Route::json(&doc).when_header("mcp-protocol-version", refused.clone()),
        ));
        routes.push((
            "/.well-known/openid-configuration".into(),
            Route::raw(404, Some("text/plain"), "not found")
                .when_header("mcp-protocol-version", refused),
        ));
        routes
    });
    let (code, report, _) = check_json(&[&server.origin, "--as", "issuer"]);
    assert_eq!(
        code, 3,
        "no document reaches a client that sends the header"
    );
    assert_statuses(
        &report,
        &[("DISC-AS-FOUND", "fail"), ("DISC-PROTOCOL-HEADER", "warn")],
    );
    let detail = detail_of(&report, "DISC-PROTOCOL-HEADER");
    assert!(
        detail.contains("/.well-known/oauth-authorization-server answers 400 to a GET with MCP-Protocol-Version: 2026-07-28 and metadata document without it"),
        "{detail}"
    );
    // One comparison GET, in the round of the endpoint probes.
    assert_eq!(
        server.hits("GET /.well-known/oauth-authorization-server"),
        2
    );
}

#[test]
fn server_error_on_the_first_candidate() {
    let server = ReplayServer::start(|origin| {
        let doc = recorded(PATH_DOC, origin);
        let mut routes = live_endpoints(origin, &doc);
        routes.extend([
            (
                "/.well-known/oauth-authorization-server/oidc".into(),
                Route::raw(500, Some("text/plain"), "internal error"),
            ),
            (
                "/oidc/.well-known/openid-configuration".into(),
                Route::json(&doc),
            ),
        ]);
        routes
    });
    let issuer = format!("{}/oidc", server.origin);
    let (code, report, _) = check_json(&[&issuer]);
    assert_eq!(code, 1);
    assert_statuses(
        &report,
        &[
            ("DISC-AS-FOUND", "pass"),
            ("DISC-AS-ERROR-STATUS", "fail"),
            ("AS-TOKEN-ENDPOINT-REACHABLE", "pass"),
        ],
    );
    let clients = &report["discovery"]["clients"];
    assert!(client_works(&report, "MCP 2025-11-25"), "{clients:#}");
    assert!(!client_works(&report, "TypeScript SDK"));
    assert!(!client_works(&report, "Python SDK"));
}

#[test]
fn server_errors_everywhere() {
    let server = ReplayServer::start(|_| {
        [
            "/.well-known/oauth-authorization-server",
            "/.well-known/openid-configuration",
        ]
        .into_iter()
        .map(|p| {
            (
                p.to_owned(),
                Route::raw(503, Some("text/plain"), "maintenance"),
            )
        })
        .collect()
    });
    let (code, report, stderr) = check_json(&[&server.origin]);
    assert_eq!(code, 3);
    assert_eq!(report["summary"]["metadata_found"], false);
    assert_one_line_error(&stderr, "503 server error");
    assert!(
        stderr.contains("no authorization server metadata found"),
        "{stderr}"
    );
}

#[test]
fn html_instead_of_json() {
    let server = ReplayServer::start(|_| {
        [
            "/.well-known/oauth-authorization-server",
            "/.well-known/openid-configuration",
        ]
        .into_iter()
        .map(|p| {
            (
                p.to_owned(),
                Route::raw(200, Some("text/html"), "<!doctype html><h1>Sign in</h1>"),
            )
        })
        .collect()
    });
    let (code, report, stderr) = check_json(&[&server.origin]);
    assert_eq!(code, 3);
    assert_eq!(status(&report, "DISC-AS-FOUND"), "fail");
    assert_one_line_error(&stderr, "body is HTML");
}

#[test]
fn invalid_json_and_json_array() {
    let server = ReplayServer::start(|_| {
        vec![
            (
                "/.well-known/oauth-authorization-server".into(),
                Route::raw(200, Some("application/json"), "{\"issuer\": "),
            ),
            (
                "/.well-known/openid-configuration".into(),
                Route::raw(200, Some("application/json"), "[1, 2]"),
            ),
        ]
    });
    let (code, report, stderr) = check_json(&[&server.origin]);
    assert_eq!(code, 3);
    let outcomes: Vec<&str> = report["discovery"]["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["outcome"]["result"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["not_json", "not_object"]);
    assert_one_line_error(&stderr, "JSON array, not an object");
}

#[test]
fn oversized_body_is_capped() {
    let server = ReplayServer::start(|origin| {
        let mut doc = recorded(ROOT_DOC, origin);
        doc["padding"] = json!("x".repeat(2 * 1024 * 1024));
        vec![(
            "/.well-known/oauth-authorization-server".into(),
            Route::json(&doc),
        )]
    });
    let (code, report, stderr) = check_json(&[&server.origin]);
    assert_eq!(code, 3);
    assert_eq!(
        report["discovery"]["attempts"][0]["outcome"]["result"],
        "too_large"
    );
    assert_one_line_error(&stderr, "larger than the 1 MiB cap");
}

#[test]
fn slow_server_times_out() {
    let server = ReplayServer::start(|origin| {
        let doc = recorded(ROOT_DOC, origin);
        [
            "/.well-known/oauth-authorization-server",
            "/.well-known/openid-configuration",
        ]
        .into_iter()
        .map(|p| {
            (
                p.to_owned(),
                Route::json(&doc).delayed(Duration::from_secs(120)),
            )
        })
        .collect()
    });
    let (code, report, stderr) = check_json(&[&server.origin, "--timeout", "0.5"]);
    assert_eq!(code, 3);
    assert_eq!(
        report["discovery"]["attempts"][0]["outcome"]["kind"],
        "timeout"
    );
    assert_one_line_error(&stderr, "no answer within the timeout");
    assert!(stderr.contains("target unreachable"), "{stderr}");
}

#[test]
fn unreachable_host() {
    // Bound but not listening: nothing answers there.
    let dead = ClosedPort::bind();
    let (code, stdout, stderr) = run(&["check", &dead.origin()]);
    assert_eq!(code, 3);
    assert!(stdout.is_empty(), "one line, not a page of skips: {stdout}");
    assert_one_line_error(&stderr, "target unreachable");
}

#[test]
fn wrong_member_types() {
    let server = serve_root(|d| {
        d["client_id_metadata_document_supported"] = json!("true");
        d["scopes_supported"] = json!([]);
    });
    let (code, report, _) = check_json(&[&server.origin]);
    assert_eq!(code, 1);
    assert_statuses(
        &report,
        &[("AS-MEMBER-TYPES", "fail"), ("AS-ZERO-VALUES", "warn")],
    );
    assert!(!client_works(&report, "TypeScript SDK"));
}

#[test]
fn oidc_document_missing_required_members() {
    let server = ReplayServer::start(|origin| {
        let mut doc = recorded(ROOT_DOC, origin);
        let o = doc.as_object_mut().unwrap();
        o.remove("jwks_uri");
        o.remove("subject_types_supported");
        vec![(
            "/.well-known/openid-configuration".into(),
            Route::json(&doc),
        )]
    });
    let (code, report, _) = check_json(&[&server.origin]);
    assert_eq!(code, 1);
    assert_statuses(
        &report,
        &[
            ("AS-OIDC-REQUIRED", "fail"),
            ("AS-JWKS-URI", "fail"),
            ("DISC-AS-RFC8414", "warn"),
        ],
    );
}

/// stderr has exactly one `error:` line, containing `needle`.
fn assert_one_line_error(stderr: &str, needle: &str) {
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("error: "))
        .collect();
    assert_eq!(errors.len(), 1, "expected one error line, got:\n{stderr}");
    assert!(
        errors[0].contains(needle),
        "{:?} does not mention {needle:?}",
        errors[0]
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// A Keycloak-shaped issuer (`/realms/…`) is recognised, and its documented
/// fix is added to the checks its quirks explain.
#[test]
fn a_known_provider_is_recognised_with_its_fixes() {
    let server = ReplayServer::start(|origin| {
        let mut doc = recorded(PATH_DOC, origin);
        let issuer = format!("{origin}/realms/mcp");
        let text = doc.to_string().replace(&format!("{origin}/oidc"), &issuer);
        doc = serde_json::from_str(&text).unwrap();
        let mut routes = live_endpoints(origin, &doc);
        routes.push((
            "/realms/mcp/.well-known/openid-configuration".into(),
            Route::json(&doc),
        ));
        routes
    });
    let issuer = format!("{}/realms/mcp", server.origin);
    let (code, report, _) = check_json(&[&issuer]);
    assert_eq!(code, 0);
    assert_eq!(report["provider"]["id"], "keycloak");
    let rfc8414 = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "DISC-AS-RFC8414")
        .unwrap();
    assert_eq!(rfc8414["status"], "warn");
    assert!(
        rfc8414["provider_hint"]
            .as_str()
            .unwrap()
            .starts_with("Keycloak: "),
        "{rfc8414}"
    );
    // Checks that pass carry no provider hint.
    let s256 = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "AS-PKCE-S256")
        .unwrap();
    assert!(s256["provider_hint"].is_null());
    let (_, table, _) = run(&["check", &issuer]);
    assert!(table.contains("provider: Keycloak"), "{table}");
    assert!(table.contains("known quirk of Keycloak"), "{table}");
}

/// Keycloak before 26.4: metadata only at `{issuer}/.well-known/oauth-authorization-server`,
/// where no MCP client looks. The three spec URLs are fetched together; the
/// appended form only after they all failed, to say where the document is.
#[test]
fn metadata_only_at_the_appended_rfc8414_url() {
    let server = ReplayServer::start(|origin| {
        let mut doc = recorded(PATH_DOC, origin);
        doc["issuer"] = json!(format!("{origin}/realms/mcp"));
        vec![(
            "/realms/mcp/.well-known/oauth-authorization-server".into(),
            Route::json(&doc),
        )]
    });
    let issuer = format!("{}/realms/mcp", server.origin);
    let (code, report, _) = check_json(&[&issuer, "--as", "issuer"]);
    assert_eq!(code, 3, "no metadata a client can find");
    let found = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "DISC-AS-FOUND")
        .unwrap();
    assert_eq!(found["status"], "fail");
    let detail = found["detail"].as_str().unwrap();
    assert!(
        detail.contains(&format!(
            "Metadata exists at {issuer}/.well-known/oauth-authorization-server"
        )),
        "{detail}"
    );
    let urls: Vec<&str> = report["discovery"]["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["url"].as_str().unwrap())
        .collect();
    let o = &server.origin;
    assert_eq!(
        urls,
        [
            format!("{o}/.well-known/oauth-authorization-server/realms/mcp"),
            format!("{o}/.well-known/openid-configuration/realms/mcp"),
            format!("{o}/realms/mcp/.well-known/openid-configuration"),
            format!("{o}/realms/mcp/.well-known/oauth-authorization-server"),
        ]
    );
    assert_eq!(
        server.hits("GET /realms/mcp/.well-known/oauth-authorization-server"),
        1
    );
    // Auto-detected (the candidates then come from the first round): the same attempts.
    let (code, auto, _) = check_json(&[&issuer]);
    assert_eq!(code, 3);
    assert_eq!(auto["target"]["kind"], "issuer");
    let seen = |r: &serde_json::Value| -> Vec<(String, String, serde_json::Value)> {
        r["discovery"]["attempts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                (
                    a["url"].as_str().unwrap().to_owned(),
                    a["kind"].as_str().unwrap().to_owned(),
                    a["status"].clone(),
                )
            })
            .collect()
    };
    assert_eq!(seen(&auto), seen(&report));
}

/// A server that never answers is not asked for the diagnostic URL as well:
/// that would only double the wait for the same connection error.
#[test]
fn no_diagnostic_url_when_nothing_answers() {
    let dead = ClosedPort::bind();
    let issuer = format!("{}/realms/mcp", dead.origin());
    let (code, report, _) = check_json(&[&issuer, "--as", "issuer"]);
    assert_eq!(code, 3);
    let kinds: Vec<&str> = report["discovery"]["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["oauth", "oidc_insert", "oidc_append"]);
}

/// A server that serves its metadata is never asked for the appended form.
#[test]
fn the_appended_rfc8414_url_is_not_fetched_when_discovery_succeeds() {
    let server = ReplayServer::start(|origin| {
        let doc = recorded(PATH_DOC, origin);
        let mut routes = live_endpoints(origin, &doc);
        routes.push((
            "/oidc/.well-known/openid-configuration".into(),
            Route::json(&doc),
        ));
        routes
    });
    let issuer = format!("{}/oidc", server.origin);
    let (code, report, _) = check_json(&[&issuer, "--as", "issuer"]);
    assert_eq!(code, 0);
    assert_eq!(status(&report, "DISC-AS-FOUND"), "pass");
    assert_eq!(
        server.hits("GET /oidc/.well-known/oauth-authorization-server"),
        0
    );
}

/// `check <url>` without `--as`: the URL's own candidates are fetched in the
/// first round, beside the MCP probe that decides what the URL is, so an
/// issuer costs no extra round for the detection (the probe is only answered
/// once all three candidates have arrived) and each candidate once.
#[test]
fn auto_detection_costs_an_issuer_no_extra_round() {
    let server = ReplayServer::start(|origin| {
        let doc = recorded(PATH_DOC, origin);
        let mut routes = live_endpoints(origin, &doc);
        routes.extend([
            (
                "POST /oidc".into(),
                Route::raw(404, Some("text/plain"), "not found").after(&[
                    "GET /.well-known/oauth-authorization-server/oidc",
                    "GET /.well-known/openid-configuration/oidc",
                    "GET /oidc/.well-known/openid-configuration",
                ]),
            ),
            (
                "/oidc/.well-known/openid-configuration".into(),
                Route::json(&doc),
            ),
        ]);
        routes
    });
    let issuer = format!("{}/oidc", server.origin);
    let (code, report, stderr) = check_json(&[&issuer, "--timeout", "10", "-v"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(report["target"]["kind"], "issuer");
    // The probe was answered, not timed out: its answer needed the candidates
    // to have been sent already.
    assert!(
        stderr.contains(&format!("method=POST url={issuer} status=404")),
        "{stderr}"
    );
    assert_eq!(status(&report, "DISC-AS-FOUND"), "pass");
    for path in [
        "/.well-known/oauth-authorization-server/oidc",
        "/.well-known/openid-configuration/oidc",
    ] {
        assert_eq!(server.hits(&format!("GET {path}")), 1, "{path}");
    }
    // Discovery, then the CORS check's GET with Origin.
    assert_eq!(server.hits("GET /oidc/.well-known/openid-configuration"), 2);
}

//! AS-TOKEN-ENDPOINT-REACHABLE and AS-JWKS-REACHABLE against a real published
//! document (Auth0's OpenID Connect metadata, its origin rewritten to a
//! loopback server's) whose endpoints are dead: a port that refuses
//! connections, or a path that answers 404. A dead endpoint is a failure of
//! its own and never a CORS finding.

use serde_json::json;

use crate::support::replay::{recorded_mcp, set_route, ReplayServer, Route};
use crate::support::*;

/// The origin `auth0--oidc.json` was published under.
const AUTH0: &str = "https://dev-ltxchcls4igzho78.us.auth0.com";

/// Auth0's document served at the OIDC location of the issuer `{origin}/`
/// (its origin rewritten), `patch` pointing its endpoints elsewhere. Nothing
/// but the metadata is served: every other path answers 404.
fn serve_auth0(patch: impl FnOnce(&str, &mut serde_json::Value)) -> ReplayServer {
    ReplayServer::start(|origin| {
        let text = fixture("real-metadata/auth0--oidc.json").replace(AUTH0, origin);
        let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap();
        patch(origin, &mut doc);
        vec![(
            "/.well-known/openid-configuration".into(),
            Route::json(&doc),
        )]
    })
}

/// The finding of `id`: (status, detail).
fn finding(report: &serde_json::Value, id: &str) -> (String, String) {
    let f = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no {id}"));
    (
        f["status"].as_str().unwrap().to_owned(),
        f["detail"].as_str().unwrap().to_owned(),
    )
}

/// Every endpoint but the metadata on a port that refuses connections; the
/// JWKS where the server answers 404.
#[test]
fn every_endpoint_dead_fails_the_run_and_no_cors_check_reports_it() {
    let closed = ClosedPort::bind();
    let dead = closed.origin();
    let server = serve_auth0(|_, doc| {
        for member in [
            "authorization_endpoint",
            "token_endpoint",
            "userinfo_endpoint",
            "registration_endpoint",
            "revocation_endpoint",
            "device_authorization_endpoint",
        ] {
            let url = doc[member].as_str().unwrap().to_owned();
            let path = url::Url::parse(&url).unwrap().path().to_owned();
            doc[member] = json!(format!("{dead}{path}"));
        }
    });
    let issuer = format!("{}/", server.origin);
    let (code, report, stderr) = check_json(&[&issuer, "--as", "issuer"]);
    assert_eq!(code, 1, "a required check failed: {stderr}");

    let (st, detail) = finding(&report, "AS-TOKEN-ENDPOINT-REACHABLE");
    assert_eq!(st, "fail", "{detail}");
    assert!(
        detail.contains(&format!("POST {dead}/oauth/token")),
        "{detail}"
    );
    assert!(detail.contains("no answer (connection failed"), "{detail}");

    let (st, detail) = finding(&report, "AS-JWKS-REACHABLE");
    assert_eq!(
        st, "fail",
        "an OIDC document: jwks_uri is REQUIRED: {detail}"
    );
    let jwks = format!("{}/.well-known/jwks.json", server.origin);
    assert!(detail.contains(&format!("GET {jwks}: 404")), "{detail}");
    assert_eq!(server.hits("GET /.well-known/jwks.json"), 1);

    let (st, detail) = finding(&report, "CORS-TOKEN");
    assert_eq!(st, "skip", "{detail}");
    assert!(
        detail.contains("see AS-TOKEN-ENDPOINT-REACHABLE"),
        "{detail}"
    );
    let (st, detail) = finding(&report, "CORS-JWKS");
    assert_eq!(st, "skip", "{detail}");
    assert!(detail.contains("see AS-JWKS-REACHABLE"), "{detail}");
    for id in ["CORS-REG-PREFLIGHT", "CORS-USERINFO"] {
        let (st, detail) = finding(&report, id);
        assert_eq!(st, "skip", "{id}: {detail}");
        assert!(detail.contains("did not answer"), "{id}: {detail}");
    }
    // The metadata itself is fine: discovery passes.
    assert_eq!(status(&report, "DISC-AS-FOUND"), "pass");
    assert_eq!(status(&report, "DISC-AS-ISSUER-MATCH"), "pass");
}

/// The other way round: the token endpoint answers 404, the JWKS is on the
/// port that refuses connections.
#[test]
fn a_404_token_endpoint_and_a_refused_jwks_fail() {
    let closed = ClosedPort::bind();
    let dead = closed.origin();
    let server = serve_auth0(|_, doc| {
        doc["jwks_uri"] = json!(format!("{dead}/.well-known/jwks.json"));
    });
    let issuer = format!("{}/", server.origin);
    let (code, report, _) = check_json(&[&issuer, "--as", "issuer"]);
    assert_eq!(code, 1);
    let (st, detail) = finding(&report, "AS-TOKEN-ENDPOINT-REACHABLE");
    assert_eq!(st, "fail", "{detail}");
    assert!(detail.contains("404: nothing at this URL"), "{detail}");
    assert_eq!(server.hits("POST /oauth/token"), 1, "the CORS probe's POST");
    let (st, detail) = finding(&report, "AS-JWKS-REACHABLE");
    assert_eq!(st, "fail", "{detail}");
    assert!(detail.contains("Connection refused"), "{detail}");
    assert_eq!(status(&report, "CORS-TOKEN"), "skip");
    assert_eq!(status(&report, "CORS-JWKS"), "skip");
}

/// An MCP server's listed authorization server is graded the same way, the
/// finding naming its server.
#[test]
fn a_listed_servers_dead_token_endpoint_fails_an_mcp_check() {
    let closed = ClosedPort::bind();
    let dead = closed.origin();
    let (_server, url) = recorded_mcp(|origin, routes| {
        let mut doc =
            crate::support::replay::recorded("oidc-provider-9.13.3-path-registration.json", origin);
        doc["token_endpoint"] = json!(format!("{dead}/oidc/token"));
        set_route(
            routes,
            "/oidc/.well-known/openid-configuration",
            Route::json(&doc),
        );
    });
    let (code, report, _) = check_json(&[&url]);
    assert_eq!(code, 1);
    let f = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "AS-TOKEN-ENDPOINT-REACHABLE")
        .unwrap();
    assert_eq!(f["status"], "fail", "{f}");
    assert!(f["subject"].as_str().unwrap().ends_with("/oidc"), "{f}");
    // The JWKS of the replayed server is live.
    assert_eq!(status(&report, "AS-JWKS-REACHABLE"), "pass");
}

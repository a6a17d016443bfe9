//! Tests of the CORS checks of an authorization server's endpoints
//! (CORS-AS-*, CORS-JWKS, CORS-REG-PREFLIGHT, CORS-TOKEN, CORS-USERINFO), with
//! the request helpers of `tests.rs`.

use super::tests::{cors_get, preflight, unanswered, ANY, REFLECTED};
use crate::evidence::requests::CORS_ORIGIN;
use crate::evidence::{Evidence, Exchange, ProbeKind};
use crate::test_support::*;
use crate::Status::*;

/// The RFC 8414 metadata URL of `ISSUER`.
const AS_METADATA: &str = "https://auth.example.com/.well-known/oauth-authorization-server/tenant1";
const JWKS: &str = "https://auth.example.com/tenant1/jwks";
const REGISTER: &str = "https://auth.example.com/tenant1/register";
const TOKEN: &str = "https://auth.example.com/tenant1/token";
const USERINFO: &str = "https://auth.example.com/tenant1/userinfo";

/// The invalid token request with Origin (`ProbeRequest::cors_token`).
fn token_post(response_headers: &[(&str, &str)]) -> Exchange {
    let mut headers = vec![("content-type", "application/json")];
    headers.extend_from_slice(response_headers);
    exchange(
        "POST",
        TOKEN,
        &[
            ("content-type", "application/x-www-form-urlencoded"),
            ("accept", "application/json"),
            ("origin", CORS_ORIGIN),
        ],
        400,
        &headers,
        r#"{"error":"invalid_grant"}"#,
    )
}

/// `good_mcp()` with probes of its (first) authorization server.
fn server_probes(probes: Vec<(ProbeKind, Exchange)>) -> Evidence {
    probes
        .into_iter()
        .fold(good_mcp(), |ev, (kind, ex)| with_server_probe(ev, kind, ex))
}

// ---------------------------------------------------------------- CORS-AS-GET

#[test]
fn cors_as_get() {
    let ev = server_probes(vec![(
        ProbeKind::CorsAsGet,
        cors_get(AS_METADATA, 200, &[ANY]),
    )]);
    let f = finding(&ev, "CORS-AS-GET");
    assert_eq!(f.status, Pass);
    assert_eq!(f.subject.as_deref(), Some(ISSUER));

    let ev = server_probes(vec![(
        ProbeKind::CorsAsGet,
        cors_get(AS_METADATA, 200, &[]),
    )]);
    assert_eq!(status_of(&ev, "CORS-AS-GET"), Warn);

    // Issuer mode too.
    let ev = with_server_probe(
        served_at_oauth(&good_doc()),
        ProbeKind::CorsAsGet,
        cors_get(AS_METADATA, 200, &[REFLECTED]),
    );
    assert_eq!(status_of(&ev, "CORS-AS-GET"), Pass);

    assert_eq!(status_of(&good_mcp(), "CORS-AS-GET"), Skip);
}

// ---------------------------------------------------------------- CORS-AS-PREFLIGHT

#[test]
fn cors_as_preflight() {
    let ok = preflight(
        AS_METADATA,
        "GET",
        "mcp-protocol-version",
        200,
        &[
            ANY,
            ("access-control-allow-headers", "mcp-protocol-version"),
        ],
    );
    let ev = server_probes(vec![(ProbeKind::CorsAsPreflight, ok)]);
    assert_eq!(status_of(&ev, "CORS-AS-PREFLIGHT"), Pass);

    let failing = preflight(AS_METADATA, "GET", "mcp-protocol-version", 404, &[]);
    let ev = server_probes(vec![
        (ProbeKind::CorsAsPreflight, failing.clone()),
        (ProbeKind::CorsAsGet, cors_get(AS_METADATA, 200, &[ANY])),
    ]);
    let f = finding(&ev, "CORS-AS-PREFLIGHT");
    assert_eq!(f.status, Info);
    assert!(f.detail.contains("retries"), "{}", f.detail);

    let ev = server_probes(vec![
        (ProbeKind::CorsAsPreflight, failing),
        (ProbeKind::CorsAsGet, cors_get(AS_METADATA, 200, &[])),
    ]);
    assert_eq!(status_of(&ev, "CORS-AS-PREFLIGHT"), Warn);

    assert_eq!(status_of(&good_mcp(), "CORS-AS-PREFLIGHT"), Skip);
}

// ---------------------------------------------------------------- CORS-JWKS

/// The JWKS GET with Origin, answered with a JWK Set.
fn jwks_get(response_headers: &[(&str, &str)]) -> Exchange {
    let mut ex = cors_get(JWKS, 200, response_headers);
    ex.response.as_mut().unwrap().body = r#"{"keys":[{"kty":"EC","crv":"P-256"}]}"#.into();
    ex
}

#[test]
fn cors_jwks() {
    let ev = server_probes(vec![(ProbeKind::CorsJwks, jwks_get(&[ANY]))]);
    assert_eq!(status_of(&ev, "CORS-JWKS"), Pass);

    let ev = server_probes(vec![(ProbeKind::CorsJwks, jwks_get(&[]))]);
    let f = finding(&ev, "CORS-JWKS");
    assert_eq!(f.status, Info);
    assert!(
        f.detail.contains("no Access-Control-Allow-Origin"),
        "{}",
        f.detail
    );

    // No answer is not a CORS finding (AS-JWKS-REACHABLE's).
    let ev = server_probes(vec![(ProbeKind::CorsJwks, unanswered("GET", JWKS))]);
    let f = finding(&ev, "CORS-JWKS");
    assert_eq!(f.status, Skip);
    assert!(f.detail.contains("see AS-JWKS-REACHABLE"), "{}", f.detail);

    assert_eq!(status_of(&good_mcp(), "CORS-JWKS"), Skip);
}

// ---------------------------------------------------------------- CORS-REG-PREFLIGHT

fn reg_preflight(status: u16, response_headers: &[(&str, &str)]) -> Exchange {
    preflight(REGISTER, "POST", "content-type", status, response_headers)
}

#[test]
fn cors_reg_preflight_passes() {
    let ex = reg_preflight(
        204,
        &[ANY, ("access-control-allow-headers", "Content-Type")],
    );
    let ev = server_probes(vec![(ProbeKind::CorsRegPreflight, ex)]);
    let f = finding(&ev, "CORS-REG-PREFLIGHT");
    assert_eq!(f.status, Pass, "{}", f.detail);
}

#[test]
fn cors_reg_preflight_warns_on_404_like_oidc_provider() {
    let ev = server_probes(vec![(ProbeKind::CorsRegPreflight, reg_preflight(404, &[]))]);
    let f = finding(&ev, "CORS-REG-PREFLIGHT");
    assert_eq!(f.status, Warn);
    assert!(f.detail.contains("preflight answered 404"), "{}", f.detail);
    assert!(f.detail.contains("OPTIONS registration"), "{}", f.detail);
}

#[test]
fn cors_reg_preflight_skips() {
    // No registration_endpoint: skipped even if a probe were recorded.
    let ev = with_server_probe(
        with("registration_endpoint", serde_json::Value::Null),
        ProbeKind::CorsRegPreflight,
        reg_preflight(404, &[]),
    );
    let f = finding(&ev, "CORS-REG-PREFLIGHT");
    assert_eq!(f.status, Skip);
    assert!(f.detail.contains("not advertised"), "{}", f.detail);

    // No metadata document at all.
    let ev = issuer_evidence(not_found(), not_found(), not_found());
    let f = finding(&ev, "CORS-REG-PREFLIGHT");
    assert_eq!(f.status, Skip);
    assert!(f.detail.contains("no metadata document"), "{}", f.detail);

    // Advertised but not probed.
    let f = finding(&good_mcp(), "CORS-REG-PREFLIGHT");
    assert_eq!(f.status, Skip);
    assert!(f.detail.contains("not probed"), "{}", f.detail);
}

// ---------------------------------------------------------------- CORS-TOKEN

#[test]
fn cors_token() {
    let ev = server_probes(vec![(ProbeKind::CorsToken, token_post(&[ANY]))]);
    let f = finding(&ev, "CORS-TOKEN");
    assert_eq!(f.status, Pass);
    assert!(f.detail.contains("400"), "{}", f.detail);

    let ev = server_probes(vec![(ProbeKind::CorsToken, token_post(&[]))]);
    let f = finding(&ev, "CORS-TOKEN");
    assert_eq!(f.status, Warn);
    assert!(
        f.detail.contains("no Access-Control-Allow-Origin"),
        "{}",
        f.detail
    );

    let ev = with_server_probe(
        with("token_endpoint", serde_json::Value::Null),
        ProbeKind::CorsToken,
        token_post(&[ANY]),
    );
    assert_eq!(status_of(&ev, "CORS-TOKEN"), Skip);
    assert_eq!(status_of(&good_mcp(), "CORS-TOKEN"), Skip);
}

// ---------------------------------------------------------------- CORS-USERINFO

fn userinfo_preflight(status: u16, response_headers: &[(&str, &str)]) -> Exchange {
    preflight(USERINFO, "GET", "authorization", status, response_headers)
}

#[test]
fn cors_userinfo() {
    let ex = userinfo_preflight(
        204,
        &[ANY, ("access-control-allow-headers", "Authorization")],
    );
    let ev = server_probes(vec![(ProbeKind::CorsUserinfoPreflight, ex)]);
    assert_eq!(status_of(&ev, "CORS-USERINFO"), Pass);

    let ex = userinfo_preflight(204, &[("access-control-allow-headers", "Authorization")]);
    let ev = server_probes(vec![(ProbeKind::CorsUserinfoPreflight, ex)]);
    let f = finding(&ev, "CORS-USERINFO");
    assert_eq!(f.status, Info);
    assert!(
        f.detail.contains("no Access-Control-Allow-Origin"),
        "{}",
        f.detail
    );

    // `*` does not cover Authorization.
    let ex = userinfo_preflight(204, &[ANY, ("access-control-allow-headers", "*")]);
    let ev = server_probes(vec![(ProbeKind::CorsUserinfoPreflight, ex)]);
    let f = finding(&ev, "CORS-USERINFO");
    assert_eq!(f.status, Info);
    assert!(f.detail.contains("authorization"), "{}", f.detail);

    let ev = with_server_probe(
        with("userinfo_endpoint", serde_json::Value::Null),
        ProbeKind::CorsUserinfoPreflight,
        userinfo_preflight(404, &[]),
    );
    let f = finding(&ev, "CORS-USERINFO");
    assert_eq!(f.status, Skip);
    assert!(f.detail.contains("not advertised"), "{}", f.detail);
    assert_eq!(status_of(&good_mcp(), "CORS-USERINFO"), Skip);
}

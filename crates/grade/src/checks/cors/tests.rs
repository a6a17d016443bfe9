//! Tests of the CORS checks (`cors.rs`), with the requests the probes of
//! `gather.rs` send (Origin: the MCP Inspector's, as `probe::CORS_ORIGIN`).

use crate::evidence::requests::{CORS_ORIGIN, MCP_PROTOCOL_VERSION};
use crate::evidence::{Evidence, Exchange, ProbeKind, TransportError, TransportErrorKind};
use crate::test_support::*;
use crate::Status::*;

/// The RFC 8414 metadata URL of `ISSUER`.
const AS_METADATA: &str = "https://auth.example.com/.well-known/oauth-authorization-server/tenant1";
const JWKS: &str = "https://auth.example.com/tenant1/jwks";
const REGISTER: &str = "https://auth.example.com/tenant1/register";
const TOKEN: &str = "https://auth.example.com/tenant1/token";
const USERINFO: &str = "https://auth.example.com/tenant1/userinfo";

/// What the MCP endpoint preflight asks for (gather.rs).
const MCP_HEADERS: &str = "authorization, content-type, mcp-protocol-version";

/// A preflight as `ProbeRequest::cors_preflight` sends it.
fn preflight(
    url: &str,
    method: &str,
    headers: &str,
    status: u16,
    response_headers: &[(&str, &str)],
) -> Exchange {
    let mut req = vec![
        ("origin", CORS_ORIGIN),
        ("access-control-request-method", method),
    ];
    if !headers.is_empty() {
        req.push(("access-control-request-headers", headers));
    }
    exchange("OPTIONS", url, &req, status, response_headers, "")
}

/// A metadata GET as `ProbeRequest::cors_get` sends it.
fn cors_get(url: &str, status: u16, response_headers: &[(&str, &str)]) -> Exchange {
    exchange(
        "GET",
        url,
        &[
            ("accept", "application/json"),
            ("mcp-protocol-version", MCP_PROTOCOL_VERSION),
            ("origin", CORS_ORIGIN),
        ],
        status,
        response_headers,
        "{}",
    )
}

/// The unauthenticated MCP POST with Origin (`mcp_initialize_with_origin`).
fn mcp_post(response_headers: &[(&str, &str)]) -> Exchange {
    let mut headers = vec![(
        "www-authenticate",
        r#"Bearer resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp""#,
    )];
    headers.extend_from_slice(response_headers);
    exchange(
        "POST",
        MCP,
        &[
            ("content-type", "application/json"),
            ("accept", "application/json, text/event-stream"),
            ("origin", CORS_ORIGIN),
        ],
        401,
        &headers,
        "",
    )
}

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

/// A request that got no response.
fn unanswered(method: &str, url: &str) -> Exchange {
    let mut ex = exchange(method, url, &[("origin", CORS_ORIGIN)], 0, &[], "");
    ex.response = None;
    ex.error = Some(TransportError {
        kind: TransportErrorKind::Timeout,
        message: "no answer within the timeout".into(),
    });
    ex
}

fn mcp_probe(kind: ProbeKind, ex: Exchange) -> Evidence {
    with_resource_probe(good_mcp(), kind, ex)
}

/// `good_mcp()` with probes of its (first) authorization server.
fn server_probes(probes: Vec<(ProbeKind, Exchange)>) -> Evidence {
    probes
        .into_iter()
        .fold(good_mcp(), |ev, (kind, ex)| with_server_probe(ev, kind, ex))
}

const ANY: (&str, &str) = ("access-control-allow-origin", "*");
const REFLECTED: (&str, &str) = ("access-control-allow-origin", CORS_ORIGIN);

// ---------------------------------------------------------------- CORS-MCP-PREFLIGHT

#[test]
fn cors_mcp_preflight_passes_with_explicit_authorization() {
    for origin in [REFLECTED, ANY] {
        let ex = preflight(
            MCP,
            "POST",
            MCP_HEADERS,
            204,
            &[
                origin,
                ("access-control-allow-methods", "POST, GET, OPTIONS"),
                (
                    "access-control-allow-headers",
                    "Authorization, Content-Type, Mcp-Protocol-Version",
                ),
            ],
        );
        let f = finding(
            &mcp_probe(ProbeKind::CorsMcpPreflight, ex),
            "CORS-MCP-PREFLIGHT",
        );
        assert_eq!(f.status, Pass, "{}", f.detail);
        assert!(f.detail.contains("204"), "{}", f.detail);
    }
}

#[test]
fn cors_mcp_preflight_warns_when_only_a_wildcard_is_allowed() {
    let ex = preflight(
        MCP,
        "POST",
        MCP_HEADERS,
        204,
        &[ANY, ("access-control-allow-headers", "*")],
    );
    let f = finding(
        &mcp_probe(ProbeKind::CorsMcpPreflight, ex),
        "CORS-MCP-PREFLIGHT",
    );
    assert_eq!(f.status, Warn);
    // `*` covers the other headers, never Authorization.
    assert!(
        f.detail.contains("headers not allowed: authorization"),
        "{}",
        f.detail
    );
    assert!(!f.detail.contains("content-type"), "{}", f.detail);
}

#[test]
fn cors_mcp_preflight_warns_on_a_failing_preflight() {
    let ex = preflight(MCP, "POST", MCP_HEADERS, 404, &[]);
    let f = finding(
        &mcp_probe(ProbeKind::CorsMcpPreflight, ex),
        "CORS-MCP-PREFLIGHT",
    );
    assert_eq!(f.status, Warn);
    assert!(f.detail.contains("preflight answered 404"), "{}", f.detail);
    assert!(
        f.detail.contains("no Access-Control-Allow-Origin"),
        "{}",
        f.detail
    );

    let ex = preflight(
        MCP,
        "POST",
        MCP_HEADERS,
        204,
        &[
            ("access-control-allow-origin", "https://app.example.com"),
            ("access-control-allow-headers", MCP_HEADERS),
        ],
    );
    let f = finding(
        &mcp_probe(ProbeKind::CorsMcpPreflight, ex),
        "CORS-MCP-PREFLIGHT",
    );
    assert_eq!(f.status, Warn);
    assert!(f.detail.contains("https://app.example.com"), "{}", f.detail);

    let f = finding(
        &mcp_probe(ProbeKind::CorsMcpPreflight, unanswered("OPTIONS", MCP)),
        "CORS-MCP-PREFLIGHT",
    );
    assert_eq!(f.status, Warn);
    assert!(f.detail.contains("no response"), "{}", f.detail);
}

#[test]
fn cors_mcp_preflight_informs_on_403() {
    let ex = preflight(MCP, "POST", MCP_HEADERS, 403, &[]);
    let f = finding(
        &mcp_probe(ProbeKind::CorsMcpPreflight, ex),
        "CORS-MCP-PREFLIGHT",
    );
    assert_eq!(f.status, Info);
    assert!(f.detail.contains("validates Origin"), "{}", f.detail);
}

#[test]
fn cors_mcp_preflight_skips_when_not_probed() {
    assert_eq!(status_of(&good_mcp(), "CORS-MCP-PREFLIGHT"), Skip);
}

// ---------------------------------------------------------------- CORS-MCP-EXPOSE

#[test]
fn cors_mcp_expose_passes_when_www_authenticate_is_exposed() {
    for expose in ["WWW-Authenticate, Mcp-Session-Id", "*"] {
        let ex = mcp_post(&[REFLECTED, ("access-control-expose-headers", expose)]);
        let f = finding(&mcp_probe(ProbeKind::CorsMcpPost, ex), "CORS-MCP-EXPOSE");
        assert_eq!(f.status, Pass, "{expose}: {}", f.detail);
        assert!(f.detail.contains("401"), "{}", f.detail);
    }
}

#[test]
fn cors_mcp_expose_warns_without_expose_headers() {
    let f = finding(
        &mcp_probe(ProbeKind::CorsMcpPost, mcp_post(&[ANY])),
        "CORS-MCP-EXPOSE",
    );
    assert_eq!(f.status, Warn);
    assert!(
        f.detail.contains("WWW-Authenticate is not exposed"),
        "{}",
        f.detail
    );
}

#[test]
fn cors_mcp_expose_warns_without_allow_origin() {
    let ex = mcp_post(&[("access-control-expose-headers", "WWW-Authenticate")]);
    let f = finding(&mcp_probe(ProbeKind::CorsMcpPost, ex), "CORS-MCP-EXPOSE");
    assert_eq!(f.status, Warn);
    assert!(
        f.detail.contains("no Access-Control-Allow-Origin"),
        "{}",
        f.detail
    );
    assert!(
        f.detail.contains("cannot read the response"),
        "{}",
        f.detail
    );

    let f = finding(
        &mcp_probe(ProbeKind::CorsMcpPost, unanswered("POST", MCP)),
        "CORS-MCP-EXPOSE",
    );
    assert_eq!(f.status, Warn);
    assert!(f.detail.contains("no response"), "{}", f.detail);
}

#[test]
fn cors_mcp_expose_skips_when_not_probed() {
    let f = finding(&good_mcp(), "CORS-MCP-EXPOSE");
    assert_eq!(f.status, Skip);
    assert_eq!(f.detail, "not probed");
}

// ---------------------------------------------------------------- CORS-PRM-GET

#[test]
fn cors_prm_get() {
    let f = finding(
        &mcp_probe(ProbeKind::CorsPrmGet, cors_get(PRM_URL, 200, &[ANY])),
        "CORS-PRM-GET",
    );
    assert_eq!(f.status, Pass);
    assert!(
        f.detail.contains("Access-Control-Allow-Origin: *"),
        "{}",
        f.detail
    );

    let f = finding(
        &mcp_probe(ProbeKind::CorsPrmGet, cors_get(PRM_URL, 200, &[])),
        "CORS-PRM-GET",
    );
    assert_eq!(f.status, Warn);
    assert!(
        f.detail.contains("no Access-Control-Allow-Origin"),
        "{}",
        f.detail
    );

    let f = finding(
        &mcp_probe(ProbeKind::CorsPrmGet, unanswered("GET", PRM_URL)),
        "CORS-PRM-GET",
    );
    assert_eq!(f.status, Warn);
    assert!(f.detail.contains("timeout"), "{}", f.detail);

    assert_eq!(status_of(&good_mcp(), "CORS-PRM-GET"), Skip);
}

// ---------------------------------------------------------------- CORS-PRM-PREFLIGHT

#[test]
fn cors_prm_preflight_passes() {
    for allowed in ["MCP-Protocol-Version", "*"] {
        let ex = preflight(
            PRM_URL,
            "GET",
            "mcp-protocol-version",
            204,
            &[ANY, ("access-control-allow-headers", allowed)],
        );
        let ev = mcp_probe(ProbeKind::CorsPrmPreflight, ex);
        let f = finding(&ev, "CORS-PRM-PREFLIGHT");
        assert_eq!(f.status, Pass, "{allowed}: {}", f.detail);
    }
}

#[test]
fn cors_prm_preflight_informs_when_the_simple_get_works() {
    let ev = mcp_probe(
        ProbeKind::CorsPrmPreflight,
        preflight(PRM_URL, "GET", "mcp-protocol-version", 404, &[]),
    );
    let ev = with_resource_probe(ev, ProbeKind::CorsPrmGet, cors_get(PRM_URL, 200, &[ANY]));
    let f = finding(&ev, "CORS-PRM-PREFLIGHT");
    assert_eq!(f.status, Info);
    assert!(f.detail.contains("preflight answered 404"), "{}", f.detail);
    assert!(f.detail.contains("retries"), "{}", f.detail);
}

#[test]
fn cors_prm_preflight_warns_when_the_simple_get_fails_too() {
    let ev = mcp_probe(
        ProbeKind::CorsPrmPreflight,
        preflight(PRM_URL, "GET", "mcp-protocol-version", 404, &[]),
    );
    let ev = with_resource_probe(ev, ProbeKind::CorsPrmGet, cors_get(PRM_URL, 200, &[]));
    assert_eq!(status_of(&ev, "CORS-PRM-PREFLIGHT"), Warn);
}

#[test]
fn cors_prm_preflight_skips_when_not_probed() {
    assert_eq!(status_of(&good_mcp(), "CORS-PRM-PREFLIGHT"), Skip);
    // Only the GET was sent: still nothing to grade.
    let ev = mcp_probe(ProbeKind::CorsPrmGet, cors_get(PRM_URL, 200, &[ANY]));
    assert_eq!(status_of(&ev, "CORS-PRM-PREFLIGHT"), Skip);
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

#[test]
fn cors_jwks() {
    let ev = server_probes(vec![(ProbeKind::CorsJwks, cors_get(JWKS, 200, &[ANY]))]);
    assert_eq!(status_of(&ev, "CORS-JWKS"), Pass);

    let ev = server_probes(vec![(ProbeKind::CorsJwks, cors_get(JWKS, 200, &[]))]);
    let f = finding(&ev, "CORS-JWKS");
    assert_eq!(f.status, Info);
    assert!(
        f.detail.contains("no Access-Control-Allow-Origin"),
        "{}",
        f.detail
    );

    let ev = server_probes(vec![(ProbeKind::CorsJwks, unanswered("GET", JWKS))]);
    assert_eq!(status_of(&ev, "CORS-JWKS"), Info);

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

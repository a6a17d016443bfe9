//! Tests of the CORS checks, with the requests the probes send (Origin: the
//! MCP Inspector's, `requests::CORS_ORIGIN`): the graders of preflights and
//! simple requests, and the MCP server's checks (CORS-MCP-*, CORS-PRM-*). The
//! authorization server's are in `tests_as.rs`, with the helpers here.

use super::{preflight as grade_preflight, simple as grade_simple};
use crate::evidence::requests::{CORS_ORIGIN, MCP_PREFLIGHT_HEADERS, MCP_PROTOCOL_VERSION};
use crate::evidence::{Evidence, Exchange, ProbeKind, TransportError, TransportErrorKind};
use crate::test_support::*;
use crate::Status::*;

/// What the MCP endpoint preflight asked for before it requested MCP
/// 2026-07-28's headers too (evidence recorded then is graded on these).
const MCP_HEADERS: &str = "authorization, content-type, mcp-protocol-version";

/// A preflight as `ProbeRequest::cors_preflight` sends it.
pub(super) fn preflight(
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
pub(super) fn cors_get(url: &str, status: u16, response_headers: &[(&str, &str)]) -> Exchange {
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

/// A request that got no response.
pub(super) fn unanswered(method: &str, url: &str) -> Exchange {
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

pub(super) const ANY: (&str, &str) = ("access-control-allow-origin", "*");
pub(super) const REFLECTED: (&str, &str) = ("access-control-allow-origin", CORS_ORIGIN);

// ---------------------------------------------------------------- the graders

#[test]
fn preflight_needs_explicit_authorization() {
    let mcp = |status, response_headers: &[(&str, &str)]| {
        preflight(MCP, "POST", MCP_HEADERS, status, response_headers)
    };
    let ok = mcp(
        204,
        &[
            ANY,
            (
                "access-control-allow-headers",
                "Authorization, Content-Type, MCP-Protocol-Version",
            ),
        ],
    );
    assert_eq!(grade_preflight(Some(&ok), "x").status, Pass);
    let star = mcp(204, &[ANY, ("access-control-allow-headers", "*")]);
    let o = grade_preflight(Some(&star), "x");
    assert_eq!(o.status, Warn);
    assert!(
        o.detail.contains("authorization") && !o.detail.contains("content-type"),
        "{}",
        o.detail
    );
    let none = mcp(200, &[]);
    let o = grade_preflight(Some(&none), "x");
    assert!(
        o.detail.contains("no Access-Control-Allow-Origin"),
        "{}",
        o.detail
    );
    let reflected = mcp(
        200,
        &[
            REFLECTED,
            (
                "access-control-allow-headers",
                "authorization,content-type,mcp-protocol-version",
            ),
        ],
    );
    assert_eq!(grade_preflight(Some(&reflected), "x").status, Pass);
    let other = mcp(
        200,
        &[
            ("access-control-allow-origin", "https://elsewhere.example"),
            (
                "access-control-allow-headers",
                "authorization,content-type,mcp-protocol-version",
            ),
        ],
    );
    assert_eq!(grade_preflight(Some(&other), "x").status, Warn);
}

#[test]
fn simple_requests_need_the_origin_allowed() {
    let get = |status, response_headers: &[(&str, &str)]| {
        exchange(
            "GET",
            MCP,
            &[("origin", CORS_ORIGIN)],
            status,
            response_headers,
            "",
        )
    };
    assert_eq!(grade_simple(Some(&get(200, &[ANY])), "x").status, Pass);
    assert_eq!(grade_simple(Some(&get(400, &[])), "x").status, Warn);
    assert_eq!(grade_simple(None, "x").status, Skip);
}

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

/// The preflight as it is sent now, answered with `allow_headers`.
fn stateless_preflight(allow_headers: &str) -> crate::Finding {
    let ex = preflight(
        MCP,
        "POST",
        MCP_PREFLIGHT_HEADERS,
        204,
        &[ANY, ("access-control-allow-headers", allow_headers)],
    );
    finding(
        &mcp_probe(ProbeKind::CorsMcpPreflight, ex),
        "CORS-MCP-PREFLIGHT",
    )
}

#[test]
fn cors_mcp_preflight_passes_with_the_2026_07_28_headers() {
    let f = stateless_preflight(
        "Authorization, Content-Type, Mcp-Protocol-Version, Mcp-Method, Mcp-Name",
    );
    assert_eq!(f.status, Pass, "{}", f.detail);
}

#[test]
fn cors_mcp_preflight_informs_when_an_older_server_lacks_mcp_method_and_mcp_name() {
    let f = stateless_preflight("authorization, content-type, mcp-protocol-version");
    assert_eq!(f.status, Info, "{}", f.detail);
    assert!(
        f.detail.contains("not mcp-method, mcp-name"),
        "{}",
        f.detail
    );
    assert!(
        f.detail.contains("once this server moves to 2026-07-28"),
        "{}",
        f.detail
    );
}

#[test]
fn cors_mcp_preflight_warns_when_a_server_that_answered_server_discover_lacks_both() {
    let pre = preflight(
        MCP,
        "POST",
        MCP_PREFLIGHT_HEADERS,
        204,
        &[
            ANY,
            (
                "access-control-allow-headers",
                "authorization, content-type, mcp-protocol-version",
            ),
        ],
    );
    let ev = mcp_probe(ProbeKind::CorsMcpPreflight, pre);
    let discover = |status| {
        exchange(
            "POST",
            MCP,
            &[("mcp-method", "server/discover")],
            status,
            &[("content-type", "application/json")],
            "{}",
        )
    };
    // Gated (401): nothing says which revision it speaks.
    let gated = with_resource_probe(ev.clone(), ProbeKind::StatelessDiscover, discover(401));
    assert_eq!(finding(&gated, "CORS-MCP-PREFLIGHT").status, Info);
    // Answered: a 2026-07-28 server whose browser clients are blocked.
    let open = with_resource_probe(ev, ProbeKind::StatelessDiscover, discover(200));
    let f = finding(&open, "CORS-MCP-PREFLIGHT");
    assert_eq!(f.status, Warn, "{}", f.detail);
    assert!(
        f.detail
            .contains("mcp-method, mcp-name not allowed although the server speaks MCP 2026-07-28"),
        "{}",
        f.detail
    );
}

#[test]
fn cors_mcp_preflight_warns_when_a_2026_07_28_server_lacks_one_of_them() {
    let f = stateless_preflight("authorization, content-type, mcp-protocol-version, mcp-method");
    assert_eq!(f.status, Warn, "{}", f.detail);
    assert!(f.detail.contains("mcp-method is allowed"), "{}", f.detail);
    assert!(f.detail.contains("but not mcp-name"), "{}", f.detail);
}

#[test]
fn cors_mcp_preflight_still_warns_on_the_headers_every_revision_sends() {
    // `*` covers mcp-method and mcp-name, never Authorization.
    let f = stateless_preflight("*");
    assert_eq!(f.status, Warn, "{}", f.detail);
    assert!(
        f.detail.contains("headers not allowed: authorization"),
        "{}",
        f.detail
    );
    assert!(!f.detail.contains("mcp-method"), "{}", f.detail);
    // A shortfall in the core headers warns and names every missing one.
    let f = stateless_preflight("authorization");
    assert_eq!(f.status, Warn, "{}", f.detail);
    assert!(
        f.detail
            .contains("content-type, mcp-protocol-version, mcp-method, mcp-name"),
        "{}",
        f.detail
    );
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

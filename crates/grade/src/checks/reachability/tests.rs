//! Tests of AS-TOKEN-ENDPOINT-REACHABLE and AS-JWKS-REACHABLE, and of the
//! CORS checks' skips when these say the endpoint is dead.

use crate::evidence::requests::CORS_ORIGIN;
use crate::evidence::{Evidence, Exchange, ProbeKind, TransportError, TransportErrorKind};
use crate::test_support::*;
use crate::Status::*;

const TOKEN: &str = "https://auth.example.com/tenant1/token";
const JWKS: &str = "https://auth.example.com/tenant1/jwks";

/// The token probe's answer: `status`, a content type and a body.
fn token(status: u16, content_type: &str, body: &str) -> Exchange {
    exchange(
        "POST",
        TOKEN,
        &[("origin", CORS_ORIGIN)],
        status,
        &[("content-type", content_type)],
        body,
    )
}

fn jwks(status: u16, content_type: &str, body: &str) -> Exchange {
    exchange(
        "GET",
        JWKS,
        &[("origin", CORS_ORIGIN)],
        status,
        &[("content-type", content_type)],
        body,
    )
}

/// No answer: `kind` with `message`.
fn unanswered(method: &str, url: &str, kind: TransportErrorKind, message: &str) -> Exchange {
    let mut ex = exchange(method, url, &[("origin", CORS_ORIGIN)], 0, &[], "");
    ex.response = None;
    ex.error = Some(TransportError {
        kind,
        message: message.into(),
    });
    ex
}

fn refused(method: &str, url: &str) -> Exchange {
    unanswered(
        method,
        url,
        TransportErrorKind::Connect,
        "tcp connect error: Connection refused (os error 111)",
    )
}

/// `good_mcp()` with one probe of its authorization server.
fn probed(kind: ProbeKind, ex: Exchange) -> Evidence {
    with_server_probe(good_mcp(), kind, ex)
}

const KEYS: &str = r#"{"keys":[{"kty":"RSA","kid":"1","n":"AQAB","e":"AQAB"}]}"#;

// ------------------------------------------------ AS-TOKEN-ENDPOINT-REACHABLE

#[test]
fn as_token_endpoint_reachable_passes_on_oauth_errors() {
    for (status, body, shown) in [
        (400, r#"{"error":"invalid_grant"}"#, "400 invalid_grant"),
        (401, r#"{"error":"invalid_client"}"#, "401 invalid_client"),
        // Auth0 refuses a bad code with 403 invalid_grant.
        (403, r#"{"error":"invalid_grant"}"#, "403 invalid_grant"),
        (400, "", "400 (application/json)"),
    ] {
        let ev = probed(
            ProbeKind::CorsToken,
            token(status, "application/json", body),
        );
        let f = finding(&ev, "AS-TOKEN-ENDPOINT-REACHABLE");
        assert_eq!(f.status, Pass, "{status} {body}: {}", f.detail);
        assert!(f.detail.contains(TOKEN), "{}", f.detail);
        assert!(f.detail.contains(shown), "{}", f.detail);
    }
}

#[test]
fn as_token_endpoint_reachable_fails_when_nothing_lives_there() {
    let cases = [
        (refused("POST", TOKEN), "Connection refused"),
        (
            unanswered(
                "POST",
                TOKEN,
                TransportErrorKind::Timeout,
                "operation timed out",
            ),
            "timeout",
        ),
        (
            unanswered(
                "POST",
                TOKEN,
                TransportErrorKind::Connect,
                "invalid peer certificate: UnknownIssuer",
            ),
            "certificate",
        ),
        (
            token(404, "text/plain", "not found"),
            "404: nothing at this URL",
        ),
        (token(410, "text/plain", "gone"), "410"),
        (token(405, "text/plain", ""), "does not take POST"),
        (
            token(502, "text/html", "<html>bad gateway</html>"),
            "502: a server error",
        ),
        (
            token(200, "text/html", "<!doctype html><form>Sign in</form>"),
            "HTML page (a login page?)",
        ),
        (token(200, "text/plain", "OK"), "without JSON"),
    ];
    for (ex, shown) in cases {
        let ev = probed(ProbeKind::CorsToken, ex);
        let f = finding(&ev, "AS-TOKEN-ENDPOINT-REACHABLE");
        assert_eq!(f.status, Fail, "{shown}: {}", f.detail);
        assert!(f.detail.contains(shown), "{}", f.detail);
        assert!(f.detail.contains(TOKEN), "{}", f.detail);
        assert!(f.detail.contains("no client can redeem"), "{}", f.detail);
    }
}

#[test]
fn as_token_endpoint_reachable_warns_on_doubtful_answers() {
    let redirect = exchange(
        "POST",
        TOKEN,
        &[],
        302,
        &[("location", "https://auth.example.com/login")],
        "",
    );
    for (ex, shown) in [
        (redirect, "302 redirect to https://auth.example.com/login"),
        (
            token(403, "text/html", "<html>Attention required</html>"),
            "403 with an HTML page",
        ),
        (
            token(429, "text/plain", "slow down"),
            "429 without an OAuth error",
        ),
    ] {
        let ev = probed(ProbeKind::CorsToken, ex);
        let f = finding(&ev, "AS-TOKEN-ENDPOINT-REACHABLE");
        assert_eq!(f.status, Warn, "{shown}: {}", f.detail);
        assert!(f.detail.contains(shown), "{}", f.detail);
    }
}

#[test]
fn as_token_endpoint_reachable_skips() {
    // Advertised but not probed.
    let f = finding(&good_mcp(), "AS-TOKEN-ENDPOINT-REACHABLE");
    assert_eq!((f.status, f.detail.as_str()), (Skip, "not probed"));

    // Not advertised (AS-TOKEN-ENDPOINT fails instead).
    let ev = with_server_probe(
        with("token_endpoint", serde_json::Value::Null),
        ProbeKind::CorsToken,
        refused("POST", TOKEN),
    );
    let f = finding(&ev, "AS-TOKEN-ENDPOINT-REACHABLE");
    assert_eq!(f.status, Skip);
    assert!(f.detail.contains("no `token_endpoint`"), "{}", f.detail);

    // No metadata document.
    let ev = issuer_evidence(not_found(), not_found(), not_found());
    assert_eq!(status_of(&ev, "AS-TOKEN-ENDPOINT-REACHABLE"), Skip);

    // The URL policy refused to send it: nothing observed.
    let mut ex = refused("POST", TOKEN);
    ex.error = Some(TransportError::not_sent("a private address"));
    let f = finding(
        &probed(ProbeKind::CorsToken, ex),
        "AS-TOKEN-ENDPOINT-REACHABLE",
    );
    assert_eq!(f.status, Skip);
    assert!(
        f.detail.contains("not sent: a private address"),
        "{}",
        f.detail
    );
}

// ---------------------------------------------------------- AS-JWKS-REACHABLE

#[test]
fn as_jwks_reachable_passes_on_a_jwk_set() {
    let ev = probed(ProbeKind::CorsJwks, jwks(200, "application/json", KEYS));
    let f = finding(&ev, "AS-JWKS-REACHABLE");
    assert_eq!(f.status, Pass, "{}", f.detail);
    assert_eq!(f.detail, format!("GET {JWKS}: 200, a JWK Set of 1 key"));
}

/// Evidence of an OpenID Connect document (served at the OIDC appended URL)
/// with one JWKS probe.
fn oidc_probed(ex: Exchange) -> Evidence {
    with_server_probe(served_at_oidc_append(&good_doc()), ProbeKind::CorsJwks, ex)
}

#[test]
fn as_jwks_reachable_fails_for_oidc_and_warns_for_rfc8414() {
    let cases = [
        (refused("GET", JWKS), "Connection refused"),
        (jwks(404, "text/plain", "not found"), "404"),
        (jwks(500, "text/plain", "oops"), "500 server error"),
        (
            jwks(200, "text/html", "<html></html>"),
            "not JSON: body is HTML",
        ),
        (jwks(200, "application/json", "[]"), "not an object"),
        (
            jwks(200, "application/json", r#"{"issuer":"x"}"#),
            "without `keys`",
        ),
        (
            jwks(200, "application/json", r#"{"keys":"none"}"#),
            "`keys` is a string, not an array",
        ),
    ];
    for (ex, shown) in cases {
        let f = finding(&oidc_probed(ex.clone()), "AS-JWKS-REACHABLE");
        assert_eq!(f.status, Fail, "{shown}: {}", f.detail);
        assert!(f.detail.contains(shown), "{}", f.detail);
        assert!(f.detail.contains(JWKS), "{}", f.detail);
        assert!(f.detail.contains("REQUIRED here"), "{}", f.detail);

        // good_mcp()'s server serves an RFC 8414 document: OPTIONAL there.
        let f = finding(&probed(ProbeKind::CorsJwks, ex), "AS-JWKS-REACHABLE");
        assert_eq!(f.status, Warn, "{shown}: {}", f.detail);
        assert!(f.detail.contains(shown), "{}", f.detail);
        assert!(f.detail.contains("OPTIONAL"), "{}", f.detail);
    }
}

#[test]
fn as_jwks_reachable_warns_on_an_empty_set_or_a_redirect() {
    let f = finding(
        &oidc_probed(jwks(200, "application/json", r#"{"keys":[]}"#)),
        "AS-JWKS-REACHABLE",
    );
    assert_eq!(f.status, Warn, "{}", f.detail);
    assert!(f.detail.contains("no keys"), "{}", f.detail);

    let redirect = exchange(
        "GET",
        JWKS,
        &[],
        301,
        &[("location", "https://keys.example/")],
        "",
    );
    let f = finding(&oidc_probed(redirect), "AS-JWKS-REACHABLE");
    assert_eq!(f.status, Warn, "{}", f.detail);
    assert!(
        f.detail.contains("301 redirect to https://keys.example/"),
        "{}",
        f.detail
    );
}

#[test]
fn as_jwks_reachable_skips() {
    let f = finding(&good_mcp(), "AS-JWKS-REACHABLE");
    assert_eq!((f.status, f.detail.as_str()), (Skip, "not probed"));

    let ev = with_server_probe(
        with("jwks_uri", serde_json::Value::Null),
        ProbeKind::CorsJwks,
        refused("GET", JWKS),
    );
    let f = finding(&ev, "AS-JWKS-REACHABLE");
    assert_eq!(f.status, Skip);
    assert!(f.detail.contains("no `jwks_uri`"), "{}", f.detail);

    let mut ex = refused("GET", JWKS);
    ex.error = Some(TransportError::not_sent("a private address"));
    let f = finding(&oidc_probed(ex), "AS-JWKS-REACHABLE");
    assert_eq!(f.status, Skip);
    assert!(f.detail.contains("not sent"), "{}", f.detail);
}

// ------------------------------------------- the CORS checks of dead endpoints

#[test]
fn cors_token_skips_a_dead_endpoint_and_points_at_reachability() {
    for ex in [
        refused("POST", TOKEN),
        token(404, "text/plain", "not found"),
    ] {
        let f = finding(&probed(ProbeKind::CorsToken, ex), "CORS-TOKEN");
        assert_eq!(f.status, Skip, "{}", f.detail);
        assert!(
            f.detail.contains("see AS-TOKEN-ENDPOINT-REACHABLE"),
            "{}",
            f.detail
        );
    }
    // A live endpoint without CORS headers is still a CORS finding.
    let ex = token(400, "application/json", r#"{"error":"invalid_grant"}"#);
    assert_eq!(
        status_of(&probed(ProbeKind::CorsToken, ex), "CORS-TOKEN"),
        Warn
    );
}

#[test]
fn cors_jwks_skips_a_dead_endpoint_and_points_at_reachability() {
    for ex in [refused("GET", JWKS), jwks(404, "text/plain", "not found")] {
        let f = finding(&oidc_probed(ex), "CORS-JWKS");
        assert_eq!(f.status, Skip, "{}", f.detail);
        assert!(f.detail.contains("see AS-JWKS-REACHABLE"), "{}", f.detail);
    }
    let f = finding(
        &oidc_probed(jwks(200, "application/json", KEYS)),
        "CORS-JWKS",
    );
    assert_eq!(f.status, Info, "{}", f.detail);
}

#[test]
fn cors_reg_preflight_and_userinfo_skip_an_endpoint_that_does_not_answer() {
    let reg = "https://auth.example.com/tenant1/register";
    let f = finding(
        &probed(ProbeKind::CorsRegPreflight, refused("OPTIONS", reg)),
        "CORS-REG-PREFLIGHT",
    );
    assert_eq!(f.status, Skip, "{}", f.detail);
    assert!(f.detail.contains("not a CORS finding"), "{}", f.detail);

    let userinfo = "https://auth.example.com/tenant1/userinfo";
    let f = finding(
        &probed(
            ProbeKind::CorsUserinfoPreflight,
            refused("OPTIONS", userinfo),
        ),
        "CORS-USERINFO",
    );
    assert_eq!(f.status, Skip, "{}", f.detail);
    assert!(f.detail.contains("did not answer"), "{}", f.detail);
}

#[test]
fn cors_checks_skip_probes_the_url_policy_did_not_send() {
    let mut ex = refused("POST", TOKEN);
    ex.error = Some(TransportError::not_sent("a private address"));
    let f = finding(&probed(ProbeKind::CorsToken, ex), "CORS-TOKEN");
    assert_eq!(f.status, Skip, "{}", f.detail);
    assert!(
        f.detail.contains("not sent: a private address"),
        "{}",
        f.detail
    );
}

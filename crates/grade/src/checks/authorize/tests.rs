//! Tests of the authorization-endpoint probe checks (AUTHZ-*) and of how
//! their answers are classified.

use super::*;
use crate::evidence::Probe;
use crate::test_support::*;
use crate::Status::*;

const AUTH: &str = "https://auth.example.com/tenant1/authorize";
const CB: &str = "http://127.0.0.1:8976/callback";

fn req(redirect: &str) -> String {
    format!(
        "{AUTH}?response_type=code&client_id=c&redirect_uri={}",
        url::form_urlencoded::byte_serialize(redirect.as_bytes()).collect::<String>()
    )
}

fn login(redirect: &str) -> Exchange {
    exchange(
        "GET",
        &req(redirect),
        &[],
        303,
        &[("location", "/tenant1/interaction/abc")],
        "",
    )
}

fn error_back(redirect: &str, error: &str, iss: Option<&str>) -> Exchange {
    let iss = iss
        .map(|i| {
            format!(
                "&iss={}",
                url::form_urlencoded::byte_serialize(i.as_bytes()).collect::<String>()
            )
        })
        .unwrap_or_default();
    exchange(
        "GET",
        &req(redirect),
        &[],
        303,
        &[(
            "location",
            &format!("{redirect}?error={error}&state=s{iss}"),
        )],
        "",
    )
}

fn page(redirect: &str, status: u16) -> Exchange {
    exchange(
        "GET",
        &req(redirect),
        &[],
        status,
        &[("content-type", "text/html")],
        "<html>",
    )
}

fn probes(list: Vec<(ProbeKind, Exchange)>) -> crate::evidence::Evidence {
    let mut ev = served_at_oauth(&good_doc());
    ev.authorization_servers[0].probes = list
        .into_iter()
        .map(|(kind, exchange)| Probe::new(kind, exchange))
        .collect();
    ev
}

// ---------------------------------------------------------------- answers and the baseline

#[test]
fn answers_are_classified() {
    assert!(matches!(answer(&login(CB)), Answer::Login(_)));
    assert!(matches!(
        answer(&error_back(CB, "invalid_request", None)),
        Answer::ErrorRedirect { .. }
    ));
    assert_eq!(answer(&page(CB, 400)), Answer::ErrorPage(400));
    let code = exchange(
        "GET",
        &req(CB),
        &[],
        302,
        &[("location", &format!("{CB}?code=x&state=s"))],
        "",
    );
    assert_eq!(answer(&code), Answer::CodeRedirect);
    let evil = "https://mcp-auth-probe.invalid/callback";
    let open = exchange(
        "GET",
        &req(evil),
        &[],
        302,
        &[("location", &format!("{evil}?error=x"))],
        "",
    );
    assert!(matches!(answer(&open), Answer::ErrorRedirect { .. }));
}

#[test]
fn nothing_is_inferred_without_an_accepted_baseline() {
    assert_eq!(
        status_of(&served_at_oauth(&good_doc()), "AUTHZ-REDIRECT-EXACT"),
        Skip
    );
    let ev = probes(vec![
        (ProbeKind::AuthzBaseline, page(CB, 400)),
        (
            ProbeKind::AuthzNoPkce,
            error_back(CB, "invalid_request", None),
        ),
    ]);
    let f = finding(&ev, "AUTHZ-PKCE-ENFORCED");
    assert_eq!(f.status, Skip);
    assert!(f.detail.contains("baseline"), "{}", f.detail);
}

// ---------------------------------------------------------------- AUTHZ-REDIRECT-EXACT

#[test]
fn authz_redirect_exact() {
    let evil = "https://mcp-auth-probe.invalid/callback";
    let base = (ProbeKind::AuthzBaseline, login(CB));
    assert_eq!(
        status_of(
            &probes(vec![
                base.clone(),
                (ProbeKind::AuthzUnregisteredRedirect, page(evil, 400))
            ]),
            "AUTHZ-REDIRECT-EXACT"
        ),
        Pass
    );
    assert_eq!(
        status_of(
            &probes(vec![
                base.clone(),
                (
                    ProbeKind::AuthzUnregisteredRedirect,
                    error_back(evil, "invalid_request", None)
                )
            ]),
            "AUTHZ-REDIRECT-EXACT"
        ),
        Fail
    );
    assert_eq!(
        status_of(
            &probes(vec![
                base,
                (ProbeKind::AuthzUnregisteredRedirect, login(evil))
            ]),
            "AUTHZ-REDIRECT-EXACT"
        ),
        Warn
    );
}

// ---------------------------------------------------------------- AUTHZ-LOOPBACK-PORT

#[test]
fn authz_loopback_port() {
    let other = "http://127.0.0.1:8977/callback";
    let base = (ProbeKind::AuthzBaseline, login(CB));
    assert_eq!(
        status_of(
            &probes(vec![
                base.clone(),
                (ProbeKind::AuthzOtherLoopbackPort, login(other))
            ]),
            "AUTHZ-LOOPBACK-PORT"
        ),
        Pass
    );
    assert_eq!(
        status_of(
            &probes(vec![
                base,
                (ProbeKind::AuthzOtherLoopbackPort, page(other, 400))
            ]),
            "AUTHZ-LOOPBACK-PORT"
        ),
        Warn
    );
}

// ---------------------------------------------------------------- AUTHZ-PKCE-ENFORCED

#[test]
fn authz_pkce_enforced() {
    let base = (ProbeKind::AuthzBaseline, login(CB));
    let ok = probes(vec![
        base.clone(),
        (
            ProbeKind::AuthzNoPkce,
            error_back(CB, "invalid_request", None),
        ),
        (
            ProbeKind::AuthzPlainPkce,
            error_back(CB, "invalid_request", None),
        ),
    ]);
    assert_eq!(status_of(&ok, "AUTHZ-PKCE-ENFORCED"), Pass);
    let code = exchange(
        "GET",
        &req(CB),
        &[],
        302,
        &[("location", &format!("{CB}?code=x"))],
        "",
    );
    assert_eq!(
        status_of(
            &probes(vec![base.clone(), (ProbeKind::AuthzNoPkce, code)]),
            "AUTHZ-PKCE-ENFORCED"
        ),
        Fail
    );
    assert_eq!(
        status_of(
            &probes(vec![base.clone(), (ProbeKind::AuthzNoPkce, login(CB))]),
            "AUTHZ-PKCE-ENFORCED"
        ),
        Skip
    );
    // plain accepted while only S256 is advertised: not refused.
    let plain_ok = probes(vec![
        base,
        (
            ProbeKind::AuthzNoPkce,
            error_back(CB, "invalid_request", None),
        ),
        (ProbeKind::AuthzPlainPkce, login(CB)),
    ]);
    assert_eq!(status_of(&plain_ok, "AUTHZ-PKCE-ENFORCED"), Warn);
}

// ---------------------------------------------------------------- AUTHZ-RESOURCE-ACCEPTED

#[test]
fn authz_resource_accepted() {
    let base = (ProbeKind::AuthzBaseline, login(CB));
    assert_eq!(
        status_of(
            &probes(vec![base.clone(), (ProbeKind::AuthzResource, login(CB))]),
            "AUTHZ-RESOURCE-ACCEPTED"
        ),
        Pass
    );
    assert_eq!(
        status_of(
            &probes(vec![
                base.clone(),
                (
                    ProbeKind::AuthzResource,
                    error_back(CB, "invalid_target", None)
                )
            ]),
            "AUTHZ-RESOURCE-ACCEPTED"
        ),
        Fail
    );
    assert_eq!(
        status_of(&probes(vec![base]), "AUTHZ-RESOURCE-ACCEPTED"),
        Skip
    );
}

// ---------------------------------------------------------------- AUTHZ-ERROR-ISS

#[test]
fn authz_error_iss() {
    let base = (ProbeKind::AuthzBaseline, login(CB));
    let with_iss = probes(vec![
        base.clone(),
        (
            ProbeKind::AuthzNoPkce,
            error_back(CB, "invalid_request", Some(ISSUER)),
        ),
    ]);
    assert_eq!(status_of(&with_iss, "AUTHZ-ERROR-ISS"), Pass);
    let without = probes(vec![
        base.clone(),
        (
            ProbeKind::AuthzNoPkce,
            error_back(CB, "invalid_request", None),
        ),
    ]);
    assert_eq!(status_of(&without, "AUTHZ-ERROR-ISS"), Warn);
    let mut not_advertised = without.clone();
    let _ = &mut not_advertised;
    let ev = {
        let mut doc = good_doc();
        doc.as_object_mut()
            .unwrap()
            .remove("authorization_response_iss_parameter_supported");
        let mut ev = served_at_oauth(&doc);
        ev.authorization_servers[0].probes = with_iss.authorization_servers[0].probes.clone();
        ev
    };
    assert_eq!(status_of(&ev, "AUTHZ-ERROR-ISS"), Skip);
}

// ---------------------------------------------------------------- the client verdicts

#[test]
fn authz_resource_accepted_failing_stops_every_client_and_the_headline_says_so() {
    let ev = probes(vec![
        (ProbeKind::AuthzBaseline, login(CB)),
        (
            ProbeKind::AuthzResource,
            error_back(CB, "invalid_target", None),
        ),
    ]);
    let graded = crate::grade_known(&ev);
    let mcp: Vec<_> = graded
        .clients
        .iter()
        .filter(|c| c.is_mcp_client())
        .collect();
    assert!(!mcp.is_empty());
    for c in &mcp {
        assert!(
            !c.works,
            "{} works although the authorize probe failed",
            c.client
        );
        assert!(c.detail.contains("AUTHZ-RESOURCE-ACCEPTED"), "{}", c.detail);
    }
    assert_eq!(graded.headline.answer, crate::Answer::WillFail);
    assert_eq!(graded.headline.clients_working, 0);
    assert!(
        graded
            .headline
            .text
            .starts_with("MCP clients: will fail — ")
            && graded.headline.text.contains("AUTHZ-RESOURCE-ACCEPTED"),
        "{}",
        graded.headline.text
    );
    // Without the failing probe the same clients get through.
    let fine = probes(vec![
        (ProbeKind::AuthzBaseline, login(CB)),
        (ProbeKind::AuthzResource, login(CB)),
    ]);
    let graded = crate::grade_known(&fine);
    assert!(graded.clients.iter().any(|c| c.works));
    assert_ne!(graded.headline.answer, crate::Answer::WillFail);
}

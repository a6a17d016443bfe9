//! Tests of AUTHZ-HOST-ACCEPTED: recorded answers to the hosts' requests.

use super::hosts::page_error;
use crate::evidence::{Exchange, Probe, ProbeKind};
use crate::test_support::*;
use crate::Finding;
use crate::Status::*;

const AUTH: &str = "https://auth.example.com/tenant1/authorize";
const CLAUDE_ID: &str = "https://claude.ai/oauth/mcp-oauth-client-metadata";
const CLAUDE_CB: &str = "https://claude.ai/api/mcp/auth_callback";

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Claude's request, answered with `status`, `location` and `body`.
fn claude(status: u16, location: Option<&str>, content_type: &str, body: &str) -> Exchange {
    let url = format!(
        "{AUTH}?response_type=code&client_id={}&redirect_uri={}&state=mcp-auth-probe",
        enc(CLAUDE_ID),
        enc(CLAUDE_CB)
    );
    let mut headers = vec![("content-type", content_type)];
    headers.extend(location.map(|l| ("location", l)));
    exchange("GET", &url, &[], status, &headers, body)
}

fn login_page() -> Exchange {
    claude(303, Some("/tenant1/interaction/abc"), "text/html", "")
}

fn invalid_client_page() -> Exchange {
    claude(
        400,
        None,
        "text/html",
        "<h1>oops! something went wrong</h1><pre><strong>error</strong>: invalid_client\n\
         <strong>error_description</strong>: client is invalid</pre>",
    )
}

/// Evidence of `doc` with one host probe per `(host, exchange)`.
fn hosts_of(doc: &serde_json::Value, list: Vec<(&str, Exchange)>) -> crate::evidence::Evidence {
    let mut ev = served_at_oauth(doc);
    ev.authorization_servers[0].probes = list
        .into_iter()
        .map(|(host, exchange)| Probe {
            kind: ProbeKind::AuthzHost,
            host: Some(host.to_owned()),
            exchange,
        })
        .collect();
    ev
}

fn findings(ev: &crate::evidence::Evidence) -> Vec<Finding> {
    crate::grade(ev)
        .1
        .into_iter()
        .filter(|f| f.id == "AUTHZ-HOST-ACCEPTED")
        .collect()
}

fn only(list: Vec<(&str, Exchange)>) -> Finding {
    let mut f = findings(&hosts_of(&good_doc(), list));
    assert_eq!(f.len(), 1, "{f:#?}");
    f.remove(0)
}

#[test]
fn authz_host_accepted_passes_on_a_login_page() {
    let f = only(vec![("claude", login_page())]);
    assert_eq!(f.status, Pass, "{}", f.detail);
    assert_eq!(f.subject.as_deref(), Some("claude"));
    assert!(f.detail.contains(CLAUDE_ID), "{}", f.detail);
    assert!(f.detail.contains("login or consent"), "{}", f.detail);
    let page = only(vec![("claude", claude(200, None, "text/html", "<form>"))]);
    assert_eq!(page.status, Pass, "{}", page.detail);
}

#[test]
fn authz_host_accepted_warns_on_an_invalid_client_page_and_names_the_error() {
    let f = only(vec![("claude", invalid_client_page())]);
    // A SHOULD: not met is a warning.
    assert_eq!(f.status, Warn, "{}", f.detail);
    for part in [
        "400 error page",
        "error=invalid_client",
        "claude would show",
    ] {
        assert!(f.detail.contains(part), "{part}: {}", f.detail);
    }
    assert!(f.hint.contains("client_id_metadata_document_supported"));
    assert!(!f.detail.contains("not advertised"), "{}", f.detail);
}

#[test]
fn authz_host_accepted_warns_on_an_error_redirect_to_the_callback() {
    let back = format!("{CLAUDE_CB}?error=invalid_request&state=mcp-auth-probe");
    let f = only(vec![("claude", claude(302, Some(&back), "text/html", ""))]);
    assert_eq!(f.status, Warn, "{}", f.detail);
    assert!(f.detail.contains("error=invalid_request"), "{}", f.detail);
    assert!(f.detail.contains("connecting failed"), "{}", f.detail);
}

#[test]
fn authz_host_accepted_skips_without_host_probes() {
    let f = findings(&served_at_oauth(&good_doc()));
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].status, Skip);
    assert_eq!(f[0].detail, "not probed: run with --probe-hosts");
    // Other probes (--probe-authorize) are no host probes.
    let ev = with_server_probe(
        served_at_oauth(&good_doc()),
        ProbeKind::AuthzBaseline,
        login_page(),
    );
    assert_eq!(status_of(&ev, "AUTHZ-HOST-ACCEPTED"), Skip);
}

#[test]
fn authz_host_accepted_has_one_finding_per_host() {
    let ev = hosts_of(
        &good_doc(),
        vec![("claude", login_page()), ("chatgpt", invalid_client_page())],
    );
    let f = findings(&ev);
    let got: Vec<_> = f
        .iter()
        .map(|f| (f.subject.as_deref().unwrap(), f.status))
        .collect();
    assert_eq!(got, [("claude", Pass), ("chatgpt", Warn)]);
    assert!(f[1].detail.starts_with("chatgpt"), "{}", f[1].detail);
}

#[test]
fn authz_host_accepted_notes_when_cimd_is_not_advertised() {
    let mut doc = good_doc();
    doc.as_object_mut()
        .unwrap()
        .remove("client_id_metadata_document_supported");
    let f = findings(&hosts_of(&doc, vec![("claude", invalid_client_page())]));
    assert_eq!(f[0].status, Warn);
    assert!(f[0].detail.contains("not advertised"), "{}", f[0].detail);
}

#[test]
fn authz_host_accepted_skips_an_unanswered_request_and_informs_on_a_redirect_elsewhere() {
    let mut unanswered = login_page();
    unanswered.response = None;
    assert_eq!(only(vec![("claude", unanswered)]).status, Skip);
    let sso = claude(302, Some("https://sso.example/login"), "text/html", "");
    let f = only(vec![("claude", sso)]);
    assert_eq!(f.status, Info, "{}", f.detail);
}

#[test]
fn authz_host_accepted_reads_the_error_of_json_and_html_pages() {
    let json = claude(
        400,
        None,
        "application/json",
        r#"{"error":"invalid_redirect_uri","error_description":"unregistered"}"#,
    );
    assert_eq!(page_error(&json).as_deref(), Some("invalid_redirect_uri"));
    let html = claude(
        400,
        None,
        "text/html",
        "error: invalid_client_metadata (bad)",
    );
    assert_eq!(
        page_error(&html).as_deref(),
        Some("invalid_client_metadata")
    );
    assert_eq!(
        page_error(&invalid_client_page()).as_deref(),
        Some("invalid_client")
    );
    assert_eq!(page_error(&claude(500, None, "text/html", "oops")), None);
}

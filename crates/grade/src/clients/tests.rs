//! Client paths: the spec clients of each revision, the SDKs, Logto's library.

use super::*;
use crate::test_support::*;

fn paths(ev: &crate::evidence::Evidence) -> Vec<(String, bool)> {
    let a = AsAnalysis::new(ev, &ev.authorization_servers[0]);
    client_paths(&a)
        .into_iter()
        .map(|p| (p.client, p.works))
        .collect()
}

fn works(ev: &crate::evidence::Evidence, client: &str) -> bool {
    paths(ev)
        .into_iter()
        .find(|(c, _)| c.starts_with(client))
        .unwrap_or_else(|| panic!("no client {client}"))
        .1
}

#[test]
fn rfc8414_document_works_everywhere_but_logto_oidc() {
    let ev = served_at_oauth(&good_doc());
    for c in [
        "MCP 2025-11-25",
        "MCP 2025-06-18",
        "TypeScript",
        "Python",
        "Logto mcp-auth, type 'oauth'",
    ] {
        assert!(works(&ev, c), "{c}");
    }
    assert!(!works(&ev, "Logto mcp-auth, type 'oidc'"));
}

#[test]
fn oidc_append_only_breaks_2025_06_18_clients() {
    let ev = served_at_oidc_append(&good_doc());
    assert!(works(&ev, "MCP 2025-11-25"));
    assert!(!works(&ev, "MCP 2025-06-18"));
    assert!(works(&ev, "Logto mcp-auth, type 'oidc'"));
    assert!(!works(&ev, "Logto mcp-auth, type 'oauth'"));
}

#[test]
fn a_500_before_the_document_stops_both_sdks() {
    let ev = issuer_evidence(
        response(500, "text/plain", "x"),
        not_found(),
        json(&good_doc()),
    );
    assert!(works(&ev, "MCP 2025-11-25"));
    assert!(!works(&ev, "TypeScript"));
    assert!(!works(&ev, "Python"));
    // A 502 is skipped by the TypeScript SDK only.
    let ev = issuer_evidence(
        response(502, "text/plain", "x"),
        not_found(),
        json(&good_doc()),
    );
    assert!(works(&ev, "TypeScript"));
    assert!(!works(&ev, "Python"));
}

#[test]
fn trailing_slash_is_forgiven_only_by_typescript() {
    // Expected issuer has no slash, document adds one: nobody forgives that.
    let mut doc = good_doc();
    doc["issuer"] = serde_json::json!(format!("{ISSUER}/"));
    let ev = served_at_oauth(&doc);
    assert!(!works(&ev, "TypeScript"));
    assert!(!works(&ev, "Python"));
    assert!(!works(&ev, "MCP 2025-11-25"));
}

#[test]
fn type_filter_keeps_one_logto_row() {
    let mut ev = served_at_oauth(&good_doc());
    ev.target.server_type = Some(ServerType::Oidc);
    let p = paths(&ev);
    assert!(p.iter().any(|(c, _)| c.contains("'oidc'")));
    assert!(!p.iter().any(|(c, _)| c.contains("'oauth'")));
}

fn path(id: &str, works: bool, url: &str) -> ClientPath {
    test_path(id, works, Some(url))
}

fn failed(id: &str, subject: Option<&str>) -> crate::Finding {
    crate::test_support::bare_finding(id, subject, crate::Status::Fail)
}

#[test]
fn a_failed_check_after_discovery_stops_the_clients_of_its_server_only() {
    let paths = vec![
        path(id::TS_SDK, true, "https://a/.well-known/x"),
        path(id::PYTHON_SDK, true, "https://b/.well-known/x"),
        path(id::SPEC_2025_06_18, false, "https://a/.well-known/x"),
        path(id::LOGTO_OAUTH, true, "https://a/.well-known/x"),
    ];
    let findings = [
        failed("AUTHZ-RESOURCE-ACCEPTED", Some("https://a")),
        // A discovery check: the client models decide those.
        failed("PRM-RESOURCE-MATCH", None),
    ];
    let subject = |p: &ClientPath| {
        p.url
            .as_deref()
            .map(|u| u.split("/.well-known").next().unwrap().to_owned())
    };
    let out = through_flow(paths, &findings, subject);
    assert!(!out[0].works);
    assert_eq!(
        out[0].detail,
        "uses #1; then AUTHZ-RESOURCE-ACCEPTED fails (authorize)"
    );
    assert!(out[1].works, "another server's failure");
    assert_eq!(out[2].detail, "uses #1", "a stopped path keeps its reason");
    assert!(
        out[3].works,
        "Logto's library only fetches the configuration"
    );
}

#[test]
fn a_failed_check_without_a_subject_stops_every_client() {
    let paths = vec![path(id::TS_SDK, true, "https://a/m")];
    let out = through_flow(paths, &[failed("TOK-PKCE-VERIFIED", None)], |_| {
        Some("https://a".to_owned())
    });
    assert!(!out[0].works);
    assert!(out[0]
        .detail
        .ends_with("then TOK-PKCE-VERIFIED fails (token)"));
}

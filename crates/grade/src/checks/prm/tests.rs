//! Tests of the protected resource metadata checks (PRM-*).

use serde_json::{json, Value};

use crate::evidence::{Evidence, Exchange, PrmSource};
use crate::test_support::*;
use crate::Status;
use crate::Status::*;

/// Replace the exchange of one PRM location.
fn prm_answer(mut ev: Evidence, source: PrmSource, ex: Exchange) -> Evidence {
    let prm = &mut ev.resource.as_mut().unwrap().prm;
    prm.iter_mut()
        .find(|p| p.source == source)
        .expect("PRM location")
        .exchange = ex;
    ev
}

fn prm_status(member: &str, value: Value, id: &str) -> Status {
    prm_finding(member, value, id).status
}

// ---------------------------------------------------------------- PRM-DISCOVERABLE

#[test]
fn prm_discoverable_passes() {
    let f = finding(&good_mcp(), "PRM-DISCOVERABLE");
    assert_eq!(f.status, Pass);
    assert!(f.detail.contains(PRM_URL), "{}", f.detail);
    assert!(
        f.detail.contains("WWW-Authenticate resource_metadata"),
        "{}",
        f.detail
    );

    // Without a header URL, the well-known location is what clients use.
    let f = finding(
        &answering(bearer(r#"scope="mcp:tools""#)),
        "PRM-DISCOVERABLE",
    );
    assert_eq!(f.status, Pass);
    assert!(
        f.detail.contains("well-known, path inserted"),
        "{}",
        f.detail
    );
}

#[test]
fn prm_discoverable_fails_when_the_header_url_fails_but_well_known_works() {
    let ev = answering(bearer(&format!(
        r#"resource_metadata="{ROOT_PRM_URL}", scope="mcp:tools""#
    )));
    let f = finding(&ev, "PRM-DISCOVERABLE");
    assert_eq!(f.status, Fail);
    assert!(
        f.detail.contains("only the Python SDK falls back"),
        "{}",
        f.detail
    );
    assert!(f.detail.contains(PRM_URL), "{}", f.detail);
}

#[test]
fn prm_discoverable_fails_when_nothing_is_served() {
    let f = finding(&without_prm(good_mcp()), "PRM-DISCOVERABLE");
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("serve nothing"), "{}", f.detail);

    let f = finding(
        &without_prm(answering(bearer(r#"scope="mcp:tools""#))),
        "PRM-DISCOVERABLE",
    );
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("legacy"), "{}", f.detail);
}

// ---------------------------------------------------------------- PRM-HTTP

#[test]
fn prm_http_passes_on_200_json() {
    let f = finding(&good_mcp(), "PRM-HTTP");
    assert_eq!(f.status, Pass);
    assert!(f.detail.contains("200 application/json"), "{}", f.detail);

    let ev = prm_answer(
        good_mcp(),
        PrmSource::Header,
        response(
            200,
            "application/json; charset=utf-8",
            &good_prm().to_string(),
        ),
    );
    assert_eq!(status_of(&ev, "PRM-HTTP"), Pass);
}

#[test]
fn prm_http_warns_on_another_content_type() {
    let ev = prm_answer(
        good_mcp(),
        PrmSource::Header,
        response(200, "text/plain", &good_prm().to_string()),
    );
    let f = finding(&ev, "PRM-HTTP");
    assert_eq!(f.status, Warn);
    assert!(f.detail.contains("text/plain"), "{}", f.detail);
}

#[test]
fn prm_http_fails_when_the_header_url_serves_html() {
    let ev = prm_answer(
        good_mcp(),
        PrmSource::Header,
        response(200, "text/html", "<!doctype html><html></html>"),
    );
    let f = finding(&ev, "PRM-HTTP");
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("body is HTML"), "{}", f.detail);
    assert!(f.detail.contains(PRM_URL), "{}", f.detail);
}

#[test]
fn prm_http_skips_when_nothing_answered_200() {
    let ev = without_prm(answering(bearer(r#"scope="mcp:tools""#)));
    assert_eq!(status_of(&ev, "PRM-HTTP"), Skip);
}

// ---------------------------------------------------------------- PRM-LOCATION

#[test]
fn prm_location() {
    let f = finding(&good_mcp(), "PRM-LOCATION");
    assert_eq!(f.status, Pass);
    assert!(
        f.detail.starts_with(
            "served: WWW-Authenticate resource_metadata and well-known, path inserted"
        ),
        "{}",
        f.detail
    );

    // Only at the root, and no header to point at it.
    let ev = answering(bearer(r#"scope="mcp:tools""#));
    let ev = prm_answer(ev, PrmSource::PathInserted, not_found());
    let ev = prm_answer(ev, PrmSource::Root, json(&good_prm()));
    let f = finding(&ev, "PRM-LOCATION");
    assert_eq!(f.status, Info);
    assert!(f.detail.contains("try the root"), "{}", f.detail);

    assert_eq!(status_of(&without_prm(good_mcp()), "PRM-LOCATION"), Skip);
}

// ---------------------------------------------------------------- PRM-RESOURCE-PRESENT

#[test]
fn prm_resource_present() {
    let f = finding(&good_mcp(), "PRM-RESOURCE-PRESENT");
    assert_eq!(f.status, Pass);
    assert_eq!(f.detail, MCP);

    let f = prm_finding("resource", Value::Null, "PRM-RESOURCE-PRESENT");
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("missing"), "{}", f.detail);

    let f = prm_finding("resource", json!(42), "PRM-RESOURCE-PRESENT");
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("not a string"), "{}", f.detail);

    assert_eq!(
        status_of(&without_prm(good_mcp()), "PRM-RESOURCE-PRESENT"),
        Skip
    );
}

#[test]
fn prm_checks_grade_the_well_known_document_when_the_header_url_fails() {
    let ev = answering(bearer(&format!(
        r#"resource_metadata="{ROOT_PRM_URL}", scope="mcp:tools""#
    )));
    assert_eq!(status_of(&ev, "PRM-RESOURCE-PRESENT"), Pass);
    assert_eq!(status_of(&ev, "PRM-RESOURCE-MATCH"), Pass);
}

// ---------------------------------------------------------------- PRM-RESOURCE-MATCH

#[test]
fn prm_resource_match_passes_when_identical() {
    let f = finding(&good_mcp(), "PRM-RESOURCE-MATCH");
    assert_eq!(f.status, Pass);
    assert_eq!(f.detail, MCP);
}

#[test]
fn prm_resource_match_warns_on_a_prefix_both_sdks_accept() {
    let f = prm_finding(
        "resource",
        json!("https://mcp.example.com"),
        "PRM-RESOURCE-MATCH",
    );
    assert_eq!(f.status, Warn);
    assert!(f.detail.contains("lenient"), "{}", f.detail);
}

#[test]
fn prm_resource_match_fails_on_a_trailing_slash_only_python_accepts() {
    let f = prm_finding(
        "resource",
        json!("https://mcp.example.com/mcp/"),
        "PRM-RESOURCE-MATCH",
    );
    assert_eq!(f.status, Fail);
    assert!(
        f.detail.contains("the Python SDK accepts it"),
        "{}",
        f.detail
    );
}

#[test]
fn prm_resource_match_fails_on_another_origin_or_a_non_url() {
    let f = prm_finding(
        "resource",
        json!("https://other.example.com/mcp"),
        "PRM-RESOURCE-MATCH",
    );
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("every client rejects"), "{}", f.detail);

    let f = prm_finding("resource", json!("mcp server"), "PRM-RESOURCE-MATCH");
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("is not a URL"), "{}", f.detail);
}

#[test]
fn prm_resource_match_skips_without_resource() {
    assert_eq!(
        prm_status("resource", Value::Null, "PRM-RESOURCE-MATCH"),
        Skip
    );
    assert_eq!(
        status_of(&without_prm(good_mcp()), "PRM-RESOURCE-MATCH"),
        Skip
    );
}

// ---------------------------------------------------------------- PRM-RESOURCE-FORMAT

#[test]
fn prm_resource_format() {
    assert_eq!(status_of(&good_mcp(), "PRM-RESOURCE-FORMAT"), Pass);

    let f = prm_finding(
        "resource",
        json!("https://mcp.example.com/mcp#top"),
        "PRM-RESOURCE-FORMAT",
    );
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("fragment"), "{}", f.detail);

    let f = prm_finding("resource", json!("/mcp"), "PRM-RESOURCE-FORMAT");
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("not an absolute URL"), "{}", f.detail);

    for (resource, note) in [
        ("https://mcp.example.com/mcp/", "ends with '/'"),
        ("https://mcp.example.com/mcp?tenant=1", "has a query"),
        ("https://MCP.example.com/mcp", "not lower-case"),
        ("http://mcp.example.com/mcp", "is not https"),
    ] {
        let f = prm_finding("resource", json!(resource), "PRM-RESOURCE-FORMAT");
        assert_eq!(f.status, Warn, "{resource}: {}", f.detail);
        assert!(f.detail.contains(note), "{resource}: {}", f.detail);
    }

    assert_eq!(
        prm_status("resource", Value::Null, "PRM-RESOURCE-FORMAT"),
        Skip
    );
}

/// Vercel's published PRM names its bare origin with a trailing slash; the
/// canonical form (MCP's own example) has none.
#[test]
fn prm_resource_format_warns_on_the_real_trailing_slash_of_a_bare_origin() {
    let doc = real_metadata("vercel-mcp-root--prm.json");
    let f = finding(&mcp_evidence(good_challenge(), &doc), "PRM-RESOURCE-FORMAT");
    assert_eq!(f.status, Warn, "{}", f.detail);
    assert!(f.detail.contains("ends with '/'"), "{}", f.detail);
}

/// Stripe's PRM has no `bearer_methods_supported`: that passes, without
/// claiming a default RFC 9728 does not define.
#[test]
fn prm_bearer_methods_absent_on_a_real_document_claims_no_default() {
    let doc = real_metadata("stripe-mcp--prm.json");
    let f = finding(&mcp_evidence(good_challenge(), &doc), "PRM-BEARER-METHODS");
    assert_eq!(f.status, Pass, "{}", f.detail);
    assert!(
        f.detail.contains("no default") && !f.detail.contains("is the default"),
        "{}",
        f.detail
    );
}

// ---------------------------------------------------------------- PRM-AS-PRESENT

#[test]
fn prm_as_present() {
    let f = finding(&good_mcp(), "PRM-AS-PRESENT");
    assert_eq!(f.status, Pass);
    assert_eq!(f.detail, ISSUER);

    let f = prm_finding("authorization_servers", Value::Null, "PRM-AS-PRESENT");
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("missing"), "{}", f.detail);

    let f = prm_finding("authorization_servers", json!([]), "PRM-AS-PRESENT");
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("empty"), "{}", f.detail);

    assert_eq!(status_of(&without_prm(good_mcp()), "PRM-AS-PRESENT"), Skip);
}

// ---------------------------------------------------------------- PRM-AS-FIRST

#[test]
fn prm_as_first() {
    assert_eq!(status_of(&good_mcp(), "PRM-AS-FIRST"), Pass);

    let f = prm_finding(
        "authorization_servers",
        json!([ISSUER, "https://backup.example.com"]),
        "PRM-AS-FIRST",
    );
    assert_eq!(f.status, Info);
    assert!(f.detail.contains("2 servers"), "{}", f.detail);
    assert!(
        f.detail.contains("never try https://backup.example.com"),
        "{}",
        f.detail
    );

    assert_eq!(
        prm_status("authorization_servers", json!([]), "PRM-AS-FIRST"),
        Skip
    );
}

// ---------------------------------------------------------------- PRM-AS-ISSUER-FORMAT

#[test]
fn prm_as_issuer_format() {
    assert_eq!(status_of(&good_mcp(), "PRM-AS-ISSUER-FORMAT"), Pass);

    let f = prm_finding(
        "authorization_servers",
        json!(["https://auth.example.com/tenant1?x=1"]),
        "PRM-AS-ISSUER-FORMAT",
    );
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("query or fragment"), "{}", f.detail);

    let f = prm_finding(
        "authorization_servers",
        json!(["http://auth.example.com/tenant1"]),
        "PRM-AS-ISSUER-FORMAT",
    );
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("not https"), "{}", f.detail);

    let f = prm_finding(
        "authorization_servers",
        json!(["auth.example.com"]),
        "PRM-AS-ISSUER-FORMAT",
    );
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("not a URL"), "{}", f.detail);

    let f = prm_finding(
        "authorization_servers",
        json!(["http://localhost:9000"]),
        "PRM-AS-ISSUER-FORMAT",
    );
    assert_eq!(f.status, Warn);
    assert!(f.detail.contains("development only"), "{}", f.detail);

    assert_eq!(
        prm_status("authorization_servers", Value::Null, "PRM-AS-ISSUER-FORMAT"),
        Skip
    );
}

// ---------------------------------------------------------------- PRM-SCOPES

#[test]
fn prm_scopes() {
    let f = finding(&good_mcp(), "PRM-SCOPES");
    assert_eq!(f.status, Pass);
    assert_eq!(f.detail, "mcp:tools");
    assert_eq!(
        prm_status("scopes_supported", Value::Null, "PRM-SCOPES"),
        Warn
    );
    assert_eq!(
        prm_status("scopes_supported", json!([]), "PRM-SCOPES"),
        Warn
    );
    assert_eq!(status_of(&without_prm(good_mcp()), "PRM-SCOPES"), Skip);
}

// ---------------------------------------------------------------- PRM-NO-OFFLINE-ACCESS

#[test]
fn prm_no_offline_access() {
    assert_eq!(status_of(&good_mcp(), "PRM-NO-OFFLINE-ACCESS"), Pass);
    let f = prm_finding(
        "scopes_supported",
        json!(["mcp:tools", "offline_access"]),
        "PRM-NO-OFFLINE-ACCESS",
    );
    assert_eq!(f.status, Warn);
    assert!(f.detail.contains("offline_access"), "{}", f.detail);
    assert_eq!(
        status_of(&without_prm(good_mcp()), "PRM-NO-OFFLINE-ACCESS"),
        Skip
    );
}

// ---------------------------------------------------------------- PRM-BEARER-METHODS

#[test]
fn prm_bearer_methods() {
    let id = "PRM-BEARER-METHODS";
    assert_eq!(status_of(&good_mcp(), id), Pass);
    let f = prm_finding("bearer_methods_supported", Value::Null, id);
    assert_eq!(f.status, Pass);
    assert!(f.detail.contains("default"), "{}", f.detail);

    let f = prm_finding("bearer_methods_supported", json!([]), id);
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("no methods"), "{}", f.detail);

    let f = prm_finding("bearer_methods_supported", json!(["body"]), id);
    assert_eq!(f.status, Fail);
    assert!(
        f.detail.contains("\"header\" is not listed"),
        "{}",
        f.detail
    );

    let f = prm_finding("bearer_methods_supported", json!(["header", "query"]), id);
    assert_eq!(f.status, Warn);
    assert!(f.detail.contains("\"query\""), "{}", f.detail);

    assert_eq!(status_of(&without_prm(good_mcp()), id), Skip);
}

// ---------------------------------------------------------------- PRM-JWKS-HTTPS

#[test]
fn prm_jwks_https() {
    let id = "PRM-JWKS-HTTPS";
    let f = finding(&good_mcp(), id);
    assert_eq!(f.status, Pass);
    assert!(f.detail.contains("not published"), "{}", f.detail);
    assert_eq!(
        prm_status("jwks_uri", json!("https://mcp.example.com/jwks"), id),
        Pass
    );
    assert_eq!(
        prm_status("jwks_uri", json!("http://127.0.0.1:8080/jwks"), id),
        Warn
    );
    let f = prm_finding("jwks_uri", json!("http://mcp.example.com/jwks"), id);
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("not https"), "{}", f.detail);
    assert_eq!(status_of(&without_prm(good_mcp()), id), Skip);
}

// ---------------------------------------------------------------- PRM-ZERO-VALUES

#[test]
fn prm_zero_values() {
    let id = "PRM-ZERO-VALUES";
    assert_eq!(status_of(&good_mcp(), id), Pass);
    let f = prm_finding("scopes_supported", json!([]), id);
    assert_eq!(f.status, Warn);
    assert!(f.detail.contains("scopes_supported"), "{}", f.detail);
    assert_eq!(status_of(&without_prm(good_mcp()), id), Skip);
}

// ---------------------------------------------------------------- PRM-NAME

#[test]
fn prm_name() {
    let f = finding(&good_mcp(), "PRM-NAME");
    assert_eq!(f.status, Pass);
    assert_eq!(f.detail, "Example MCP server");
    assert_eq!(prm_status("resource_name", Value::Null, "PRM-NAME"), Info);
    assert_eq!(status_of(&without_prm(good_mcp()), "PRM-NAME"), Skip);
}

#[test]
fn prm_location_lists_the_locations_that_serve_nothing() {
    let f = finding(&good_mcp(), "PRM-LOCATION");
    assert_eq!(
        f.detail,
        "served: WWW-Authenticate resource_metadata and well-known, path inserted; \
         not served: well-known, root"
    );

    // Every location serves: nothing to list.
    let ev = prm_answer(good_mcp(), PrmSource::Root, json(&good_prm()));
    let f = finding(&ev, "PRM-LOCATION");
    assert!(!f.detail.contains("not served"), "{}", f.detail);
}

//! Tests of AS-OFFLINE-ACCESS and AS-PROTECTED-RESOURCES, on small
//! documents and real published ones.

use serde_json::{json, Value};

use crate::evidence::Evidence;
use crate::test_support::*;
use crate::Status::*;

// ---------------------------------------------------------------- AS-OFFLINE-ACCESS

#[test]
fn as_offline_access_passes_when_listed_and_informs_otherwise() {
    let id = "AS-OFFLINE-ACCESS";
    let f = finding(
        &with("scopes_supported", json!(["openid", "offline_access"])),
        id,
    );
    assert_eq!(f.status, Pass, "{}", f.detail);
    // good_doc lists openid but not offline_access.
    let f = finding(&served_at_oauth(&good_doc()), id);
    assert_eq!(f.status, Info, "{}", f.detail);
    assert!(f.detail.contains("OpenID Connect"), "{}", f.detail);
    assert!(f.detail.contains("sign in again"), "{}", f.detail);
    let f = finding(&with("scopes_supported", json!(["mcp:tools"])), id);
    assert_eq!(f.status, Info, "{}", f.detail);
    assert!(f.detail.starts_with("not listed"), "{}", f.detail);
    let f = finding(&with("scopes_supported", Value::Null), id);
    assert_eq!(f.status, Info, "{}", f.detail);
    assert!(f.detail.contains("absent"), "{}", f.detail);
    let none = issuer_evidence(not_found(), not_found(), not_found());
    assert_eq!(status_of(&none, id), Skip);
}

#[test]
fn as_offline_access_on_real_documents() {
    let id = "AS-OFFLINE-ACCESS";
    for (name, want) in [
        ("atlassian--oidc.json", Pass),
        ("auth0--oidc.json", Pass),
        ("keycloak-local-docker--oidc.json", Pass),
        ("google--oauth-as.json", Info),
        ("gitlab--oidc.json", Info),
    ] {
        let f = finding(&served_at_oauth(&real_metadata(name)), id);
        assert_eq!(f.status, want, "{name}: {}", f.detail);
    }
}

// ---------------------------------------------------------------- AS-PROTECTED-RESOURCES

/// `good_mcp()` whose authorization server's document has `protected_resources`.
fn mcp_with_protected(listed: Value) -> Evidence {
    let mut doc = good_doc();
    doc["protected_resources"] = listed;
    let mut ev = good_mcp();
    let attempt = &mut ev.authorization_servers[0].attempts[0];
    let url = attempt.url.clone();
    let mut ex = json(&doc);
    ex.request.url = url;
    attempt.exchange = Some(ex);
    ev
}

#[test]
fn as_protected_resources_passes_when_the_resource_is_listed() {
    let f = finding(
        &mcp_with_protected(json!(["https://other.example.com", MCP])),
        "AS-PROTECTED-RESOURCES",
    );
    assert_eq!(f.status, Pass, "{}", f.detail);
    assert!(f.detail.contains(MCP), "{}", f.detail);
}

#[test]
fn as_protected_resources_warns_when_the_resource_is_missing() {
    let f = finding(
        &mcp_with_protected(json!(["https://other.example.com/mcp"])),
        "AS-PROTECTED-RESOURCES",
    );
    assert_eq!(f.status, Warn, "{}", f.detail);
    assert!(f.detail.contains("invalid_target"), "{}", f.detail);
    assert!(!f.detail.contains("trailing slash"), "{}", f.detail);
    // Only a trailing slash apart: still a miss, and the detail says why.
    let f = finding(
        &mcp_with_protected(json!([format!("{MCP}/")])),
        "AS-PROTECTED-RESOURCES",
    );
    assert_eq!(f.status, Warn, "{}", f.detail);
    assert!(f.detail.contains("trailing slash"), "{}", f.detail);
}

#[test]
fn as_protected_resources_skips_or_informs_without_a_comparison() {
    let id = "AS-PROTECTED-RESOURCES";
    // Absent (good_mcp's document has none): nothing to cross-check.
    assert_eq!(status_of(&good_mcp(), id), Skip);
    // An issuer on its own: the list is shown, nothing to compare.
    let f = finding(&with("protected_resources", json!([MCP])), id);
    assert_eq!(f.status, Info, "{}", f.detail);
    assert!(f.detail.contains(MCP), "{}", f.detail);
}

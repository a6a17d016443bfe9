//! Tests of the extension-readiness checks (EXT-*): INFO whatever the
//! document says, with a detail that names what `mcp-auth login` can use.

use serde_json::json;

use super::{ID_JAG_PROFILE, JWT_BEARER, TOKEN_EXCHANGE};
use crate::test_support::*;
use crate::Status::*;

/// The EXT- findings of the compliant document never warn or fail.
#[test]
fn ext_checks_only_ever_inform() {
    for id in ["EXT-ENTERPRISE-AUTH", "EXT-CLIENT-CREDENTIALS", "EXT-DPOP"] {
        let f = finding(&served_at_oauth(&good_doc()), id);
        assert_eq!(f.status, Info, "{id}: {}", f.detail);
        assert!(f.detail.starts_with("not advertised"), "{id}: {}", f.detail);
        let none = issuer_evidence(not_found(), not_found(), not_found());
        assert_eq!(status_of(&none, id), Skip, "{id}");
    }
}

// ---------------------------------------------------------------- EXT-ENTERPRISE-AUTH

#[test]
fn ext_enterprise_auth_names_the_login_grants_it_allows() {
    let id = "EXT-ENTERPRISE-AUTH";
    let mut doc = good_doc();
    doc["authorization_grant_profiles_supported"] = json!([ID_JAG_PROFILE]);
    doc["grant_types_supported"] = json!(["authorization_code", JWT_BEARER]);
    let f = finding(&served_at_oauth(&doc), id);
    assert_eq!(f.status, Info, "{}", f.detail);
    assert!(
        f.detail
            .contains("ID-JAG grant profile and the JWT bearer grant advertised"),
        "{}",
        f.detail
    );
    assert!(f.detail.contains("--grant token-exchange"), "{}", f.detail);
    // The profile without the grant that presents it.
    doc["grant_types_supported"] = json!(["authorization_code"]);
    let f = finding(&served_at_oauth(&doc), id);
    assert_eq!(f.status, Info, "{}", f.detail);
    assert!(
        f.detail.contains("is not in `grant_types_supported`"),
        "{}",
        f.detail
    );
    // An IdP that issues ID-JAGs by token exchange.
    let f = finding(
        &with(
            "grant_types_supported",
            json!(["authorization_code", TOKEN_EXCHANGE]),
        ),
        id,
    );
    assert!(f.detail.contains("--idp-issuer"), "{}", f.detail);
}

/// Google lists the JWT bearer grant but no ID-JAG profile.
#[test]
fn ext_enterprise_auth_on_real_google() {
    let f = finding(
        &served_at_oauth(&real_metadata("google--oauth-as.json")),
        "EXT-ENTERPRISE-AUTH",
    );
    assert_eq!(f.status, Info, "{}", f.detail);
    assert!(f.detail.contains("--grant jwt-bearer"), "{}", f.detail);
    assert!(
        f.detail.contains("ID-JAG profile) is not advertised"),
        "{}",
        f.detail
    );
}

// ---------------------------------------------------------------- EXT-CLIENT-CREDENTIALS

#[test]
fn ext_client_credentials_names_how_to_authenticate() {
    let id = "EXT-CLIENT-CREDENTIALS";
    // good_doc lists none and private_key_jwt.
    let f = finding(
        &with(
            "grant_types_supported",
            json!(["authorization_code", "client_credentials"]),
        ),
        id,
    );
    assert_eq!(f.status, Info, "{}", f.detail);
    assert!(
        f.detail.contains("--grant client-credentials"),
        "{}",
        f.detail
    );
    assert!(f.detail.contains("--private-key"), "{}", f.detail);
    assert!(!f.detail.contains("--client-secret-file"), "{}", f.detail);
}

#[test]
fn ext_client_credentials_on_real_documents() {
    for (name, advertised) in [
        ("vercel--oauth-as.json", true),
        ("gitlab--oidc.json", true),
        ("workos-authkit--oidc.json", true),
        ("google--oauth-as.json", false),
    ] {
        let f = finding(
            &served_at_oauth(&real_metadata(name)),
            "EXT-CLIENT-CREDENTIALS",
        );
        assert_eq!(f.status, Info, "{name}: {}", f.detail);
        assert_eq!(
            f.detail.contains("listed: `mcp-auth login"),
            advertised,
            "{name}: {}",
            f.detail
        );
    }
    // GitLab takes client secrets only.
    let f = finding(
        &served_at_oauth(&real_metadata("gitlab--oidc.json")),
        "EXT-CLIENT-CREDENTIALS",
    );
    assert!(f.detail.contains("--client-secret-file"), "{}", f.detail);
    assert!(!f.detail.contains("--private-key"), "{}", f.detail);
}

// ---------------------------------------------------------------- EXT-DPOP

#[test]
fn ext_dpop_says_whether_login_binds_tokens() {
    let id = "EXT-DPOP";
    let f = finding(
        &with(
            "dpop_signing_alg_values_supported",
            json!(["ES256", "RS256"]),
        ),
        id,
    );
    assert_eq!(f.status, Info, "{}", f.detail);
    assert!(f.detail.contains("--dpop auto` binds"), "{}", f.detail);
    let f = finding(
        &with("dpop_signing_alg_values_supported", json!(["RS256"])),
        id,
    );
    assert_eq!(f.status, Info, "{}", f.detail);
    assert!(f.detail.contains("without ES256"), "{}", f.detail);
}

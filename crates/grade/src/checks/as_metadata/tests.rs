//! Tests of the authorization-server metadata member checks (AS-*).

use serde_json::json;

use crate::evidence::Evidence;
use crate::test_support::*;
use crate::Status::*;

fn s(member: &str, value: serde_json::Value, id: &str) -> crate::Status {
    status_of(&with(member, value), id)
}

/// A REQUIRED endpoint member: served, it passes; missing, relative or not a
/// string, it fails.
fn required_endpoint(member: &str, id: &str) {
    assert_eq!(status_of(&served_at_oauth(&good_doc()), id), Pass);
    assert_eq!(s(member, json!(null), id), Fail, "{id} missing");
    assert_eq!(s(member, json!("/relative"), id), Fail, "{id} relative");
    assert_eq!(s(member, json!(42), id), Fail, "{id} number");
}

/// `good_doc()` with neither dynamic registration nor CIMD.
fn without_registration() -> Evidence {
    let mut bare = good_doc();
    let o = bare.as_object_mut().unwrap();
    o.remove("registration_endpoint");
    o.remove("client_id_metadata_document_supported");
    served_at_oauth(&bare)
}

// ---------------------------------------------------------------- AS-AUTHZ-ENDPOINT

#[test]
fn as_authz_endpoint() {
    required_endpoint("authorization_endpoint", "AS-AUTHZ-ENDPOINT");
}

// ---------------------------------------------------------------- AS-TOKEN-ENDPOINT

#[test]
fn as_token_endpoint() {
    required_endpoint("token_endpoint", "AS-TOKEN-ENDPOINT");
}

// ---------------------------------------------------------------- AS-RESPONSE-TYPES

#[test]
fn as_response_types() {
    assert_eq!(
        s(
            "response_types_supported",
            json!(["code", "id_token"]),
            "AS-RESPONSE-TYPES"
        ),
        Pass
    );
    assert_eq!(
        s(
            "response_types_supported",
            json!(["token"]),
            "AS-RESPONSE-TYPES"
        ),
        Fail
    );
    assert_eq!(
        s("response_types_supported", json!(null), "AS-RESPONSE-TYPES"),
        Fail
    );
}

// ---------------------------------------------------------------- AS-PKCE-PRESENT

#[test]
fn as_pkce_present() {
    assert_eq!(
        s(
            "code_challenge_methods_supported",
            json!(null),
            "AS-PKCE-PRESENT"
        ),
        Fail
    );
    assert_eq!(
        s(
            "code_challenge_methods_supported",
            json!(["S256"]),
            "AS-PKCE-PRESENT"
        ),
        Pass
    );
}

// ---------------------------------------------------------------- AS-PKCE-S256

#[test]
fn as_pkce_s256() {
    assert_eq!(
        s(
            "code_challenge_methods_supported",
            json!(["plain"]),
            "AS-PKCE-S256"
        ),
        Fail
    );
    assert_eq!(
        s(
            "code_challenge_methods_supported",
            json!(null),
            "AS-PKCE-S256"
        ),
        Fail
    );
    assert_eq!(
        s(
            "code_challenge_methods_supported",
            json!(["S256", "plain"]),
            "AS-PKCE-S256"
        ),
        Pass
    );
}

// ---------------------------------------------------------------- AS-PKCE-PLAIN

#[test]
fn as_pkce_plain() {
    assert_eq!(
        s(
            "code_challenge_methods_supported",
            json!(["S256", "plain"]),
            "AS-PKCE-PLAIN"
        ),
        Info
    );
    assert_eq!(
        s(
            "code_challenge_methods_supported",
            json!(["S256"]),
            "AS-PKCE-PLAIN"
        ),
        Pass
    );
}

// ---------------------------------------------------------------- AS-GRANT-AUTHCODE

#[test]
fn as_grant_authcode() {
    assert_eq!(
        s(
            "grant_types_supported",
            json!(["implicit"]),
            "AS-GRANT-AUTHCODE"
        ),
        Fail
    );
    assert_eq!(
        s("grant_types_supported", json!(null), "AS-GRANT-AUTHCODE"),
        Pass
    );
}

// ---------------------------------------------------------------- AS-GRANT-REFRESH

/// Atlassian and Auth0 list `offline_access` but no `grant_types_supported`:
/// the detail names offline_access as the refresh signal, not re-authorization.
#[test]
fn as_grant_refresh_reads_offline_access_on_real_documents() {
    for name in ["atlassian--oidc.json", "auth0--oidc.json"] {
        let f = finding(
            &served_at_oidc_append(&real_metadata(name)),
            "AS-GRANT-REFRESH",
        );
        assert_eq!(f.status, Info, "{name}: {}", f.detail);
        assert!(
            f.detail.contains("offline_access") && !f.detail.contains("re-authorize"),
            "{name}: {}",
            f.detail
        );
    }
}

#[test]
fn as_grant_refresh() {
    assert_eq!(
        s(
            "grant_types_supported",
            json!(["authorization_code"]),
            "AS-GRANT-REFRESH"
        ),
        Info
    );
    assert_eq!(
        s(
            "grant_types_supported",
            json!(["authorization_code", "refresh_token"]),
            "AS-GRANT-REFRESH"
        ),
        Pass
    );
}

// ---------------------------------------------------------------- AS-TOKEN-AUTH-NONE

#[test]
fn as_token_auth_none() {
    let id = "AS-TOKEN-AUTH-NONE";
    assert_eq!(
        s("token_endpoint_auth_methods_supported", json!(["none"]), id),
        Pass
    );
    assert_eq!(
        s("token_endpoint_auth_methods_supported", json!(null), id),
        Warn
    );
    // good_doc advertises CIMD: shared secrets only warns here and points
    // at CIMD-AUTH-METHODS, which owns the failure (not reported twice).
    let f = finding(
        &with(
            "token_endpoint_auth_methods_supported",
            json!(["client_secret_basic"]),
        ),
        id,
    );
    assert_eq!(f.status, Warn, "{}", f.detail);
    assert!(f.detail.contains("CIMD-AUTH-METHODS"), "{}", f.detail);
    let mut doc = good_doc();
    doc["token_endpoint_auth_methods_supported"] = json!(["client_secret_basic"]);
    doc.as_object_mut()
        .unwrap()
        .remove("client_id_metadata_document_supported");
    assert_eq!(status_of(&served_at_oauth(&doc), id), Warn);
}

// ---------------------------------------------------------------- AS-REGISTRATION-ENDPOINT

#[test]
fn as_registration_endpoint() {
    assert_eq!(
        s(
            "registration_endpoint",
            json!(null),
            "AS-REGISTRATION-ENDPOINT"
        ),
        Info
    );
    assert_eq!(
        status_of(&without_registration(), "AS-REGISTRATION-ENDPOINT"),
        Warn
    );
}

// ---------------------------------------------------------------- AS-CIMD-SUPPORTED

#[test]
fn as_cimd_supported() {
    assert_eq!(
        status_of(&without_registration(), "AS-CIMD-SUPPORTED"),
        Warn
    );
    assert_eq!(
        status_of(&served_at_oauth(&good_doc()), "AS-CIMD-SUPPORTED"),
        Pass
    );
    assert_eq!(
        s(
            "client_id_metadata_document_supported",
            json!(false),
            "AS-CIMD-SUPPORTED"
        ),
        Warn
    );
}

// ---------------------------------------------------------------- AS-REG-PATH

#[test]
fn as_reg_path() {
    assert_eq!(status_of(&without_registration(), "AS-REG-PATH"), Warn);
    assert_eq!(s("registration_endpoint", json!(null), "AS-REG-PATH"), Pass);
    assert_eq!(
        s(
            "client_id_metadata_document_supported",
            json!(null),
            "AS-REG-PATH"
        ),
        Pass
    );
}

// ---------------------------------------------------------------- AS-SCOPES-SUPPORTED

#[test]
fn as_scopes_supported() {
    assert_eq!(
        status_of(&served_at_oauth(&good_doc()), "AS-SCOPES-SUPPORTED"),
        Pass
    );
    assert_eq!(
        s("scopes_supported", json!(null), "AS-SCOPES-SUPPORTED"),
        Warn
    );
}

// ---------------------------------------------------------------- AS-JWKS-URI

/// A Keycloak in Docker publishes `jwks_uri` over plain http on a
/// non-loopback host: a warning, as AS-USERINFO gives the same host.
#[test]
fn as_jwks_uri_warns_on_the_real_plain_http_keycloak() {
    let ev = served_at_oidc_append(&real_metadata("keycloak-local-docker--oidc.json"));
    let f = finding(&ev, "AS-JWKS-URI");
    assert_eq!(f.status, Warn, "{}", f.detail);
    assert!(f.detail.contains("not https"), "{}", f.detail);
    assert_eq!(status_of(&ev, "AS-USERINFO"), Warn);
}

#[test]
fn as_jwks_uri_depends_on_location() {
    assert_eq!(
        status_of(&served_at_oauth(&good_doc()), "AS-JWKS-URI"),
        Pass
    );
    assert_eq!(s("jwks_uri", json!(null), "AS-JWKS-URI"), Info);
    let mut doc = good_doc();
    doc.as_object_mut().unwrap().remove("jwks_uri");
    assert_eq!(status_of(&served_at_oidc_append(&doc), "AS-JWKS-URI"), Fail);
}

// ---------------------------------------------------------------- AS-OIDC-REQUIRED

#[test]
fn as_oidc_required() {
    assert_eq!(
        status_of(&served_at_oauth(&good_doc()), "AS-OIDC-REQUIRED"),
        Skip
    );
    assert_eq!(
        status_of(&served_at_oidc_append(&good_doc()), "AS-OIDC-REQUIRED"),
        Pass
    );
    let mut doc = good_doc();
    doc.as_object_mut()
        .unwrap()
        .remove("subject_types_supported");
    let f = finding(&served_at_oidc_append(&doc), "AS-OIDC-REQUIRED");
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("subject_types_supported"));
}

// ---------------------------------------------------------------- AS-MEMBER-TYPES

#[test]
fn as_member_types() {
    assert_eq!(
        status_of(&served_at_oauth(&good_doc()), "AS-MEMBER-TYPES"),
        Pass
    );
    let f = finding(
        &with("client_id_metadata_document_supported", json!("true")),
        "AS-MEMBER-TYPES",
    );
    assert_eq!(f.status, Fail);
    assert!(
        f.detail.contains("client_id_metadata_document_supported"),
        "{}",
        f.detail
    );
}

// ---------------------------------------------------------------- AS-ZERO-VALUES

#[test]
fn as_zero_values() {
    assert_eq!(
        status_of(&served_at_oauth(&good_doc()), "AS-ZERO-VALUES"),
        Pass
    );
    assert_eq!(s("scopes_supported", json!([]), "AS-ZERO-VALUES"), Warn);
}

// ---------------------------------------------------------------- AS-ISS-PARAM

#[test]
fn as_iss_param() {
    assert_eq!(
        status_of(&served_at_oauth(&good_doc()), "AS-ISS-PARAM"),
        Pass
    );
    assert_eq!(
        s(
            "authorization_response_iss_parameter_supported",
            json!(false),
            "AS-ISS-PARAM"
        ),
        Warn
    );
    assert_eq!(
        s(
            "authorization_response_iss_parameter_supported",
            json!(null),
            "AS-ISS-PARAM"
        ),
        Warn
    );
}

// ---------------------------------------------------------------- AS-USERINFO

#[test]
fn as_userinfo() {
    assert_eq!(
        status_of(&served_at_oauth(&good_doc()), "AS-USERINFO"),
        Pass
    );
    assert_eq!(s("userinfo_endpoint", json!(null), "AS-USERINFO"), Info);
    assert_eq!(
        s(
            "userinfo_endpoint",
            json!("http://example.com/me"),
            "AS-USERINFO"
        ),
        Warn
    );
}

// ---------------------------------------------------------------- no document

#[test]
fn no_document_skips_member_checks() {
    let ev = issuer_evidence(not_found(), not_found(), not_found());
    for id in [
        "AS-AUTHZ-ENDPOINT",
        "AS-PKCE-S256",
        "AS-USERINFO",
        "AS-OIDC-REQUIRED",
    ] {
        assert_eq!(status_of(&ev, id), Skip, "{id}");
    }
}

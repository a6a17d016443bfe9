//! Tests of the authorization-server metadata member checks (AS-*).

use serde_json::json;

use crate::test_support::*;
use crate::Status::*;

fn s(member: &str, value: serde_json::Value, id: &str) -> crate::Status {
    status_of(&with(member, value), id)
}

#[test]
fn endpoints() {
    for (member, id) in [
        ("authorization_endpoint", "AS-AUTHZ-ENDPOINT"),
        ("token_endpoint", "AS-TOKEN-ENDPOINT"),
    ] {
        assert_eq!(status_of(&served_at_oauth(&good_doc()), id), Pass);
        assert_eq!(s(member, json!(null), id), Fail, "{id} missing");
        assert_eq!(s(member, json!("/relative"), id), Fail, "{id} relative");
        assert_eq!(s(member, json!(42), id), Fail, "{id} number");
    }
}

#[test]
fn response_types() {
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

#[test]
fn pkce() {
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

#[test]
fn grants() {
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

#[test]
fn token_auth_none() {
    let id = "AS-TOKEN-AUTH-NONE";
    assert_eq!(
        s("token_endpoint_auth_methods_supported", json!(["none"]), id),
        Pass
    );
    assert_eq!(
        s("token_endpoint_auth_methods_supported", json!(null), id),
        Warn
    );
    // good_doc advertises CIMD: shared secrets only is a failure.
    assert_eq!(
        s(
            "token_endpoint_auth_methods_supported",
            json!(["client_secret_basic"]),
            id
        ),
        Fail
    );
    let mut doc = good_doc();
    doc["token_endpoint_auth_methods_supported"] = json!(["client_secret_basic"]);
    doc.as_object_mut()
        .unwrap()
        .remove("client_id_metadata_document_supported");
    assert_eq!(status_of(&served_at_oauth(&doc), id), Warn);
}

#[test]
fn registration_and_cimd() {
    assert_eq!(
        s(
            "registration_endpoint",
            json!(null),
            "AS-REGISTRATION-ENDPOINT"
        ),
        Info
    );
    let mut bare = good_doc();
    let o = bare.as_object_mut().unwrap();
    o.remove("registration_endpoint");
    o.remove("client_id_metadata_document_supported");
    let bare = served_at_oauth(&bare);
    assert_eq!(status_of(&bare, "AS-REGISTRATION-ENDPOINT"), Warn);
    assert_eq!(status_of(&bare, "AS-CIMD-SUPPORTED"), Warn);
    assert_eq!(status_of(&bare, "AS-REG-PATH"), Warn);
    assert_eq!(s("registration_endpoint", json!(null), "AS-REG-PATH"), Pass);
    assert_eq!(
        s(
            "client_id_metadata_document_supported",
            json!(null),
            "AS-REG-PATH"
        ),
        Pass
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

#[test]
fn scopes() {
    assert_eq!(
        status_of(&served_at_oauth(&good_doc()), "AS-SCOPES-SUPPORTED"),
        Pass
    );
    assert_eq!(
        s("scopes_supported", json!(null), "AS-SCOPES-SUPPORTED"),
        Warn
    );
}

#[test]
fn jwks_uri_depends_on_location() {
    assert_eq!(
        status_of(&served_at_oauth(&good_doc()), "AS-JWKS-URI"),
        Pass
    );
    assert_eq!(s("jwks_uri", json!(null), "AS-JWKS-URI"), Info);
    let mut doc = good_doc();
    doc.as_object_mut().unwrap().remove("jwks_uri");
    assert_eq!(status_of(&served_at_oidc_append(&doc), "AS-JWKS-URI"), Fail);
}

#[test]
fn oidc_required() {
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

#[test]
fn member_types() {
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

#[test]
fn zero_values() {
    assert_eq!(
        status_of(&served_at_oauth(&good_doc()), "AS-ZERO-VALUES"),
        Pass
    );
    assert_eq!(s("scopes_supported", json!([]), "AS-ZERO-VALUES"), Warn);
}

#[test]
fn iss_param() {
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

#[test]
fn userinfo() {
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

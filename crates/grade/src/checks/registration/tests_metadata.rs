//! Tests of DCR-HTTPS and CIMD-AUTH-METHODS (metadata only, no probe).

use serde_json::{json, Value};

use crate::test_support::*;
use crate::Status::*;

// ---------------------------------------------------------------- DCR-HTTPS

#[test]
fn dcr_https_grades_the_registration_endpoint_as_sec_https_as_does() {
    let id = "DCR-HTTPS";
    let f = finding(&served_at_oauth(&good_doc()), id);
    assert_eq!(f.status, Pass, "{}", f.detail);
    let f = finding(
        &with(
            "registration_endpoint",
            json!("http://auth.example.com/register"),
        ),
        id,
    );
    assert_eq!(f.status, Fail, "{}", f.detail);
    assert!(f.detail.contains("not https"), "{}", f.detail);
    let f = finding(
        &with(
            "registration_endpoint",
            json!("http://127.0.0.1:8080/register"),
        ),
        id,
    );
    assert_eq!(f.status, Warn, "{}", f.detail);
    assert!(f.detail.contains("loopback"), "{}", f.detail);
    assert_eq!(
        status_of(&with("registration_endpoint", Value::Null), id),
        Skip
    );
    assert_eq!(
        status_of(&with("registration_endpoint", json!("/register")), id),
        Skip
    );
}

#[test]
fn dcr_https_fails_on_real_keycloak_with_a_plain_http_host() {
    let f = finding(
        &served_at_oauth(&real_metadata("keycloak-local-docker--oidc.json")),
        "DCR-HTTPS",
    );
    assert_eq!(f.status, Fail, "{}", f.detail);
    assert!(
        f.detail.contains("http://docker-rp-1:8080/"),
        "{}",
        f.detail
    );
    // Auth0 publishes an https registration endpoint.
    let f = finding(
        &served_at_oauth(&real_metadata("auth0--oidc.json")),
        "DCR-HTTPS",
    );
    assert_eq!(f.status, Pass, "{}", f.detail);
}

// ---------------------------------------------------------------- CIMD-AUTH-METHODS

#[test]
fn cimd_auth_methods_passes_with_none_or_private_key_jwt() {
    let id = "CIMD-AUTH-METHODS";
    for methods in [
        json!(["none"]),
        json!(["client_secret_basic", "private_key_jwt"]),
    ] {
        let f = finding(&with("token_endpoint_auth_methods_supported", methods), id);
        assert_eq!(f.status, Pass, "{}", f.detail);
    }
}

#[test]
fn cimd_auth_methods_fails_with_shared_secrets_only_and_is_reported_once() {
    // good_doc advertises CIMD.
    let ev = with(
        "token_endpoint_auth_methods_supported",
        json!(["client_secret_basic", "client_secret_post"]),
    );
    let f = finding(&ev, "CIMD-AUTH-METHODS");
    assert_eq!(f.status, Fail, "{}", f.detail);
    assert!(
        f.detail.contains("client_secret_basic, client_secret_post"),
        "{}",
        f.detail
    );
    // AS-TOKEN-AUTH-NONE warns about public clients and leaves the failure here.
    let other = finding(&ev, "AS-TOKEN-AUTH-NONE");
    assert_eq!(other.status, Warn, "{}", other.detail);
    // Absent: RFC 8414's default is a shared secret; the TypeScript SDK tries none.
    let f = finding(
        &with("token_endpoint_auth_methods_supported", Value::Null),
        "CIMD-AUTH-METHODS",
    );
    assert_eq!(f.status, Warn, "{}", f.detail);
}

#[test]
fn cimd_auth_methods_skips_without_cimd() {
    let mut doc = good_doc();
    doc["token_endpoint_auth_methods_supported"] = json!(["client_secret_basic"]);
    doc.as_object_mut()
        .unwrap()
        .remove("client_id_metadata_document_supported");
    assert_eq!(status_of(&served_at_oauth(&doc), "CIMD-AUTH-METHODS"), Skip);
    // No real document advertises CIMD yet: Google's skips too.
    let google = served_at_oauth(&real_metadata("google--oauth-as.json"));
    assert_eq!(status_of(&google, "CIMD-AUTH-METHODS"), Skip);
}

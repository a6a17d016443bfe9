//! Tests of DCR-AUTH-METHOD, with the registration helpers of `tests.rs`.

use serde_json::{json, Value};

use super::tests::{client_with, main_only, refusal};
use crate::test_support::*;
use crate::Status::*;

// ---------------------------------------------------------------- DCR-AUTH-METHOD

fn auth_method(changes: &[(&str, Value)]) -> crate::Finding {
    let body = client_with(changes).to_string();
    finding(&main_only(201, &body), "DCR-AUTH-METHOD")
}

#[test]
fn dcr_auth_method_passes_on_none() {
    let f = auth_method(&[]);
    assert_eq!(f.status, Pass);
    assert_eq!(f.detail, "none");
}

#[test]
fn dcr_auth_method_warns_when_the_token_endpoint_does_not_list_none() {
    let mut ev = main_only(201, &client_with(&[]).to_string());
    let ex = ev.authorization_servers[0].attempts[0].exchange.as_mut();
    let doc = ex.and_then(|e| e.response.as_mut()).expect("the metadata");
    let mut md: Value = serde_json::from_str(&doc.body).unwrap();
    md["token_endpoint_auth_methods_supported"] = serde_json::json!(["client_secret_basic"]);
    doc.body = md.to_string();
    let f = finding(&ev, "DCR-AUTH-METHOD");
    assert!(
        f.status == Warn && f.detail.contains("does not list none"),
        "{f:?}"
    );
}

#[test]
fn dcr_auth_method_warns_on_a_substituted_method_with_secret_and_expiry() {
    let f = auth_method(&[
        ("token_endpoint_auth_method", json!("client_secret_basic")),
        ("client_secret", json!("[redacted]")),
        ("client_secret_expires_at", json!(0)),
    ]);
    assert_eq!(f.status, Warn);
    assert!(
        f.detail.contains("substituted client_secret_basic"),
        "{}",
        f.detail
    );
}

#[test]
fn dcr_auth_method_fails_on_a_secret_without_expiry() {
    let f = auth_method(&[
        ("token_endpoint_auth_method", json!("client_secret_basic")),
        ("client_secret", json!("[redacted]")),
    ]);
    assert_eq!(f.status, Fail);
    assert!(
        f.detail.contains("no client_secret_expires_at"),
        "{}",
        f.detail
    );
}

#[test]
fn dcr_auth_method_fails_on_a_secret_method_without_secret() {
    let f = auth_method(&[("token_endpoint_auth_method", json!("client_secret_post"))]);
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("client_secret_post"), "{}", f.detail);
    assert!(f.detail.contains("Python SDK"), "{}", f.detail);
}

#[test]
fn dcr_auth_method_warns_on_the_other_odd_answers() {
    let f = auth_method(&[("client_secret", json!("[redacted]"))]);
    assert_eq!(f.status, Warn);
    assert!(f.detail.contains("method none"), "{}", f.detail);

    let f = auth_method(&[("token_endpoint_auth_method", Value::Null)]);
    assert_eq!(f.status, Warn);
    assert!(f.detail.contains("client_secret_basic"), "{}", f.detail);

    let f = auth_method(&[
        ("token_endpoint_auth_method", Value::Null),
        ("client_secret", json!("[redacted]")),
    ]);
    assert_eq!(f.status, Warn);
    assert!(
        f.detail.contains("without naming the method"),
        "{}",
        f.detail
    );
}

#[test]
fn dcr_auth_method_skips_when_refused() {
    let body = refusal("invalid_redirect_uri", "no");
    assert_eq!(status_of(&main_only(400, &body), "DCR-AUTH-METHOD"), Skip);
}

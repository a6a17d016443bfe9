//! Tests of the discovery checks (DISC-*) and of SEC-HTTPS-AS.

use serde_json::json;

use crate::test_support::*;
use crate::Status::*;

// ---------------------------------------------------------------- SEC-HTTPS-AS

#[test]
fn sec_https_as() {
    assert_eq!(
        status_of(&with("issuer", json!(ISSUER)), "SEC-HTTPS-AS"),
        Pass
    );
    assert_eq!(
        status_of(
            &with("token_endpoint", json!("http://auth.example.com/token")),
            "SEC-HTTPS-AS"
        ),
        Fail
    );
    let f = finding(
        &with("jwks_uri", json!("http://127.0.0.1:9/jwks")),
        "SEC-HTTPS-AS",
    );
    assert_eq!(f.status, Warn);
    assert!(f.detail.contains("jwks_uri"), "{}", f.detail);
    let mut doc = good_doc();
    for m in ["issuer", "authorization_endpoint", "token_endpoint"] {
        doc[m] = json!(format!("http://localhost:8080/{m}"));
    }
    let f = finding(&served_at_oauth(&doc), "SEC-HTTPS-AS");
    assert_eq!(f.status, Warn);
    assert!(
        f.detail.contains("(all on http://localhost:8080)"),
        "{}",
        f.detail
    );
}

// ---------------------------------------------------------------- DISC-AS-FOUND

#[test]
fn disc_as_found() {
    assert_eq!(
        status_of(&served_at_oauth(&good_doc()), "DISC-AS-FOUND"),
        Pass
    );
    let nothing = issuer_evidence(
        not_found(),
        not_found(),
        response(200, "text/html", "<html>"),
    );
    let f = finding(&nothing, "DISC-AS-FOUND");
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("body is HTML"), "{}", f.detail);
}

#[test]
fn disc_as_found_points_at_a_non_standard_location() {
    let mut ev = issuer_evidence(not_found(), not_found(), not_found());
    ev.authorization_servers[0].attempts[3].exchange = Some(json(&good_doc()));
    let f = finding(&ev, "DISC-AS-FOUND");
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("not RFC 8414"), "{}", f.detail);
}

// ---------------------------------------------------------------- DISC-AS-RFC8414

#[test]
fn disc_as_rfc8414() {
    assert_eq!(
        status_of(&served_at_oauth(&good_doc()), "DISC-AS-RFC8414"),
        Pass
    );
    let f = finding(&served_at_oidc_append(&good_doc()), "DISC-AS-RFC8414");
    assert_eq!(f.status, Warn);
    assert!(f.detail.contains("2025-06-18"));
}

// ---------------------------------------------------------------- DISC-AS-ERROR-STATUS

#[test]
fn disc_as_error_status() {
    assert_eq!(
        status_of(&served_at_oidc_append(&good_doc()), "DISC-AS-ERROR-STATUS"),
        Pass
    );
    let ev = issuer_evidence(
        response(500, "text/plain", "boom"),
        not_found(),
        json(&good_doc()),
    );
    let f = finding(&ev, "DISC-AS-ERROR-STATUS");
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("500"), "{}", f.detail);
    let redirect = issuer_evidence(
        not_found(),
        response(302, "text/html", ""),
        json(&good_doc()),
    );
    assert_eq!(status_of(&redirect, "DISC-AS-ERROR-STATUS"), Fail);
    let nothing = issuer_evidence(not_found(), not_found(), not_found());
    assert_eq!(status_of(&nothing, "DISC-AS-ERROR-STATUS"), Skip);
}

// ---------------------------------------------------------------- DISC-AS-CONTENT-TYPE

#[test]
fn disc_as_content_type() {
    let ok = issuer_evidence(
        response(
            200,
            "application/json; charset=utf-8",
            &good_doc().to_string(),
        ),
        not_found(),
        not_found(),
    );
    assert_eq!(status_of(&ok, "DISC-AS-CONTENT-TYPE"), Pass);
    let text = issuer_evidence(
        response(200, "text/plain", &good_doc().to_string()),
        not_found(),
        not_found(),
    );
    assert_eq!(status_of(&text, "DISC-AS-CONTENT-TYPE"), Warn);
}

// ---------------------------------------------------------------- DISC-AS-ISSUER-MATCH

#[test]
fn disc_as_issuer_match() {
    assert_eq!(
        status_of(&served_at_oauth(&good_doc()), "DISC-AS-ISSUER-MATCH"),
        Pass
    );
    let f = finding(
        &with("issuer", json!(format!("{ISSUER}/"))),
        "DISC-AS-ISSUER-MATCH",
    );
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("trailing '/'"), "{}", f.detail);
    let f = finding(
        &with("issuer", json!("https://other.example.com")),
        "DISC-AS-ISSUER-MATCH",
    );
    assert_eq!(f.status, Fail);
    assert_eq!(
        status_of(&with("issuer", json!(null)), "DISC-AS-ISSUER-MATCH"),
        Fail
    );
}

/// The TypeScript SDK's client row for the (only) MCP server evidence.
fn ts_row(ev: &crate::evidence::Evidence) -> crate::clients::ClientPath {
    let analysis = crate::Analysis::new(ev);
    crate::clients::resource_client_paths(analysis.resource.as_ref().unwrap())
        .into_iter()
        .find(|c| c.id == crate::clients::id::TS_SDK)
        .unwrap()
}

/// Google Compute's PRM lists `https://accounts.google.com/`, Google's RFC
/// 8414 document says `https://accounts.google.com`: the fix is the PRM's
/// entry (as DISC-AS-ISSUER-EQ-PRM says), and the TypeScript SDK v2, which
/// forgives exactly this direction, gets through as its client row says.
#[test]
fn disc_as_issuer_match_on_the_real_google_trailing_slash_points_at_the_prm() {
    let ev = mcp_with_server(
        &real_metadata("google-compute-mcp--prm.json"),
        "https://accounts.google.com/",
        vec![json(&real_metadata("google--oauth-as.json"))],
    );
    let f = finding(&ev, "DISC-AS-ISSUER-MATCH");
    assert_eq!(f.status, Fail, "{}", f.detail);
    assert!(
        f.hint.contains("protected resource metadata")
            && f.hint
                .contains("'https://accounts.google.com/' must be 'https://accounts.google.com'")
            && f.hint.contains("DISC-AS-ISSUER-EQ-PRM"),
        "{}",
        f.hint
    );
    assert!(
        f.detail.contains("TypeScript SDK v2 accepts"),
        "{}",
        f.detail
    );
    assert!(ts_row(&ev).works, "{:?}", ts_row(&ev));
    assert_eq!(status_of(&ev, "DISC-AS-ISSUER-EQ-PRM"), Fail);
}

/// The other direction (Auth0's real issuer ends in '/', a PRM that drops
/// it): the TypeScript SDK v2 throws, and the detail says so as its client
/// row does; the fix is still the PRM's entry.
#[test]
fn disc_as_issuer_match_says_typescript_throws_when_the_document_has_the_slash() {
    let doc = real_metadata("auth0--oidc.json");
    let published = doc["issuer"].as_str().unwrap().to_owned();
    let listed = published.trim_end_matches('/');
    let mut prm = good_prm();
    prm["authorization_servers"] = json!([listed]);
    let ev = mcp_with_server(&prm, listed, vec![not_found(), json(&doc)]);
    let f = finding(&ev, "DISC-AS-ISSUER-MATCH");
    assert_eq!(f.status, Fail, "{}", f.detail);
    assert!(
        f.detail
            .contains("TypeScript SDK v2 throws IssuerMismatchError")
            && !f.detail.contains("forgives"),
        "{}",
        f.detail
    );
    let row = ts_row(&ev);
    assert!(
        !row.works && row.detail.contains("IssuerMismatchError"),
        "{row:?}"
    );
    assert!(
        f.hint.contains(&format!("must be '{published}'")),
        "{}",
        f.hint
    );
}

/// An issuer given directly (no PRM) keeps the general hint: the provider's
/// `issuer` is what to change.
#[test]
fn disc_as_issuer_match_keeps_the_provider_hint_without_a_prm() {
    let f = finding(
        &with("issuer", json!(format!("{ISSUER}/"))),
        "DISC-AS-ISSUER-MATCH",
    );
    assert_eq!(f.hint, crate::find("DISC-AS-ISSUER-MATCH").unwrap().hint);
}

/// A document served where the PRM's entry leads but naming another
/// issuer (Monday.com's case): the server's document is what is
/// inconsistent, so the general hint stays.
#[test]
fn disc_as_issuer_match_keeps_the_provider_hint_when_the_document_is_elsewhere() {
    let mut doc = good_doc();
    doc["issuer"] = json!("https://auth.example.com");
    let ev = mcp_with_server(&good_prm(), ISSUER, vec![json(&doc)]);
    let f = finding(&ev, "DISC-AS-ISSUER-MATCH");
    assert_eq!(f.status, Fail);
    assert_eq!(f.hint, crate::find("DISC-AS-ISSUER-MATCH").unwrap().hint);
}

// ---------------------------------------------------------------- DISC-AS-ISSUER-EQ-PRM

#[test]
fn disc_as_issuer_eq_prm() {
    let mut ev = served_at_oauth(&good_doc());
    assert_eq!(status_of(&ev, "DISC-AS-ISSUER-EQ-PRM"), Skip);
    ev.authorization_servers[0].role = crate::evidence::AsRole::Listed;
    assert_eq!(status_of(&ev, "DISC-AS-ISSUER-EQ-PRM"), Pass);
    let mut ev = with("issuer", json!(format!("{ISSUER}/")));
    ev.authorization_servers[0].role = crate::evidence::AsRole::Listed;
    let f = finding(&ev, "DISC-AS-ISSUER-EQ-PRM");
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("trailing"));
}

// ---------------------------------------------------------------- DISC-AS-ISSUER-FORMAT

#[test]
fn disc_as_issuer_format() {
    assert_eq!(
        status_of(&served_at_oauth(&good_doc()), "DISC-AS-ISSUER-FORMAT"),
        Pass
    );
    assert_eq!(
        status_of(
            &with("issuer", json!("https://auth.example.com/t?x=1")),
            "DISC-AS-ISSUER-FORMAT"
        ),
        Fail
    );
    assert_eq!(
        status_of(
            &with("issuer", json!("http://auth.example.com")),
            "DISC-AS-ISSUER-FORMAT"
        ),
        Fail
    );
    assert_eq!(
        status_of(
            &with("issuer", json!("http://localhost:8080")),
            "DISC-AS-ISSUER-FORMAT"
        ),
        Warn
    );
    assert_eq!(
        status_of(&with("issuer", json!(null)), "DISC-AS-ISSUER-FORMAT"),
        Fail
    );
}

// ---------------------------------------------------------------- DISC-AS-CONSISTENT

#[test]
fn disc_as_consistent() {
    assert_eq!(
        status_of(&served_at_oauth(&good_doc()), "DISC-AS-CONSISTENT"),
        Skip
    );
    let same = issuer_evidence(json(&good_doc()), not_found(), json(&good_doc()));
    assert_eq!(status_of(&same, "DISC-AS-CONSISTENT"), Pass);
    let mut other = good_doc();
    other["token_endpoint"] = json!("https://auth.example.com/other/token");
    let differ = issuer_evidence(json(&good_doc()), not_found(), json(&other));
    let f = finding(&differ, "DISC-AS-CONSISTENT");
    assert_eq!(f.status, Warn);
    assert!(f.detail.contains("token_endpoint"));
}

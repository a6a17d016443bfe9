//! Tests of AS-RESPONSE-MODES, AS-AUTHZ-AUDIENCE-PINNED and of
//! AS-PKCE-PRESENT on an OpenID Connect document served besides RFC 8414,
//! on real published documents.

use serde_json::json;

use crate::clients::{client_paths, id};
use crate::test_support::*;
use crate::Status::*;

// ---------------------------------------------------------------- AS-RESPONSE-MODES

/// Vercel lists only `web_message.opener`: a warning, and every client row
/// that gets through says the code may not arrive, not a plain "works".
#[test]
fn as_response_modes_warns_on_real_vercel_and_the_client_rows_say_why() {
    let mut doc = real_metadata("vercel--oauth-as.json");
    // Served as the test issuer's document; only its issuer is rewritten.
    doc["issuer"] = json!(ISSUER);
    let ev = served_at_oauth(&doc);
    let f = finding(&ev, "AS-RESPONSE-MODES");
    assert_eq!(f.status, Warn, "{}", f.detail);
    assert!(
        f.detail
            .contains("lists only web_message.opener, not query"),
        "{}",
        f.detail
    );
    let analysis = crate::Analysis::new(&ev);
    let rows = client_paths(analysis.primary().unwrap());
    let working: Vec<_> = rows.iter().filter(|c| c.works).collect();
    assert!(working.len() >= 3, "{rows:#?}");
    for c in working {
        assert!(c.detail.contains("may not deliver"), "{c:?}");
    }
}

#[test]
fn as_response_modes_passes_with_query_or_without_the_member() {
    let google = real_metadata("google--oauth-as.json");
    let f = finding(&served_at_oauth(&google), "AS-RESPONSE-MODES");
    assert_eq!(f.status, Pass, "{}", f.detail);
    let f = finding(&served_at_oauth(&good_doc()), "AS-RESPONSE-MODES");
    assert_eq!(f.status, Pass);
    assert!(f.detail.contains("default"), "{}", f.detail);
    assert_eq!(
        status_of(
            &with("response_modes_supported", json!([])),
            "AS-RESPONSE-MODES"
        ),
        Warn
    );
    // Without the warning, rows carry no caveat.
    let ev = served_at_oauth(&good_doc());
    let analysis = crate::Analysis::new(&ev);
    assert!(client_paths(analysis.primary().unwrap())
        .iter()
        .all(|c| !c.detail.contains("query")));
}

// ---------------------------------------------------------------- AS-PKCE-PRESENT

/// WorkOS AuthKit's OIDC document has no `code_challenge_methods_supported`;
/// paired with an RFC 8414 document that has it (the same document plus
/// `["S256"]`), both with the test issuer: a failure of its own naming the
/// OIDC document and the client that reads it, not only DISC-AS-CONSISTENT.
#[test]
fn as_pkce_present_fails_for_the_real_workos_oidc_document_served_besides_rfc8414() {
    let mut oidc = real_metadata("workos-authkit--oidc.json");
    oidc["issuer"] = json!(ISSUER);
    let mut rfc8414 = oidc.clone();
    rfc8414["code_challenge_methods_supported"] = json!(["S256"]);
    let ev = issuer_evidence(json(&rfc8414), not_found(), json(&oidc));
    let oidc_url = &ev.authorization_servers[0].attempts[2].url;
    let f = finding(&ev, "AS-PKCE-PRESENT");
    assert_eq!(f.status, Fail, "{}", f.detail);
    assert!(
        f.detail
            .contains(&format!("the OpenID Connect document at {oidc_url} has no"))
            && f.detail.contains("Logto mcp-auth, type 'oidc'"),
        "{}",
        f.detail
    );
    assert!(f.hint.contains(oidc_url.as_str()), "{}", f.hint);
    // The row named refuses, as the detail says.
    let analysis = crate::Analysis::new(&ev);
    let logto = client_paths(analysis.primary().unwrap())
        .into_iter()
        .find(|c| c.id == id::LOGTO_OIDC)
        .unwrap();
    assert!(!logto.works, "{logto:?}");
    // With the member in both, it passes.
    let ev = issuer_evidence(json(&rfc8414), not_found(), json(&rfc8414));
    assert_eq!(status_of(&ev, "AS-PKCE-PRESENT"), Pass);
}

// ---------------------------------------------------------------- AS-AUTHZ-AUDIENCE-PINNED

/// Auth0's real document with its `authorization_endpoint` (only that URL
/// changed) pinning `audience=` another API, listed by a PRM whose resource
/// is the MCP server.
fn auth0_listed(authorization_endpoint: Option<&str>) -> crate::evidence::Evidence {
    let mut doc = real_metadata("auth0--oidc.json");
    let issuer = doc["issuer"].as_str().unwrap().to_owned();
    if let Some(url) = authorization_endpoint {
        doc["authorization_endpoint"] = json!(url);
    }
    let mut prm = good_prm();
    prm["authorization_servers"] = json!([issuer]);
    mcp_with_server(&prm, &issuer, vec![not_found(), json(&doc)])
}

#[test]
fn as_authz_audience_pinned_warns_on_another_audience() {
    let base = real_metadata("auth0--oidc.json")["authorization_endpoint"]
        .as_str()
        .unwrap()
        .to_owned();
    let ev = auth0_listed(Some(&format!(
        "{base}?audience=https%3A%2F%2Fapi.example.com"
    )));
    let f = finding(&ev, "AS-AUTHZ-AUDIENCE-PINNED");
    assert_eq!(f.status, Warn, "{}", f.detail);
    assert!(
        f.detail.contains("'https://api.example.com'") && f.detail.contains(MCP),
        "{}",
        f.detail
    );
    // The MCP server's own resource pinned is fine; so is no audience.
    let ev = auth0_listed(Some(&format!("{base}?audience={MCP}")));
    assert_eq!(status_of(&ev, "AS-AUTHZ-AUDIENCE-PINNED"), Pass);
    assert_eq!(
        status_of(&auth0_listed(None), "AS-AUTHZ-AUDIENCE-PINNED"),
        Pass
    );
}

#[test]
fn as_authz_audience_pinned_skips_without_a_prm() {
    let mut doc = real_metadata("auth0--oidc.json");
    doc["authorization_endpoint"] = json!("https://tenant.example/authorize?audience=x");
    let f = finding(&served_at_oidc_append(&doc), "AS-AUTHZ-AUDIENCE-PINNED");
    assert_eq!(f.status, Skip, "{}", f.detail);
}

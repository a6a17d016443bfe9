//! Tests of DISC-PROTOCOL-HEADER: the candidates' GETs carry the header, as
//! `ProbeRequest::metadata_get` sends them; the comparison GET does not.

use crate::evidence::requests::MCP_PROTOCOL_VERSION;
use crate::evidence::{Evidence, Exchange, Header, ProbeKind};
use crate::test_support::*;
use crate::Status::*;

const ID: &str = "DISC-PROTOCOL-HEADER";

/// Every candidate's request carries `MCP-Protocol-Version`.
fn with_header(mut ev: Evidence) -> Evidence {
    for a in &mut ev.authorization_servers[0].attempts {
        if let Some(ex) = a.exchange.as_mut() {
            ex.request.headers.push(Header {
                name: "mcp-protocol-version".into(),
                value: MCP_PROTOCOL_VERSION.into(),
            });
        }
    }
    ev
}

/// The comparison GET of the `i`th candidate, answered with `ex`.
fn compared(ev: Evidence, i: usize, mut ex: Exchange) -> Evidence {
    ex.request.url = ev.authorization_servers[0].attempts[i].url.clone();
    with_server_probe(ev, ProbeKind::AsMetadataWithoutVersion, ex)
}

fn refused() -> Exchange {
    response(400, "application/json", r#"{"error":"invalid_request"}"#)
}

#[test]
fn disc_protocol_header_warns_when_the_header_causes_a_400() {
    // Only the RFC 8414 URL serves the document, and only without the header.
    let ev = with_header(issuer_evidence(refused(), not_found(), not_found()));
    let ev = compared(ev, 0, json(&good_doc()));
    let f = finding(&ev, ID);
    assert_eq!(f.status, Warn, "{}", f.detail);
    assert!(f.detail.contains("answers 400 to a GET with MCP-Protocol-Version: 2026-07-28 and metadata document without it"), "{}", f.detail);
    // A 403 with the header and a 404 without is the header's doing too;
    // a later candidate that serves the document is named.
    let forbidden = response(403, "text/plain", "forbidden");
    let ev = with_header(issuer_evidence(forbidden, json(&good_doc()), not_found()));
    let ev = compared(ev, 0, not_found());
    let f = finding(&ev, ID);
    assert_eq!(f.status, Warn, "{}", f.detail);
    assert!(f.detail.contains("find the metadata at https://auth.example.com/.well-known/openid-configuration/tenant1"), "{}", f.detail);
}

#[test]
fn disc_protocol_header_passes_when_the_document_is_served_with_the_header() {
    let ev = compared(
        with_header(served_at_oauth(&good_doc())),
        0,
        json(&good_doc()),
    );
    let f = finding(&ev, ID);
    assert_eq!(f.status, Pass, "{}", f.detail);
    // Evidence recorded before the comparison existed.
    let f = finding(&with_header(served_at_oauth(&good_doc())), ID);
    assert_eq!(f.status, Pass, "{}", f.detail);
}

#[test]
fn disc_protocol_header_passes_when_the_error_is_the_same_without_the_header() {
    let ev = with_header(issuer_evidence(refused(), not_found(), not_found()));
    let f = finding(&compared(ev, 0, refused()), ID);
    assert_eq!(f.status, Pass, "{}", f.detail);
    assert!(f.detail.contains("not the header's doing"), "{}", f.detail);
}

#[test]
fn disc_protocol_header_skips_without_a_comparison() {
    // Nothing served, nothing compared.
    let ev = with_header(issuer_evidence(not_found(), not_found(), not_found()));
    assert_eq!(status_of(&ev, ID), Skip);
    // The comparison got no answer.
    let ev = with_header(issuer_evidence(refused(), not_found(), not_found()));
    let mut lost = not_found();
    lost.response = None;
    assert_eq!(status_of(&compared(ev, 0, lost), ID), Skip);
    // A request that did not carry the header says nothing.
    let ev = compared(served_at_oauth(&good_doc()), 0, json(&good_doc()));
    assert_eq!(status_of(&ev, ID), Skip);
}

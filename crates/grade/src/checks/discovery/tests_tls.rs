//! Tests of SEC-TLS-VALID.

use crate::evidence::{Exchange, ProbeKind, TransportError, TransportErrorKind};
use crate::test_support::*;
use crate::Status::*;

/// An exchange that never got an answer, for `message`.
fn failed(kind: TransportErrorKind, message: &str) -> Exchange {
    let mut ex = not_found();
    ex.response = None;
    ex.error = Some(TransportError {
        kind,
        message: message.into(),
    });
    ex
}

const UNKNOWN_ISSUER: &str =
    "invalid peer certificate: UnknownIssuer (TLS; --cacert FILE trusts a private CA)";

#[test]
fn sec_tls_valid_fails_with_the_tls_error() {
    let cert = || failed(TransportErrorKind::Connect, UNKNOWN_ISSUER);
    let ev = issuer_evidence(cert(), cert(), cert());
    let f = finding(&ev, "SEC-TLS-VALID");
    assert_eq!(f.status, Fail, "{}", f.detail);
    // One line per host and error, not one per request.
    assert_eq!(
        f.detail,
        format!("certificate refused: auth.example.com: {UNKNOWN_ISSUER}")
    );
}

#[test]
fn sec_tls_valid_fails_on_an_endpoint_probe_too() {
    let mut refused = failed(
        TransportErrorKind::Connect,
        "invalid peer certificate: NotValidForName",
    );
    refused.request.url = "https://token.example.net/token".into();
    let ev = with_server_probe(good_mcp(), ProbeKind::CorsToken, refused);
    let f = finding(&ev, "SEC-TLS-VALID");
    assert_eq!(f.status, Fail, "{}", f.detail);
    assert!(
        f.detail
            .contains("token.example.net: invalid peer certificate: NotValidForName"),
        "{}",
        f.detail
    );
}

#[test]
fn sec_tls_valid_passes_when_https_requests_were_answered() {
    let f = finding(&served_at_oauth(&good_doc()), "SEC-TLS-VALID");
    assert_eq!(f.status, Pass, "{}", f.detail);
    assert!(
        f.detail.contains("4 https requests answered"),
        "{}",
        f.detail
    );
}

#[test]
fn sec_tls_valid_skips_over_plain_http_or_without_an_answer() {
    let mut ev = served_at_oauth(&good_doc());
    for a in &mut ev.authorization_servers[0].attempts {
        let ex = a.exchange.as_mut().unwrap();
        ex.request.url = ex.request.url.replace("https://", "http://");
    }
    assert_eq!(status_of(&ev, "SEC-TLS-VALID"), Skip);
    // Refused connections and timeouts say nothing about certificates.
    let refused = || {
        failed(
            TransportErrorKind::Connect,
            "Connection refused (os error 111)",
        )
    };
    let timeout = failed(TransportErrorKind::Timeout, "no answer within the timeout");
    let mut ev = issuer_evidence(refused(), refused(), timeout);
    // The diagnostic candidate too.
    ev.authorization_servers[0].attempts[3].exchange = Some(refused());
    let f = finding(&ev, "SEC-TLS-VALID");
    assert_eq!(f.status, Skip, "{}", f.detail);
}

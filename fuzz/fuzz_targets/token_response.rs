//! The token response reader and the DPoP nonce parsing (how a token
//! endpoint and a resource demand a nonce): never panic, always terminate;
//! every error is one line without control characters, and an accepted
//! nonce is only `NQCHAR`s (RFC 9449 §8.1).
//!
//! Input: `STATUS[ NONCE]`, then `WWW-Authenticate` fields one per line, an
//! empty line, and the body.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcp_auth_evidence::{dpop, token_response};

fn one_line(text: &str) {
    assert!(!text.chars().any(char::is_control), "{text:?}");
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (head, body) = text.split_once("\n\n").unwrap_or((&text, ""));
    let mut lines = head.split('\n');
    let first = lines.next().unwrap_or("");
    let (status, nonce) = first.split_once(' ').unwrap_or((first, ""));
    let status: u16 = status.parse().unwrap_or(400);
    let nonce = (!nonce.is_empty()).then_some(nonce);
    let challenges: Vec<&str> = lines.collect();

    for types in [&["Bearer"][..], &["DPoP"], &["DPoP", "Bearer", "N_A"]] {
        match token_response::read(status, body, "https://as.example/token", types) {
            Ok(t) => {
                assert!(!t.access_token.is_empty());
                assert!(types.iter().any(|x| x.eq_ignore_ascii_case(&t.token_type)));
                let _ = format!("{t:?}");
            }
            Err(e) => one_line(&e.to_string()),
        }
    }
    for demand in [
        dpop::token_endpoint_demand(status, body, nonce),
        dpop::resource_demand(status, &challenges, nonce),
    ] {
        match demand {
            Some(Ok(n)) => assert!(dpop::nonce(&n).is_ok()),
            Some(Err(e)) => one_line(&e.to_string()),
            None => {}
        }
    }
    if let Some(n) = nonce {
        if let Ok(v) = dpop::nonce(n) {
            assert!(v
                .bytes()
                .all(|b| (0x21..=0x7e).contains(&b) && b != b'"' && b != b'\\'));
        }
    }
    let _ = dpop::offered(nonce);
});

//! DPoP (RFC 9449) as the client reads it: the `DPoP-Nonce` syntax (§8.1)
//! and how a server demands a nonce, a token endpoint with a 400
//! `use_dpop_nonce` error (§8) and a resource with a `WWW-Authenticate`
//! challenge whose `error` is `use_dpop_nonce` (§9); and whether an MCP
//! server takes DPoP-bound tokens at all. Pure; the proofs themselves are
//! signed in `mcp-auth-net`.

use crate::metadata::ResourceMetadata;
use crate::token_response::oauth_error;
use crate::www_authenticate;

/// The response header a server gives a nonce in.
pub const NONCE_HEADER: &str = "dpop-nonce";

/// The error code of a nonce demand (RFC 9449 §8, §9).
pub const USE_DPOP_NONCE: &str = "use_dpop_nonce";

/// The longest nonce accepted: a nonce is echoed in every proof.
pub const MAX_NONCE_LEN: usize = 1024;

/// Why a `DPoP-Nonce` value cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NonceError {
    #[error("it gave no DPoP-Nonce header")]
    Missing,
    #[error("its DPoP-Nonce header is empty")]
    Empty,
    #[error("its DPoP-Nonce header is {0} characters long (at most {MAX_NONCE_LEN} are accepted)")]
    TooLong(usize),
    #[error("its DPoP-Nonce header has {what} at character {at} (RFC 9449 §8.1 allows visible ASCII but '\"' and '\\')")]
    Character { what: String, at: usize },
}

/// `nonce = 1*NQCHAR`, `NQCHAR = %x21 / %x23-5B / %x5D-7E` (RFC 9449 §8.1).
fn nqchar(c: char) -> bool {
    matches!(c, '\x21' | '\x23'..='\x5b' | '\x5d'..='\x7e')
}

/// A `DPoP-Nonce` header value, if it is a valid nonce.
pub fn nonce(value: &str) -> Result<&str, NonceError> {
    if value.is_empty() {
        return Err(NonceError::Empty);
    }
    let len = value.chars().count();
    if len > MAX_NONCE_LEN {
        return Err(NonceError::TooLong(len));
    }
    match value.chars().enumerate().find(|(_, c)| !nqchar(*c)) {
        None => Ok(value),
        Some((at, c)) => Err(NonceError::Character {
            what: describe(c),
            at: at + 1,
        }),
    }
}

/// A character a nonce may not have, named without printing it raw.
fn describe(c: char) -> String {
    match c {
        ' ' => "a space".to_owned(),
        '"' => "a quote".to_owned(),
        '\\' => "a backslash".to_owned(),
        c if c.is_control() => format!("a control character (U+{:04X})", u32::from(c)),
        c => format!("a non-ASCII character (U+{:04X})", u32::from(c)),
    }
}

/// A header value without the optional whitespace around it (RFC 9110 §5.5:
/// spaces and tabs, nothing else).
fn ows(value: &str) -> &str {
    value.trim_matches([' ', '\t'])
}

/// A nonce the server offers on any answer (RFC 9449 §8.2, §9), for the
/// next request: a valid one, else none.
pub fn offered(header: Option<&str>) -> Option<String> {
    header.and_then(|h| nonce(ows(h)).ok()).map(str::to_owned)
}

/// The nonce a demand gives, or why it gives none usable.
fn demanded(header: Option<&str>) -> Result<String, NonceError> {
    let h = header.ok_or(NonceError::Missing)?;
    nonce(ows(h)).map(str::to_owned)
}

/// Whether a token endpoint's answer demands a nonce (a non-2xx with the
/// OAuth error `use_dpop_nonce`), and if so the nonce of its `DPoP-Nonce`
/// header or why it is unusable.
pub fn token_endpoint_demand(
    status: u16,
    body: &str,
    header: Option<&str>,
) -> Option<Result<String, NonceError>> {
    if (200..300).contains(&status) {
        return None;
    }
    let (code, _) = oauth_error(body)?;
    (code == USE_DPOP_NONCE).then(|| demanded(header))
}

/// Whether a resource's answer demands a nonce (a 401 with a challenge
/// whose `error` is `use_dpop_nonce`, RFC 9449 §9), and if so the nonce of
/// its `DPoP-Nonce` header or why it is unusable.
pub fn resource_demand(
    status: u16,
    www_authenticate: &[&str],
    header: Option<&str>,
) -> Option<Result<String, NonceError>> {
    if status != 401 {
        return None;
    }
    let parsed = www_authenticate::parse(www_authenticate);
    let asks = parsed.challenges.iter().any(|c| {
        c.param("error")
            .is_some_and(|e| e.value.eq_ignore_ascii_case(USE_DPOP_NONCE))
    });
    asks.then(|| demanded(header))
}

/// Whether an MCP server shows that it takes DPoP-bound tokens: its
/// challenge offers the `DPoP` scheme (RFC 9449 §7.1), or its protected
/// resource metadata lists `alg` in `dpop_signing_alg_values_supported` or
/// sets `dpop_bound_access_tokens_required` (RFC 9728 §2).
pub fn resource_takes_dpop(
    challenge: &www_authenticate::Parsed,
    prm: &ResourceMetadata,
    alg: &str,
) -> bool {
    challenge
        .challenges
        .iter()
        .any(|c| c.scheme.eq_ignore_ascii_case("dpop"))
        || prm
            .dpop_signing_alg_values_supported
            .as_ref()
            .is_some_and(|l| l.iter().any(|a| a == alg))
        || prm.dpop_bound_access_tokens_required == Some(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_resource_takes_dpop_by_its_challenge_or_its_metadata() {
        let bearer = www_authenticate::parse(&[r#"Bearer resource_metadata="https://x/""#]);
        let dpop = www_authenticate::parse(&[r#"Bearer realm="x", DPoP algs="ES256""#]);
        let none = ResourceMetadata::default();
        assert!(!resource_takes_dpop(&bearer, &none, "ES256"));
        assert!(resource_takes_dpop(&dpop, &none, "ES256"));
        let listing = |algs: &[&str]| ResourceMetadata {
            dpop_signing_alg_values_supported: Some(algs.iter().map(|s| (*s).to_owned()).collect()),
            ..ResourceMetadata::default()
        };
        assert!(resource_takes_dpop(&bearer, &listing(&["ES256"]), "ES256"));
        assert!(!resource_takes_dpop(&bearer, &listing(&["RS256"]), "ES256"));
        let required = ResourceMetadata {
            dpop_bound_access_tokens_required: Some(true),
            ..ResourceMetadata::default()
        };
        assert!(resource_takes_dpop(&bearer, &required, "ES256"));
    }

    #[test]
    fn nonces_are_visible_ascii_without_quotes_or_backslashes() {
        assert_eq!(
            nonce("eyJ7S_zG.eyJH0-Z.HX4w-7v"),
            Ok("eyJ7S_zG.eyJH0-Z.HX4w-7v")
        );
        assert_eq!(nonce("!#[]~"), Ok("!#[]~"));
        assert_eq!(nonce(""), Err(NonceError::Empty));
        for (bad, what) in [
            ("a b", "a space"),
            ("a\"b", "a quote"),
            ("a\\b", "a backslash"),
            ("a\tb", "a control character (U+0009)"),
            ("a\u{1}b", "a control character (U+0001)"),
            ("a\u{7f}b", "a control character (U+007F)"),
            ("a\nb", "a control character (U+000A)"),
            ("aéb", "a non-ASCII character (U+00E9)"),
        ] {
            let e = nonce(bad).unwrap_err();
            assert_eq!(
                e,
                NonceError::Character {
                    what: what.to_owned(),
                    at: 2
                },
                "{bad:?}"
            );
            let text = e.to_string();
            assert!(!text.chars().any(char::is_control), "{text:?}");
        }
        let long = "n".repeat(MAX_NONCE_LEN + 1);
        assert_eq!(nonce(&long), Err(NonceError::TooLong(MAX_NONCE_LEN + 1)));
        assert!(nonce(&long[1..]).is_ok());
    }

    #[test]
    fn a_token_endpoint_demands_a_nonce_with_use_dpop_nonce() {
        let body = r#"{"error":"use_dpop_nonce","error_description":"Authorization server requires nonce in DPoP proof"}"#;
        assert_eq!(
            token_endpoint_demand(400, body, Some("n-1")),
            Some(Ok("n-1".to_owned()))
        );
        assert_eq!(
            token_endpoint_demand(400, body, None),
            Some(Err(NonceError::Missing))
        );
        assert!(matches!(
            token_endpoint_demand(400, body, Some("n\u{1}")),
            Some(Err(NonceError::Character { .. }))
        ));
        // Another error, even with a nonce header, is not a demand; nor is a success.
        assert_eq!(
            token_endpoint_demand(400, r#"{"error":"invalid_grant"}"#, Some("n")),
            None
        );
        assert_eq!(token_endpoint_demand(200, body, Some("n")), None);
        assert_eq!(token_endpoint_demand(400, "not json", Some("n")), None);
    }

    #[test]
    fn a_resource_demands_a_nonce_in_its_challenge() {
        let challenge = [
            r#"DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof""#,
        ];
        assert_eq!(
            resource_demand(401, &challenge, Some("r-1")),
            Some(Ok("r-1".to_owned()))
        );
        assert_eq!(
            resource_demand(401, &challenge, Some("")),
            Some(Err(NonceError::Empty))
        );
        assert_eq!(resource_demand(403, &challenge, Some("r-1")), None);
        let other = [r#"DPoP error="invalid_token", resource_metadata="https://x/""#];
        assert_eq!(resource_demand(401, &other, Some("r-1")), None);
        assert_eq!(resource_demand(401, &[], Some("r-1")), None);
    }

    #[test]
    fn an_offered_nonce_is_kept_only_when_valid() {
        assert_eq!(offered(Some(" n-2\t")), Some("n-2".to_owned()));
        // Unicode whitespace is not HTTP's: U+0085 is a control character.
        assert_eq!(offered(Some("\u{85}")), None);
        assert_eq!(offered(Some("n 2")), None);
        assert_eq!(offered(None), None);
    }
}

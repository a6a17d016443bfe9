//! Reading a token endpoint's answer (RFC 6749 §5.1, §5.2; RFC 8693 §2.2;
//! RFC 9449 §5): the one reader of every grant's response. Pure, so the fuzz
//! target reaches it: tokens, or why not as one line that never contains a
//! token value.

use serde_json::{Map, Value};

use crate::metadata::{ErrorResponse, Lenient, TokenResponse};

/// A successful token response. `Debug` never shows the token values.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenAnswer {
    pub access_token: String,
    /// As served (`Bearer`, `DPoP`, `N_A` for token exchange).
    pub token_type: String,
    pub expires_in: Option<u64>,
    pub refresh_token: Option<String>,
    pub scope: Option<String>,
    pub id_token: Option<String>,
    /// RFC 8693 §2.2.1.
    pub issued_token_type: Option<String>,
}

impl std::fmt::Debug for TokenAnswer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shown = |o: &Option<String>| o.as_ref().map(|_| "[redacted]");
        f.debug_struct("TokenAnswer")
            .field("access_token", &"[redacted]")
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .field("refresh_token", &shown(&self.refresh_token))
            .field("scope", &self.scope)
            .field("id_token", &shown(&self.id_token))
            .field("issued_token_type", &self.issued_token_type)
            .finish()
    }
}

/// Why a token response gave no tokens; each displays as one line naming the endpoint.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenResponseError {
    #[error("the token endpoint refused: {code}{}", .description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default())]
    Refused {
        /// The OAuth error code, on one line.
        code: String,
        description: Option<String>,
    },
    #[error("the token endpoint {endpoint} answered {status} without an OAuth error")]
    NoOauthError { endpoint: String, status: u16 },
    #[error("the token response from {endpoint} is not a JSON object")]
    NotAnObject { endpoint: String },
    #[error("the token response from {endpoint}: {member} is a {found}, not a {expected}")]
    MemberType {
        endpoint: String,
        member: String,
        found: &'static str,
        expected: &'static str,
    },
    #[error("the token response from {endpoint} has no access_token")]
    NoAccessToken { endpoint: String },
    #[error("the token response from {endpoint} has no token_type")]
    NoTokenType { endpoint: String },
    #[error("the token response from {endpoint} has token_type '{found}', expected {}", .expected.join(" or "))]
    TokenType {
        endpoint: String,
        /// As served, on one line.
        found: String,
        expected: Vec<String>,
    },
}

/// A server's text on one line, at most 200 characters.
pub fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(200)
        .collect()
}

/// The OAuth error (`error`, `error_description`) of a JSON error body, if any.
pub fn oauth_error(body: &str) -> Option<(String, Option<String>)> {
    let object = json_object(body)?;
    let e = ErrorResponse::from_object(&object).0;
    e.error.map(|c| (c, e.error_description))
}

fn json_object(body: &str) -> Option<Map<String, Value>> {
    match serde_json::from_str::<Value>(body).ok()? {
        Value::Object(o) => Some(o),
        _ => None,
    }
}

/// Read the answer of `endpoint` with `status` and `body`; `token_types` are
/// the accepted `token_type` values, compared case-insensitively (RFC 6749 §7.1).
pub fn read(
    status: u16,
    body: &str,
    endpoint: &str,
    token_types: &[&str],
) -> Result<TokenAnswer, TokenResponseError> {
    let endpoint = endpoint.to_owned();
    if !(200..300).contains(&status) {
        return Err(match oauth_error(body) {
            Some((code, description)) => TokenResponseError::Refused {
                code: one_line(&code),
                description: description.as_deref().map(one_line),
            },
            None => TokenResponseError::NoOauthError { endpoint, status },
        });
    }
    let Some(object) = json_object(body) else {
        return Err(TokenResponseError::NotAnObject { endpoint });
    };
    let (t, errors) = TokenResponse::from_object(&object);
    if let Some(e) = errors.into_iter().next() {
        return Err(TokenResponseError::MemberType {
            endpoint,
            member: one_line(&e.member),
            found: e.found,
            expected: e.expected,
        });
    }
    let Some(access_token) = t.access_token.filter(|a| !a.is_empty()) else {
        return Err(TokenResponseError::NoAccessToken { endpoint });
    };
    let Some(token_type) = t.token_type else {
        return Err(TokenResponseError::NoTokenType { endpoint });
    };
    if !token_types
        .iter()
        .any(|x| x.eq_ignore_ascii_case(&token_type))
    {
        return Err(TokenResponseError::TokenType {
            endpoint,
            found: one_line(&token_type),
            expected: token_types.iter().map(|s| (*s).to_owned()).collect(),
        });
    }
    Ok(TokenAnswer {
        access_token,
        token_type,
        expires_in: t.expires_in,
        refresh_token: t.refresh_token,
        scope: t.scope,
        id_token: t.id_token,
        issued_token_type: t.issued_token_type,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const AT: &str = "https://as.example/token";

    fn err(status: u16, body: &str) -> String {
        read(status, body, AT, &["Bearer"]).unwrap_err().to_string()
    }

    #[test]
    fn a_bearer_response_is_read_and_debug_hides_the_tokens() {
        let t = read(
            200,
            r#"{"access_token":"at-1","token_type":"bearer","expires_in":60,"refresh_token":"rt-1","id_token":"it-1","scope":"a b","x":1}"#,
            AT,
            &["Bearer"],
        )
        .unwrap();
        assert_eq!(t.access_token, "at-1");
        assert_eq!(t.token_type, "bearer");
        assert_eq!(t.expires_in, Some(60));
        assert_eq!(t.scope.as_deref(), Some("a b"));
        let debug = format!("{t:?}");
        for secret in ["at-1", "rt-1", "it-1"] {
            assert!(!debug.contains(secret), "{debug}");
        }
    }

    #[test]
    fn a_dpop_token_type_is_accepted_only_when_asked_for() {
        let body = r#"{"access_token":"a","token_type":"DPoP"}"#;
        assert_eq!(read(200, body, AT, &["DPoP"]).unwrap().token_type, "DPoP");
        assert_eq!(
            err(200, body),
            "the token response from https://as.example/token has token_type 'DPoP', expected Bearer"
        );
        let bearer = r#"{"access_token":"a","token_type":"Bearer"}"#;
        assert!(read(200, bearer, AT, &["DPoP"]).is_err());
        assert!(read(200, bearer, AT, &["DPoP", "Bearer"]).is_ok());
    }

    #[test]
    fn hostile_token_responses_are_one_line_errors() {
        for (status, body, expect) in [
            (200, "not json", "is not a JSON object"),
            (200, "[1]", "is not a JSON object"),
            (200, r#"{"token_type":"Bearer"}"#, "has no access_token"),
            (
                200,
                r#"{"access_token":"","token_type":"Bearer"}"#,
                "has no access_token",
            ),
            (200, r#"{"access_token":"a"}"#, "has no token_type"),
            (
                200,
                r#"{"access_token":"a","token_type":"mac"}"#,
                "token_type 'mac', expected Bearer",
            ),
            (
                200,
                r#"{"access_token":"a","token_type":"x\u0007\ny"}"#,
                "token_type 'x  y', expected Bearer",
            ),
            (
                200,
                r#"{"access_token":"a","token_type":"Bearer","expires_in":"60"}"#,
                "expires_in is a string, not a number",
            ),
            (
                200,
                r#"{"access_token":7,"token_type":"Bearer"}"#,
                "access_token is a number",
            ),
            (
                400,
                r#"{"error":"invalid_grant","error_description":"bad\ncode"}"#,
                "refused: invalid_grant (bad code)",
            ),
            (400, r#"{"error":"a\r\nb"}"#, "refused: a  b"),
            (500, "<html>", "answered 500 without an OAuth error"),
        ] {
            let e = err(status, body);
            assert!(e.contains(expect), "{body}: {e}");
            assert!(!e.chars().any(char::is_control), "{e:?}");
        }
    }

    #[test]
    fn the_oauth_error_of_a_body() {
        assert_eq!(
            oauth_error(r#"{"error":"use_dpop_nonce","error_description":"d"}"#),
            Some(("use_dpop_nonce".to_owned(), Some("d".to_owned())))
        );
        assert_eq!(oauth_error(r#"{"error":7}"#), None);
        assert_eq!(oauth_error("[]"), None);
    }
}

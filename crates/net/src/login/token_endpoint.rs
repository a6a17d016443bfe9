//! Every token endpoint request of a login: the authorization code
//! exchange, refresh, client credentials, the JWT bearer grant and token
//! exchange. One form POST through the prober (capped, redacted, recorded),
//! the client authenticated as [`Client`] says, and one reading of the
//! answer: an OAuth error as one line, a success as [`Tokens`] with its
//! secrets wrapped.

use crate::metadata::{ErrorResponse, Lenient, TokenResponse};
use crate::probe::{ProbeRequest, Prober};
use crate::token_store::Secret;

use super::client::Client;
use super::LoginError;

/// A token endpoint's answer, its secrets wrapped.
#[derive(Debug, Clone)]
pub struct Tokens {
    pub access_token: Secret,
    /// As served (`Bearer`, `DPoP`, `N_A` for token exchange).
    pub token_type: String,
    pub expires_in: Option<u64>,
    pub refresh_token: Option<Secret>,
    pub scope: Option<String>,
    pub id_token: Option<Secret>,
    /// RFC 8693 §2.2.1.
    pub issued_token_type: Option<String>,
}

/// One token request: where, the grant's parameters (with `grant_type`),
/// and the token types the caller accepts.
#[derive(Debug, Clone)]
pub struct TokenRequest<'a> {
    pub endpoint: &'a str,
    /// The issuer, the audience of a `private_key_jwt` assertion.
    pub issuer: &'a str,
    pub params: Vec<(String, String)>,
    /// Accepted `token_type` values, compared case-insensitively (RFC 6749 §7.1).
    pub token_types: &'a [&'a str],
}

impl<'a> TokenRequest<'a> {
    pub fn new(endpoint: &'a str, issuer: &'a str, grant_type: &str) -> Self {
        Self {
            endpoint,
            issuer,
            params: vec![("grant_type".to_owned(), grant_type.to_owned())],
            token_types: &["Bearer"],
        }
    }

    pub fn param(mut self, name: &str, value: impl Into<String>) -> Self {
        self.params.push((name.to_owned(), value.into()));
        self
    }

    pub fn param_opt(self, name: &str, value: Option<&str>) -> Self {
        match value {
            Some(v) => self.param(name, v),
            None => self,
        }
    }
}

/// Send a token request as `client` and read the answer.
pub async fn request(
    prober: &Prober,
    client: &Client,
    req: &TokenRequest<'_>,
) -> Result<Tokens, LoginError> {
    let (mut fields, authorization) = client.authentication(req.issuer)?;
    fields.splice(0..0, req.params.iter().cloned());
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let mut probe = ProbeRequest::form_post(req.endpoint, &pairs);
    if let Some(a) = authorization {
        probe = probe.header("authorization", a);
    }
    let (ex, raw) = prober.send_keeping_secrets(probe).await;
    let Some(resp) = &ex.response else {
        return Err(LoginError::Unreachable(format!(
            "token request to {} failed: {}",
            req.endpoint,
            ex.failure()
        )));
    };
    read_response(resp.status, raw.as_deref().unwrap_or(""), req)
}

/// The answer of a token endpoint: tokens, or why not, in one line.
pub fn read_response(
    status: u16,
    body: &str,
    req: &TokenRequest<'_>,
) -> Result<Tokens, LoginError> {
    let endpoint = req.endpoint;
    let object = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.as_object().cloned());
    if !(200..300).contains(&status) {
        let error = object
            .as_ref()
            .map(|o| ErrorResponse::from_object(o).0)
            .and_then(|e| e.error.map(|c| (c, e.error_description)));
        return Err(LoginError::Refused(match error {
            Some((code, desc)) => format!(
                "the token endpoint refused: {code}{}",
                desc.map(|d| format!(" ({})", one_line(&d)))
                    .unwrap_or_default()
            ),
            None => {
                format!("the token endpoint {endpoint} answered {status} without an OAuth error")
            }
        }));
    }
    let Some(object) = object else {
        return Err(LoginError::Refused(format!(
            "the token response from {endpoint} is not a JSON object"
        )));
    };
    let (t, errors) = TokenResponse::from_object(&object);
    if let Some(e) = errors.first() {
        return Err(LoginError::Refused(format!(
            "the token response from {endpoint}: {} is a {}, not a {}",
            e.member, e.found, e.expected
        )));
    }
    let access_token = t.access_token.filter(|a| !a.is_empty()).ok_or_else(|| {
        LoginError::Refused(format!(
            "the token response from {endpoint} has no access_token"
        ))
    })?;
    let token_type = t.token_type.ok_or_else(|| {
        LoginError::Refused(format!(
            "the token response from {endpoint} has no token_type"
        ))
    })?;
    if !req
        .token_types
        .iter()
        .any(|x| x.eq_ignore_ascii_case(&token_type))
    {
        return Err(LoginError::Refused(format!(
            "the token response from {endpoint} has token_type '{}', expected {}",
            one_line(&token_type),
            req.token_types.join(" or ")
        )));
    }
    Ok(Tokens {
        access_token: Secret::new(access_token),
        token_type,
        expires_in: t.expires_in,
        refresh_token: t.refresh_token.map(Secret::new),
        scope: t.scope,
        id_token: t.id_token.map(Secret::new),
        issued_token_type: t.issued_token_type,
    })
}

/// A server's text on one line, at most 200 characters.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(200)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req() -> TokenRequest<'static> {
        TokenRequest::new(
            "https://as.example/token",
            "https://as.example",
            "authorization_code",
        )
    }

    fn err(status: u16, body: &str) -> String {
        read_response(status, body, &req()).unwrap_err().to_string()
    }

    #[test]
    fn a_bearer_response_is_read_with_its_secrets_wrapped() {
        let t = read_response(
            200,
            r#"{"access_token":"at-1","token_type":"bearer","expires_in":60,"refresh_token":"rt","scope":"a b","x":1}"#,
            &req(),
        )
        .unwrap();
        assert_eq!(t.access_token.expose(), "at-1");
        assert_eq!(t.expires_in, Some(60));
        assert_eq!(t.scope.as_deref(), Some("a b"));
        assert!(!format!("{t:?}").contains("at-1"));
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
            (500, "<html>", "answered 500 without an OAuth error"),
        ] {
            let e = err(status, body);
            assert!(e.contains(expect), "{body}: {e}");
            assert!(!e.contains('\n'), "{e}");
        }
    }
}

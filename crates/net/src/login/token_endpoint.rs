//! Every token endpoint request of a login: the authorization code
//! exchange, refresh, client credentials, the JWT bearer grant and token
//! exchange. One form POST through the prober (capped, redacted, recorded),
//! the client authenticated as [`Client`] says, with a DPoP proof when the
//! request has a key (RFC 9449 §5; a `use_dpop_nonce` answer is retried once
//! with the server's nonce), and one reading of the answer
//! ([`mcp_auth_evidence::token_response`]): an OAuth error as one line, a
//! success as [`Tokens`] with its secrets wrapped.

use crate::dpop::{self, DpopKey, Server};
use crate::evidence::token_response::{self, TokenResponseError};
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
    /// The DPoP key (as cached) the tokens are bound to: the request's,
    /// when the answer's `token_type` is `DPoP`.
    pub dpop_key: Option<Secret>,
}

/// A token request's DPoP key, and whether only a DPoP-bound token will do
/// (`--dpop always`): else a Bearer answer is accepted, unbound.
#[derive(Debug, Clone, Copy)]
pub struct Dpop<'a> {
    pub key: &'a DpopKey,
    pub required: bool,
}

/// One token request: where, the grant's parameters (with `grant_type`),
/// the token types the caller accepts, and the DPoP key, if any.
#[derive(Debug, Clone)]
pub struct TokenRequest<'a> {
    pub endpoint: &'a str,
    /// The issuer, the audience of a `private_key_jwt` assertion.
    pub issuer: &'a str,
    pub params: Vec<(String, String)>,
    /// Accepted `token_type` values, compared case-insensitively (RFC 6749 §7.1).
    pub token_types: &'a [&'a str],
    /// With a key, every attempt carries a fresh proof and `DPoP` is accepted.
    pub dpop: Option<Dpop<'a>>,
}

impl<'a> TokenRequest<'a> {
    pub fn new(endpoint: &'a str, issuer: &'a str, grant_type: &str) -> Self {
        Self {
            endpoint,
            issuer,
            params: vec![("grant_type".to_owned(), grant_type.to_owned())],
            token_types: &["Bearer"],
            dpop: None,
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

    /// Send a DPoP proof with the request (when `dpop` is some).
    pub fn dpop(mut self, dpop: Option<Dpop<'a>>) -> Self {
        self.dpop = dpop;
        self
    }

    /// The `token_type` values to accept: with DPoP, `DPoP` too, and
    /// instead of `Bearer` when only a bound token will do.
    fn accepted(&self) -> Vec<&'a str> {
        let Some(d) = self.dpop else {
            return self.token_types.to_vec();
        };
        let mut types = vec!["DPoP"];
        types.extend(
            self.token_types
                .iter()
                .filter(|t| !(d.required && t.eq_ignore_ascii_case("bearer")))
                .filter(|t| !t.eq_ignore_ascii_case("dpop")),
        );
        types
    }
}

impl From<dpop::DpopError> for LoginError {
    fn from(e: dpop::DpopError) -> Self {
        match e {
            dpop::DpopError::Algorithms { .. } => Self::Metadata(e.to_string()),
            other => Self::Refused(other.to_string()),
        }
    }
}

/// Send a token request as `client` and read the answer.
pub async fn request(
    prober: &Prober,
    client: &Client,
    req: &TokenRequest<'_>,
) -> Result<Tokens, LoginError> {
    // Each attempt authenticates anew: a client assertion's `jti` is used once.
    let build = || -> Result<ProbeRequest, LoginError> {
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
        Ok(probe)
    };
    let key = req.dpop.map(|d| d.key);
    let mut nonce = None;
    let (ex, raw) = dpop::send(prober, key, Server::TokenEndpoint, None, &mut nonce, build).await?;
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
    let t = token_response::read(status, body, req.endpoint, &req.accepted()).map_err(|e| {
        LoginError::Refused(match (&e, req.dpop) {
            (TokenResponseError::TokenType { found, .. }, Some(_))
                if found.eq_ignore_ascii_case("bearer") =>
            {
                format!(
                    "the token endpoint {} answered token_type Bearer to a request with a DPoP proof: the token is not bound to the key, and --dpop always refuses it (--dpop auto accepts it)",
                    req.endpoint
                )
            }
            _ => e.to_string(),
        })
    })?;
    let bound = t.token_type.eq_ignore_ascii_case("dpop");
    Ok(Tokens {
        dpop_key: req.dpop.filter(|_| bound).map(|d| d.key.to_stored()),
        access_token: Secret::new(t.access_token),
        token_type: t.token_type,
        expires_in: t.expires_in,
        refresh_token: t.refresh_token.map(Secret::new),
        scope: t.scope,
        id_token: t.id_token.map(Secret::new),
        issued_token_type: t.issued_token_type,
    })
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
        assert!(t.dpop_key.is_none());
        assert!(!format!("{t:?}").contains("at-1"));
    }

    #[test]
    fn hostile_token_responses_are_one_line_errors() {
        for (status, body, expect) in [
            (200, "[1]", "is not a JSON object"),
            (200, r#"{"access_token":"a"}"#, "has no token_type"),
            (
                200,
                r#"{"access_token":"a","token_type":"DPoP"}"#,
                "token_type 'DPoP', expected Bearer",
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

    #[test]
    fn a_dpop_answer_to_a_proof_is_bound_to_the_key() {
        let key = DpopKey::generate().unwrap();
        for required in [false, true] {
            let r = req().dpop(Some(Dpop {
                key: &key,
                required,
            }));
            let t = read_response(200, r#"{"access_token":"a","token_type":"DPoP"}"#, &r).unwrap();
            let cached = DpopKey::from_stored(t.dpop_key.as_ref().unwrap()).unwrap();
            assert_eq!(cached.thumbprint(), key.thumbprint());
        }
    }

    #[test]
    fn a_bearer_answer_to_a_proof_is_unbound_or_refused_when_dpop_is_required() {
        let key = DpopKey::generate().unwrap();
        let bearer = r#"{"access_token":"a","token_type":"Bearer"}"#;
        let lenient = req().dpop(Some(Dpop {
            key: &key,
            required: false,
        }));
        let t = read_response(200, bearer, &lenient).unwrap();
        assert_eq!(t.token_type, "Bearer");
        assert!(t.dpop_key.is_none(), "a Bearer token is not bound");
        let strict = req().dpop(Some(Dpop {
            key: &key,
            required: true,
        }));
        let e = read_response(200, bearer, &strict).unwrap_err().to_string();
        assert!(
            e.contains("answered token_type Bearer to a request with a DPoP proof"),
            "{e}"
        );
        let e = read_response(200, r#"{"access_token":"a","token_type":"mac"}"#, &strict)
            .unwrap_err()
            .to_string();
        assert!(e.ends_with("token_type 'mac', expected DPoP"), "{e}");
    }
}

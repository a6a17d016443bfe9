//! The login's client and how it authenticates at the token endpoint
//! (RFC 6749 §2.3, OIDC Core §9): `none` (a public client, its id in the
//! body), `client_secret_basic`, `client_secret_post`, or `private_key_jwt`
//! (an RFC 7523 assertion signed with the client's key).

use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::{Deserialize, Serialize};

use crate::metadata::AsMetadata;
use crate::token_store::{now, Secret};

use super::LoginError;

/// How the client authenticates at the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthMethod {
    None,
    ClientSecretBasic,
    ClientSecretPost,
    PrivateKeyJwt,
}

impl AuthMethod {
    /// The registered name (RFC 7591 §2).
    pub fn name(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::ClientSecretBasic => "client_secret_basic",
            Self::ClientSecretPost => "client_secret_post",
            Self::PrivateKeyJwt => "private_key_jwt",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        [
            Self::None,
            Self::ClientSecretBasic,
            Self::ClientSecretPost,
            Self::PrivateKeyJwt,
        ]
        .into_iter()
        .find(|m| m.name() == name)
    }
}

/// A private key for `private_key_jwt` (and the algorithm it signs with).
#[derive(Clone)]
pub struct SigningKey {
    key: EncodingKey,
    pub alg: Algorithm,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({:?}, [redacted])", self.alg)
    }
}

impl SigningKey {
    /// A PEM private key (PKCS#8 EC, RSA or Ed25519). The algorithm is
    /// `alg` when given, else the first of ES256, ES384, RS256, EdDSA the
    /// key can sign with.
    pub fn from_pem(pem: &[u8], alg: Option<&str>, source: &str) -> Result<Self, LoginError> {
        let bad = |why: String| LoginError::Usage(format!("{source}: {why}"));
        let wanted: Vec<Algorithm> = match alg {
            Some(a) => vec![a
                .parse()
                .map_err(|_| bad(format!("unknown signing algorithm '{a}'")))?],
            None => vec![
                Algorithm::ES256,
                Algorithm::ES384,
                Algorithm::RS256,
                Algorithm::EdDSA,
            ],
        };
        for alg in wanted {
            let key = match alg {
                Algorithm::ES256 | Algorithm::ES384 => EncodingKey::from_ec_pem(pem),
                Algorithm::EdDSA => EncodingKey::from_ed_pem(pem),
                _ => EncodingKey::from_rsa_pem(pem),
            };
            let Ok(key) = key else { continue };
            // The key type alone does not say the curve: sign to find out.
            if jsonwebtoken::encode(&Header::new(alg), &serde_json::json!({}), &key).is_ok() {
                return Ok(Self { key, alg });
            }
        }
        Err(bad(match alg {
            Some(a) => format!("not a PEM private key that can sign {a}"),
            None => "not a PEM private key (PKCS#8 EC P-256/P-384, RSA or Ed25519)".to_owned(),
        }))
    }

    /// Sign `claims` as a JWT with `typ` (None: the default `JWT`).
    pub fn sign(
        &self,
        claims: &serde_json::Value,
        typ: Option<&str>,
    ) -> Result<String, LoginError> {
        let mut header = Header::new(self.alg);
        if let Some(t) = typ {
            header.typ = Some(t.to_owned());
        }
        jsonwebtoken::encode(&header, claims, &self.key)
            .map_err(|e| LoginError::Usage(format!("cannot sign with the client key: {e}")))
    }
}

/// The form fields and the `Authorization` header value that authenticate a client.
pub type Authentication = (Vec<(String, String)>, Option<String>);

/// The client a token request authenticates as.
#[derive(Debug, Clone)]
pub struct Client {
    pub id: String,
    pub method: AuthMethod,
    pub secret: Option<Secret>,
    pub key: Option<SigningKey>,
    /// Registered by mcp-auth (RFC 7591), so reusable at the same server.
    pub registered: bool,
    /// The redirect URI it was registered (or used) with.
    pub redirect_uri: Option<String>,
}

impl Client {
    /// A public client (`none`).
    pub fn public(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            method: AuthMethod::None,
            secret: None,
            key: None,
            registered: false,
            redirect_uri: None,
        }
    }

    /// No client: a grant sent without client authentication nor
    /// `client_id` (a workload's assertion alone, RFC 7523 §3.1). Its id is empty.
    pub fn anonymous() -> Self {
        Self::public("")
    }

    /// The client a cached entry used (its key, if any, is not cached).
    pub fn of_entry(e: &crate::token_store::TokenEntry) -> Self {
        Self {
            id: e.client_id.clone(),
            method: e
                .token_endpoint_auth_method
                .as_deref()
                .and_then(AuthMethod::from_name)
                .unwrap_or(AuthMethod::None),
            secret: e.client_secret.clone(),
            key: None,
            registered: e.registered,
            redirect_uri: e.redirect_uri.clone(),
        }
    }

    /// The form fields and `Authorization` header that authenticate this
    /// client at `token_endpoint` of `issuer`.
    pub fn authentication(&self, issuer: &str) -> Result<Authentication, LoginError> {
        let secret = || {
            self.secret.as_ref().map(Secret::expose).ok_or_else(|| {
                LoginError::Usage(format!(
                    "client {} authenticates with {} but no secret was given (--client-secret-file or MCP_AUTH_CLIENT_SECRET)",
                    self.id,
                    self.method.name()
                ))
            })
        };
        let id = ("client_id".to_owned(), self.id.clone());
        Ok(match self.method {
            AuthMethod::None if self.id.is_empty() => (Vec::new(), None),
            AuthMethod::None => (vec![id], None),
            AuthMethod::ClientSecretPost => (
                vec![id, ("client_secret".to_owned(), secret()?.to_owned())],
                None,
            ),
            AuthMethod::ClientSecretBasic => (Vec::new(), Some(basic(&self.id, secret()?))),
            AuthMethod::PrivateKeyJwt => {
                let key = self.key.as_ref().ok_or_else(|| {
                    LoginError::Usage(format!(
                        "client {} authenticates with private_key_jwt but no key was given (--private-key)",
                        self.id
                    ))
                })?;
                let assertion = key.sign(&assertion_claims(&self.id, issuer), None)?;
                (
                    vec![
                        id,
                        (
                            "client_assertion_type".to_owned(),
                            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".to_owned(),
                        ),
                        ("client_assertion".to_owned(), assertion),
                    ],
                    None,
                )
            }
        })
    }
}

/// `Basic base64(urlencode(id):urlencode(secret))` (RFC 6749 §2.3.1): the
/// one encoding of client credentials in an `Authorization` header.
pub fn basic(id: &str, secret: &str) -> String {
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let pair = format!("{}:{}", enc(id), enc(secret));
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    )
}

/// The claims of a client assertion (RFC 7523 §3; its audience is the
/// issuer identifier, as RFC 7523bis and the MCP extensions require).
fn assertion_claims(client_id: &str, issuer: &str) -> serde_json::Value {
    let now = now();
    serde_json::json!({
        "iss": client_id,
        "sub": client_id,
        "aud": issuer,
        "iat": now,
        "exp": now + 300,
        "jti": random_id(),
    })
}

/// 128 random bits, base64url.
pub(crate) fn random_id() -> String {
    let mut bytes = [0u8; 16];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes)
        .expect("the system random generator works");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The method for a client with `registered` (the registration response's
/// `token_endpoint_auth_method`, if any) and a secret or not: the
/// registered one when it is known; else, with a secret, the first of
/// `client_secret_basic`, `client_secret_post` the server supports (basic
/// when it lists none: RFC 8414's default); else `none`.
pub fn method_for(registered: Option<&str>, has_secret: bool, md: &AsMetadata) -> AuthMethod {
    if let Some(m) = registered.and_then(AuthMethod::from_name) {
        if m == AuthMethod::None || has_secret {
            return m;
        }
    }
    if !has_secret {
        return AuthMethod::None;
    }
    let supported = md.token_endpoint_auth_methods_supported.as_deref();
    match supported {
        None => AuthMethod::ClientSecretBasic,
        Some(list) => [AuthMethod::ClientSecretBasic, AuthMethod::ClientSecretPost]
            .into_iter()
            .find(|m| list.iter().any(|x| x == m.name()))
            .unwrap_or(AuthMethod::ClientSecretBasic),
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// Metadata listing these `token_endpoint_auth_methods_supported`.
    pub(in crate::login) fn md(methods: Option<&[&str]>) -> AsMetadata {
        AsMetadata {
            token_endpoint_auth_methods_supported: methods
                .map(|l| l.iter().map(|s| (*s).to_owned()).collect()),
            ..AsMetadata::default()
        }
    }

    #[test]
    fn the_method_follows_the_registration_then_the_metadata() {
        let post_only = md(Some(&["client_secret_post"]));
        assert_eq!(
            method_for(Some("client_secret_post"), true, &md(None)),
            AuthMethod::ClientSecretPost
        );
        assert_eq!(
            method_for(None, true, &post_only),
            AuthMethod::ClientSecretPost
        );
        assert_eq!(
            method_for(
                None,
                true,
                &md(Some(&["client_secret_basic", "client_secret_post"]))
            ),
            AuthMethod::ClientSecretBasic
        );
        assert_eq!(
            method_for(None, true, &md(None)),
            AuthMethod::ClientSecretBasic
        );
        assert_eq!(method_for(None, false, &post_only), AuthMethod::None);
        // A registration that names a secret method but returned no secret: none.
        assert_eq!(
            method_for(Some("client_secret_basic"), false, &post_only),
            AuthMethod::None
        );
        assert_eq!(method_for(Some("none"), true, &post_only), AuthMethod::None);
    }

    #[test]
    fn basic_credentials_are_form_encoded_then_base64() {
        // RFC 6749 §2.3.1: "a:b" with the colon and space encoded.
        assert_eq!(
            basic("id 1", "s:é"),
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode("id+1:s%3A%C3%A9")
            )
        );
    }

    #[test]
    fn a_secret_method_without_a_secret_is_a_usage_error() {
        let c = Client {
            method: AuthMethod::ClientSecretBasic,
            ..Client::public("c")
        };
        let e = c.authentication("https://as.example").unwrap_err();
        assert!(e.to_string().contains("MCP_AUTH_CLIENT_SECRET"), "{e}");
    }

    #[test]
    fn an_anonymous_client_sends_no_client_id() {
        let (fields, header) = Client::anonymous()
            .authentication("https://as.example")
            .unwrap();
        assert!(fields.is_empty() && header.is_none(), "{fields:?}");
        let (fields, _) = Client::public("c").authentication("i").unwrap();
        assert_eq!(fields, vec![("client_id".to_owned(), "c".to_owned())]);
    }

    #[test]
    fn a_key_that_is_not_pem_is_named() {
        let e = SigningKey::from_pem(b"not a key", None, "key.pem").unwrap_err();
        assert!(
            e.to_string().starts_with("key.pem: not a PEM private key"),
            "{e}"
        );
        let e = SigningKey::from_pem(b"x", Some("XS999"), "key.pem").unwrap_err();
        assert!(e.to_string().contains("unknown signing algorithm"), "{e}");
    }
}

//! The non-interactive grants of `mcp-auth login --grant`, for a client
//! with no user at a browser:
//!
//! - client credentials (RFC 6749 §4.4; the MCP extension
//!   `io.modelcontextprotocol/oauth-client-credentials`, SEP-1046), as a
//!   confidential client: its secret (`client_secret_basic` or `_post`) or
//!   its key (`private_key_jwt`);
//! - the JWT bearer grant with an assertion the caller holds (RFC 7523
//!   §2.1; workload identity federation, SEP-1933), with or without a client;
//! - enterprise-managed authorization (SEP-990, the Identity Assertion JWT
//!   Authorization Grant draft): the IdP's ID token exchanged at the IdP
//!   for an ID-JAG (RFC 8693), then the JWT bearer grant with it (`exchange`).
//!
//! Each sends the scope the MCP server asks for (`--scope` overrides) and the
//! RFC 8707 resource, once: a refusal is reported, never retried, and never
//! followed by another grant.

mod exchange;
#[cfg(test)]
mod tests;

use std::path::PathBuf;

use crate::metadata::AsMetadata;
use crate::probe::Prober;
use crate::token_store::{Secret, TokenEntry, TokenStore};

use super::cache::entry_from;
use super::client::{AuthMethod, Client};
use super::resolve::Destination;
use super::token_endpoint::{self, TokenRequest};
use super::{LoginError, LoginSettings, Resolved, Tokens};

/// `grant_type` of the JWT bearer grant (RFC 7523 §2.1).
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// How `login` obtains its token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Grant {
    /// In the browser, with PKCE (`login`'s flow).
    #[default]
    AuthorizationCode,
    ClientCredentials,
    JwtBearer,
    /// The IdP's ID token exchanged for an ID-JAG, then the JWT bearer grant.
    TokenExchange,
    /// A refresh token the caller holds (e.g. a CI secret), redeemed as the
    /// client it was issued to (RFC 6749 §6).
    RefreshToken,
}

impl Grant {
    /// The `--grant` name, as the token cache records it.
    pub fn name(self) -> &'static str {
        match self {
            Self::AuthorizationCode => "authorization-code",
            Self::ClientCredentials => "client-credentials",
            Self::JwtBearer => "jwt-bearer",
            Self::TokenExchange => "token-exchange",
            Self::RefreshToken => "refresh-token",
        }
    }

    /// Whether a user takes part (the browser): only then do the
    /// authorization endpoint and PKCE matter.
    pub fn interactive(self) -> bool {
        self == Self::AuthorizationCode
    }
}

/// The enterprise IdP of a token exchange (`--idp-*`).
#[derive(Debug, Clone, Default)]
pub struct Idp {
    /// Its issuer: where its token endpoint is discovered, unless given.
    pub issuer: Option<String>,
    pub token_endpoint: Option<String>,
    /// The MCP client's id at the IdP (the ID token's audience).
    pub client_id: Option<String>,
    pub client_secret: Option<Secret>,
}

/// What a grant asks for: the RFC 8707 resource and the scope.
#[derive(Debug, Clone, Default)]
struct Wanted {
    resource: Option<String>,
    scope: Option<String>,
}

impl Wanted {
    /// `--resource` (or the MCP server's, unless `--no-resource`), and
    /// `--scope` or else what the MCP server asks for. Unlike the code flow,
    /// never `openid` nor `offline_access`: no user signs in, and a client
    /// credentials response carries no refresh token (RFC 6749 §4.4.3).
    fn of(r: &Resolved, s: &LoginSettings) -> Self {
        Self {
            resource: if s.no_resource {
                None
            } else {
                s.resource.clone().or_else(|| r.resource.clone())
            },
            scope: s
                .scope
                .clone()
                .or_else(|| (!r.scopes.is_empty()).then(|| r.scopes.join(" "))),
        }
    }

    /// `req` with the scope and the RFC 8707 resource asked for.
    fn on<'a>(&self, req: TokenRequest<'a>) -> TokenRequest<'a> {
        req.param_opt("scope", self.scope.as_deref())
            .param_opt("resource", self.resource.as_deref())
    }
}

/// Obtain a token with `settings.grant` (not the authorization code) for
/// the destination, and cache it; returns the saved entry and its path.
pub async fn obtain(
    prober: &Prober,
    store: &TokenStore,
    destination: Destination,
    settings: &LoginSettings,
) -> Result<(TokenEntry, PathBuf), LoginError> {
    let r = destination.resolved()?;
    obtain_for(prober, store, &r, settings).await
}

async fn obtain_for(
    prober: &Prober,
    store: &TokenStore,
    r: &Resolved,
    s: &LoginSettings,
) -> Result<(TokenEntry, PathBuf), LoginError> {
    let endpoint = checked_token_endpoint(r.metadata.token_endpoint.as_deref(), &r.issuer)?;
    let want = Wanted::of(r, s);
    let (client, tokens) = match s.grant {
        Grant::ClientCredentials => client_credentials(prober, r, &endpoint, s, &want).await?,
        Grant::JwtBearer => jwt_bearer(prober, r, &endpoint, s, &want).await?,
        Grant::TokenExchange => exchange::enterprise(prober, r, &endpoint, s, &want).await?,
        Grant::RefreshToken => refresh_token(prober, r, &endpoint, s, &want).await?,
        Grant::AuthorizationCode => {
            return Err(LoginError::Usage(
                "the authorization code grant runs in the browser, not here".to_owned(),
            ))
        }
    };
    let mut entry = entry_from(
        r,
        &client,
        want.resource.as_deref(),
        want.scope.as_deref(),
        &tokens,
        None,
    );
    entry.grant = Some(s.grant.name().to_owned());
    let path = store.save(&entry)?;
    super::cache::supersede(store, &entry, &path);
    Ok((entry, path))
}

/// A token endpoint credentials may be sent to: present, and https (or
/// http on loopback).
fn checked_token_endpoint(endpoint: Option<&str>, whose: &str) -> Result<String, LoginError> {
    let u = super::endpoint_named(endpoint, "token_endpoint", whose)?;
    super::endpoint_safe(&u, "token_endpoint")?;
    Ok(u)
}

/// The client `--client-id` names (`None` without it): see [`identity::given`].
fn given_client(s: &LoginSettings, md: &AsMetadata) -> Option<Client> {
    s.client_id
        .as_deref()
        .map(|id| super::identity::given(id, md, s))
}

/// `grant_type=client_credentials` as the confidential client given.
async fn client_credentials(
    prober: &Prober,
    r: &Resolved,
    endpoint: &str,
    s: &LoginSettings,
    want: &Wanted,
) -> Result<(Client, Tokens), LoginError> {
    let client = given_client(s, &r.metadata)
        .filter(|c| c.method != AuthMethod::None)
        .ok_or_else(|| {
            LoginError::Usage(
                "--grant client-credentials needs a confidential client: --client-id with --client-secret-file (or MCP_AUTH_CLIENT_SECRET) or --private-key".to_owned(),
            )
        })?;
    let req = want.on(TokenRequest::new(endpoint, &r.issuer, "client_credentials"));
    let tokens = send(prober, &client, &req, &r.metadata, want).await?;
    Ok((client, tokens))
}

/// The JWT bearer grant with the caller's assertion (a workload identity
/// JWT), as the client given, or as none: SEP-1933 needs no registration.
async fn jwt_bearer(
    prober: &Prober,
    r: &Resolved,
    endpoint: &str,
    s: &LoginSettings,
    want: &Wanted,
) -> Result<(Client, Tokens), LoginError> {
    let assertion = s.assertion.as_ref().ok_or_else(|| {
        LoginError::Usage(
            "--grant jwt-bearer needs the assertion: --assertion-file FILE (- for stdin) or MCP_AUTH_ASSERTION".to_owned(),
        )
    })?;
    require_jwt(assertion, "the assertion")?;
    let client = given_client(s, &r.metadata).unwrap_or_else(Client::anonymous);
    let req = want
        .on(TokenRequest::new(endpoint, &r.issuer, JWT_BEARER)
            .param("assertion", assertion.expose()));
    let tokens = send(prober, &client, &req, &r.metadata, want).await?;
    Ok((client, tokens))
}

/// `grant_type=refresh_token` with the caller's refresh token, as the client
/// it was issued to (`--client-id`, with its secret or key when
/// confidential), for the same resource (RFC 6749 §6, RFC 8707 §2.2).
/// A response without a new refresh token keeps the one given.
async fn refresh_token(
    prober: &Prober,
    r: &Resolved,
    endpoint: &str,
    s: &LoginSettings,
    want: &Wanted,
) -> Result<(Client, Tokens), LoginError> {
    let token = s.refresh_token.as_ref().ok_or_else(|| {
        LoginError::Usage(
            "--grant refresh-token needs the refresh token: --refresh-token-file FILE (- for stdin) or MCP_AUTH_REFRESH_TOKEN".to_owned(),
        )
    })?;
    let client = given_client(s, &r.metadata).ok_or_else(|| {
        LoginError::Usage(
            "--grant refresh-token needs --client-id: the client the refresh token was issued to"
                .to_owned(),
        )
    })?;
    let req = want.on(TokenRequest::new(endpoint, &r.issuer, "refresh_token")
        .param("refresh_token", token.expose()));
    let mut tokens = send(prober, &client, &req, &r.metadata, want).await?;
    if tokens.refresh_token.is_none() {
        tokens.refresh_token = Some(token.clone());
    }
    Ok((client, tokens))
}

/// A usage error unless `token` is a compact JWT (never showing it).
fn require_jwt(token: &Secret, what: &str) -> Result<(), LoginError> {
    match crate::evidence::jwt::decode_unverified(token.expose()) {
        Some(_) => Ok(()),
        None => Err(LoginError::Usage(format!(
            "{what} is not a JWT (three base64url parts: header, claims, signature)"
        ))),
    }
}

/// One token request at the authorization server, its refusal explained
/// (an unknown resource; a grant the server or the client is not allowed).
async fn send(
    prober: &Prober,
    client: &Client,
    req: &TokenRequest<'_>,
    md: &AsMetadata,
    want: &Wanted,
) -> Result<Tokens, LoginError> {
    let grant_type = req
        .params
        .iter()
        .find(|(k, _)| k == "grant_type")
        .map_or("", |(_, v)| v.as_str());
    token_endpoint::request(prober, client, req)
        .await
        .map_err(|e| e.with_hint(want.resource.is_some()))
        .map_err(|e| grant_hint(e, md, grant_type))
}

/// The hint for `unsupported_grant_type` and `unauthorized_client`: what
/// the server's `grant_types_supported` says about this grant.
fn grant_hint(e: LoginError, md: &AsMetadata, grant_type: &str) -> LoginError {
    let LoginError::Refused(m) = e else { return e };
    let refused = |code: &str| m.contains(&format!("refused: {code}"));
    if !refused("unsupported_grant_type") && !refused("unauthorized_client") {
        return LoginError::Refused(m);
    }
    let why = match &md.grant_types_supported {
        Some(l) if !l.iter().any(|g| g == grant_type) => format!(
            "the authorization server does not list {grant_type} in grant_types_supported ({})",
            l.join(", ")
        ),
        Some(_) => format!(
            "the server supports {grant_type}, so this client may not be allowed it: enable the grant in the client's registration"
        ),
        None => format!("the authorization server lists no grant_types_supported; it may not support {grant_type}"),
    };
    LoginError::Refused(format!("{m}; {why}"))
}

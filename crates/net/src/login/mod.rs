//! `mcp-auth login`, `logout`, `tokens`: authorization code + PKCE (S256)
//! in the user's browser with a loopback redirect; tokens cached by
//! [`crate::token_store`].
//!
//! What is verified: the metadata's `issuer` equals the issuer it was
//! discovered from; S256 is advertised (unless `--force`); the callback's
//! `iss` (RFC 9207) and `state`; PKCE by the authorization server. The
//! RFC 8707 `resource` is sent on the authorization, token and refresh
//! requests.
//!
//! [`destination`] finds the authorization server, [`login`] runs the
//! authorization-code flow (`flow`), [`obtain`] the grants without a user
//! (`grants`: client credentials, JWT bearer, token exchange), [`refresh`]
//! and [`revoke`] act on a cached entry, [`matching`] finds cached entries
//! (`cache`).

pub mod browser;
mod cache;
pub mod callback;
pub mod client;
mod flow;
mod grants;
mod identity;
pub mod live;
mod refresh;
mod register;
mod resolve;
mod revoke;
mod scope;
pub mod token_endpoint;

use std::time::Duration;

use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenResponse,
};
use oauth2::{AuthType, ClientId, StandardRevocableToken};

use crate::metadata::AsMetadata;
use crate::token_store::{Secret, StoreError};

pub use cache::matching;
pub use client::{AuthMethod, Client, SigningKey};
pub use flow::{login, login_seen, Observed, Seen};
pub use grants::{obtain, Grant, Idp};
pub use refresh::refresh;
pub use resolve::{destination, validated_metadata, Destination};
pub use revoke::revoke;
pub use token_endpoint::Tokens;

/// The oauth2 client of the authorization URL and of revocation: the
/// client id, in the request body.
type OauthClient = oauth2::Client<
    BasicErrorResponse,
    BasicTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
>;

fn oauth_client(client_id: &str) -> OauthClient {
    oauth2::Client::new(ClientId::new(client_id.to_owned())).set_auth_type(AuthType::RequestBody)
}

#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Unreachable(String),
    #[error("{0}")]
    Metadata(String),
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Callback(#[from] callback::WaitError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot write output: {0}")]
    Output(#[from] std::io::Error),
}

/// An endpoint the metadata must name: `name`'s value, or why `whose` has none.
fn endpoint_named(value: Option<&str>, name: &str, whose: &str) -> Result<String, LoginError> {
    value
        .map(str::to_owned)
        .ok_or_else(|| LoginError::Metadata(format!("{whose} has no {name}")))
}

/// Refuse an endpoint credentials must not be sent to: not a URL, or not
/// https (nor http on loopback).
fn endpoint_safe(u: &str, name: &str) -> Result<(), LoginError> {
    let parsed =
        url::Url::parse(u).map_err(|e| LoginError::Metadata(format!("{name} '{u}': {e}")))?;
    if !browser::safe_to_open(&parsed) {
        return Err(LoginError::Metadata(format!(
            "{name} {u} is not https (nor http on loopback): refusing to send credentials there"
        )));
    }
    Ok(())
}

impl LoginError {
    /// The error with the fix a refused token request suggests:
    /// `invalid_target` when an RFC 8707 resource was sent.
    pub fn with_hint(self, resource_sent: bool) -> Self {
        match self {
            Self::Refused(m) if resource_sent && m.contains("refused: invalid_target") => Self::Refused(format!(
                "{m}; the authorization server does not accept this resource: some providers want each resource (API audience) registered on the client or the API first (register it there), others reject RFC 8707 altogether (try --no-resource)"
            )),
            other => other,
        }
    }
}

/// Where a login goes: the authorization server, its metadata, and what to ask for.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub issuer: String,
    pub metadata: AsMetadata,
    /// The RFC 8707 resource (the MCP server's), when logging in to one.
    pub resource: Option<String>,
    /// Scopes the MCP server asks for (challenge `scope`, else PRM `scopes_supported`).
    pub scopes: Vec<String>,
    pub mcp_url: Option<String>,
    /// Whether the MCP server takes DPoP-bound tokens (None: not logging in to one).
    pub resource_dpop: Option<bool>,
}

/// Settings of one login.
#[derive(Debug, Clone)]
pub struct LoginSettings {
    pub client_id: Option<String>,
    pub client_metadata_url: Option<String>,
    pub scope: Option<String>,
    pub resource: Option<String>,
    pub no_resource: bool,
    /// `--redirect-port`: None lets the client's registration or document decide.
    pub redirect_port: Option<u16>,
    pub redirect_uri: Option<String>,
    pub no_browser: bool,
    pub force: bool,
    pub timeout: Duration,
    pub show_token: bool,
    /// A pre-registered client's secret (`--client-secret-file`, `MCP_AUTH_CLIENT_SECRET`).
    pub client_secret: Option<Secret>,
    /// A pre-registered client's private key, for `private_key_jwt` (`--private-key`).
    pub client_key: Option<SigningKey>,
    /// Whether to bind the tokens to a DPoP key (`--dpop`).
    pub dpop: crate::dpop::DpopMode,
    /// How the token is obtained (`--grant`): the browser flow, or [`obtain`].
    pub grant: Grant,
    /// The JWT bearer grant's assertion (`--assertion-file`, `MCP_AUTH_ASSERTION`).
    pub assertion: Option<Secret>,
    /// The IdP's ID token a token exchange trades (`--subject-token-file`,
    /// `MCP_AUTH_SUBJECT_TOKEN`).
    pub subject_token: Option<Secret>,
    /// The refresh token a `--grant refresh-token` login starts from
    /// (`--refresh-token-file`, `MCP_AUTH_REFRESH_TOKEN`).
    pub refresh_token: Option<Secret>,
    /// The IdP of a token exchange (`--idp-*`).
    pub idp: Option<Idp>,
}

#[cfg(test)]
mod tests {
    use super::LoginError;

    #[test]
    fn invalid_target_names_both_fixes_only_when_a_resource_was_sent() {
        let e = || LoginError::Refused("the token endpoint refused: invalid_target".into());
        let hinted = e().with_hint(true).to_string();
        assert!(
            hinted.contains("registered on the client") && hinted.contains("--no-resource"),
            "{hinted}"
        );
        assert_eq!(
            e().with_hint(false).to_string(),
            "the token endpoint refused: invalid_target"
        );
    }
}

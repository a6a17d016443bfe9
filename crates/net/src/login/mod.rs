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
//! authorization-code flow (`flow`), [`refresh`] and [`revoke`] act on a
//! cached entry, [`matching`] finds cached entries (`cache`).

pub mod browser;
mod cache;
pub mod callback;
mod flow;
mod refresh;
mod register;
mod resolve;
mod revoke;

use std::time::Duration;

use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AuthType, ClientId, ExtraTokenFields, RequestTokenError, StandardRevocableToken,
    StandardTokenResponse,
};
use serde::{Deserialize, Serialize};

use crate::metadata::AsMetadata;
use crate::token_store::StoreError;

pub use cache::matching;
pub use flow::login;
pub use refresh::refresh;
pub use resolve::{destination, validated_metadata, Destination};
pub use revoke::revoke;

/// The `id_token` of a token response, kept alongside the standard fields.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct IdTokenField {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
}
impl ExtraTokenFields for IdTokenField {}

type Tokens = StandardTokenResponse<IdTokenField, BasicTokenType>;

/// The oauth2 client of every login request, before any endpoint is set: a
/// public client (its id in the request body).
type OauthClient = oauth2::Client<
    BasicErrorResponse,
    Tokens,
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

/// A failed token request (code exchange or refresh) as a [`LoginError`];
/// `resource` says whether an RFC 8707 resource was sent.
fn token_error(
    e: RequestTokenError<crate::oauth_http::NoResponse, BasicErrorResponse>,
    resource: bool,
) -> LoginError {
    match e {
        RequestTokenError::ServerResponse(r) => {
            let code = r.error().to_string();
            let mut msg = format!(
                "the token endpoint refused: {code}{}",
                r.error_description()
                    .map(|d| format!(" ({d})"))
                    .unwrap_or_default()
            );
            if resource && code == "invalid_target" {
                msg.push_str(
                    "; this provider rejects the RFC 8707 resource parameter: try --no-resource",
                );
            }
            LoginError::Refused(msg)
        }
        RequestTokenError::Request(e) => {
            LoginError::Unreachable(format!("token request failed: {e}"))
        }
        RequestTokenError::Parse(e, _) => {
            LoginError::Refused(format!("the token response is not valid: {e}"))
        }
        RequestTokenError::Other(e) => LoginError::Refused(format!("token request failed: {e}")),
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
}

/// Settings of one login.
#[derive(Debug, Clone)]
pub struct LoginSettings {
    pub client_id: Option<String>,
    pub client_metadata_url: Option<String>,
    pub scope: Option<String>,
    pub resource: Option<String>,
    pub no_resource: bool,
    pub redirect_port: u16,
    pub redirect_uri: Option<String>,
    pub no_browser: bool,
    pub force: bool,
    pub timeout: Duration,
    pub show_token: bool,
}

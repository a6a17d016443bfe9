//! What the token cache keeps of a login: the entry a token response makes,
//! and the cached entries a URL names.

use oauth2::TokenResponse;

use crate::token_store::{self, Secret, StoreError, TokenEntry, TokenStore};

use super::{Resolved, Tokens};

/// The cache entry of a token response (`previous_refresh` is kept when the
/// response brings no new refresh token; `scope` when it names none).
pub(super) fn entry_from(
    r: &Resolved,
    client_id: &str,
    resource: Option<&str>,
    scope: Option<&str>,
    tokens: &Tokens,
    previous_refresh: Option<Secret>,
) -> TokenEntry {
    let now = token_store::now();
    TokenEntry {
        issuer: r.issuer.clone(),
        client_id: client_id.to_owned(),
        resource: resource.map(str::to_owned),
        mcp_url: r.mcp_url.clone(),
        token_type: tokens.token_type().as_ref().to_owned(),
        access_token: Secret::new(tokens.access_token().secret().clone()),
        refresh_token: tokens
            .refresh_token()
            .map(|t| Secret::new(t.secret().clone()))
            .or(previous_refresh),
        id_token: tokens.extra_fields().id_token.clone().map(Secret::new),
        scope: tokens
            .scopes()
            .map(|s| s.iter().map(|x| x.as_str()).collect::<Vec<_>>().join(" "))
            .or_else(|| scope.map(str::to_owned)),
        obtained_at: now,
        expires_at: tokens.expires_in().map(|d| now + d.as_secs()),
        token_endpoint: r.metadata.token_endpoint.clone().unwrap_or_default(),
        userinfo_endpoint: r.metadata.userinfo_endpoint.clone(),
        revocation_endpoint: r.metadata.revocation_endpoint.clone(),
        jwks_uri: r.metadata.jwks_uri.clone(),
    }
}

/// The cached entries matching a URL (issuer, MCP server or resource), or all.
pub fn matching(
    store: &TokenStore,
    url: Option<&str>,
) -> Vec<(std::path::PathBuf, Result<TokenEntry, StoreError>)> {
    store
        .list()
        .into_iter()
        .filter(|(_, e)| match (url, e) {
            (None, _) => true,
            (Some(u), Ok(e)) => {
                let trimmed = u.trim_end_matches('/');
                [Some(&e.issuer), e.mcp_url.as_ref(), e.resource.as_ref()]
                    .into_iter()
                    .flatten()
                    .any(|v| v.trim_end_matches('/') == trimmed)
            }
            (Some(_), Err(_)) => false,
        })
        .collect()
}

//! What the token cache keeps of a login: the entry a token response makes,
//! and the cached entries a URL names.

use crate::token_store::{self, Secret, StoreError, TokenEntry, TokenStore};

use super::{Client, Resolved, Tokens};

/// The cache entry of a token response (`previous_refresh` is kept when the
/// response brings no new refresh token; `scope` when it names none).
pub(super) fn entry_from(
    r: &Resolved,
    client: &Client,
    resource: Option<&str>,
    scope: Option<&str>,
    tokens: &Tokens,
    previous_refresh: Option<Secret>,
) -> TokenEntry {
    let now = token_store::now();
    TokenEntry {
        issuer: r.issuer.clone(),
        client_id: client.id.clone(),
        client_secret: client.secret.clone(),
        token_endpoint_auth_method: Some(client.method.name().to_owned()),
        registered: client.registered,
        redirect_uri: client.redirect_uri.clone(),
        resource: resource.map(str::to_owned),
        mcp_url: r.mcp_url.clone(),
        token_type: tokens.token_type.clone(),
        access_token: tokens.access_token.clone(),
        dpop_key: tokens.dpop_key.clone(),
        refresh_token: tokens.refresh_token.clone().or(previous_refresh),
        id_token: tokens.id_token.clone(),
        scope: tokens.scope.clone().or_else(|| scope.map(str::to_owned)),
        obtained_at: now,
        expires_at: tokens.expires_in.map(|d| now + d),
        token_endpoint: r.metadata.token_endpoint.clone().unwrap_or_default(),
        userinfo_endpoint: r.metadata.userinfo_endpoint.clone(),
        revocation_endpoint: r.metadata.revocation_endpoint.clone(),
        jwks_uri: r.metadata.jwks_uri.clone(),
        grant: None,
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

/// After saving `entry` at `kept`, delete the entries it replaces, so that
/// a URL never names two cached logins: the other logins to the same MCP
/// server (an earlier client, or an authorization server it no longer
/// names: SEP-2352 forbids reusing those tokens), or, for an issuer login,
/// the other logins to that issuer for the same resource.
pub fn supersede(store: &TokenStore, entry: &TokenEntry, kept: &std::path::Path) {
    for (path, e) in store.list() {
        let Ok(e) = e else { continue };
        let replaced = match &entry.mcp_url {
            Some(m) => e.mcp_url.as_deref() == Some(m.as_str()),
            None => e.mcp_url.is_none() && e.issuer == entry.issuer && e.resource == entry.resource,
        };
        if replaced && path != kept {
            if let Err(err) = TokenStore::delete(&path) {
                tracing::warn!(
                    "could not delete the replaced login {}: {err}",
                    path.display()
                );
            }
        }
    }
}

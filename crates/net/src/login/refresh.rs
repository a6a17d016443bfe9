//! Refreshing a cached entry (RFC 6749 §6, with the RFC 8707 `resource`,
//! and a DPoP proof of the entry's key when it has one).

use crate::metadata::AsMetadata;
use crate::probe::Prober;
use crate::token_store::{now, TokenEntry, TokenStore};

use super::cache::entry_from;
use super::token_endpoint::{self, Dpop, TokenRequest};
use super::{Client, LoginError, Resolved};

/// A token that expires within this many seconds is refreshed (callers use
/// the same margin to decide to refresh).
const MARGIN: i64 = 30;

/// Refresh a cached entry with its refresh token (RFC 8707 `resource` again),
/// under the entry's lock ([`TokenStore::lock`]): the entry is read again
/// from disk, and when another command has refreshed it since the caller
/// read `entry` (its access token changed and is not about to expire) that
/// token is returned as it is. Otherwise the refresh uses the refresh token
/// on disk (a rotating one is used once) and its answer is saved before the
/// lock is released.
pub async fn refresh(
    prober: &Prober,
    store: &TokenStore,
    entry: &TokenEntry,
) -> Result<TokenEntry, LoginError> {
    let path = store.path_for(&entry.issuer, &entry.client_id, entry.resource.as_deref());
    let lock = store.lock_async(&path).await?;
    let Some(current) = lock.load()? else {
        return Err(LoginError::Refused(format!(
            "the cached login for {} was removed while refreshing it; run `mcp-auth login` again",
            entry.issuer
        )));
    };
    let fresh = current.expires_in(now()).map_or(true, |s| s > MARGIN);
    if current.access_token != entry.access_token && fresh {
        tracing::debug!(
            "{} was refreshed meanwhile; using that token",
            path.display()
        );
        return Ok(current);
    }
    let new = request(prober, &current).await?;
    lock.save(&new)?;
    Ok(new)
}

/// The refresh request itself, and the entry its answer makes.
pub(super) async fn request(prober: &Prober, entry: &TokenEntry) -> Result<TokenEntry, LoginError> {
    let Some(rt) = &entry.refresh_token else {
        return Err(LoginError::Refused(format!(
            "no refresh token cached for {}; run `mcp-auth login` again",
            entry.issuer
        )));
    };
    let client = Client::of_entry(entry);
    // A DPoP-bound refresh token is used with a proof of the same key (RFC 9449 §5).
    let key = crate::dpop::key_of(entry)?;
    let req = TokenRequest::new(&entry.token_endpoint, &entry.issuer, "refresh_token")
        .param("refresh_token", rt.expose())
        .param_opt("resource", entry.resource.as_deref())
        .dpop(key.as_ref().map(|key| Dpop {
            key,
            required: false,
        }));
    let tokens = token_endpoint::request(prober, &client, &req)
        .await
        .map_err(|e| e.with_hint(entry.resource.is_some()))?;
    let mut new = entry_from(
        &cached_destination(entry),
        &client,
        entry.resource.as_deref(),
        entry.scope.as_deref(),
        &tokens,
        entry.refresh_token.clone(),
    );
    if new.id_token.is_none() {
        new.id_token = entry.id_token.clone();
    }
    new.grant = entry.grant.clone();
    Ok(new)
}

/// The [`Resolved`] a cached entry remembers (its endpoints, not a discovery).
fn cached_destination(entry: &TokenEntry) -> Resolved {
    Resolved {
        issuer: entry.issuer.clone(),
        metadata: AsMetadata {
            token_endpoint: Some(entry.token_endpoint.clone()),
            userinfo_endpoint: entry.userinfo_endpoint.clone(),
            revocation_endpoint: entry.revocation_endpoint.clone(),
            jwks_uri: entry.jwks_uri.clone(),
            ..AsMetadata::default()
        },
        resource: entry.resource.clone(),
        scopes: Vec::new(),
        mcp_url: entry.mcp_url.clone(),
        resource_dpop: None,
    }
}

#[cfg(test)]
mod tests;

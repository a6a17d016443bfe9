//! Revoking a cached entry's token (RFC 7009) at `logout`.

use oauth2::{RefreshToken, RevocationUrl, StandardRevocableToken};
use url::Url;

use crate::probe::{ProbeRequest, Prober};
use crate::token_store::TokenEntry;

use super::oauth_client;

/// Revoke an entry's refresh token (or access token) when the server offers
/// it (RFC 7009). The oauth2 crate does this for https endpoints; a loopback
/// http endpoint (local development) gets the same form POST directly.
pub async fn revoke(prober: &Prober, entry: &TokenEntry) -> Result<bool, String> {
    let Some(endpoint) = &entry.revocation_endpoint else {
        return Ok(false);
    };
    let url = Url::parse(endpoint).map_err(|e| format!("revocation endpoint '{endpoint}': {e}"))?;
    let (token, hint) = match &entry.refresh_token {
        Some(rt) => (rt.expose().to_owned(), "refresh_token"),
        None => (entry.access_token.expose().to_owned(), "access_token"),
    };
    if url.scheme() == "https" {
        let client =
            oauth_client(&entry.client_id).set_revocation_url(RevocationUrl::from_url(url));
        let revocable = match &entry.refresh_token {
            Some(_) => StandardRevocableToken::RefreshToken(RefreshToken::new(token)),
            None => StandardRevocableToken::AccessToken(oauth2::AccessToken::new(token)),
        };
        let http = |r| prober.send_oauth(r);
        client
            .revoke_token(revocable)
            .map_err(|e| e.to_string())?
            .request_async(&http)
            .await
            .map_err(|e| format!("revocation at {endpoint} failed: {e}"))?;
        return Ok(true);
    }
    if !crate::evidence::urls::is_loopback(&url) {
        return Err(format!("not revoking at {endpoint}: not https"));
    }
    let ex = prober
        .send(ProbeRequest::form_post(
            url.as_str(),
            &[
                ("token", token.as_str()),
                ("token_type_hint", hint),
                ("client_id", entry.client_id.as_str()),
            ],
        ))
        .await;
    match (&ex.response, &ex.error) {
        (Some(r), None) if (200..300).contains(&r.status) => Ok(true),
        (Some(r), _) => Err(format!("revocation at {endpoint} answered {}", r.status)),
        (None, _) => Err(format!("revocation at {endpoint} failed: {}", ex.failure())),
    }
}

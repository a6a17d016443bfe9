//! Dynamic client registration (RFC 7591) of the login's own client.

use crate::metadata::ClientInformation;
use crate::probe::{ProbeRequest, Prober};

use super::client::AuthMethod;
use super::LoginError;

/// Register a native client (RFC 7591) for this redirect URI, asking for
/// `method` at the token endpoint; returns the registration response.
pub(super) async fn register(
    prober: &Prober,
    endpoint: &str,
    redirect_uri: &str,
    method: AuthMethod,
) -> Result<ClientInformation, LoginError> {
    let body = serde_json::json!({
        "client_name": "mcp-auth",
        "redirect_uris": [redirect_uri],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": method.name(),
        "application_type": "native",
    });
    let (ex, raw) = prober
        .send_keeping_secrets(ProbeRequest::register(endpoint, &body))
        .await;
    let status = ex.response.as_ref().map(|r| r.status);
    let parsed = raw
        .as_deref()
        .and_then(|b| serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(b).ok())
        .map(|o| <ClientInformation as crate::metadata::Lenient>::from_object(&o).0);
    match (status, parsed) {
        (Some(s), Some(info)) if (200..300).contains(&s) && info.client_id.is_some() => Ok(info),
        (Some(s), _) => Err(LoginError::Refused(format!(
            "dynamic client registration at {endpoint} answered {s}: {}; register a client by hand with the redirect URI {redirect_uri} and pass --client-id",
            ex.response.as_ref().map(|r| r.body.chars().take(300).collect::<String>()).unwrap_or_default()
        ))),
        (None, _) => Err(LoginError::Unreachable(format!(
            "dynamic client registration at {endpoint}: {}",
            ex.failure()
        ))),
    }
}

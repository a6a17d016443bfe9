//! `mcp-auth login`, `logout`, `tokens`: authorization code + PKCE (S256)
//! in the user's browser with a loopback redirect; tokens cached by
//! [`crate::token_store`].
//!
//! What is verified: the metadata's `issuer` equals the issuer it was
//! discovered from; S256 is advertised (unless `--force`); the callback's
//! `iss` (RFC 9207) and `state`; PKCE by the authorization server. The
//! RFC 8707 `resource` is sent on the authorization, token and refresh
//! requests.

pub mod browser;
pub mod callback;

use std::io::Write;
use std::time::Duration;

use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, CsrfToken, ExtraTokenFields, PkceCodeChallenge,
    RedirectUrl, RefreshToken, RequestTokenError, RevocationUrl, Scope, StandardRevocableToken,
    StandardTokenResponse, TokenResponse, TokenUrl,
};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::discovery::{self, parse_http_url};
use crate::evidence::interpret::classify;
use crate::evidence::AsRole;
use crate::evidence::TargetHint;
use crate::gather;
use crate::metadata::{AsMetadata, ClientInformation};
use crate::probe::{ProbeRequest, Prober};
use crate::token_store::{self, Secret, StoreError, TokenEntry, TokenStore};
use crate::www_authenticate;

/// The `id_token` of a token response, kept alongside the standard fields.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct IdTokenField {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
}
impl ExtraTokenFields for IdTokenField {}

type Tokens = StandardTokenResponse<IdTokenField, BasicTokenType>;

fn oauth_client(
    client_id: &str,
) -> oauth2::Client<
    BasicErrorResponse,
    Tokens,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
> {
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

/// The first validated metadata document of a discovery, or why there is none.
pub fn validated_metadata(
    disc: &crate::evidence::AsDiscovery,
    issuer: &str,
) -> Result<AsMetadata, LoginError> {
    let mut tried = Vec::new();
    for a in disc.attempts.iter().filter(|a| a.kind.is_spec_candidate()) {
        let Some(ex) = &a.exchange else { continue };
        let f = classify::<AsMetadata>(&a.url, ex);
        match f.doc {
            Some(doc) => {
                return match doc.md.issuer.as_deref() {
                    Some(i) if i == issuer => Ok(doc.md),
                    other => Err(LoginError::Metadata(format!(
                        "the metadata at {} names the issuer '{}', not '{issuer}': refusing to use it (RFC 8414 §3.3); run `mcp-auth check {issuer}`",
                        a.url,
                        other.unwrap_or("(none)")
                    ))),
                };
            }
            None => tried.push(format!("{} → {}", a.url, f.outcome.summary())),
        }
    }
    let unreachable = disc
        .attempts
        .iter()
        .all(|a| a.exchange.as_ref().is_some_and(|e| e.response.is_none()));
    let msg = format!(
        "no authorization server metadata for {issuer}: {}",
        tried.join("; ")
    );
    Err(if unreachable {
        LoginError::Unreachable(msg)
    } else {
        LoginError::Metadata(msg)
    })
}

/// Follow an MCP server's chain (or take an issuer) to the authorization server.
pub async fn resolve(
    prober: &Prober,
    input: &str,
    kind: TargetHint,
) -> Result<Resolved, LoginError> {
    let url = parse_http_url(input).map_err(|e| LoginError::Usage(e.to_string()))?;
    let policy = crate::evidence::urls::UrlPolicy::for_target(&url);
    let mut first = match kind {
        TargetHint::Issuer => None,
        TargetHint::Mcp | TargetHint::Auto => {
            Some(gather::first_round(prober, &url, kind == TargetHint::Auto).await)
        }
    };
    let known = first
        .as_mut()
        .map(|f| std::mem::take(&mut f.prefetched))
        .unwrap_or_default();
    let (issuer, resource, scopes, mcp_url) = match first {
        Some(first) if kind == TargetHint::Mcp || first.looks_like_mcp() => {
            let resp = first.unauthenticated.response.as_ref();
            let challenge = resp
                .map(|r| www_authenticate::parse(&r.header_all("www-authenticate")))
                .unwrap_or_default();
            let bearer = challenge.bearer();
            let header_url = crate::chain::header_prm_url(&first.unauthenticated);
            let attempts =
                crate::chain::prm_attempts(prober, &first, header_url.as_deref(), &policy).await;
            let prm = crate::chain::followed(&attempts).map(|(_, doc)| doc);
            let Some(prm) = prm else {
                return Err(LoginError::Metadata(format!(
                    "{input} has no protected resource metadata (run `mcp-auth check {input}`); log in to its authorization server's issuer instead"
                )));
            };
            let issuer = prm
                .md
                .authorization_servers
                .as_ref()
                .and_then(|l| l.first().cloned())
                .ok_or_else(|| {
                    LoginError::Metadata(format!(
                        "the protected resource metadata of {input} lists no authorization server"
                    ))
                })?;
            let scopes: Vec<String> = match bearer.and_then(|b| b.param("scope")) {
                Some(s) => s
                    .value
                    .split(' ')
                    .filter(|x| !x.is_empty())
                    .map(str::to_owned)
                    .collect(),
                None => prm.md.scopes_supported.clone().unwrap_or_default(),
            };
            let resource = prm.md.resource.clone().unwrap_or_else(|| input.to_owned());
            (issuer, Some(resource), scopes, Some(input.to_owned()))
        }
        _ => (input.to_owned(), None, Vec::new(), None),
    };
    // The authorization server a remote document names is requested only as
    // `check` would request it (https, no private address from a public target).
    let issuer_url = policy
        .check(&issuer)
        .map_err(|e| LoginError::Metadata(format!("not using the authorization server: {e}")))?;
    let disc = discovery::discover_issuer_reusing(
        prober,
        &issuer_url,
        &issuer,
        AsRole::Target,
        &known,
        discovery::Diagnostics::Never,
    )
    .await;
    let metadata = validated_metadata(&disc, &issuer)?;
    Ok(Resolved {
        issuer,
        metadata,
        resource,
        scopes,
        mcp_url,
    })
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

/// Register a public native client (RFC 7591) for this redirect URI.
async fn register(
    prober: &Prober,
    endpoint: &str,
    redirect_uri: &str,
) -> Result<String, LoginError> {
    let body = serde_json::json!({
        "client_name": "mcp-auth",
        "redirect_uris": [redirect_uri],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
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
    match (status, parsed.and_then(|c| c.client_id)) {
        (Some(s), Some(id)) if (200..300).contains(&s) => Ok(id),
        (Some(s), _) => Err(LoginError::Refused(format!(
            "dynamic client registration at {endpoint} answered {s}: {}; register a client by hand with the redirect URI {redirect_uri} and pass --client-id",
            ex.response.as_ref().map(|r| r.body.chars().take(300).collect::<String>()).unwrap_or_default()
        ))),
        (None, _) => Err(LoginError::Unreachable(format!(
            "dynamic client registration at {endpoint}: {}",
            ex.error.map(|e| e.message).unwrap_or_default()
        ))),
    }
}

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

fn entry_from(
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

/// Run a login to the end; returns the saved entry and its path.
pub async fn login(
    prober: &Prober,
    store: &TokenStore,
    input: &str,
    kind: TargetHint,
    s: &LoginSettings,
    err: &mut dyn Write,
) -> Result<(TokenEntry, std::path::PathBuf), LoginError> {
    let r = resolve(prober, input, kind).await?;
    let md = &r.metadata;
    let auth_url = md.authorization_endpoint.clone().ok_or_else(|| {
        LoginError::Metadata(format!("{} has no authorization_endpoint", r.issuer))
    })?;
    let token_url = md
        .token_endpoint
        .clone()
        .ok_or_else(|| LoginError::Metadata(format!("{} has no token_endpoint", r.issuer)))?;
    if !crate::metadata::lists(&md.code_challenge_methods_supported, "S256") && !s.force {
        return Err(LoginError::Metadata(format!(
            "{} does not advertise PKCE S256 (code_challenge_methods_supported); MCP clients must refuse it. --force tries anyway",
            r.issuer
        )));
    }
    for (name, u) in [
        ("authorization_endpoint", &auth_url),
        ("token_endpoint", &token_url),
    ] {
        let parsed =
            Url::parse(u).map_err(|e| LoginError::Metadata(format!("{name} '{u}': {e}")))?;
        if !browser::safe_to_open(&parsed) {
            return Err(LoginError::Metadata(format!(
                "{name} {u} is not https (nor http on loopback): refusing to send credentials there"
            )));
        }
    }

    // The redirect URI: loopback, on a port we hold.
    let server = callback::CallbackServer::bind(s.redirect_port)
        .await
        .map_err(|e| {
            LoginError::Usage(format!(
                "cannot listen on 127.0.0.1:{}: {e}",
                s.redirect_port
            ))
        })?;
    let redirect_uri = match &s.redirect_uri {
        Some(u) => {
            let parsed = Url::parse(u)
                .map_err(|e| LoginError::Usage(format!("--redirect-uri '{u}': {e}")))?;
            if parsed.scheme() != "http"
                || !crate::evidence::urls::is_loopback(&parsed)
                || parsed.port() != Some(server.port)
            {
                return Err(LoginError::Usage(format!(
                    "--redirect-uri must be http://127.0.0.1:{}/… or http://localhost:{}/… (the port this login listens on; use --redirect-port)",
                    server.port, server.port
                )));
            }
            u.clone()
        }
        None => format!("http://127.0.0.1:{}/callback", server.port),
    };
    let callback_path = Url::parse(&redirect_uri)
        .map(|u| u.path().to_owned())
        .unwrap_or_else(|_| "/callback".into());

    // The client.
    let client_id = match (&s.client_id, &s.client_metadata_url) {
        (Some(id), _) => id.clone(),
        (None, Some(cimd)) if md.client_id_metadata_document_supported == Some(true) => cimd.clone(),
        (None, _) => match &md.registration_endpoint {
            Some(reg) => {
                let id = register(prober, reg, &redirect_uri).await?;
                writeln!(err, "Registered client {id} at {reg}")?;
                id
            }
            None => {
                return Err(LoginError::Usage(format!(
                    "{} offers neither dynamic registration nor (usable) Client ID Metadata Documents: register a public client (token_endpoint_auth_method none) with the redirect URI http://127.0.0.1:{}/callback and pass --client-id with --redirect-port {}",
                    r.issuer, s.redirect_port.max(8976), s.redirect_port.max(8976)
                )))
            }
        },
    };

    let resource = if s.no_resource {
        None
    } else {
        s.resource.clone().or_else(|| r.resource.clone())
    };
    let scope = s.scope.clone().or_else(|| {
        if !r.scopes.is_empty() {
            Some(r.scopes.join(" "))
        } else if r.mcp_url.is_none() && crate::metadata::lists(&md.scopes_supported, "openid") {
            let mut v = vec!["openid"];
            for extra in ["profile", "email"] {
                if crate::metadata::lists(&md.scopes_supported, extra) {
                    v.push(extra);
                }
            }
            Some(v.join(" "))
        } else {
            None
        }
    });
    // MCP 2026-07-28 §Refresh Tokens: clients MAY add offline_access when the
    // server lists it; it is what makes many providers issue refresh tokens.
    let wants_refresh = crate::metadata::lists(&md.scopes_supported, "offline_access")
        && md
            .grant_types_supported
            .as_ref()
            .map_or(true, |g| g.iter().any(|x| x == "refresh_token"));
    let scope = match scope {
        Some(sc)
            if s.scope.is_none()
                && wants_refresh
                && !sc.split(' ').any(|x| x == "offline_access") =>
        {
            Some(format!("{sc} offline_access"))
        }
        other => other,
    };
    let offline = scope
        .as_deref()
        .is_some_and(|sc| sc.split(' ').any(|x| x == "offline_access"));

    let client = oauth_client(&client_id)
        .set_auth_uri(
            AuthUrl::new(auth_url.clone()).map_err(|e| LoginError::Metadata(e.to_string()))?,
        )
        .set_token_uri(
            TokenUrl::new(token_url.clone()).map_err(|e| LoginError::Metadata(e.to_string()))?,
        )
        .set_redirect_uri(
            RedirectUrl::new(redirect_uri.clone()).map_err(|e| LoginError::Usage(e.to_string()))?,
        );
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut req = client
        .authorize_url(CsrfToken::new_random)
        .set_pkce_challenge(challenge);
    if let Some(sc) = &scope {
        for one in sc.split(' ').filter(|x| !x.is_empty()) {
            req = req.add_scope(Scope::new(one.to_owned()));
        }
    }
    if let Some(res) = &resource {
        req = req.add_extra_param("resource", res.clone());
    }
    if offline {
        // OpenID Connect Core §11: offline_access needs prompt=consent.
        req = req.add_extra_param("prompt", "consent");
    }
    let (url, state) = req.url();

    writeln!(
        err,
        "Open this URL in a browser to log in to {}:\n\n  {url}\n",
        r.issuer
    )?;
    if !s.no_browser {
        if let Err(e) = browser::open(&url) {
            writeln!(err, "({e}; open the URL by hand)")?;
        }
    }
    writeln!(err, "Waiting for the redirect to {redirect_uri} …")?;
    err.flush()?;

    let expected_state = state.secret().clone();
    let issuer = r.issuer.clone();
    let iss_advertised = md.authorization_response_iss_parameter_supported == Some(true);
    let code = server
        .wait(
            &callback_path,
            Box::new(move |p| callback::validate(p, &expected_state, &issuer, iss_advertised)),
            s.timeout,
        )
        .await?;

    let mut exchange = client
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(verifier);
    if let Some(res) = &resource {
        exchange = exchange.add_extra_param("resource", res.clone());
    }
    let http = |r| prober.send_oauth(r);
    let tokens = exchange
        .request_async(&http)
        .await
        .map_err(|e| token_error(e, resource.is_some()))?;
    let entry = entry_from(
        &r,
        &client_id,
        resource.as_deref(),
        scope.as_deref(),
        &tokens,
        None,
    );
    let path = store.save(&entry)?;
    Ok((entry, path))
}

/// Refresh a cached entry with its refresh token (RFC 8707 `resource` again).
pub async fn refresh(
    prober: &Prober,
    store: &TokenStore,
    entry: &TokenEntry,
) -> Result<TokenEntry, LoginError> {
    let Some(rt) = &entry.refresh_token else {
        return Err(LoginError::Refused(format!(
            "no refresh token cached for {}; run `mcp-auth login` again",
            entry.issuer
        )));
    };
    let client = oauth_client(&entry.client_id).set_token_uri(
        TokenUrl::new(entry.token_endpoint.clone())
            .map_err(|e| LoginError::Metadata(e.to_string()))?,
    );
    let rt_value = RefreshToken::new(rt.expose().to_owned());
    let mut req = client.exchange_refresh_token(&rt_value);
    if let Some(res) = &entry.resource {
        req = req.add_extra_param("resource", res.clone());
    }
    let http = |r| prober.send_oauth(r);
    let tokens = req
        .request_async(&http)
        .await
        .map_err(|e| token_error(e, entry.resource.is_some()))?;
    let r = Resolved {
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
    };
    let mut new = entry_from(
        &r,
        &entry.client_id,
        entry.resource.as_deref(),
        entry.scope.as_deref(),
        &tokens,
        entry.refresh_token.clone(),
    );
    if new.id_token.is_none() {
        new.id_token = entry.id_token.clone();
    }
    store.save(&new)?;
    Ok(new)
}

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
        (None, e) => Err(format!(
            "revocation at {endpoint} failed: {}",
            e.as_ref().map_or("no response", |e| e.message.as_str())
        )),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::{AsDiscovery, Attempt, CandidateKind};

    fn json_exchange(doc: &serde_json::Value) -> crate::evidence::Exchange {
        crate::evidence::Exchange {
            request: crate::evidence::RequestRecord {
                method: "GET".into(),
                url: String::new(),
                headers: vec![],
                body: None,
            },
            response: Some(crate::evidence::ResponseRecord {
                status: 200,
                headers: vec![crate::evidence::Header {
                    name: "content-type".into(),
                    value: "application/json".into(),
                }],
                body: doc.to_string(),
                body_not_utf8: false,
                body_truncated: false,
            }),
            error: None,
            elapsed_ms: 1,
        }
    }

    fn disc(doc: &serde_json::Value) -> AsDiscovery {
        AsDiscovery {
            issuer: Some("https://as.example".into()),
            role: AsRole::Target,
            attempts: vec![Attempt {
                kind: CandidateKind::Oauth,
                url: "https://as.example/.well-known/oauth-authorization-server".into(),
                exchange: Some(json_exchange(doc)),
                file_body: None,
            }],
            probes: vec![],
        }
    }

    #[test]
    fn metadata_with_another_issuer_is_refused() {
        let ok = disc(
            &serde_json::json!({"issuer": "https://as.example", "token_endpoint": "https://as.example/t"}),
        );
        assert!(validated_metadata(&ok, "https://as.example").is_ok());
        let bad = disc(&serde_json::json!({"issuer": "https://evil.example"}));
        let e = validated_metadata(&bad, "https://as.example").unwrap_err();
        assert!(e.to_string().contains("refusing to use it"), "{e}");
    }
}

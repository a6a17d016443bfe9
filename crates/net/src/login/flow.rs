//! The authorization-code flow of `mcp-auth login`: the endpoints checked,
//! the loopback redirect, the client (given, a metadata document, or
//! registered), the scope, the authorization URL in the browser, the
//! callback, and the code exchanged for tokens.

use std::io::Write;

use oauth2::{
    AuthUrl, CsrfToken, EndpointNotSet, EndpointSet, PkceCodeChallenge, PkceCodeVerifier,
    RedirectUrl, Scope,
};
use url::Url;

use crate::metadata::{lists, AsMetadata};
use crate::probe::Prober;
use crate::token_store::{TokenEntry, TokenStore};

use super::cache::entry_from;
use super::register::register;
use super::resolve::Destination;
use super::token_endpoint::{self, Dpop, TokenRequest};
use super::{browser, callback, oauth_client, Client};
use super::{LoginError, LoginSettings, Resolved, Tokens};

/// The oauth2 client of the authorization URL: its endpoint and the
/// redirect URI set.
type CodeClient = oauth2::Client<
    oauth2::basic::BasicErrorResponse,
    oauth2::basic::BasicTokenResponse,
    oauth2::basic::BasicTokenIntrospectionResponse,
    oauth2::StandardRevocableToken,
    oauth2::basic::BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
>;

/// Run a login to the end; returns the saved entry and its path.
pub async fn login(
    prober: &Prober,
    store: &TokenStore,
    destination: Destination,
    s: &LoginSettings,
    err: &mut dyn Write,
) -> Result<(TokenEntry, std::path::PathBuf), LoginError> {
    let r = destination.resolved()?;
    let (auth_url, token_url) = checked_endpoints(&r, s.force)?;
    let redirect = Redirect::listen(s).await?;
    let client_id = choose_client(prober, &r, s, &redirect.uri, err).await?;
    let resource = if s.no_resource {
        None
    } else {
        s.resource.clone().or_else(|| r.resource.clone())
    };
    let scope = choose_scope(
        s.scope.as_deref(),
        &r.scopes,
        r.mcp_url.is_some(),
        &r.metadata,
    );
    let client = client_with_credentials(client_id, &r.metadata, s);
    let code_client = code_client(&client.id, auth_url, &redirect.uri)?;
    let (url, state, verifier) =
        authorization_url(&code_client, scope.as_deref(), resource.as_deref());
    let redirect_uri = redirect.uri.clone();
    let dpop_key = crate::dpop::for_login(s.dpop, &r)?;
    let code = wait_for_code(&r, s, redirect, &url, &state, err).await?;
    let exchange = Exchange {
        token_endpoint: &token_url,
        issuer: &r.issuer,
        code,
        verifier,
        redirect_uri: &redirect_uri,
        resource: resource.as_deref(),
        dpop: dpop_key.as_ref().map(|key| Dpop {
            key,
            required: s.dpop == crate::dpop::DpopMode::Always,
        }),
    };
    let tokens = exchange_code(prober, &client, exchange).await?;
    if dpop_key.is_some() && tokens.dpop_key.is_none() {
        writeln!(err, "warning: {} answered the DPoP proof with a {} token: it is not bound to a key (--dpop always refuses such an answer)", token_url, tokens.token_type)?;
    }
    let entry = entry_from(
        &r,
        &client,
        resource.as_deref(),
        scope.as_deref(),
        &tokens,
        None,
    );
    let path = store.save(&entry)?;
    Ok((entry, path))
}

/// The authorization and token endpoints, when the metadata has both, both
/// are safe to send credentials to, and S256 is advertised (or `force`).
fn checked_endpoints(r: &Resolved, force: bool) -> Result<(String, String), LoginError> {
    let md = &r.metadata;
    let auth_url = md.authorization_endpoint.clone().ok_or_else(|| {
        LoginError::Metadata(format!("{} has no authorization_endpoint", r.issuer))
    })?;
    let token_url = md
        .token_endpoint
        .clone()
        .ok_or_else(|| LoginError::Metadata(format!("{} has no token_endpoint", r.issuer)))?;
    if !lists(&md.code_challenge_methods_supported, "S256") && !force {
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
    Ok((auth_url, token_url))
}

/// The redirect URI: loopback, on a port we hold.
struct Redirect {
    server: callback::CallbackServer,
    uri: String,
    /// The path of `uri`, where the callback is expected.
    path: String,
}

impl Redirect {
    /// Listen on the redirect port; `--redirect-uri` must name that port on loopback.
    async fn listen(s: &LoginSettings) -> Result<Self, LoginError> {
        let server = callback::CallbackServer::bind(s.redirect_port)
            .await
            .map_err(|e| {
                LoginError::Usage(format!(
                    "cannot listen on 127.0.0.1:{}: {e}",
                    s.redirect_port
                ))
            })?;
        let uri = match &s.redirect_uri {
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
        let path = Url::parse(&uri)
            .map(|u| u.path().to_owned())
            .unwrap_or_else(|_| "/callback".into());
        Ok(Self { server, uri, path })
    }
}

/// The client: `--client-id`, else `--client-metadata-url` where Client ID
/// Metadata Documents are supported, else one registered now (RFC 7591).
async fn choose_client(
    prober: &Prober,
    r: &Resolved,
    s: &LoginSettings,
    redirect_uri: &str,
    err: &mut dyn Write,
) -> Result<String, LoginError> {
    let md = &r.metadata;
    Ok(match (&s.client_id, &s.client_metadata_url) {
        (Some(id), _) => id.clone(),
        (None, Some(cimd)) if md.client_id_metadata_document_supported == Some(true) => cimd.clone(),
        (None, _) => match &md.registration_endpoint {
            Some(reg) => {
                let id = register(prober, reg, redirect_uri).await?;
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
    })
}

/// The client as given: a pre-registered one authenticates with its key
/// (`private_key_jwt`) or its secret, as the server supports.
fn client_with_credentials(id: String, md: &AsMetadata, s: &LoginSettings) -> Client {
    if s.client_id.as_deref() != Some(id.as_str()) {
        return Client::public(id);
    }
    let method = match &s.client_key {
        Some(_) => super::AuthMethod::PrivateKeyJwt,
        None => super::client::method_for(None, s.client_secret.is_some(), md),
    };
    Client {
        method,
        secret: s.client_secret.clone(),
        key: s.client_key.clone(),
        ..Client::public(id)
    }
}

/// The scope a login asks for: `explicit` (`--scope`) as given; else the
/// scopes the MCP server asks for (`wanted`); else, logging in to an issuer
/// (`to_mcp` false) that lists `openid`, `openid` with whichever of
/// `profile` and `email` it lists too. Unless explicit, `offline_access` is
/// added when the server lists it and (as far as it says) grants refresh
/// tokens: MCP 2026-07-28 §Refresh Tokens says clients MAY, and it is what
/// makes many providers issue refresh tokens.
fn choose_scope(
    explicit: Option<&str>,
    wanted: &[String],
    to_mcp: bool,
    md: &AsMetadata,
) -> Option<String> {
    if let Some(sc) = explicit {
        return Some(sc.to_owned());
    }
    let scope = if !wanted.is_empty() {
        Some(wanted.join(" "))
    } else if !to_mcp && lists(&md.scopes_supported, "openid") {
        let mut v = vec!["openid"];
        for extra in ["profile", "email"] {
            if lists(&md.scopes_supported, extra) {
                v.push(extra);
            }
        }
        Some(v.join(" "))
    } else {
        None
    };
    let wants_refresh = lists(&md.scopes_supported, "offline_access")
        && md
            .grant_types_supported
            .as_ref()
            .map_or(true, |g| g.iter().any(|x| x == "refresh_token"));
    match scope {
        Some(sc) if wants_refresh && !asks_offline(&sc) => Some(format!("{sc} offline_access")),
        other => other,
    }
}

/// Whether a scope asks for `offline_access`.
fn asks_offline(scope: &str) -> bool {
    scope.split(' ').any(|x| x == "offline_access")
}

/// The oauth2 client for this login's endpoints and redirect URI.
fn code_client(
    client_id: &str,
    auth_url: String,
    redirect_uri: &str,
) -> Result<CodeClient, LoginError> {
    Ok(oauth_client(client_id)
        .set_auth_uri(AuthUrl::new(auth_url).map_err(|e| LoginError::Metadata(e.to_string()))?)
        .set_redirect_uri(
            RedirectUrl::new(redirect_uri.to_owned())
                .map_err(|e| LoginError::Usage(e.to_string()))?,
        ))
}

/// The authorization URL (PKCE S256, a random `state`, the scope, the
/// resource), its `state`, and the PKCE verifier for the exchange.
fn authorization_url(
    client: &CodeClient,
    scope: Option<&str>,
    resource: Option<&str>,
) -> (Url, CsrfToken, PkceCodeVerifier) {
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut req = client
        .authorize_url(CsrfToken::new_random)
        .set_pkce_challenge(challenge);
    if let Some(sc) = scope {
        for one in sc.split(' ').filter(|x| !x.is_empty()) {
            req = req.add_scope(Scope::new(one.to_owned()));
        }
    }
    if let Some(res) = resource {
        req = req.add_extra_param("resource", res.to_owned());
    }
    if scope.is_some_and(asks_offline) {
        // OpenID Connect Core §11: offline_access needs prompt=consent.
        req = req.add_extra_param("prompt", "consent");
    }
    let (url, state) = req.url();
    (url, state, verifier)
}

/// Show (and open) the authorization URL, then wait for the redirect and
/// return its validated code (`state`, and `iss` per RFC 9207).
async fn wait_for_code(
    r: &Resolved,
    s: &LoginSettings,
    redirect: Redirect,
    url: &Url,
    state: &CsrfToken,
    err: &mut dyn Write,
) -> Result<String, LoginError> {
    writeln!(
        err,
        "Open this URL in a browser to log in to {}:\n\n  {url}\n",
        r.issuer
    )?;
    if !s.no_browser {
        if let Err(e) = browser::open(url) {
            writeln!(err, "({e}; open the URL by hand)")?;
        }
    }
    writeln!(err, "Waiting for the redirect to {} …", redirect.uri)?;
    err.flush()?;

    let expected_state = state.secret().clone();
    let issuer = r.issuer.clone();
    let iss_advertised = r.metadata.authorization_response_iss_parameter_supported == Some(true);
    Ok(redirect
        .server
        .wait(
            &redirect.path,
            Box::new(move |p| callback::validate(p, &expected_state, &issuer, iss_advertised)),
            s.timeout,
        )
        .await?)
}

/// What the code exchange sends.
struct Exchange<'a> {
    token_endpoint: &'a str,
    issuer: &'a str,
    code: String,
    verifier: PkceCodeVerifier,
    redirect_uri: &'a str,
    resource: Option<&'a str>,
    dpop: Option<Dpop<'a>>,
}

/// Exchange the code (with the PKCE verifier and the resource) for tokens.
async fn exchange_code(
    prober: &Prober,
    client: &Client,
    x: Exchange<'_>,
) -> Result<Tokens, LoginError> {
    let req = TokenRequest::new(x.token_endpoint, x.issuer, "authorization_code")
        .param("code", x.code)
        .param("redirect_uri", x.redirect_uri)
        .param("code_verifier", x.verifier.secret().as_str())
        .param_opt("resource", x.resource)
        .dpop(x.dpop);
    token_endpoint::request(prober, client, &req)
        .await
        .map_err(|e| e.with_hint(x.resource.is_some()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md(scopes: &[&str], grants: Option<&[&str]>) -> AsMetadata {
        let strings = |l: &[&str]| l.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        AsMetadata {
            scopes_supported: Some(strings(scopes)),
            grant_types_supported: grants.map(strings),
            ..AsMetadata::default()
        }
    }

    fn wanted(l: &[&str]) -> Vec<String> {
        l.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn an_explicit_scope_is_sent_as_given() {
        let m = md(&["openid", "offline_access"], None);
        assert_eq!(
            choose_scope(Some("a b"), &wanted(&["x"]), true, &m).as_deref(),
            Some("a b")
        );
    }

    #[test]
    fn the_mcp_servers_scopes_come_first_with_offline_access_when_listed() {
        let m = md(&["openid", "offline_access"], None);
        assert_eq!(
            choose_scope(None, &wanted(&["mcp:read", "mcp:write"]), true, &m).as_deref(),
            Some("mcp:read mcp:write offline_access")
        );
        let m = md(&["mcp:read"], None);
        assert_eq!(
            choose_scope(None, &wanted(&["mcp:read"]), true, &m).as_deref(),
            Some("mcp:read")
        );
    }

    #[test]
    fn offline_access_is_not_added_twice_nor_without_refresh_grants() {
        let m = md(&["offline_access"], None);
        assert_eq!(
            choose_scope(None, &wanted(&["a", "offline_access"]), true, &m).as_deref(),
            Some("a offline_access")
        );
        let m = md(&["offline_access"], Some(&["authorization_code"]));
        assert_eq!(
            choose_scope(None, &wanted(&["a"]), true, &m).as_deref(),
            Some("a")
        );
        let m = md(
            &["offline_access"],
            Some(&["authorization_code", "refresh_token"]),
        );
        assert_eq!(
            choose_scope(None, &wanted(&["a"]), true, &m).as_deref(),
            Some("a offline_access")
        );
    }

    #[test]
    fn an_issuer_login_asks_for_openid_and_what_it_lists_of_profile_and_email() {
        let m = md(&["openid", "email", "other"], None);
        assert_eq!(
            choose_scope(None, &[], false, &m).as_deref(),
            Some("openid email")
        );
        let m = md(&["openid", "profile", "email", "offline_access"], None);
        assert_eq!(
            choose_scope(None, &[], false, &m).as_deref(),
            Some("openid profile email offline_access")
        );
    }

    #[test]
    fn no_scope_when_nothing_asks_for_one() {
        // An MCP server that names no scope: not openid, nor offline_access alone.
        let m = md(&["openid", "offline_access"], None);
        assert_eq!(choose_scope(None, &[], true, &m), None);
        // An issuer without openid.
        let m = md(&["offline_access", "profile"], None);
        assert_eq!(choose_scope(None, &[], false, &m), None);
    }

    #[test]
    fn asks_offline_reads_whole_words() {
        assert!(asks_offline("openid offline_access"));
        assert!(!asks_offline("openid offline_accessx"));
    }
}

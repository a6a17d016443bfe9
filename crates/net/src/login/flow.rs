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

use crate::metadata::lists;
use crate::probe::Prober;
use crate::token_store::{TokenEntry, TokenStore};

use super::cache::entry_from;
use super::identity::{self, Redirect};
use super::resolve::Destination;
use super::scope::{asks_offline, choose_scope};
use super::token_endpoint::{self, Dpop, TokenRequest};
use super::{browser, callback, endpoint_named, endpoint_safe, oauth_client, Client};
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

/// What [`login_seen`] observed on the way, kept even when the login stops
/// (`check --login` grades it: CIMD-LIVE, STATE-ECHO, ISS-RESPONSE). Only
/// facts: never the code or the state.
#[derive(Debug, Clone, Default)]
pub struct Observed {
    /// The client id the authorization request was made with.
    pub client_id: Option<String>,
    /// The callback's facts, when one arrived.
    pub callback: Option<crate::evidence::live::CallbackFacts>,
}

/// Where [`login_seen`] keeps what it observed.
pub type Seen = std::sync::Arc<std::sync::Mutex<Observed>>;

/// Record into `seen`, if any.
fn observe(seen: Option<&Seen>, f: impl FnOnce(&mut Observed)) {
    if let Some(seen) = seen {
        f(&mut seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner));
    }
}

/// Run a login to the end; returns the saved entry and its path.
pub async fn login(
    prober: &Prober,
    store: &TokenStore,
    destination: Destination,
    s: &LoginSettings,
    err: &mut dyn Write,
) -> Result<(TokenEntry, std::path::PathBuf), LoginError> {
    login_seen(prober, store, destination, s, err, None).await
}

/// [`login`], keeping the callback's parameters in `seen`.
pub async fn login_seen(
    prober: &Prober,
    store: &TokenStore,
    destination: Destination,
    s: &LoginSettings,
    err: &mut dyn Write,
    seen: Option<Seen>,
) -> Result<(TokenEntry, std::path::PathBuf), LoginError> {
    let Prepared {
        r,
        token_url,
        client,
        redirect,
        resource,
        scope,
        code_client,
    } = prepare(prober, store, destination, s, err, seen.as_ref()).await?;
    let nonce = scope
        .as_deref()
        .is_some_and(asks_openid)
        .then(super::client::random_id);
    let (url, state, verifier) = authorization_url(
        &code_client,
        scope.as_deref(),
        resource.as_deref(),
        nonce.as_deref(),
    );
    let redirect_uri = redirect.uri.clone();
    let dpop_key = crate::dpop::for_login(s.dpop, &r)?;
    let code = wait_for_code(&r, s, redirect, (&url, &state), err, seen).await?;
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
    let tokens = exchange_code(prober, &client, exchange)
        .await
        .map_err(|e| explain_refused_client(e, &client))?;
    if let Some(n) = &nonce {
        check_nonce(tokens.id_token.as_ref(), n)?;
    }
    if let Some(w) = resource
        .as_deref()
        .and_then(|res| audience_warning(&tokens.access_token, res))
    {
        writeln!(err, "warning: {w}")?;
    }
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
    super::cache::supersede(store, &entry, &path);
    Ok((entry, path))
}

/// `check --login --intrusive` (TOK-PKCE-VERIFIED): a second authorization
/// code, redeemed with a `code_verifier` that is not the one its challenge
/// was made from. The answer is in the prober's journal; the code is spent.
pub async fn wrong_verifier(
    prober: &Prober,
    store: &TokenStore,
    destination: Destination,
    s: &LoginSettings,
    err: &mut dyn Write,
) -> Result<(), LoginError> {
    let Prepared {
        r,
        token_url,
        client,
        redirect,
        resource,
        scope,
        code_client,
    } = prepare(prober, store, destination, s, err, None).await?;
    let (url, state, _right) =
        authorization_url(&code_client, scope.as_deref(), resource.as_deref(), None);
    let redirect_uri = redirect.uri.clone();
    writeln!(err, "--intrusive: a second authorization, whose code is redeemed with a wrong code_verifier (TOK-PKCE-VERIFIED)")?;
    let code = wait_for_code(&r, s, redirect, (&url, &state), err, None).await?;
    let exchange = Exchange {
        token_endpoint: &token_url,
        issuer: &r.issuer,
        code,
        verifier: PkceCodeVerifier::new(super::client::random_id() + &super::client::random_id()),
        redirect_uri: &redirect_uri,
        resource: resource.as_deref(),
        dpop: None,
    };
    exchange_code(prober, &client, exchange).await.map(|_| ())
}

/// What an authorization request starts from: the resolved destination,
/// its checked token endpoint, the client and its redirect, and the
/// resource and scope asked for.
struct Prepared {
    r: Resolved,
    token_url: String,
    client: Client,
    redirect: Redirect,
    resource: Option<String>,
    scope: Option<String>,
    code_client: CodeClient,
}

/// Resolve the destination, check its endpoints, choose the client, and
/// decide the resource and scope (the login's and `--intrusive`'s second
/// authorization alike). The client id goes to `seen` as soon as it is
/// known: a metadata document URL before the document is checked.
async fn prepare(
    prober: &Prober,
    store: &TokenStore,
    destination: Destination,
    s: &LoginSettings,
    err: &mut dyn Write,
    seen: Option<&Seen>,
) -> Result<Prepared, LoginError> {
    let r = destination.resolved()?;
    observe(seen, |o| {
        o.client_id = identity::document_url(&r.metadata, s)
    });
    let (auth_url, token_url) = checked_endpoints(&r, s.force)?;
    let (client, redirect) = identity::choose(prober, store, &r, s, err).await?;
    observe(seen, |o| o.client_id = Some(client.id.clone()));
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
    let code_client = code_client(&client.id, auth_url, &redirect.uri)?;
    Ok(Prepared {
        r,
        token_url,
        client,
        redirect,
        resource,
        scope,
        code_client,
    })
}

/// The authorization and token endpoints, when the metadata has both, both
/// are safe to send credentials to, and S256 is advertised (or `force`).
fn checked_endpoints(r: &Resolved, force: bool) -> Result<(String, String), LoginError> {
    let md = &r.metadata;
    let auth_url = endpoint_named(
        md.authorization_endpoint.as_deref(),
        "authorization_endpoint",
        &r.issuer,
    )?;
    let token_url = endpoint_named(md.token_endpoint.as_deref(), "token_endpoint", &r.issuer)?;
    if !lists(&md.code_challenge_methods_supported, "S256") && !force {
        return Err(LoginError::Metadata(format!(
            "{} does not advertise PKCE S256 (code_challenge_methods_supported); MCP clients must refuse it. --force tries anyway",
            r.issuer
        )));
    }
    endpoint_safe(&auth_url, "authorization_endpoint")?;
    endpoint_safe(&token_url, "token_endpoint")?;
    Ok((auth_url, token_url))
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
    nonce: Option<&str>,
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
    if let Some(n) = nonce {
        // OpenID Connect Core §3.1.2.1: some providers require it with openid.
        req = req.add_extra_param("nonce", n.to_owned());
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
    (url, state): (&Url, &CsrfToken),
    err: &mut dyn Write,
    seen: Option<Seen>,
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
            Box::new(move |p| {
                // Before validating: a refused callback is graded too.
                observe(seen.as_ref(), |o| {
                    o.callback = Some(crate::evidence::live::CallbackFacts {
                        received: true,
                        state_matched: p.state.as_deref() == Some(expected_state.as_str()),
                        iss: p.iss.clone(),
                        iss_advertised,
                        error: p.error.clone(),
                    });
                });
                callback::validate(p, &expected_state, &issuer, iss_advertised)
            }),
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

/// Whether a scope asks for `openid` (an OpenID Connect login: a nonce goes with it).
fn asks_openid(scope: &str) -> bool {
    scope.split(' ').any(|x| x == "openid")
}

/// OpenID Connect Core §3.1.3.7: an ID token answering a request with a
/// nonce must carry that nonce.
fn check_nonce(
    id_token: Option<&crate::token_store::Secret>,
    sent: &str,
) -> Result<(), LoginError> {
    let Some(t) = id_token else { return Ok(()) };
    let got = crate::evidence::jwt::decode_unverified(t.expose()).and_then(|d| {
        d.claims
            .get("nonce")
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
    });
    match got {
        Some(n) if n == sent => Ok(()),
        Some(_) => Err(LoginError::Refused(
            "the ID token's nonce is not the one this login sent (a replayed or substituted ID token); the tokens were not saved".to_owned(),
        )),
        None => Err(LoginError::Refused(
            "the ID token has no nonce although this login sent one (OpenID Connect Core §3.1.3.7); the tokens were not saved".to_owned(),
        )),
    }
}

/// A JWT access token whose `aud` does not name the resource it was asked
/// for: the MCP server's bearer check will refuse it (TOKEN-AUD).
fn audience_warning(token: &crate::token_store::Secret, resource: &str) -> Option<String> {
    let d = crate::evidence::jwt::decode_unverified(token.expose())?;
    let aud: Vec<String> = match d.claims.get("aud")? {
        serde_json::Value::String(a) => vec![a.clone()],
        serde_json::Value::Array(l) => l
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    };
    let trimmed = |s: &str| s.trim_end_matches('/').to_owned();
    (!aud.iter().any(|a| trimmed(a) == trimmed(resource))).then(|| {
        format!(
            "the access token's aud ({}) does not name {resource}, the resource it was asked for: the MCP server will likely refuse it (TOKEN-AUD; `mcp-auth token inspect --cached {resource}`)",
            aud.join(", ")
        )
    })
}

/// A token endpoint that refuses a client mcp-auth just registered as
/// public: say what that means (providers that store dynamically
/// registered clients as confidential) and what to do.
fn explain_refused_client(e: LoginError, client: &Client) -> LoginError {
    match e {
        LoginError::Refused(m)
            if client.registered
                && client.method == super::AuthMethod::None
                && (m.contains("refused: unauthorized_client") || m.contains("refused: invalid_client")) =>
        {
            LoginError::Refused(format!(
                "{m}; the authorization server registered client {} as a public client (token_endpoint_auth_method \"none\") and then refused it at the token endpoint: it treats dynamically registered clients as confidential. Allow public (PKCE-only) clients for dynamic registration at the provider, or pre-register a client and pass --client-id (with --client-secret-file for a confidential one)",
                client.id
            ))
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    fn id_token(claims: &serde_json::Value) -> crate::token_store::Secret {
        let b64 = |v: &serde_json::Value| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
        };
        crate::token_store::Secret::new(format!(
            "{}.{}.sig",
            b64(&serde_json::json!({"alg": "RS256"})),
            b64(claims)
        ))
    }

    #[test]
    fn an_id_token_must_carry_the_nonce_sent() {
        assert!(
            check_nonce(None, "n1").is_ok(),
            "no ID token, nothing to check"
        );
        let good = id_token(&serde_json::json!({"nonce": "n1"}));
        assert!(check_nonce(Some(&good), "n1").is_ok());
        let wrong = id_token(&serde_json::json!({"nonce": "n2"}));
        let e = check_nonce(Some(&wrong), "n1").unwrap_err().to_string();
        assert!(e.contains("nonce is not the one this login sent"), "{e}");
        let none = id_token(&serde_json::json!({"sub": "a"}));
        let e = check_nonce(Some(&none), "n1").unwrap_err().to_string();
        assert!(e.contains("has no nonce"), "{e}");
    }

    #[test]
    fn a_registered_public_client_refused_at_the_token_endpoint_is_explained() {
        let refused =
            || LoginError::Refused("the token endpoint refused: unauthorized_client".into());
        let registered = Client {
            registered: true,
            ..Client::public("c1")
        };
        let e = explain_refused_client(refused(), &registered).to_string();
        assert!(
            e.contains("treats dynamically registered clients as confidential"),
            "{e}"
        );
        // A given client gets the error as it was.
        let e = explain_refused_client(refused(), &Client::public("c1")).to_string();
        assert_eq!(e, "the token endpoint refused: unauthorized_client");
    }

    #[test]
    fn a_token_for_another_audience_is_named() {
        let res = "https://mcp.example/mcp";
        let t = id_token(&serde_json::json!({"aud": ["https://other.example"]}));
        let w = audience_warning(&t, res).expect("a warning");
        assert!(
            w.contains("https://other.example") && w.contains("TOKEN-AUD"),
            "{w}"
        );
        let t = id_token(&serde_json::json!({"aud": "https://mcp.example/mcp/"}));
        assert_eq!(audience_warning(&t, res), None);
        // Opaque tokens cannot be judged here.
        assert_eq!(
            audience_warning(&crate::token_store::Secret::new("opaque"), res),
            None
        );
    }

    #[test]
    fn openid_is_a_whole_word() {
        assert!(asks_openid("profile openid"));
        assert!(!asks_openid("openidx"));
    }
}

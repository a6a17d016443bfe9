//! `call`'s answers to a rejected token, as an MCP client's: refresh an
//! expired token; log in again on 401 (the token is no longer accepted,
//! or the server names another authorization server now, SEP-2352); on
//! 403 `insufficient_scope`, authorize again with the union of the scopes
//! held and the scopes challenged (SEP-2350), once, and never when that
//! union asks for nothing new (the suite's `auth/scope-retry-limit`).

use std::io::Write;
use std::time::Duration;

use crate::cli::CallArgs;
use crate::login::{LoginError, LoginSettings};
use crate::probe::Prober;
use crate::token_store::{now, TokenEntry, TokenStore};
use mcp_auth_evidence::www_authenticate;

/// What to do about a failed MCP request.
#[derive(Debug, PartialEq, Eq)]
pub enum Next {
    /// Refresh the token and retry.
    Refresh,
    /// Log in again, asking for this scope (None: what the server asks for).
    Login(Option<String>),
    /// Report the failure.
    Stop,
}

/// The next step after an HTTP `status` with `challenge`, for `entry`.
pub fn next_step(
    status: u16,
    challenge: Option<&str>,
    entry: &TokenEntry,
    args: &CallArgs,
) -> Next {
    match status {
        401 if entry.refresh_token.is_some() && entry.expires_in(now()).is_some_and(|s| s < 30) => {
            Next::Refresh
        }
        401 if can_authorize(entry, args) => Next::Login(None),
        403 if can_authorize(entry, args) && !args.no_step_up => {
            match challenged_scope(challenge) {
                Some(wanted) => union_if_new(entry.scope.as_deref(), &wanted)
                    .map_or(Next::Stop, |u| Next::Login(Some(u))),
                None => Next::Stop,
            }
        }
        _ => Next::Stop,
    }
}

/// Whether `call` may authorize again: not with `--no-login`; a browser
/// login only where someone can finish it (a terminal, `$BROWSER`, or
/// `--no-browser`'s printed URL): in CI, a rejected token fails at once
/// instead of waiting out the login timeout. A client credentials login
/// needs nobody.
fn can_authorize(entry: &TokenEntry, args: &CallArgs) -> bool {
    use std::io::IsTerminal;
    if args.no_login {
        return false;
    }
    entry.grant.as_deref() == Some("client-credentials")
        || args.no_browser
        || std::io::stderr().is_terminal()
        || std::env::var_os("BROWSER").is_some_and(|b| !b.is_empty())
}

/// The `scope` of an `insufficient_scope` Bearer (or DPoP) challenge.
fn challenged_scope(challenge: Option<&str>) -> Option<String> {
    let parsed = www_authenticate::parse(&[challenge?.to_owned()]);
    let c = parsed.bearer()?;
    if c.param("error").map(|e| e.value.as_str()) != Some("insufficient_scope") {
        return None;
    }
    c.param("scope").map(|s| s.value.clone())
}

/// The union of `held` and `wanted`, when it has a scope `held` lacks.
fn union_if_new(held: Option<&str>, wanted: &str) -> Option<String> {
    let mut all: Vec<&str> = held
        .unwrap_or("")
        .split(' ')
        .filter(|s| !s.is_empty())
        .collect();
    let before = all.len();
    for w in wanted.split(' ').filter(|s| !s.is_empty()) {
        if !all.contains(&w) {
            all.push(w);
        }
    }
    (all.len() > before).then(|| all.join(" "))
}

/// Log in to `url` again: the client cached for the same authorization
/// server is reused (a given one only while the server names the same
/// authorization server), the scope as asked.
pub async fn log_in_again(
    args: &CallArgs,
    prober: &Prober,
    store: &TokenStore,
    entry: &TokenEntry,
    scope: Option<String>,
    err: &mut dyn Write,
) -> Result<TokenEntry, LoginError> {
    let given = !entry.registered && url::Url::parse(&entry.client_id).is_err();
    // Client credentials run again with the cached secret; the other grants'
    // inputs (an assertion, an IdP token) are not cached: they cannot.
    let grant = match entry.grant.as_deref() {
        None => crate::login::Grant::AuthorizationCode,
        Some("client-credentials") => crate::login::Grant::ClientCredentials,
        Some(other) => {
            return Err(LoginError::Refused(format!(
                "the server refused the token; a {other} login needs its assertion again: run `mcp-auth login {} --grant {other} …`",
                args.url
            )))
        }
    };
    let settings = LoginSettings {
        grant,
        dpop: mcp_auth_net::dpop::DpopMode::Auto,
        assertion: None,
        subject_token: None,
        refresh_token: None,
        idp: None,
        client_id: given.then(|| entry.client_id.clone()),
        client_secret: if given {
            entry.client_secret.clone()
        } else {
            None
        },
        client_key: None,
        client_metadata_url: None,
        scope,
        resource: None,
        no_resource: false,
        redirect_port: None,
        redirect_uri: None,
        no_browser: args.no_browser,
        force: false,
        timeout: Duration::from_secs(args.login_timeout),
        show_token: false,
    };
    let kind = crate::evidence::TargetHint::Mcp;
    let mut destination = crate::login::destination(prober, &args.url, kind).await?;
    if destination.issuer != entry.issuer {
        writeln!(
            err,
            "{} now names the authorization server {} (was {}): registering there; the old client and tokens are not used (SEP-2352)",
            args.url, destination.issuer, entry.issuer
        )?;
    }
    // Pre-registered credentials belong to the server they were issued by.
    let settings = if given && destination.issuer != entry.issuer {
        LoginSettings {
            client_id: None,
            client_secret: None,
            ..settings
        }
    } else {
        settings
    };
    destination.mcp_url = Some(args.url.clone());
    super::login::log_in_resolved(destination, prober, store, &settings, err)
        .await
        .map(|(e, _)| e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_union_adds_only_new_scopes() {
        assert_eq!(union_if_new(Some("a b"), "c"), Some("a b c".to_owned()));
        assert_eq!(union_if_new(Some("a b"), "b a"), None);
        assert_eq!(union_if_new(None, "a"), Some("a".to_owned()));
        assert_eq!(union_if_new(Some("a"), ""), None);
    }

    #[test]
    fn only_an_insufficient_scope_challenge_names_a_scope() {
        assert_eq!(
            challenged_scope(Some(
                r#"Bearer error="insufficient_scope", scope="mcp:write""#
            ))
            .as_deref(),
            Some("mcp:write")
        );
        assert_eq!(
            challenged_scope(Some(r#"Bearer error="invalid_token", scope="x""#)),
            None
        );
        assert_eq!(challenged_scope(None), None);
    }
}

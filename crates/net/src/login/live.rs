//! `check --login`: log in as `login` does, then use the token the way an
//! MCP client would (the MCP server, userinfo, a refresh with the same
//! `resource`) and try a token not issued for the server, recording every
//! exchange (redacted by the prober) and the facts grading needs.

use std::io::Write;

use serde_json::{json, Value};

use crate::evidence::live::{
    CallbackFacts, LiveAnswer, LiveEvidence, LiveExchange, LiveStep, OtherAudience, RefreshFacts,
    TokenFacts,
};
use crate::mcp_session::{Failure, Lifecycle, McpSession};
use crate::probe::{Journal, ProbeRequest, Prober};
use crate::token_store::{TokenEntry, TokenStore};

use super::{flow, grants, refresh, Destination, Grant, LoginSettings};

/// What `check --login` asks for besides the login's settings.
#[derive(Debug, Clone, Default)]
pub struct LiveOptions {
    /// Spend a second authorization code (with a wrong `code_verifier`) and a
    /// second use of a rotated refresh token (`--intrusive`).
    pub intrusive: bool,
    /// The MCP lifecycle of the calls (`--protocol-version`; none: as the
    /// server supports, `server/discover` first).
    pub lifecycle: Option<Lifecycle>,
}

/// The stores of a live run: where the login's token is kept (the user's
/// cache with `--save-login`, else a scratch store), and a scratch store for
/// the token obtained for another audience (never the user's).
pub struct Stores<'a> {
    pub login: &'a TokenStore,
    pub scratch: &'a TokenStore,
}

/// Recording the flow: the recording prober and its journal.
struct Recorder {
    prober: Prober,
    journal: Journal,
    live: LiveEvidence,
    lifecycle: Option<Lifecycle>,
}

impl Recorder {
    /// The exchanges sent since the last step, as `step`'s.
    fn step(&mut self, step: LiveStep) {
        for exchange in self.journal.take() {
            self.live.exchanges.push(LiveExchange { step, exchange });
        }
    }
}

/// Run the live flow for `destination` (whose login preconditions the
/// caller has assessed).
pub async fn run(
    prober: &Prober,
    stores: Stores<'_>,
    destination: Destination,
    s: &LoginSettings,
    options: LiveOptions,
    err: &mut dyn Write,
) -> LiveEvidence {
    let (rec_prober, journal) = prober.recording();
    let resource = if s.no_resource {
        None
    } else {
        s.resource.clone().or_else(|| destination.resource.clone())
    };
    let mcp_url = destination.mcp_url.clone();
    let mut rec = Recorder {
        prober: rec_prober,
        journal,
        live: LiveEvidence {
            grant: s.grant.name().to_owned(),
            issuer: destination.issuer.clone(),
            resource,
            scope_requested: s.scope.clone(),
            intrusive: options.intrusive,
            ..LiveEvidence::default()
        },
        lifecycle: options.lifecycle.clone(),
    };
    let Some(entry) = log_in(&mut rec, stores.login, destination.clone(), s, err).await else {
        return rec.live;
    };
    if let Some(url) = &mcp_url {
        rec.live.call = Some(call_mcp(&rec, url, &entry, true).await);
        rec.step(LiveStep::McpCall);
    }
    if s.grant == Grant::AuthorizationCode {
        userinfo(&mut rec, &entry).await;
    }
    let refreshed = refresh_same_resource(&mut rec, &entry).await;
    let newest = refreshed.as_ref().unwrap_or(&entry);
    let dest = destination.clone();
    let other = other_audience(
        &mut rec,
        stores.scratch,
        dest,
        s,
        newest,
        mcp_url.as_deref(),
    );
    let other = other.await;
    keep_newest(stores.login, s, refreshed.as_ref(), other.as_ref(), err);
    if options.intrusive && s.grant == Grant::AuthorizationCode {
        // Graded from the journal: the refusal expected is an error here.
        let _ = flow::wrong_verifier(&rec.prober, stores.login, destination, s, err).await;
        rec.step(LiveStep::PkceWrongVerifier);
    }
    if options.intrusive && rec.live.refresh.as_ref().is_some_and(|r| r.rotated) {
        reuse_refresh_token(&mut rec, &entry).await;
    }
    rec.live
}

/// The login itself (the browser, or a grant without a user).
async fn log_in(
    rec: &mut Recorder,
    store: &TokenStore,
    destination: Destination,
    s: &LoginSettings,
    err: &mut dyn Write,
) -> Option<TokenEntry> {
    let seen = flow::Seen::default();
    let result = match s.grant {
        Grant::AuthorizationCode => {
            flow::login_seen(&rec.prober, store, destination, s, err, Some(seen.clone())).await
        }
        _ => grants::obtain(&rec.prober, store, destination, s).await,
    };
    rec.step(LiveStep::Login);
    let observed = std::mem::take(
        &mut *seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    );
    record_observed(&mut rec.live, s.grant, s.client_id.as_deref(), observed);
    match result {
        Ok((entry, _)) => {
            rec.live.client_id = (!entry.client_id.is_empty()).then(|| entry.client_id.clone());
            rec.live.token = Some(token_facts(&entry, entry.refresh_token.is_some()));
            Some(entry)
        }
        Err(e) => {
            rec.live.error = Some(e.to_string());
            None
        }
    }
}

/// What the login observed, recorded whether or not it got a token: the
/// client id it used (else the one `given`), and for a browser login the
/// callback (`received: false` when none arrived, so that grading says why).
fn record_observed(
    live: &mut LiveEvidence,
    grant: Grant,
    given: Option<&str>,
    observed: flow::Observed,
) {
    live.client_id = observed.client_id.or_else(|| given.map(str::to_owned));
    live.callback = observed.callback;
    if grant == Grant::AuthorizationCode && live.callback.is_none() {
        live.callback = Some(CallbackFacts::default());
    }
}

/// The decoded facts of an entry's access token (never its value).
pub fn token_facts(e: &TokenEntry, refresh_token: bool) -> TokenFacts {
    let claims = crate::evidence::jwt::decode_unverified(e.access_token.expose()).map(|d| d.claims);
    let claim = |name: &str| claims.as_ref().and_then(|c| c.get(name));
    let aud = match claim("aud") {
        Some(Value::String(a)) => vec![a.clone()],
        Some(Value::Array(l)) => l
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    };
    TokenFacts {
        token_type: e.token_type.clone(),
        expires_in: e.expires_at.map(|x| x.saturating_sub(e.obtained_at)),
        scope: e.scope.clone(),
        refresh_token,
        jwt: claims.is_some(),
        aud,
        iss: claim("iss").and_then(Value::as_str).map(str::to_owned),
        exp: claim("exp").and_then(Value::as_i64),
        iat: claim("iat").and_then(Value::as_i64),
        jwt_scope: claim("scope").and_then(Value::as_str).map(str::to_owned),
    }
}

/// How a failed MCP request ended, as evidence.
fn answer_of(r: Result<(), Failure>) -> LiveAnswer {
    match r {
        Ok(()) => LiveAnswer::Ok,
        Err(Failure::Unreachable(detail)) => LiveAnswer::Unreachable { detail },
        Err(Failure::Unusable(detail)) => LiveAnswer::Unusable { detail },
        Err(Failure::Status {
            status,
            challenge,
            detail,
        }) => LiveAnswer::Refused {
            status,
            challenge,
            detail,
        },
    }
}

/// `server/discover` or `initialize` (and `tools/list` when `list`) with the
/// entry's token, in the recorder's lifecycle.
async fn call_mcp(rec: &Recorder, url: &str, entry: &TokenEntry, list: bool) -> LiveAnswer {
    let key = match crate::dpop::key_of(entry) {
        Ok(k) => k,
        Err(e) => {
            return LiveAnswer::NotAsked {
                detail: e.to_string(),
            }
        }
    };
    let mut s = McpSession::new(&rec.prober, url, entry.access_token.expose())
        .with_dpop(key.as_ref())
        .with_lifecycle(rec.lifecycle.clone());
    let r = async {
        s.initialize().await?;
        if list {
            s.request("tools/list", json!({})).await?;
        }
        Ok(())
    }
    .await;
    answer_of(r)
}

/// GET userinfo with the login token; the claims' values are not recorded.
async fn userinfo(rec: &mut Recorder, entry: &TokenEntry) {
    let Some(endpoint) = entry.userinfo_endpoint.clone() else {
        rec.live.userinfo = Some(LiveAnswer::NotAsked {
            detail: "the authorization server has no userinfo_endpoint".to_owned(),
        });
        return;
    };
    if !entry.token_type.eq_ignore_ascii_case("bearer") {
        rec.live.userinfo = Some(LiveAnswer::NotAsked {
            detail: format!(
                "a {} token: userinfo is called with Bearer tokens only here",
                entry.token_type
            ),
        });
        return;
    }
    let req = ProbeRequest::bearer_get(&endpoint, entry.access_token.expose(), "application/json");
    let mut ex = rec.prober.send(req).await;
    let _ = rec.journal.take();
    let (answer, claims) = match (&ex.response, &ex.error) {
        (Some(r), None) if (200..300).contains(&r.status) => {
            match serde_json::from_str::<serde_json::Map<String, Value>>(&r.body) {
                Ok(m) => (LiveAnswer::Ok, m.keys().cloned().collect()),
                Err(_) => (
                    LiveAnswer::Unusable {
                        detail: format!("{endpoint}: the answer is not a JSON object"),
                    },
                    Vec::new(),
                ),
            }
        }
        (Some(r), None) => (
            LiveAnswer::Refused {
                status: r.status,
                challenge: r.header("www-authenticate").map(str::to_owned),
                detail: r.body.chars().take(200).collect(),
            },
            Vec::new(),
        ),
        _ => (
            LiveAnswer::Unreachable {
                detail: ex.failure().to_owned(),
            },
            Vec::new(),
        ),
    };
    if let Some(r) = ex.response.as_mut() {
        if matches!(answer, LiveAnswer::Ok) {
            // Who the user is stays out of the evidence: the claim names only.
            let names: serde_json::Map<String, Value> = claims
                .iter()
                .map(|c: &String| (c.clone(), Value::String("[redacted]".to_owned())))
                .collect();
            r.body = Value::Object(names).to_string();
        }
    }
    rec.live.exchanges.push(LiveExchange {
        step: LiveStep::Userinfo,
        exchange: ex,
    });
    rec.live.userinfo = Some(answer);
    rec.live.userinfo_claims = claims;
}

/// Whether a recorded token response carried a `refresh_token` member.
fn carried_refresh_token(live: &LiveEvidence, step: LiveStep) -> bool {
    live.token_exchange(step)
        .and_then(|e| e.response.as_ref())
        .and_then(|r| serde_json::from_str::<Value>(&r.body).ok())
        .is_some_and(|v| v.get("refresh_token").is_some())
}

/// Refresh once with the same `resource`, when a refresh token was issued.
async fn refresh_same_resource(rec: &mut Recorder, entry: &TokenEntry) -> Option<TokenEntry> {
    entry.refresh_token.as_ref()?;
    let result = refresh::request(&rec.prober, entry).await;
    rec.step(LiveStep::Refresh);
    let issued = carried_refresh_token(&rec.live, LiveStep::Refresh);
    match result {
        Ok(new) => {
            rec.live.refresh = Some(RefreshFacts {
                token: Some(token_facts(&new, issued)),
                error: None,
                rotated: issued && new.refresh_token != entry.refresh_token,
                reuse_refused: None,
            });
            Some(new)
        }
        Err(e) => {
            rec.live.refresh = Some(RefreshFacts {
                error: Some(e.to_string()),
                ..RefreshFacts::default()
            });
            None
        }
    }
}

/// A token not issued for the MCP server (a token request, or a refresh,
/// without `resource`), and the MCP server's answer to it when its
/// audience differs from the login token's.
async fn other_audience(
    rec: &mut Recorder,
    scratch: &TokenStore,
    destination: Destination,
    s: &LoginSettings,
    newest: &TokenEntry,
    mcp_url: Option<&str>,
) -> Option<TokenEntry> {
    let (Some(url), Some(_)) = (mcp_url, rec.live.resource.as_ref()) else {
        return None;
    };
    let (how, result) = match s.grant {
        // A refresh-token start refreshes again from the newest refresh token:
        // the one given may have been rotated out (and reusing it could
        // revoke the grant).
        Grant::AuthorizationCode | Grant::RefreshToken if newest.refresh_token.is_some() => {
            let without = TokenEntry {
                resource: None,
                ..newest.clone()
            };
            let r = refresh::request(&rec.prober, &without).await;
            ("a refresh without resource", r)
        }
        Grant::AuthorizationCode | Grant::RefreshToken => return None,
        _ => {
            let without = LoginSettings {
                no_resource: true,
                resource: None,
                ..s.clone()
            };
            let r = grants::obtain(&rec.prober, scratch, destination, &without).await;
            ("a token request without resource", r.map(|(e, _)| e))
        }
    };
    rec.step(LiveStep::OtherAudienceToken);
    let mut other = OtherAudience {
        how: how.to_owned(),
        token: None,
        error: None,
        answer: None,
    };
    let obtained = match result {
        Err(e) => {
            other.error = Some(e.to_string());
            None
        }
        Ok(token) => {
            let facts = token_facts(&token, false);
            let same =
                rec.live.token.as_ref().is_some_and(|t| {
                    t.jwt && facts.jwt && t.aud == facts.aud && !facts.aud.is_empty()
                });
            if !same {
                other.answer = Some(call_mcp(rec, url, &token, false).await);
                rec.step(LiveStep::OtherAudienceCall);
            }
            other.token = Some(facts);
            Some(token)
        }
    };
    rec.live.other_audience = Some(other);
    obtained
}

/// After the refreshes, the login store (the user's cache with
/// `--save-login`) holds the newest refresh token of the grant: a rotating
/// provider invalidated the one saved at login.
fn keep_newest(
    store: &TokenStore,
    s: &LoginSettings,
    refreshed: Option<&TokenEntry>,
    other: Option<&TokenEntry>,
    err: &mut dyn Write,
) {
    let Some(newest) = refreshed else { return };
    let keep = match other {
        Some(o)
            if matches!(s.grant, Grant::AuthorizationCode | Grant::RefreshToken)
                && o.refresh_token.is_some() =>
        {
            TokenEntry {
                refresh_token: o.refresh_token.clone(),
                ..newest.clone()
            }
        }
        _ => newest.clone(),
    };
    if let Err(e) = store.save(&keep) {
        let _ = writeln!(err, "warning: cannot keep the refreshed token: {e}");
    }
}

/// `--intrusive`: the login's refresh token, already rotated out, used again.
async fn reuse_refresh_token(rec: &mut Recorder, entry: &TokenEntry) {
    let result = refresh::request(&rec.prober, entry).await;
    rec.step(LiveStep::RefreshReuse);
    if let Some(r) = rec.live.refresh.as_mut() {
        r.reuse_refused = Some(result.is_err());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stopped_login_keeps_its_client_id_and_callback() {
        let mut live = LiveEvidence::default();
        let refused = CallbackFacts {
            received: true,
            state_matched: false,
            iss_advertised: true,
            ..CallbackFacts::default()
        };
        let observed = flow::Observed {
            client_id: Some("https://c.example/doc.json".into()),
            callback: Some(refused.clone()),
        };
        record_observed(&mut live, Grant::AuthorizationCode, None, observed);
        assert_eq!(
            live.client_id.as_deref(),
            Some("https://c.example/doc.json")
        );
        assert_eq!(live.callback, Some(refused));
        // No callback arrived (a timeout): a browser login still says so.
        let mut live = LiveEvidence::default();
        let nothing = flow::Observed::default();
        record_observed(&mut live, Grant::AuthorizationCode, Some("c1"), nothing);
        assert_eq!(live.client_id.as_deref(), Some("c1"));
        assert_eq!(live.callback, Some(CallbackFacts::default()));
        // A grant without a browser has no callback at all.
        let mut live = LiveEvidence::default();
        let nothing = flow::Observed::default();
        record_observed(&mut live, Grant::ClientCredentials, Some("svc"), nothing);
        assert_eq!(live.callback, None);
    }
}

//! ISS-RESPONSE, STATE-ECHO, CIMD-LIVE, RS-AUDIENCE-ENFORCED and the refresh
//! lifecycle (TOK-REFRESH-LIFECYCLE, an id of this tool's), from the live evidence.

use serde_json::Value;

use super::{live, logged_in, LiveAnalysis};
use crate::evidence::live::{CallbackFacts, LiveAnswer, LiveEvidence, LiveStep, TokenFacts};
use crate::{CheckDef, Grade, Level, Outcome};

/// The authorization response, or why there is none to judge.
fn callback<'a>(a: &LiveAnalysis<'a>) -> Result<&'a CallbackFacts, Outcome> {
    let l = live(a)?;
    match &l.callback {
        Some(c) if c.received => Ok(c),
        Some(_) => Err(Outcome::skip(format!(
            "no authorization response arrived ({})",
            l.error.as_deref().unwrap_or("no reason recorded")
        ))),
        None => Err(Outcome::skip(format!(
            "no authorization response: the {} grant has none",
            l.grant
        ))),
    }
}

pub const ISS_RESPONSE: CheckDef = CheckDef {
    id: "ISS-RESPONSE",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "Authorization response iss is the issuer (RFC 9207)",
    spec: "RFC 9207 §2.4; MCP 2026-07-28 §Authorization Response Validation",
    hint: "Send `iss` (exactly the issuer) on every authorization response, and advertise authorization_response_iss_parameter_supported.",
    doc: "Run by `check --login` on the browser login's callback: passes when the metadata \
          advertises RFC 9207 and the callback's iss equals the issuer exactly (no \
          normalisation), fails when iss differs or is missing although advertised (clients \
          must then ignore the response), warns when iss is present but not advertised (the \
          authorization server should advertise it), and is INFO when neither. It skips for \
          grants without a browser, when no callback arrived, and without --login. Sources: RFC \
          9207 §2.4; MCP 2026-07-28 §Authorization Response Validation.",
    grade: Grade::Live(|a| {
        let c = match callback(a) {
            Ok(c) => c,
            Err(skip) => return skip,
        };
        let issuer = a.live.map(|l| l.issuer.as_str()).unwrap_or_default();
        match (&c.iss, c.iss_advertised) {
            (Some(i), _) if i != issuer => Outcome::fail(format!(
                "the callback's iss {i} is not the issuer {issuer}: clients must ignore the response (mix-up)"
            )),
            (Some(_), true) => Outcome::pass(format!("iss {issuer}, as advertised")),
            (Some(_), false) => Outcome::warn(format!(
                "iss {issuer} is sent but authorization_response_iss_parameter_supported is not advertised"
            )),
            (None, true) => Outcome::fail(
                "RFC 9207 is advertised but the callback has no iss: clients must refuse it",
            ),
            (None, false) => Outcome::info("no iss on the callback, and RFC 9207 is not advertised"),
        }
    }),
};

pub const STATE_ECHO: CheckDef = CheckDef {
    id: "STATE-ECHO",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "Authorization response returns state unchanged",
    spec: "OAuth 2.1 §4.1.2; MCP §Open Redirection",
    hint: "Return the request's `state` unchanged on the redirect.",
    doc: "Run by `check --login` on the browser login's callback: passes when its state equals \
          the one the authorization request sent, and fails otherwise (MCP clients verify state \
          and refuse such a response, so the login cannot complete). It skips for grants without \
          a browser, when no callback arrived, and without --login. Sources: OAuth 2.1 §4.1.2 \
          (state is REQUIRED in the response when sent); MCP §Open Redirection.",
    grade: Grade::Live(|a| match callback(a) {
        Err(skip) => skip,
        Ok(c) if c.state_matched => Outcome::pass("state came back unchanged"),
        Ok(_) => {
            Outcome::fail("the callback's state is not the one sent: clients refuse the response")
        }
    }),
};

/// Whether a client id is a Client ID Metadata Document URL.
fn is_cimd(client_id: &str) -> bool {
    client_id.starts_with("https://")
        || (client_id.starts_with("http://") && client_id.contains("://127.0.0.1"))
}

pub const CIMD_LIVE: CheckDef = CheckDef {
    id: "CIMD-LIVE",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "Login with a client metadata document URL works",
    spec: "MCP 2025-11-25+ §Client ID Metadata Documents (CIMD Implementation Requirements)",
    hint: "Fetch the client_id URL, check its client_id equals the URL, and validate the redirect URI against its redirect_uris.",
    doc: "Run by `check --login` when the login's client id is a URL (a Client ID Metadata \
          Document): passes when the login with it got a token (the authorization server \
          fetched the document, checked that its client_id is the URL and accepted the redirect \
          URI), and fails when the login with it stopped before the authorization response (an \
          authorization server that refuses the document shows an error page instead of \
          redirecting; the detail names what it checks) or at the token request. It skips for \
          any other client id, when the authorization server redirected back with a code and the \
          login stopped before the token request (another check's finding, such as \
          ISS-RESPONSE), and without --login. Sources: MCP 2025-11-25+ §Client ID Metadata \
          Documents.",
    grade: Grade::Live(|a| {
        let l = match live(a) {
            Ok(l) => l,
            Err(skip) => return skip,
        };
        let Some(id) = l.client_id.as_deref().filter(|id| is_cimd(id)) else {
            return Outcome::skip("the client id is not a metadata document URL");
        };
        if l.token.is_some() {
            return Outcome::pass(format!("logged in with the client id {id}"));
        }
        let why = l.error.as_deref().unwrap_or("no reason recorded");
        match &l.callback {
            Some(c) if !c.received => Outcome::fail(format!(
                "the login with the client id {id} stopped without an authorization response ({why}). {REFUSED_DOCUMENT}"
            )),
            Some(c) if c.error.is_none() && l.token_exchange(LiveStep::Login).is_none() => {
                Outcome::skip(format!(
                    "the authorization server accepted the client id {id} (it redirected back with a code); the login stopped before the token request: {why}"
                ))
            }
            _ => Outcome::fail(format!("the login with the client id {id} stopped: {why}")),
        }
    }),
};

/// What an authorization server checks of a Client ID Metadata Document
/// before it redirects back (draft-ietf-oauth-client-id-metadata-document).
const REFUSED_DOCUMENT: &str = "An authorization server that refuses the document shows an error page in the browser instead of redirecting: it must be able to fetch the URL (200 JSON), the document's client_id must be exactly the URL, and its redirect_uris must allow the loopback redirect (http://127.0.0.1/callback, any port)";

fn audience(t: Option<&TokenFacts>) -> String {
    match t {
        Some(t) if !t.jwt => "an opaque token".to_owned(),
        Some(t) if t.aud.is_empty() => "a JWT without aud".to_owned(),
        Some(t) => format!("aud {}", t.aud.join(", ")),
        None => "a token".to_owned(),
    }
}

pub const RS_AUDIENCE_ENFORCED: CheckDef = CheckDef {
    id: "RS-AUDIENCE-ENFORCED",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "MCP server refuses (401) tokens issued for others",
    spec: "MCP 2025-06-18+ §Access Token Privilege Restriction, §Token Handling",
    hint: "Validate the token's audience: refuse with 401 any token whose aud does not name this MCP server.",
    doc: "Run by `check --login`: a second token is obtained without resource (a token request \
          with the same grant, or a refresh of the login's token) and sent to the MCP server, \
          which must answer 401; a 2xx fails (the server accepts tokens issued for others: \
          token passthrough and confused-deputy exposure), and another refusal warns. It skips \
          when the authorization server gave the same audience with and without resource (the \
          difference cannot be observed), when no second token could be obtained (a browser \
          login without a refresh token), and without --login. Sources: MCP 2025-06-18+ §Access \
          Token Privilege Restriction, §Token Handling.",
    grade: Grade::Live(|a| {
        let l = match live(a).and_then(|l| logged_in(l).map(|_| l)) {
            Ok(l) => l,
            Err(skip) => return skip,
        };
        let Some(o) = &l.other_audience else {
            return Outcome::skip("no token for another audience: it needs a refresh token, or a grant without a user");
        };
        if let Some(e) = &o.error {
            return Outcome::skip(format!("{} got no token: {e}", o.how));
        }
        let what = audience(o.token.as_ref());
        match &o.answer {
            None => Outcome::skip(format!(
                "{} gave the same audience as the login ({what}): cannot be observed",
                o.how
            )),
            Some(LiveAnswer::Refused { status: 401, .. }) => {
                Outcome::pass(format!("{} ({what}) was refused with 401", o.how))
            }
            Some(LiveAnswer::Ok) => Outcome::fail(format!(
                "{} ({what}) was accepted: the server takes tokens not issued for it",
                o.how
            )),
            Some(LiveAnswer::Refused { status, .. }) => {
                Outcome::warn(format!("{} ({what}) got {status}, not 401", o.how))
            }
            Some(LiveAnswer::Unusable { detail }) => Outcome::fail(format!(
                "{} ({what}) was not refused: {detail}",
                o.how
            )),
            Some(LiveAnswer::Unreachable { detail } | LiveAnswer::NotAsked { detail }) => {
                Outcome::skip(detail.clone())
            }
        }
    }),
};

/// "60 minutes", "10 minutes", "45 s".
fn duration(s: u64) -> String {
    match s {
        s if s >= 7200 && s % 3600 == 0 => format!("{} hours", s / 3600),
        s if s >= 60 && s % 60 == 0 => format!("{} minutes", s / 60),
        s => format!("{s} s"),
    }
}

/// A refresh token lifetime the token response states (`refresh_expires_in`
/// of Keycloak, `refresh_token_expires_in` of others).
fn refresh_lifetime(l: &LiveEvidence) -> Option<u64> {
    let r = l.token_exchange(LiveStep::Login)?.response.as_ref()?;
    let v: Value = serde_json::from_str(&r.body).ok()?;
    ["refresh_token_expires_in", "refresh_expires_in"]
        .iter()
        .find_map(|m| v.get(*m).and_then(Value::as_u64))
}

fn has_scope(scope: Option<&str>, one: &str) -> bool {
    scope.is_some_and(|s| s.split(' ').any(|x| x == one))
}

/// The lifecycle's facts, one clause each, and the consequence.
fn lifecycle(l: &LiveEvidence, t: &TokenFacts) -> String {
    let asked = has_scope(l.scope_requested.as_deref(), "offline_access");
    let offline = match (has_scope(t.scope.as_deref(), "offline_access"), asked) {
        (true, _) => "granted",
        (false, true) if t.refresh_token => "requested (a refresh token came back)",
        (false, true) => "requested, not granted",
        (false, false) => "not requested",
    };
    let refresh = match &l.refresh {
        None => "no refresh".to_owned(),
        Some(r) => match (&r.error, r.rotated) {
            (Some(e), _) => format!("the refresh with the same resource failed ({e})"),
            (None, true) => "the refresh with the same resource succeeded, rotated".to_owned(),
            (None, false) => "the refresh with the same resource succeeded, not rotated".to_owned(),
        },
    };
    let access = t.expires_in.map_or("no expires_in".to_owned(), |s| {
        format!("access token {}", duration(s))
    });
    let rt_life = refresh_lifetime(l).map_or("refresh token lifetime not stated".to_owned(), |s| {
        format!("refresh token {}", duration(s))
    });
    let consequence = match (t.refresh_token, t.expires_in, &l.refresh) {
        (false, Some(s), _) if l.grant == "authorization-code" => {
            format!("users will sign in again every {}", duration(s))
        }
        (false, _, _) => {
            "no refresh token: a new token is requested when this one expires".to_owned()
        }
        (true, _, Some(r)) if r.error.is_some() => {
            "the refresh failed: users will sign in again when the token expires".to_owned()
        }
        (true, _, _) => "tokens renew without the user".to_owned(),
    };
    format!(
        "offline_access {offline}; refresh token {}; {refresh}; {access}; {rt_life}: {consequence}",
        if t.refresh_token {
            "issued"
        } else {
            "not issued"
        }
    )
}

pub const TOK_REFRESH_LIFECYCLE: CheckDef = CheckDef {
    id: "TOK-REFRESH-LIFECYCLE",
    at: concat!(file!(), ":", line!()),
    level: Level::May,
    title: "Refresh lifecycle: refresh token, rotation, lifetimes",
    spec: "mcp-auth's own id (not in the checklist): OAuth 2.1 §4.3; OIDC Core §11 (offline_access); field report §3.6",
    hint: "Issue a refresh token to MCP clients (grant offline_access or refresh_token) so that users do not sign in again at every expiry.",
    doc: "Run by `check --login`, an id of this tool's rather than the checklist's: reports as \
          INFO whether offline_access was granted, whether a refresh token was issued, whether \
          the refresh with the same resource succeeded and rotated the refresh token, the access \
          and refresh token lifetimes, and the plain consequence for users (for a browser login \
          without a refresh token, how often they sign in again). It warns when the refresh \
          failed, and skips without a token or without --login. Sources: OAuth 2.1 §4.3; OIDC \
          Core §11; field report §3.6.",
    grade: Grade::Live(|a| {
        let (l, t) = match live(a).and_then(|l| logged_in(l).map(|t| (l, t))) {
            Ok(x) => x,
            Err(skip) => return skip,
        };
        let text = lifecycle(l, t);
        if l.refresh.as_ref().is_some_and(|r| r.error.is_some()) {
            Outcome::warn(text)
        } else {
            Outcome::info(text)
        }
    }),
};

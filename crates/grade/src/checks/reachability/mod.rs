//! Reachability of the endpoints a client calls once discovery is done: the
//! token endpoint and the JWKS. Neither is in the spec checklist. They matter
//! because the metadata publishes them for clients to call (RFC 8414 §2:
//! `token_endpoint` REQUIRED, `jwks_uri` OPTIONAL; OIDC Discovery §3: both
//! REQUIRED), and RFC 7517 §5 says what a JWK Set is.
//!
//! Graded from the exchanges of the CORS probes of the same endpoints
//! (`CorsToken`, `CorsJwks`), which every mode of `check` sends in the round
//! of endpoint probes: reachability costs no request of its own. The CORS
//! checks of these endpoints skip when these say nothing lives there, so a
//! dead endpoint is never reported as a missing CORS header.

use crate::evidence::interpret::{classify, AttemptOutcome};
use crate::evidence::metadata::{AsMetadata, JwkSetDoc};
use crate::evidence::token_response::{oauth_error, one_line};
use crate::evidence::{media_type, Exchange, ProbeKind};
use crate::{AsAnalysis, CheckDef, Grade, Level, Outcome};

/// What one exchange with an endpoint showed; each carries a phrase that
/// reads after "POST <url>: ".
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Answer {
    /// The endpoint lives there.
    Live(String),
    /// Something answered, but not clearly the endpoint.
    Doubtful(String),
    /// No endpoint there: no connection, nothing at the URL, a server error.
    Dead(String),
}

/// The probe of an advertised endpoint, or why there is nothing to grade.
fn sent_probe<'a>(
    a: &'a AsAnalysis<'_>,
    kind: ProbeKind,
    member: &str,
    advertised: fn(&AsMetadata) -> bool,
) -> Result<&'a Exchange, Outcome> {
    let Some(doc) = a.doc() else {
        return Err(Outcome::skip("no metadata document"));
    };
    if !advertised(&doc.md) {
        return Err(Outcome::skip(format!("no `{member}` advertised")));
    }
    let Some(ex) = a.probe(kind) else {
        return Err(Outcome::skip("not probed"));
    };
    match ex.error.as_ref().and_then(|e| e.unsent_reason()) {
        // The reason names the URL.
        Some(why) => Err(Outcome::skip(format!("not sent: {why}"))),
        None => Ok(ex),
    }
}

/// Why no answer came: the transport error's kind and message.
fn no_answer(ex: &Exchange) -> String {
    match &ex.error {
        Some(e) => format!("no answer ({}: {})", e.kind, e.message),
        None => "no answer".to_owned(),
    }
}

/// What the token probe (a form POST with a made-up code) showed. A live
/// token endpoint refuses it with an RFC 6749 §5.2 error (400
/// invalid_grant or invalid_request, 401 invalid_client, 403 at some); a
/// 404 or 410, a 405, a 5xx, or a 2xx page that is not JSON (a login page)
/// show that none lives there.
pub(crate) fn token_answer(ex: &Exchange) -> Answer {
    let Some(resp) = &ex.response else {
        return Answer::Dead(no_answer(ex));
    };
    let s = resp.status;
    let media = resp.header("content-type").map(media_type);
    let html = media.as_deref() == Some("text/html") || resp.body.trim_start().starts_with('<');
    let ok = (200..300).contains(&s);
    match s {
        404 | 410 => Answer::Dead(format!("{s}: nothing at this URL")),
        405 | 501 => Answer::Dead(format!(
            "{s}: the URL does not take POST, which a token endpoint must (RFC 6749 §3.2)"
        )),
        500..=599 => Answer::Dead(format!("{s}: a server error")),
        300..=399 => Answer::Doubtful(format!(
            "{s} redirect to {} (not followed): a token endpoint answers the POST itself",
            resp.header("location").unwrap_or("nowhere")
        )),
        _ => match oauth_error(&resp.body) {
            Some((code, _)) => Answer::Live(format!("{s} {}", one_line(&code))),
            None if ok && html => Answer::Dead(format!(
                "{s} with an HTML page (a login page?), not a token endpoint's JSON"
            )),
            None if html => Answer::Doubtful(format!(
                "{s} with an HTML page, not an OAuth error: something in front of the token endpoint (a proxy, a firewall) answered"
            )),
            None if ok && serde_json::from_str::<serde_json::Value>(&resp.body).is_err() => {
                Answer::Dead(format!("{s} without JSON: no token endpoint answers so"))
            }
            None if ok || s == 400 || s == 401 => Answer::Live(format!(
                "{s} ({})",
                media.as_deref().unwrap_or("no content type")
            )),
            None => Answer::Doubtful(format!(
                "{s} without an OAuth error (RFC 6749 §5.2): something may stand in front of the token endpoint"
            )),
        },
    }
}

/// What the JWKS GET showed: a JSON object with a `keys` array (RFC 7517
/// §5) is a live JWK Set; no answer, an error status or another body is not.
pub(crate) fn jwks_answer(ex: &Exchange) -> Answer {
    let f = classify::<JwkSetDoc>(&ex.request.url, ex);
    match (f.outcome, f.doc) {
        (AttemptOutcome::Document, Some(d)) => match d.md.keys {
            Some(k) if k.is_empty() => Answer::Doubtful(
                "200, a JWK Set with no keys: nothing this server signs can be verified".to_owned(),
            ),
            Some(k) => Answer::Live(format!(
                "200, a JWK Set of {} key{}",
                k.len(),
                if k.len() == 1 { "" } else { "s" }
            )),
            None => Answer::Dead(match d.type_errors.first() {
                Some(e) => format!(
                    "200, but `keys` is a {}, not an array: not a JWK Set (RFC 7517 §5)",
                    e.found
                ),
                None => "200, a JSON object without `keys`: not a JWK Set (RFC 7517 §5)".to_owned(),
            }),
        },
        (AttemptOutcome::Transport { .. }, _) if ex.response.is_none() => {
            Answer::Dead(no_answer(ex))
        }
        // A redirect, a body too large or cut off: something is there.
        (
            o @ (AttemptOutcome::Redirect { .. }
            | AttemptOutcome::TooLarge { .. }
            | AttemptOutcome::Transport { .. }),
            _,
        ) => Answer::Doubtful(o.summary()),
        (o, _) => Answer::Dead(o.summary()),
    }
}

/// Why no token endpoint lives at the advertised URL, when the probe shows it.
pub(crate) fn token_dead(a: &AsAnalysis<'_>) -> Option<String> {
    let ex = a.probe(ProbeKind::CorsToken)?;
    match token_answer(ex) {
        Answer::Dead(why) if ex.error.as_ref().and_then(|e| e.unsent_reason()).is_none() => {
            Some(why)
        }
        _ => None,
    }
}

/// Why no JWK Set is served at `jwks_uri`, when the probe shows it.
pub(crate) fn jwks_dead(a: &AsAnalysis<'_>) -> Option<String> {
    let ex = a.probe(ProbeKind::CorsJwks)?;
    match jwks_answer(ex) {
        Answer::Dead(why) if ex.error.as_ref().and_then(|e| e.unsent_reason()).is_none() => {
            Some(why)
        }
        _ => None,
    }
}

pub const AS_TOKEN_ENDPOINT_REACHABLE: CheckDef = CheckDef {
    id: "AS-TOKEN-ENDPOINT-REACHABLE",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "A token endpoint answers at token_endpoint",
    spec: "not in the checklist: RFC 8414 §2 and OIDC Discovery §3 (token_endpoint REQUIRED); RFC 6749 §3.2 (POST), §5.2 (error response)",
    hint: "Serve the token endpoint at the advertised `token_endpoint` URL: it must take a form POST and refuse a bad code with a JSON OAuth error (400 invalid_grant), not 404, 405, 5xx or a login page.",
    doc: "Reads the answer to the token request the CORS probe sends to the advertised \
          `token_endpoint` (an authorization_code grant with a made-up code, form-encoded). A \
          token endpoint refuses it with an OAuth error (RFC 6749 §5.2: 400 invalid_grant or \
          invalid_request, 401 invalid_client; some answer 403), which passes, as does a 400 or \
          401 without an error body. It fails when nothing answers (connection refused, timeout, \
          TLS error), on 404 or 410 (nothing there), 405 or 501 (the URL does not take the POST \
          RFC 6749 §3.2 requires), on a 5xx, and on a 2xx HTML page or other non-JSON body (a \
          login page, not a token endpoint); a redirect, an HTML error page from something in \
          front of the endpoint, or another 4xx without an OAuth error warns. Skipped without a \
          document or a `token_endpoint`, and when the probe was not sent (the URL policy \
          refused the URL). No client can redeem an authorization code or refresh a token when \
          the endpoint is dead, so every login fails after the user has consented; the CORS-TOKEN \
          check skips then rather than report a missing CORS header. Not in the spec checklist; \
          sources: RFC 8414 §2 and OIDC Discovery §3 (token_endpoint REQUIRED), RFC 6749 §3.2 and \
          §5.2.",
    grade: Grade::Server(|a| {
        let ex = match sent_probe(a, ProbeKind::CorsToken, "token_endpoint", |m| {
            m.token_endpoint.is_some()
        }) {
            Ok(ex) => ex,
            Err(skip) => return skip,
        };
        let url = &ex.request.url;
        match token_answer(ex) {
            Answer::Live(what) => Outcome::pass(format!("POST {url} (a made-up code): {what}")),
            Answer::Doubtful(what) => Outcome::warn(format!("POST {url} (a made-up code): {what}")),
            Answer::Dead(what) => Outcome::fail(format!(
                "POST {url} (a made-up code): {what}: no client can redeem an authorization code"
            )),
        }
    }),
};

pub const AS_JWKS_REACHABLE: CheckDef = CheckDef {
    id: "AS-JWKS-REACHABLE",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "jwks_uri serves a JWK Set",
    spec: "not in the checklist: OIDC Discovery §3 (jwks_uri REQUIRED); RFC 8414 §2 (OPTIONAL); RFC 7517 §5 (JWK Set)",
    hint: "Serve the signing keys at the advertised `jwks_uri`: 200 with a JSON object whose `keys` array holds the public keys (RFC 7517 §5).",
    doc: "Reads the answer to the GET of the advertised `jwks_uri` the CORS probe sends. It \
          passes on 200 with a JSON object holding a `keys` array (a JWK Set, RFC 7517 §5), and \
          warns on an empty `keys` array (nothing the server signs can be verified), a redirect \
          (not followed) or a body too large. When nothing answers (connection refused, timeout, \
          TLS error), on an error status (404, 5xx) or a body that is not a JWK Set (HTML, JSON \
          without `keys`), it fails for a document served at an OpenID Connect discovery location, \
          where `jwks_uri` is REQUIRED and clients must verify ID token signatures with these keys \
          (OIDC Core §3.1.3.7), and warns for an RFC 8414 document, where `jwks_uri` is OPTIONAL \
          and MCP clients do not verify access tokens (only resource servers that verify JWT \
          access tokens locally, and `mcp-auth token inspect`, use the keys). Skipped without a \
          document or a `jwks_uri`, and when the probe was not sent (the URL policy refused the \
          URL); the CORS-JWKS check skips when the keys are not there. Not in the spec checklist; \
          sources: OIDC Discovery §3, RFC 8414 §2, RFC 7517 §5.",
    grade: Grade::Server(|a| {
        let ex = match sent_probe(a, ProbeKind::CorsJwks, "jwks_uri", |m| m.jwks_uri.is_some()) {
            Ok(ex) => ex,
            Err(skip) => return skip,
        };
        let url = &ex.request.url;
        match jwks_answer(ex) {
            Answer::Live(what) => Outcome::pass(format!("GET {url}: {what}")),
            Answer::Doubtful(what) => Outcome::warn(format!("GET {url}: {what}")),
            Answer::Dead(what) if a.doc_is_oidc_located() => Outcome::fail(format!(
                "GET {url}: {what}: OpenID Connect clients cannot verify ID tokens (jwks_uri is REQUIRED here)"
            )),
            Answer::Dead(what) => Outcome::warn(format!(
                "GET {url}: {what}: nothing this server signs can be verified (jwks_uri is OPTIONAL in RFC 8414, so a warning)"
            )),
        }
    }),
};

#[cfg(test)]
mod tests;

//! TOK-RESPONSE, TOK-RESOURCE-ACCEPTED, TOK-AUDIENCE, TOK-REFRESH-ROTATION
//! and TOK-PKCE-VERIFIED (spec-checklist §2.8), from the live evidence.

use serde_json::Value;

use super::{live, logged_in};
use crate::evidence::live::{LiveEvidence, LiveStep};
use crate::evidence::Exchange;
use crate::{CheckDef, Grade, Level, Outcome};

/// A token exchange's JSON object body, when it has one.
fn json_body(ex: &Exchange) -> Option<serde_json::Map<String, Value>> {
    let r = ex.response.as_ref()?;
    serde_json::from_str(&r.body).ok()
}

/// The `error` of a token endpoint's refusal.
fn error_code(ex: &Exchange) -> Option<String> {
    json_body(ex)?
        .get("error")
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// Whether a form body sent `name`.
fn sent(ex: &Exchange, name: &str) -> bool {
    ex.request
        .body
        .as_deref()
        .is_some_and(|b| url::form_urlencoded::parse(b.as_bytes()).any(|(k, _)| k == name))
}

/// The login's token request, or the skip that says why there is none.
fn login_exchange(l: &LiveEvidence) -> Result<&Exchange, Outcome> {
    l.token_exchange(LiveStep::Login).ok_or_else(|| {
        Outcome::skip(format!(
            "no token request was sent ({})",
            l.error.as_deref().unwrap_or("the login stopped before it")
        ))
    })
}

/// TOK-RESPONSE's verdict on a token endpoint's answer.
pub(super) fn token_response(ex: &Exchange) -> Outcome {
    let Some(r) = &ex.response else {
        return Outcome::fail(format!("no answer: {}", ex.failure()));
    };
    if r.status != 200 {
        let e = error_code(ex)
            .map(|e| format!(" ({e})"))
            .unwrap_or_default();
        return Outcome::fail(format!("the token endpoint answered {}{e}", r.status));
    }
    let Some(body) = json_body(ex) else {
        return Outcome::fail("the 200 answer is not a JSON object");
    };
    let mut missing: Vec<&str> = ["access_token", "token_type"]
        .into_iter()
        .filter(|m| !body.get(*m).is_some_and(Value::is_string))
        .collect();
    let no_store = r.header_all("cache-control").iter().any(|v| {
        v.split(',')
            .any(|d| d.trim().eq_ignore_ascii_case("no-store"))
    });
    if !no_store {
        missing.push("Cache-Control: no-store");
    }
    if !missing.is_empty() {
        return Outcome::fail(format!(
            "the token response lacks {} (OAuth 2.1 §3.2.3)",
            crate::util::join_list(&missing)
        ));
    }
    let token_type = body
        .get("token_type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !token_type.eq_ignore_ascii_case("bearer") && !token_type.eq_ignore_ascii_case("dpop") {
        return Outcome::warn(format!(
            "token_type \"{token_type}\": MCP clients expect Bearer"
        ));
    }
    let expiry = match body.get("expires_in").and_then(Value::as_u64) {
        Some(s) => format!("expires_in {s}"),
        None => {
            return Outcome::warn(
                "no expires_in (recommended): clients cannot tell when to refresh",
            )
        }
    };
    if token_type.eq_ignore_ascii_case("dpop") {
        return Outcome::pass(format!(
            "200 JSON, token_type DPoP, Cache-Control: no-store, {expiry} (the Python SDK accepts only Bearer)"
        ));
    }
    Outcome::pass(format!(
        "200 JSON, token_type {token_type}, Cache-Control: no-store, {expiry}"
    ))
}

pub const TOK_RESPONSE: CheckDef = CheckDef {
    id: "TOK-RESPONSE",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "Token response is no-store JSON with a token and type",
    spec: "OAuth 2.1 draft-13 §3.2.3",
    hint: "Answer the token request with 200, a JSON object with access_token and token_type (and expires_in), and `Cache-Control: no-store`.",
    doc: "Run by `check --login` on the login's token request: passes when the token endpoint \
          answered 200 with a JSON object holding access_token and token_type as strings and a \
          Cache-Control header with no-store. A missing member or header, another status, or no \
          answer fails; a token_type other than Bearer or DPoP warns (the TypeScript SDK needs a \
          string, the Python SDK accepts only Bearer), and a missing expires_in (recommended) \
          warns. It skips without --login or when no token request was sent. Sources: OAuth 2.1 \
          draft-13 §3.2.3.",
    grade: Grade::Live(|a| {
        let ex = match live(a).and_then(login_exchange) {
            Ok(ex) => ex,
            Err(skip) => return skip,
        };
        token_response(ex)
    }),
};

pub const TOK_RESOURCE_ACCEPTED: CheckDef = CheckDef {
    id: "TOK-RESOURCE-ACCEPTED",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "A token request with resource succeeds",
    spec: "RFC 8707 §2; MCP 2025-06-18+ §Resource Parameter Implementation",
    hint: "Accept the RFC 8707 resource parameter on the token request (register the MCP server as a resource or API audience).",
    doc: "Run by `check --login` on the login's token request: passes when a request that sent \
          the RFC 8707 resource parameter got a 200, and fails when it was refused (an \
          invalid_target error, or any other refusal). It skips when the request sent no \
          resource, when no token request was sent, and without --login. MCP clients MUST send \
          resource on the token request, so a server that refuses it cannot be used by any \
          conformant client. Sources: RFC 8707 §2; MCP 2025-06-18+ §Resource Parameter \
          Implementation.",
    grade: Grade::Live(|a| {
        let ex = match live(a).and_then(login_exchange) {
            Ok(ex) => ex,
            Err(skip) => return skip,
        };
        if !sent(ex, "resource") {
            return Outcome::skip("the token request sent no resource");
        }
        match ex.response.as_ref().map(|r| r.status) {
            Some(200) => Outcome::pass(format!("resource={} accepted", a.resource)),
            Some(s) => Outcome::fail(format!(
                "the token request with resource={} was refused: {s}{}",
                a.resource,
                error_code(ex).map(|e| format!(" {e}")).unwrap_or_default()
            )),
            None => Outcome::skip(format!("no answer: {}", ex.failure())),
        }
    }),
};

pub const TOK_AUDIENCE: CheckDef = CheckDef {
    id: "TOK-AUDIENCE",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "Token aud is the PRM resource, iss the issuer",
    spec: "RFC 8707 §2; RFC 9068 §3; MCP 2025-06-18+ §Token Handling; RFC 9728 §7.4",
    hint: "Issue tokens for the requested resource: `aud` must contain the protected resource metadata's `resource` exactly, `iss` the issuer.",
    doc: "Run by `check --login` on the login's access token: when it is a JWT, passes when its \
          aud contains the protected resource metadata's resource exactly (no normalisation) and \
          its iss equals the authorization server's issuer, and fails otherwise. An opaque token \
          skips (its audience cannot be read offline; `mcp-auth token inspect` introspects it), \
          as does a run without --login or without a token. Audience-validating MCP servers, \
          all conformant ones, refuse a token whose aud lacks them. Sources: RFC 8707 §2; RFC \
          9068 §3; MCP 2025-06-18+ §Token Handling; RFC 9728 §7.4.",
    grade: Grade::Live(|a| {
        let (l, t) = match live(a).and_then(|l| logged_in(l).map(|t| (l, t))) {
            Ok(x) => x,
            Err(skip) => return skip,
        };
        if !t.jwt {
            return Outcome::skip("an opaque access token: its audience cannot be read (`mcp-auth token inspect` introspects it)");
        }
        let aud_ok = t.aud.iter().any(|x| x == a.resource);
        let iss_ok = t.iss.as_deref() == Some(l.issuer.as_str());
        let aud = if t.aud.is_empty() {
            "(none)".to_owned()
        } else {
            t.aud.join(", ")
        };
        let iss = t.iss.as_deref().unwrap_or("(none)");
        match (aud_ok, iss_ok) {
            (true, true) => Outcome::pass(format!("aud {aud}, iss {iss}")),
            (false, _) => Outcome::fail(format!(
                "aud {aud} does not contain the resource {}: audience-validating MCP servers refuse it",
                a.resource
            )),
            (true, false) => Outcome::fail(format!("iss {iss} is not the issuer {}", l.issuer)),
        }
    }),
};

/// Whether the login's token request authenticated the client (a secret
/// or an assertion): a confidential client.
fn confidential(l: &LiveEvidence) -> bool {
    l.token_exchange(LiveStep::Login).is_some_and(|ex| {
        sent(ex, "client_secret")
            || sent(ex, "client_assertion")
            || ex
                .request
                .headers
                .iter()
                .any(|h| h.name.eq_ignore_ascii_case("authorization"))
    })
}

pub const TOK_REFRESH_ROTATION: CheckDef = CheckDef {
    id: "TOK-REFRESH-ROTATION",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "Refresh rotates a public client's refresh token",
    spec: "MCP 2025-06-18+ §Token Theft; OAuth 2.1 §4.3.1; RFC 9700 §2.2.2",
    hint: "Rotate refresh tokens for public clients: answer each refresh with a new refresh_token and invalidate the old one.",
    doc: "Run by `check --login` when the login got a refresh token: passes when the refresh \
          with the same resource returned a new refresh_token, warns when a public client's was \
          not rotated (a stolen refresh token stays valid), and is INFO for a confidential \
          client (rotation is required for public clients only). With --intrusive the old \
          refresh token is used again and must be refused; that use may revoke the whole grant \
          at the provider, and the detail says it was spent. It skips without a refresh token, \
          when the refresh failed, and without --login. Sources: MCP 2025-06-18+ §Token Theft; \
          OAuth 2.1 §4.3.1; RFC 9700 §2.2.2.",
    grade: Grade::Live(|a| {
        let l = match live(a) {
            Ok(l) => l,
            Err(skip) => return skip,
        };
        let Some(r) = &l.refresh else {
            return Outcome::skip("no refresh token was issued: nothing to rotate");
        };
        if let Some(e) = &r.error {
            return Outcome::skip(format!("the refresh failed: {e}"));
        }
        let spent = "--intrusive: the old refresh token was used again (this may have revoked the grant at the provider)";
        match (r.rotated, r.reuse_refused) {
            (true, Some(true)) => Outcome::pass(format!("a new refresh token came back; {spent}, and was refused")),
            (true, Some(false)) => Outcome::warn(format!("a new refresh token came back, but {spent} and still worked")),
            (true, None) => Outcome::pass("a new refresh token came back (the old one was not tried again: --intrusive does)"),
            (false, _) if confidential(l) => Outcome::info("the refresh token was not rotated; rotation is required for public clients only"),
            (false, _) => Outcome::warn("the refresh returned no new refresh token: a stolen refresh token stays valid"),
        }
    }),
};

pub const TOK_PKCE_VERIFIED: CheckDef = CheckDef {
    id: "TOK-PKCE-VERIFIED",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "A wrong code_verifier gets invalid_grant",
    spec: "RFC 9700 §2.1.1; RFC 7636 §4.6",
    hint: "Verify the code_verifier against the code's code_challenge and answer a mismatch with invalid_grant.",
    doc: "Run by `check --login --intrusive`, which spends a second authorization code: passes \
          when that code redeemed with a wrong code_verifier was refused with invalid_grant, \
          fails when it brought tokens, and warns on another refusal. It skips without \
          --intrusive (it needs a second code), and without --login. An authorization server \
          that does not check the verifier gives PKCE no protection against stolen codes. \
          Sources: RFC 9700 §2.1.1; RFC 7636 §4.6.",
    grade: Grade::Live(|a| {
        let l = match live(a) {
            Ok(l) => l,
            Err(skip) => return skip,
        };
        let Some(ex) = l.token_exchange(LiveStep::PkceWrongVerifier) else {
            return Outcome::skip("needs a second authorization code redeemed with a wrong code_verifier: not run (--intrusive, browser login)");
        };
        let spent = "--intrusive spent a second authorization code";
        match (ex.response.as_ref().map(|r| r.status), error_code(ex).as_deref()) {
            (Some(400), Some("invalid_grant")) => Outcome::pass(format!("{spent}: a wrong code_verifier got 400 invalid_grant")),
            (Some(200), _) => Outcome::fail(format!("{spent}: a wrong code_verifier got tokens: PKCE is not enforced")),
            (Some(s), e) => Outcome::warn(format!("{spent}: a wrong code_verifier got {s} {}", e.unwrap_or("(no error code)"))),
            (None, _) => Outcome::skip(format!("no answer: {}", ex.failure())),
        }
    }),
};

//! UI-CALL, UI-AUDIENCE (userinfo) and RS-ACCEPTS-TOKEN, CH-403-SCOPE (the
//! MCP server), from spec-checklist §2.11 and §2.2.

use super::{Answer, CallFacts, Session, UserinfoFacts};
use crate::{CheckDef, Grade, Level, Outcome};
use mcp_auth_evidence::www_authenticate;

fn userinfo(s: Session<'_>) -> Option<&UserinfoFacts> {
    match s {
        Session::Userinfo(u) => Some(u),
        Session::Call(_) => None,
    }
}

fn call(s: Session<'_>) -> Option<&CallFacts> {
    match s {
        Session::Call(c) => Some(c),
        Session::Userinfo(_) => None,
    }
}

/// A `Bearer` challenge parameter.
fn challenge_param(challenge: Option<&str>, name: &str) -> Option<String> {
    let parsed = www_authenticate::parse(&[challenge.unwrap_or_default()]);
    let value = parsed
        .bearer()
        .and_then(|b| b.param(name))
        .map(|p| p.value.clone());
    value
}

pub const UI_CALL: CheckDef = CheckDef {
    id: "UI-CALL",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "Userinfo answers the token with claims including sub",
    spec: "OIDC Core 1.0 §5.3, §5.3.2",
    hint: "Serve `GET userinfo_endpoint` with `Authorization: Bearer` and return a JSON object with `sub`.",
    doc: "Run by `mcp-auth whoami`: sends GET to the issuer's `userinfo_endpoint` with the cached \
          access token as a Bearer token, and passes when a 200 brings a JSON object (or an \
          application/jwt whose claims are read) that contains sub. An answer without sub, any \
          other status, an unreadable body, no response, or no `userinfo_endpoint` to call fails, \
          and this check alone decides whoami's verdict. OpenID Connect requires the userinfo \
          endpoint to accept access tokens as bearer tokens and to always return sub. Sources: \
          OIDC Core 1.0 §5.3, §5.3.2.",
    grade: Grade::Session(|s| {
        let u = userinfo(s)?;
        let at = u.endpoint.as_deref().unwrap_or("userinfo");
        Some(match &u.answer {
            Answer::Ok(claims) if claims.contains_key("sub") => {
                Outcome::pass(format!("{at}: {} claims", claims.len()))
            }
            Answer::Ok(_) => Outcome::fail(format!("{at}: no `sub` claim")),
            Answer::Refused {
                status, challenge, ..
            } => Outcome::fail(format!(
                "userinfo answered {status}{}",
                challenge.as_deref().map(|c| format!(" ({c})")).unwrap_or_default()
            )),
            Answer::Unusable(e) => Outcome::fail(e.clone()),
            Answer::Unreachable(e) => {
                Outcome::fail(format!("userinfo request to {at} failed: {e}"))
            }
            Answer::NotAsked(e) => Outcome::fail(e.clone()),
        })
    }),
};

pub const UI_AUDIENCE: CheckDef = CheckDef {
    id: "UI-AUDIENCE",
    at: concat!(file!(), ":", line!()),
    level: Level::May,
    title: "A token for the MCP server also works at userinfo",
    spec: "practice: node-oidc-provider refuses audience-bound tokens at userinfo; RFC 8707 §2",
    hint: "For identity only, log in again without the resource: `mcp-auth login <issuer> --no-resource`.",
    doc: "Run by `mcp-auth whoami` when the cached token was requested for an RFC 8707 resource: \
          passes when userinfo accepted it, is INFO with advice when userinfo answered 401, and \
          does not apply otherwise. Some providers refuse audience-bound tokens at userinfo \
          (node-oidc-provider rejects any token with an aud there, and issues a userinfo token \
          only when no resource is requested), yet MCP clients MUST send resource. For identity \
          only, log in again without it: `mcp-auth login <issuer> --no-resource`. Sources: \
          practice (node-oidc-provider lib/actions/userinfo.js); RFC 8707 §2.",
    grade: Grade::Session(|s| {
        let u = userinfo(s)?;
        let resource = u.token_resource.as_deref()?;
        match &u.answer {
            Answer::Ok(_) => Some(Outcome::pass(format!(
                "the token for {resource} is accepted at userinfo"
            ))),
            Answer::Refused { status: 401, .. } => Some(Outcome::info(format!(
                "This token was requested for the resource {resource}: providers such as node-oidc-provider refuse audience-bound tokens at userinfo. For identity only, log in again without it: `mcp-auth login {} --no-resource`",
                u.issuer
            ))),
            _ => None,
        }
    }),
};

pub const RS_ACCEPTS_TOKEN: CheckDef = CheckDef {
    id: "RS-ACCEPTS-TOKEN",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "The MCP server accepts the login token",
    spec: "MCP 2025-06-18+ §Token Handling; OAuth 2.1 §5.2",
    hint: "Refresh the token (`mcp-auth login <url> --refresh`) or log in again; if a fresh token is refused, the server's audience or issuer configuration does not match its authorization server.",
    doc: "Run by `mcp-auth call`: passes when every request to the MCP server made with the login \
          token got a 2xx, and also on a 403, which means the token was accepted but lacks a \
          scope (see CH-403-SCOPE). A 401 fails (the token was refused: expired, or not valid for \
          this server's audience or issuer), as do other error statuses and unusable answers; it \
          does not apply when the server could not be reached. MCP servers MUST validate the \
          tokens they receive, so a fresh token refused here means the server and its \
          authorization server disagree on audience or issuer. Sources: MCP 2025-06-18+ §Token \
          Handling; OAuth 2.1 §5.2.",
    grade: Grade::Session(|s| {
        let c = call(s)?;
        let url = &c.url;
        Some(match &c.answer {
            Answer::Ok(()) => Outcome::pass("every request was answered 2xx"),
            Answer::Refused { status: 403, .. } => {
                Outcome::pass("the token was accepted; the request needs more scope (403)")
            }
            Answer::Refused {
                status: 401,
                challenge,
                ..
            } => {
                let e = challenge_param(challenge.as_deref(), "error");
                Outcome::fail(format!(
                    "401{}: the token was refused; refresh it (`mcp-auth login {url} --refresh`) or log in again (`mcp-auth login {url}`)",
                    e.map(|e| format!(" {e}")).unwrap_or_default()
                ))
            }
            Answer::Refused { status, detail, .. } => {
                Outcome::fail(format!("{url} answered {status}: {detail}"))
            }
            Answer::Unusable(e) => Outcome::fail(e.clone()),
            Answer::Unreachable(_) | Answer::NotAsked(_) => return None,
        })
    }),
};

pub const CH_403_SCOPE: CheckDef = CheckDef {
    id: "CH-403-SCOPE",
    at: concat!(file!(), ":", line!()),
    level: Level::Should,
    title: "A 403 names insufficient_scope and the scopes (step-up)",
    spec: "MCP 2025-11-25 §Runtime Insufficient Scope Errors; 2026-07-28 (scope union, SEP-2350); RFC 6750 §3.1",
    hint: "Answer a token that lacks a scope with 403 and `WWW-Authenticate: Bearer error=\"insufficient_scope\", scope=\"…\", resource_metadata=\"…\"`.",
    doc: "Run by `mcp-auth call` when the MCP server answered 403: passes when the Bearer \
          challenge has error=insufficient_scope and a scope, and warns when the scope or the \
          error code is missing or the error is another one; it does not apply without a 403. The \
          detail gives the step-up command, asking for the union of the token's scopes and the \
          ones named, as MCP 2026-07-28 tells clients to. The TypeScript and Python SDK clients \
          step up only on a 403 with insufficient_scope, and need the scope to know what to ask \
          for. Sources: MCP 2025-11-25 §Runtime Insufficient Scope Errors; MCP 2026-07-28 \
          (SEP-2350); RFC 6750 §3.1.",
    grade: Grade::Session(|s| {
        let c = call(s)?;
        let Answer::Refused {
            status: 403,
            challenge,
            ..
        } = &c.answer
        else {
            return None;
        };
        let challenge = challenge.as_deref();
        let error = challenge_param(challenge, "error");
        let needed = challenge_param(challenge, "scope");
        let have = c.token_scopes.join(" ");
        let mut union = c.token_scopes.clone();
        for s in needed.as_deref().unwrap_or_default().split(' ').filter(|s| !s.is_empty()) {
            if !union.iter().any(|h| h == s) {
                union.push(s.to_owned());
            }
        }
        let advice = format!(
            "403 insufficient_scope: the server needs scope \"{}\"; the token has \"{have}\". Step up (MCP 2026-07-28: ask for the union): mcp-auth login {} --scope \"{}\"",
            needed.as_deref().unwrap_or("(not named)"),
            c.url,
            union.join(" ")
        );
        Some(match (error.as_deref(), &needed) {
            (Some("insufficient_scope"), Some(_)) => Outcome::pass(advice),
            (Some("insufficient_scope") | None, _) => Outcome::warn(advice),
            (Some(other), _) => Outcome::warn(format!("403 with error={other}, not insufficient_scope")),
        })
    }),
};

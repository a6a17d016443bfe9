//! Enforcement, without a login: does an MCP server that advertises OAuth
//! refuse what it must refuse? Requests without a token (`tools/list`, a
//! `tools/call`), JWTs it cannot have issued (expired, for another audience,
//! signed by a key it never saw), and how the 2026-07-28 stateless
//! `server/discover` is answered without a token. The ids are not in the
//! checklist (its RS rows need a login): they are this tool's, named in its
//! style, and each says so in its `spec`.

use crate::evidence::interpret::{rpc_answer, RpcAnswer};
use crate::evidence::requests::{EXPIRED_AGO_SECS, FOREIGN_AUDIENCE, PROBE_TOOL};
use crate::evidence::{Exchange, ProbeKind};
use crate::www_authenticate;
use crate::{CheckDef, Grade, Level, Outcome, ResourceAnalysis};

/// How the server says it uses OAuth: a 401 with a challenge, or protected
/// resource metadata. None: it advertises nothing (the checks then skip).
fn advertised(r: &ResourceAnalysis<'_>) -> Option<&'static str> {
    if r.status == Some(401) && !r.www_authenticate.is_empty() {
        Some("a 401 challenge")
    } else if r.prm_doc().is_some() {
        Some("protected resource metadata")
    } else {
        None
    }
}

/// The lifecycle a probe spoke, for the detail.
fn form(ex: &Exchange) -> &'static str {
    let header = |n: &str| ex.request.headers.iter().any(|h| h.name == n);
    if header("mcp-method") {
        "stateless 2026-07-28 form"
    } else if header("mcp-session-id") {
        "in the unauthenticated session"
    } else {
        "stateful form"
    }
}

/// Why a probe has nothing to grade, if it has not.
fn not_gradable(r: &ResourceAnalysis<'_>, kind: ProbeKind) -> Result<&'static str, Outcome> {
    let Some(ex) = r.probe(kind) else {
        return Err(Outcome::skip("not probed"));
    };
    let Some(how) = advertised(r) else {
        return Err(Outcome::skip(
            "the server advertises no OAuth (no 401 challenge, no protected resource metadata)",
        ));
    };
    if ex.response.is_none() {
        return Err(Outcome::skip(format!("no answer: {}", ex.failure())));
    }
    Ok(how)
}

/// One unauthenticated request's answer, in words; `Err` when it proves the
/// server answered without a token.
fn unauthenticated(r: &ResourceAnalysis<'_>, what: &str, ex: &Exchange) -> Result<String, Outcome> {
    let Some(resp) = &ex.response else {
        return Ok(format!("{what}: no answer ({})", ex.failure()));
    };
    let s = resp.status;
    match s {
        401 | 403 => Ok(format!("{what} → {s}")),
        200..=299 => match rpc_answer(resp) {
            RpcAnswer::Result(_) => Err(Outcome::fail(format!(
                "OAuth advertised but not enforced: {what} without a token got {s} with a JSON-RPC result ({})",
                form(ex)
            ))),
            RpcAnswer::Error(e) => Err(Outcome::warn(format!(
                "{what} without a token got {s} with a JSON-RPC error ({e}): the request reached the server instead of a 401"
            ))),
            RpcAnswer::Nothing => Err(Outcome::warn(format!(
                "{what} without a token got {s} (no JSON-RPC answer): expected 401"
            ))),
        },
        400 | 404 if r.status == Some(401) => Ok(format!(
            "{what} → {s} (no session: sessions open only with an initialize, which gets 401 without a token)"
        )),
        _ => Err(Outcome::warn(format!(
            "{what} without a token got {s}: neither a 401 nor an answer ({})",
            form(ex)
        ))),
    }
}

pub const RS_UNAUTHENTICATED_REFUSED: CheckDef = CheckDef {
    id: "RS-UNAUTHENTICATED-REFUSED",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "Requests without a token are refused",
    spec: "mcp-auth's own id (not in the checklist). MCP §Token Handling (\"MUST validate access tokens\"; \"MUST use the Authorization request header on every request\"); MCP §Error Handling (401 = authorization required)",
    hint: "Put the bearer-token middleware in front of every MCP request (tools/list and tools/call included), not only initialize.",
    doc: "Sends `tools/list` and a `tools/call` of a made-up tool without a token, in the form of \
          the lifecycle the server speaks (in the unauthenticated session when initialize was \
          answered, the stateless 2026-07-28 form when initialize got 400 or \
          --protocol-version 2026-07-28 says so). It fails when a server that advertises OAuth \
          (a 401 challenge or protected resource metadata) answers either with a 2xx JSON-RPC \
          result: OAuth advertised but not enforced, the tools are open to anyone. A 2xx with \
          a JSON-RPC error, or another status, warns. A 400 or 404 (no session) while \
          initialize gets 401 passes, since a session opens only with an authorized \
          initialize. Skipped when the server advertises no OAuth or the probes were not sent. \
          Sources: MCP §Token Handling, §Error Handling.",
    grade: Grade::Resource(|r| {
        let how = match not_gradable(r, ProbeKind::UnauthToolsList) {
            Ok(h) => h,
            Err(o) => return o,
        };
        let mut seen = Vec::new();
        let call = format!("tools/call {PROBE_TOOL}");
        for (kind, what) in [
            (ProbeKind::UnauthToolsList, "tools/list"),
            (ProbeKind::UnauthToolsCall, call.as_str()),
        ] {
            if let Some(ex) = r.probe(kind) {
                match unauthenticated(r, what, ex) {
                    Ok(line) => seen.push(line),
                    Err(o) => return o,
                }
            }
        }
        Outcome::pass(format!("{} (OAuth advertised by {how})", seen.join("; ")))
    }),
};

/// A token probe: 401 passes, a 2xx means the server takes tokens it cannot
/// have verified, anything else is not the 401 MCP requires.
fn token_refused(r: &ResourceAnalysis<'_>, kind: ProbeKind, what: &str) -> Outcome {
    if let Err(o) = not_gradable(r, kind) {
        return o;
    }
    let Some(ex) = r.probe(kind) else {
        return Outcome::skip("not probed");
    };
    let Some(resp) = &ex.response else {
        return Outcome::skip("no answer");
    };
    let error = www_authenticate::parse(&resp.header_all("www-authenticate"))
        .bearer()
        .and_then(|b| b.param("error"))
        .map(|e| format!(", error=\"{}\"", e.value))
        .unwrap_or_default();
    match resp.status {
        401 => Outcome::pass(format!("{what} → 401{error} ({})", form(ex))),
        s @ 200..=299 => Outcome::fail(format!(
            "{what} got {s}: the server takes a token signed by a key it never saw, so it does not verify tokens ({})",
            form(ex)
        )),
        s => Outcome::fail(format!(
            "{what} got {s}, not 401 (MCP: invalid or expired tokens MUST receive a 401) ({})",
            form(ex)
        )),
    }
}

pub const RS_EXPIRED_TOKEN_REFUSED: CheckDef = CheckDef {
    id: "RS-EXPIRED-TOKEN-REFUSED",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "An expired token gets 401",
    spec: "mcp-auth's own id (not in the checklist). MCP §Token Handling (\"Invalid or expired tokens MUST receive a HTTP 401 response\"; OAuth 2.1 §5.2 validation); RFC 6750 §3.1 (invalid_token)",
    hint: "Verify every access token's signature against the authorization server's keys and its `exp`, and answer a failure with 401 invalid_token.",
    doc: "Sends the MCP request with a well-formed JWT access token (RFC 9068 `at+jwt`, ES256) \
          whose `iss` is the authorization server the protected resource metadata lists, whose \
          `aud` is the server's resource, and whose `exp` passed an hour ago, signed by a key \
          made for the probe. It passes on 401 and fails on anything else: a 2xx means the \
          server takes a token it cannot have verified (neither the signature nor the expiry), \
          another status is not the 401 MCP requires, and clients' refresh logic waits for \
          that 401. The request is initialize while the server refuses that without a token, \
          else tools/list (in the unauthenticated session, or in the stateless 2026-07-28 \
          form). Skipped when the server advertises no OAuth or the probe got no answer. \
          Sources: MCP §Token Handling; RFC 6750 §3.1.",
    grade: Grade::Resource(|r| {
        token_refused(
            r,
            ProbeKind::ExpiredToken,
            &format!("a JWT expired {} min ago", EXPIRED_AGO_SECS / 60),
        )
    }),
};

pub const RS_FORGED_TOKEN_REFUSED: CheckDef = CheckDef {
    id: "RS-FORGED-TOKEN-REFUSED",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "A wrong-audience token from an unknown key gets 401",
    spec: "mcp-auth's own id (not in the checklist; RS-AUDIENCE-ENFORCED is the login variant). MCP §Token Handling (\"MUST validate that access tokens were issued specifically for them\"; \"Invalid or expired tokens MUST receive a HTTP 401\"); MCP §Access Token Privilege Restriction; RFC 8707 §2",
    hint: "Verify the token's signature with the authorization server's keys and require your resource in `aud`; answer anything else with 401 invalid_token.",
    doc: "Sends the MCP request with a well-formed, unexpired JWT access token whose `iss` is \
          the authorization server the protected resource metadata lists but whose `aud` is \
          another resource (https://other-resource.invalid/mcp), signed by a key made for the \
          probe. It passes on 401 and fails otherwise: a 2xx means the server accepts tokens \
          without verifying their signature or audience, so any token for any resource (or one \
          anybody signs) opens it, the confused-deputy and token-passthrough exposure MCP \
          forbids. With a login, RS-AUDIENCE-ENFORCED tests the audience alone with a real \
          token. Skipped when the server advertises no OAuth or the probe got no answer. \
          Sources: MCP §Token Handling, §Access Token Privilege Restriction; RFC 8707 §2.",
    grade: Grade::Resource(|r| {
        token_refused(
            r,
            ProbeKind::WrongAudienceToken,
            &format!("a JWT for {FOREIGN_AUDIENCE}"),
        )
    }),
};

pub const CH_STATELESS_DISCOVER: CheckDef = CheckDef {
    id: "CH-STATELESS-DISCOVER",
    at: concat!(file!(), ":", line!()),
    level: Level::Should,
    title: "Stateless server/discover gets the challenge or a result",
    spec: "mcp-auth's own id (not in the checklist; its §1.1 R0728 probe). MCP 2026-07-28 basic/transports/streamable-http (Mcp-Method, Protocol Version Header), server/discover; RFC 6750 §3",
    hint: "Gate `server/discover` like every request (401 with `WWW-Authenticate: Bearer resource_metadata=\"…\"`), or answer it with the discovery result; never with another error.",
    doc: "Sends the 2026-07-28 stateless `server/discover` POST (`Mcp-Method: server/discover`, \
          `MCP-Protocol-Version: 2026-07-28`, `_meta` in the params) without a token. A 2026-07-28 \
          client starts with it, so it must lead to OAuth: a 401 whose Bearer challenge names \
          resource_metadata passes; a 2xx with a discovery result passes as well, since the \
          revision does not require authorization for discovery (RS-UNAUTHENTICATED-REFUSED \
          then grades the requests that need it). A 401 without the challenge or without \
          resource_metadata, or a 2xx without a result, warns. Any other answer (400, 404, \
          405, a JSON-RPC error) is INFO: the server does not speak the stateless transport, \
          and clients of that revision alone cannot use it. Skipped when not probed or not \
          answered. Sources: MCP 2026-07-28 streamable-http, server/discover; RFC 6750 §3.",
    grade: Grade::Resource(|r| {
        let Some(ex) = r.probe(ProbeKind::StatelessDiscover) else {
            return Outcome::skip("not probed");
        };
        let Some(resp) = &ex.response else {
            return Outcome::skip(format!("no answer: {}", ex.failure()));
        };
        let parsed = www_authenticate::parse(&resp.header_all("www-authenticate"));
        let rm = parsed
            .bearer()
            .and_then(|b| b.param("resource_metadata"))
            .map(|p| p.value.clone());
        match (resp.status, rm) {
            (401, Some(url)) => Outcome::pass(format!("401, resource_metadata=\"{url}\"")),
            (401, None) if parsed.bearer().is_some() => Outcome::warn(
                "401 without resource_metadata: 2026-07-28 clients fall back to the well-known URLs",
            ),
            (401, None) => Outcome::warn("401 without a Bearer challenge"),
            (s @ 200..=299, _) => match rpc_answer(resp) {
                RpcAnswer::Result(_) => Outcome::pass(format!(
                    "{s} with the discovery result: discovery needs no token here"
                )),
                RpcAnswer::Error(e) => Outcome::info(format!(
                    "{s} with a JSON-RPC error ({e}): the server does not speak the 2026-07-28 stateless transport"
                )),
                RpcAnswer::Nothing => Outcome::warn(format!("{s} without a JSON-RPC answer")),
            },
            (s, _) => Outcome::info(format!(
                "{s}: the server does not speak the 2026-07-28 stateless transport (initialize-based clients only)"
            )),
        }
    }),
};

#[cfg(test)]
mod tests;

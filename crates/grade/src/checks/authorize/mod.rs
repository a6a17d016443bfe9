//! Authorization-endpoint probes (`check --probe-authorize`, checklist §2.7):
//! crafted authorization requests, read without following redirects. Each
//! answer is classified as a login page, an error page, an error redirect, a
//! code redirect, or a redirect elsewhere; the details say how.

mod hosts;
pub use hosts::AUTHZ_HOST_ACCEPTED;

use url::Url;

use crate::evidence::{Exchange, ProbeKind};
use crate::{AsAnalysis, CheckDef, Grade, Level, Outcome};

/// What an authorization request got back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// A page (200) or a redirect on the server's own side (login, consent).
    Login(String),
    /// A redirect to the request's redirect URI with `error`.
    ErrorRedirect { error: String, iss: Option<String> },
    /// A redirect to the request's redirect URI with a `code`.
    CodeRedirect,
    /// A redirect to some other place.
    Elsewhere(String),
    /// An error status (an error page, no redirect).
    ErrorPage(u16),
    /// No answer.
    None(String),
}

fn param(url: &Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// Classify one probe's exchange.
pub fn answer(ex: &Exchange) -> Answer {
    let Ok(request) = Url::parse(&ex.request.url) else {
        return Answer::None("unparsable request URL".to_owned());
    };
    let Some(resp) = &ex.response else {
        return Answer::None(ex.failure().to_owned());
    };
    let redirect_uri = param(&request, "redirect_uri").and_then(|r| Url::parse(&r).ok());
    match resp.status {
        300..=399 => {
            let Some(location) = resp.header("location").and_then(|l| request.join(l).ok()) else {
                return Answer::ErrorPage(resp.status);
            };
            let to_redirect_uri = redirect_uri
                .as_ref()
                .is_some_and(|r| r.origin() == location.origin() && r.path() == location.path());
            if to_redirect_uri {
                if let Some(error) = param(&location, "error") {
                    Answer::ErrorRedirect {
                        error,
                        iss: param(&location, "iss"),
                    }
                } else if param(&location, "code").is_some() {
                    Answer::CodeRedirect
                } else {
                    Answer::Elsewhere(location.to_string())
                }
            } else if location.origin() == request.origin() {
                Answer::Login(format!("{} to {}", resp.status, location.path()))
            } else {
                Answer::Elsewhere(location.to_string())
            }
        }
        200..=299 => Answer::Login(format!("{} page", resp.status)),
        s => Answer::ErrorPage(s),
    }
}

impl Answer {
    fn describe(&self) -> String {
        match self {
            Self::Login(how) => format!("accepted ({how}: login or consent)"),
            Self::ErrorRedirect { error, .. } => format!("redirected back with error={error}"),
            Self::CodeRedirect => "redirected back with a code".to_owned(),
            Self::Elsewhere(to) => format!("redirected to {to}"),
            Self::ErrorPage(s) => format!("refused with a {s} error page"),
            Self::None(why) => format!("no answer ({why})"),
        }
    }
}

/// The answer to a probe, unless the baseline request itself failed (then
/// nothing can be inferred).
fn probe(a: &AsAnalysis<'_>, kind: ProbeKind) -> Result<Answer, Outcome> {
    let Some(base) = a.probe(ProbeKind::AuthzBaseline) else {
        return Err(Outcome::skip(
            "not probed: run with --probe-authorize (and --client-id or --register)",
        ));
    };
    match answer(base) {
        Answer::Login(_) => {}
        other => {
            return Err(Outcome::skip(format!(
                "the well-formed baseline request was not accepted ({}): check --client-id and --redirect-uri",
                other.describe()
            )))
        }
    }
    match a.probe(kind) {
        Some(ex) => Ok(answer(ex)),
        None => Err(Outcome::skip("not probed")),
    }
}

pub const AUTHZ_REDIRECT_EXACT: CheckDef = CheckDef {
    id: "AUTHZ-REDIRECT-EXACT",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "Unregistered redirect URIs are not redirected to",
    spec: "MCP 2025-06-18+ §Open Redirection; OAuth 2.1 draft-13 §2.3.1, §4.1.2.1; RFC 9700 §2.1",
    hint: "Compare redirect_uri exactly with the registered ones before anything else, and show an error page (never a redirect) when it does not match.",
    doc: "With --probe-authorize, sends an otherwise well-formed authorization request whose \
          redirect_uri is the unregistered https://mcp-auth-probe.invalid/callback and reads the \
          answer without following it. A redirect there, with a code or an error, fails (an open \
          redirector); a login or consent page warns, because the mismatch must be refused before \
          the user logs in; an error page or a redirect elsewhere passes. MCP 2025-06-18 and \
          later require exact matching against pre-registered redirect URIs, and OAuth 2.1 \
          forbids redirecting to an invalid one, since that hands codes to an attacker. Skipped \
          unless probed with a client, or when the well-formed baseline request was not accepted. \
          Sources: MCP 2025-06-18+ §Open Redirection; OAuth 2.1 draft-13 §2.3.1, §4.1.2.1; RFC \
          9700 §2.1.",
    grade: Grade::Server(|a| match probe(a, ProbeKind::AuthzUnregisteredRedirect) {
        Err(o) => o,
        Ok(Answer::Elsewhere(to)) if to.contains("mcp-auth-probe.invalid") => {
            Outcome::fail(format!("redirect_uri=https://mcp-auth-probe.invalid/callback: redirected to {to}: an open redirector"))
        }
        Ok(ans @ (Answer::ErrorRedirect { .. } | Answer::CodeRedirect)) => Outcome::fail(format!(
            "redirect_uri=https://mcp-auth-probe.invalid/callback: {}: an open redirector",
            ans.describe()
        )),
        Ok(ans @ Answer::Login(_)) => Outcome::warn(format!(
            "redirect_uri=https://mcp-auth-probe.invalid/callback: {}; it must be refused before the user logs in",
            ans.describe()
        )),
        Ok(ans) => Outcome::pass(format!("redirect_uri=https://mcp-auth-probe.invalid/callback: {}", ans.describe())),
    }),
};

pub const AUTHZ_LOOPBACK_PORT: CheckDef = CheckDef {
    id: "AUTHZ-LOOPBACK-PORT",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "Any port is accepted for a loopback redirect URI",
    spec: "OAuth 2.1 draft-13 §8.4.2; RFC 8252 §7.3",
    hint: "Accept any port for registered loopback redirect URIs (http://127.0.0.1:PORT/…), so native clients can use ephemeral ports.",
    doc: "Sends the well-formed authorization request with the registered loopback redirect URI \
          on another port (one higher) and passes when the server accepts it with a login or \
          consent page; an error redirect, an error page or a redirect elsewhere warns. Skipped \
          unless probed, when the redirect URI is not loopback, or when the baseline request was \
          not accepted. OAuth 2.1 says servers MUST allow any port for loopback IP redirect URIs, \
          and native clients that listen on an ephemeral port (`mcp-auth login`, the MCP \
          Inspector CLI) fail unless they reuse the registered port. Sources: OAuth 2.1 draft-13 \
          §8.4.2; RFC 8252 §7.3.",
    grade: Grade::Server(|a| match probe(a, ProbeKind::AuthzOtherLoopbackPort) {
        Err(o) => o,
        Ok(ans @ Answer::Login(_)) => Outcome::pass(format!("the registered redirect URI on another port: {}", ans.describe())),
        Ok(ans) => Outcome::warn(format!(
            "the registered redirect URI on another port: {}; clients using ephemeral ports (mcp-auth login, the Inspector CLI) fail",
            ans.describe()
        )),
    }),
};

pub const AUTHZ_PKCE_ENFORCED: CheckDef = CheckDef {
    id: "AUTHZ-PKCE-ENFORCED",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "Requests without PKCE (or with plain) are refused",
    spec: "OAuth 2.1 draft-13 §4.1.2.1, §7.5.2; RFC 9700 §2.1.1",
    hint: "Refuse authorization requests from public clients that carry no code_challenge, or a method you do not advertise, with error=invalid_request.",
    doc: "Sends the well-formed authorization request without code_challenge, and again with \
          code_challenge_method plain. Getting a code fails: always without PKCE, and for plain \
          when the metadata lists methods without plain. It passes when the request without PKCE \
          is refused with an error redirect or error page (and plain too, when it is not listed), \
          is skipped when the server shows a login page, since many servers check PKCE only after \
          login, and warns otherwise. OAuth 2.1 says servers MUST reject requests without a \
          code_challenge from public clients; otherwise the flow is open to authorization code \
          injection. Sources: OAuth 2.1 draft-13 §4.1.2.1, §7.5.2; RFC 9700 §2.1.1.",
    grade: Grade::Server(|a| {
        let s256_only = a
            .doc()
            .and_then(|d| d.md.code_challenge_methods_supported.as_ref())
            .is_some_and(|m| !m.iter().any(|x| x == "plain"));
        let none = match probe(a, ProbeKind::AuthzNoPkce) {
            Err(o) => return o,
            Ok(x) => x,
        };
        let plain = probe(a, ProbeKind::AuthzPlainPkce).ok();
        let refused = |x: &Answer| matches!(x, Answer::ErrorRedirect { .. } | Answer::ErrorPage(_));
        if none == Answer::CodeRedirect || (s256_only && plain == Some(Answer::CodeRedirect)) {
            return Outcome::fail("a request without S256 PKCE got a code");
        }
        match (&none, &plain) {
            (n, Some(p)) if refused(n) && (!s256_only || refused(p)) => Outcome::pass(format!(
                "no code_challenge: {}; method plain: {}",
                n.describe(),
                p.describe()
            )),
            (n, None) if refused(n) => Outcome::pass(format!("no code_challenge: {}", n.describe())),
            (Answer::Login(_), _) => Outcome::skip(format!(
                "no code_challenge: {}; the server may only check after login",
                none.describe()
            )),
            (n, p) => Outcome::warn(format!(
                "no code_challenge: {}{}",
                n.describe(),
                p.as_ref().map(|p| format!("; method plain: {}", p.describe())).unwrap_or_default()
            )),
        }
    }),
};

pub const AUTHZ_RESOURCE_ACCEPTED: CheckDef = CheckDef {
    id: "AUTHZ-RESOURCE-ACCEPTED",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "The resource parameter is accepted",
    spec: "MCP 2025-06-18+ §Resource Parameter Implementation; RFC 8707 §2; OAuth 2.1 §3.1",
    hint: "Accept `resource` = the MCP server's URL (register it as a resource/API and bind tokens' audience to it), or at least ignore it; never answer invalid_target to conformant MCP clients.",
    doc: "Sends the well-formed authorization request with the RFC 8707 resource parameter set to \
          the MCP server's resource: an error redirect with invalid_target fails, a login or \
          consent page passes, and any other answer warns. Skipped unless probed with a resource, \
          or when the baseline request was not accepted. MCP 2025-06-18 and later require clients \
          to send resource whether or not the server supports it, and OAuth 2.1 requires servers \
          to ignore parameters they do not know, so an invalid_target refusal turns away every \
          conformant MCP client (node-oidc-provider does this until resource indicators are \
          configured). Sources: MCP 2025-06-18+ §Resource Parameter Implementation; RFC 8707 §2; \
          OAuth 2.1 §3.1.",
    grade: Grade::Server(|a| match probe(a, ProbeKind::AuthzResource) {
        Err(o) => o,
        Ok(Answer::ErrorRedirect { error, .. }) if error == "invalid_target" => {
            Outcome::fail("resource=<MCP server>: error=invalid_target; every conformant MCP client is refused")
        }
        Ok(ans @ Answer::Login(_)) => Outcome::pass(format!("resource=<MCP server>: {}", ans.describe())),
        Ok(ans) => Outcome::warn(format!("resource=<MCP server>: {}", ans.describe())),
    }),
};

pub const AUTHZ_ERROR_ISS: CheckDef = CheckDef {
    id: "AUTHZ-ERROR-ISS",
    at: concat!(file!(), ":", line!()),
    level: Level::Should,
    title: "Error redirects carry iss",
    spec: "RFC 9207 §2; MCP 2026-07-28 §Authorization Response Validation",
    hint: "Add `iss` to every authorization response, error responses included, when you advertise authorization_response_iss_parameter_supported.",
    doc: "When the metadata advertises `authorization_response_iss_parameter_supported: true`, \
          collects the error redirects of the other authorization probes (no PKCE, plain PKCE, \
          resource, other loopback port) and passes when every one carries iss equal to the \
          expected issuer; a missing or different iss warns. Skipped when RFC 9207 is not \
          advertised, when not probed, or when no probe produced an error redirect. Once a server \
          advertises RFC 9207, error responses must carry iss too, and MCP 2026-07-28 clients \
          reject an error response without it. Sources: RFC 9207 §2; MCP 2026-07-28 \
          §Authorization Response Validation.",
    grade: Grade::Server(|a| {
        if a.doc().and_then(|d| d.md.authorization_response_iss_parameter_supported) != Some(true) {
            return Outcome::skip("RFC 9207 is not advertised");
        }
        let mut errors = Vec::new();
        for kind in [ProbeKind::AuthzNoPkce, ProbeKind::AuthzPlainPkce, ProbeKind::AuthzResource, ProbeKind::AuthzOtherLoopbackPort] {
            match probe(a, kind) {
                Ok(Answer::ErrorRedirect { iss, .. }) => errors.push(iss),
                Err(o) if kind == ProbeKind::AuthzNoPkce && a.probe(ProbeKind::AuthzBaseline).is_none() => return o,
                _ => {}
            }
        }
        let issuer = a.expected_issuer().unwrap_or_default();
        if errors.is_empty() {
            Outcome::skip("no probe produced an error redirect")
        } else if errors.iter().all(|i| i.as_deref() == Some(issuer)) {
            Outcome::pass(format!("{} error redirect(s), all with iss={issuer}", errors.len()))
        } else {
            Outcome::warn(format!(
                "error redirects without the right iss: {}",
                errors.iter().map(|i| i.clone().unwrap_or_else(|| "(none)".to_owned())).collect::<Vec<_>>().join(", ")
            ))
        }
    }),
};

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_hosts;

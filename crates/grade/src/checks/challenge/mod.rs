//! The MCP server's 401 challenge (checklist §2.5) and the transport security
//! of its URLs (§2.1). The protected resource metadata itself is `prm/`.

use crate::evidence::{PrmSource, ProbeKind};
use crate::util::{absolute_url, join_list, transport, Transport};
use crate::www_authenticate::{self, scope_chars_valid};
use crate::{CheckDef, Grade, Level, Outcome, ResourceAnalysis};

fn with_401(r: &ResourceAnalysis<'_>, f: impl FnOnce() -> Outcome) -> Outcome {
    match r.status {
        Some(401) => f(),
        Some(s) => Outcome::skip(format!("no 401 to inspect (got {s})")),
        None => Outcome::skip("no response to inspect"),
    }
}

pub const SEC_HTTPS_RS: CheckDef = CheckDef {
    id: "SEC-HTTPS-RS",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "MCP server URLs use https",
    spec: "OAuth 2.1 draft-13 §1.5; RFC 9728 §2, §7.1",
    hint: "Serve the MCP endpoint and its protected resource metadata over https; plain http is acceptable only on loopback during development.",
    doc: "Collects the MCP endpoint URL, the resource_metadata URL of the 401 challenge, and the \
          protected resource metadata's `resource` and `jwks_uri`, and fails if any of them is \
          plain http on a host that is not loopback; plain http on a loopback host (localhost, \
          127.0.0.0/8, ::1) warns as development-only. OAuth 2.1 requires https for every \
          protocol URL except loopback redirect URIs, RFC 9728 requires TLS and an https \
          `jwks_uri`, and MCP 2026-07-28's security guidance says clients SHOULD require https \
          for all OAuth-related URLs, so such clients refuse the server. Sources: OAuth 2.1 \
          draft-13 §1.5; RFC 9728 §2, §7.1.",
    grade: Grade::Resource(|r| {
        let mut urls: Vec<(&str, String)> = vec![("MCP endpoint", r.url().to_owned())];
        if let Some(h) = r.header_prm_url() {
            urls.push(("resource_metadata URL", h.to_owned()));
        }
        if let Some((_, doc)) = r.prm_doc() {
            if let Some(res) = &doc.md.resource {
                urls.push(("PRM resource", res.clone()));
            }
            if let Some(j) = &doc.md.jwks_uri {
                urls.push(("PRM jwks_uri", j.clone()));
            }
        }
        let insecure: Vec<String> = urls
            .iter()
            .filter(|(_, u)| transport(u) == Transport::Insecure)
            .map(|(n, u)| format!("{n} ({u})"))
            .collect();
        let loopback: Vec<&str> = urls
            .iter()
            .filter(|(_, u)| transport(u) == Transport::LoopbackHttp)
            .map(|(n, _)| *n)
            .collect();
        if !insecure.is_empty() {
            Outcome::fail(format!("not https: {}", join_list(&insecure)))
        } else if !loopback.is_empty() {
            Outcome::warn(format!(
                "plain http on loopback (development only): {}",
                join_list(&loopback)
            ))
        } else {
            Outcome::pass(format!("{} URLs, all https", urls.len()))
        }
    }),
};

pub const CH_401: CheckDef = CheckDef {
    id: "CH-401",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "Unauthenticated request gets 401",
    spec: "MCP §Error Handling (401 = authorization required); MCP 2025-03-26 §Authorization",
    hint: "Answer a request without a token with 401 Unauthorized (not 200, 403 or 400): clients start OAuth only on 401.",
    doc: "Sends the MCP initialize request as a POST without a token and passes only on 401 \
          Unauthorized. A 2xx fails (the endpoint answers without a token: it is unprotected, or \
          not an MCP endpoint), any other status fails, and so does no response at all. The \
          TypeScript and Python SDK clients start the OAuth flow only on a 401, so after a 403, a \
          400 or a redirect they never try to authorize. Sources: MCP §Error Handling (401 = \
          authorization required); MCP 2025-03-26 §Authorization.",
    grade: Grade::Resource(|r| {
        let ex = &r.evidence.unauthenticated;
        match r.status {
            Some(401) => Outcome::pass("401"),
            Some(s @ 200..=299) => Outcome::fail(format!(
                "got {s}: the endpoint answers without a token (unprotected, or not an MCP endpoint)"
            )),
            Some(s) => Outcome::fail(format!("got {s}: clients start OAuth only on 401")),
            None => Outcome::fail(format!(
                "no response: {}",
                ex.error.as_ref().map_or("unknown error", |e| e.message.as_str())
            )),
        }
    }),
};

pub const CH_WWW_AUTH: CheckDef = CheckDef {
    id: "CH-WWW-AUTH",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "401 carries WWW-Authenticate",
    spec: "RFC 6750 §3; MCP 2025-06-18 §Authorization Server Location",
    hint: "Send `WWW-Authenticate: Bearer resource_metadata=\"…\"` with every 401.",
    doc: "Checks that the 401 to the unauthenticated request carries a WWW-Authenticate header; \
          it is skipped when the answer was not a 401. RFC 6750 requires the header on every 401 \
          of a bearer-protected resource, and MCP 2025-06-18 makes it the way clients find the \
          protected resource metadata: without it 2025-06-18 clients have nothing to follow, and \
          later clients can only try the well-known URLs. Sources: RFC 6750 §3; MCP 2025-06-18 \
          §Authorization Server Location.",
    grade: Grade::Resource(|r| {
        with_401(r, || {
            if r.www_authenticate.is_empty() {
                Outcome::fail("the 401 has no WWW-Authenticate header")
            } else {
                Outcome::pass(r.www_authenticate.join(" | "))
            }
        })
    }),
};

pub const CH_BEARER_SCHEME: CheckDef = CheckDef {
    id: "CH-BEARER-SCHEME",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "Challenge is Bearer with parameters, first",
    spec: "RFC 6750 §3",
    hint:
        "Make `Bearer` the first challenge, followed by a single space and at least one auth-param.",
    doc: "Parses the challenges of the 401's WWW-Authenticate and fails when none is Bearer or \
          when Bearer has no auth-params. It warns when Bearer is not the first challenge, or \
          when anything but a single space follows the word Bearer: the TypeScript SDK reads the \
          header only when its first space-separated token is Bearer, so in both cases it finds \
          no resource_metadata. Skipped without a 401 or without the header. Source: RFC 6750 §3 \
          (the scheme MUST be Bearer, followed by one or more auth-params).",
    grade: Grade::Resource(|r| {
        with_401(r, || {
            if r.www_authenticate.is_empty() {
                return Outcome::skip("no WWW-Authenticate header");
            }
            let Some((pos, bearer)) = r
                .challenges
                .challenges
                .iter()
                .enumerate()
                .find(|(_, c)| c.is_bearer())
            else {
                let schemes: Vec<&str> = r
                    .challenges
                    .challenges
                    .iter()
                    .map(|c| c.scheme.as_str())
                    .collect();
                return Outcome::fail(format!(
                    "no Bearer challenge (schemes: {})",
                    if schemes.is_empty() {
                        "none readable".to_owned()
                    } else {
                        schemes.join(", ")
                    }
                ));
            };
            if bearer.params.is_empty() {
                return Outcome::fail(
                    "Bearer has no auth-params (RFC 6750: MUST be followed by one or more)",
                );
            }
            if pos > 0 {
                return Outcome::warn(format!(
                    "Bearer is challenge #{} of {}: the TypeScript SDK reads only a header that starts with Bearer",
                    pos + 1,
                    r.challenges.challenges.len()
                ));
            }
            if bearer.separator != " " {
                return Outcome::warn(format!(
                    "{:?} after `Bearer` instead of a single space: the TypeScript SDK splits on one space and reads nothing",
                    bearer.separator
                ));
            }
            Outcome::pass(format!("Bearer with {} parameter(s)", bearer.params.len()))
        })
    }),
};

pub const CH_RESOURCE_METADATA: CheckDef = CheckDef {
    id: "CH-RESOURCE-METADATA",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "Challenge names the protected resource metadata",
    spec: "RFC 9728 §5.1; MCP 2025-06-18 (MUST); 2025-11-25 §Protected Resource Metadata Discovery Requirements",
    hint: "Add `resource_metadata=\"<absolute URL of your protected resource metadata>\"` to the Bearer challenge.",
    doc: "Checks that the Bearer challenge has a resource_metadata parameter holding an absolute \
          URL that serves the protected resource metadata. Without the parameter it warns when a \
          well-known URL serves the metadata (2025-11-25 and later clients fall back to it; \
          2025-06-18 clients, which rely on the header, fail) and fails when none does. A header \
          URL that is not absolute, was not fetched, or serves no metadata fails even when a \
          well-known URL works, because spec clients use the header URL alone and the TypeScript \
          SDK does not fall back from it (only the Python SDK does). Skipped without a 401. \
          Sources: RFC 9728 §5.1; MCP 2025-06-18 (MUST), 2025-11-25 §Protected Resource Metadata \
          Discovery Requirements.",
    grade: Grade::Resource(|r| {
        with_401(r, || {
            let well_known = r
                .prm
                .iter()
                .find(|p| p.source != PrmSource::Header && p.doc.is_some());
            let Some(url) = r.header_prm_url() else {
                return match well_known {
                    Some(p) => Outcome::warn(format!(
                        "no resource_metadata parameter; 2025-11-25+ clients fall back to {} but 2025-06-18 clients fail",
                        p.url
                    )),
                    None => Outcome::fail(
                        "no resource_metadata parameter and no protected resource metadata at the well-known URLs",
                    ),
                };
            };
            if let Err(e) = absolute_url(url) {
                return Outcome::fail(format!("resource_metadata: {e}"));
            }
            match r.prm_at(PrmSource::Header) {
                Some(p) if p.doc.is_some() => Outcome::pass(url.to_owned()),
                Some(p) => Outcome::fail(format!(
                    "{url} → {}; the TypeScript SDK does not fall back from a failing header URL",
                    p.outcome.summary()
                )),
                None => Outcome::fail(format!("{url} was not fetched")),
            }
        })
    }),
};

pub const CH_PARAM_SYNTAX: CheckDef = CheckDef {
    id: "CH-PARAM-SYNTAX",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "Challenge parameters are well-formed",
    spec: "RFC 6750 §3; RFC 9110 §11.6.1",
    hint: "Quote every value, avoid backslash escapes and empty values, send realm/scope/error at most once, and use only RFC 6750 scope characters.",
    doc: "Warns (it never fails) on any of these in the 401's challenge: a part the parser cannot \
          read, a value with a backslash escape, an empty value, an unquoted realm, scope, error \
          or error_description, a realm, scope, error or resource_metadata sent more than once, \
          scope characters outside RFC 6750's set, or a resource_metadata that the TypeScript \
          SDK's extraction would read differently. Both SDKs take values out with a simple regex, \
          so such problems show up as cut-off or wrong values (an escaped quote ends the value; \
          an empty quoted scope is read as two literal quote characters) rather than as errors. \
          Skipped without a 401, or when there is no Bearer challenge and nothing failed to \
          parse. Sources: RFC 6750 §3; RFC 9110 §11.6.1.",
    grade: Grade::Resource(|r| {
        with_401(r, || {
            let Some(bearer) = r.challenges.bearer() else {
                return if r.challenges.errors.is_empty() {
                    Outcome::skip("no Bearer challenge")
                } else {
                    Outcome::warn(r.challenges.errors.join("; "))
                };
            };
            let mut problems: Vec<String> = r.challenges.errors.clone();
            for p in &bearer.params {
                if p.escaped {
                    problems.push(format!("`{}` contains a backslash escape (the SDKs' regex cuts it off)", p.name));
                }
                if p.value.is_empty() {
                    problems.push(format!("`{}` is empty", p.name));
                }
                if !p.quoted && matches!(p.name.to_ascii_lowercase().as_str(), "scope" | "error" | "error_description" | "realm") {
                    problems.push(format!("`{}` is not a quoted-string", p.name));
                }
            }
            for name in ["realm", "scope", "error", "resource_metadata"] {
                let n = bearer.params.iter().filter(|p| p.name.eq_ignore_ascii_case(name)).count();
                if n > 1 {
                    problems.push(format!("`{name}` appears {n} times"));
                }
            }
            if let Some(scope) = bearer.param("scope") {
                if !scope.value.is_empty() && !scope_chars_valid(&scope.value) {
                    problems.push(format!("scope '{}' has characters outside RFC 6750 §3", scope.value));
                }
            }
            // Compare with what the SDKs' regex extracts.
            let raw = r.www_authenticate.join(", ");
            let ours = r.header_prm_url().map(str::to_owned);
            let ts = www_authenticate::ts_sdk_resource_metadata(&raw);
            if ours.is_some() && ts != ours {
                problems.push(format!(
                    "the TypeScript SDK would read resource_metadata as {}",
                    ts.map_or("nothing".to_owned(), |v| format!("'{v}'"))
                ));
            }
            if problems.is_empty() {
                Outcome::pass("well-formed")
            } else {
                Outcome::warn(join_list(&problems))
            }
        })
    }),
};

pub const CH_SCOPE: CheckDef = CheckDef {
    id: "CH-SCOPE",
    at: concat!(file!(), ":", line!()),
    level: Level::Should,
    title: "Challenge names the required scope",
    spec: "MCP 2025-11-25 §Protected Resource Metadata Discovery Requirements, §Scope Selection Strategy; RFC 6750 §3",
    hint: "Add `scope=\"…\"` with the scopes this endpoint needs (not offline_access) to the Bearer challenge.",
    doc: "Passes when the 401's Bearer challenge has a `scope` parameter, and warns when it has \
          none or when the scope includes offline_access (MCP 2026-07-28: SHOULD NOT). MCP \
          2025-11-25 and later say servers SHOULD name the needed scopes there; without it \
          clients fall back to `scopes_supported` or request no scope, and the authorization \
          server's default may not cover the server. The TypeScript and Python SDK reference \
          servers omit it too, so this warning is expected against SDK-based servers. Sources: \
          MCP 2025-11-25 §Protected Resource Metadata Discovery Requirements, §Scope Selection \
          Strategy; RFC 6750 §3.",
    grade: Grade::Resource(|r| {
        with_401(r, || match r.challenges.bearer().and_then(|b| b.param("scope")) {
            Some(s) if s.value.split(' ').any(|v| v == "offline_access") => Outcome::warn(format!(
                "scope \"{}\" includes offline_access (MCP 2026-07-28: SHOULD NOT)",
                s.value
            )),
            Some(s) => Outcome::pass(format!("scope=\"{}\"", s.value)),
            None => Outcome::warn(
                "no scope parameter: clients fall back to scopes_supported (the SDK reference servers omit it too)",
            ),
        })
    }),
};

pub const CH_NO_ERROR_WITHOUT_CREDS: CheckDef = CheckDef {
    id: "CH-NO-ERROR-WITHOUT-CREDS",
    at: concat!(file!(), ":", line!()),
    level: Level::Should,
    title: "No error code when no credentials were sent",
    spec: "RFC 6750 §3.1",
    hint: "Omit `error=` from the challenge when the request carried no token.",
    doc: "Reports INFO when the 401 to a request that carried no token nevertheless has an \
          `error` parameter in its Bearer challenge; it passes without one and is skipped without \
          a 401. RFC 6750 says a resource server SHOULD NOT send an error code when the request \
          had no authentication information, but no known client breaks on it, and the TypeScript \
          and Python SDK servers both send error=invalid_token here. Source: RFC 6750 §3.1.",
    grade: Grade::Resource(|r| {
        with_401(r, || {
            match r.challenges.bearer().and_then(|b| b.param("error")) {
            Some(e) => Outcome::info(format!(
                "error=\"{}\" on a request without credentials (harmless; the SDK servers do this too)",
                e.value
            )),
            None => Outcome::pass("no error code"),
        }
        })
    }),
};

/// The Bearer challenge of a probe's response.
fn probe_challenge(
    r: &ResourceAnalysis<'_>,
    kind: ProbeKind,
) -> Option<(u16, www_authenticate::Parsed)> {
    let resp = r.probe(kind)?.response.as_ref()?;
    Some((
        resp.status,
        www_authenticate::parse(&resp.header_all("www-authenticate")),
    ))
}

pub const CH_INVALID_TOKEN: CheckDef = CheckDef {
    id: "CH-INVALID-TOKEN",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "Invalid token gets 401 invalid_token",
    spec: "MCP §Token Handling (\"Invalid or expired tokens MUST receive a HTTP 401\"); RFC 6750 §3.1",
    hint: "Answer an invalid or expired token with 401 and `error=\"invalid_token\"` (and resource_metadata again).",
    doc: "Sends the MCP request with `Authorization: Bearer` and a garbage token and requires a \
          401: any other status, or no response, fails. The request is initialize while the \
          server refuses that without a token, else tools/list in the lifecycle it speaks (see \
          RS-UNAUTHENTICATED-REFUSED), so that a server which opens initialize to anyone is \
          not failed for answering it. A 401 whose Bearer challenge lacks \
          error=invalid_token, or names another error, warns. MCP requires a 401 for invalid or \
          expired tokens, and the error code is how clients tell a bad token from a missing one; \
          without it their refresh and re-login logic misfires. Skipped when the probe was not \
          sent. Sources: MCP §Token Handling; RFC 6750 §3.1.",
    grade: Grade::Resource(|r| {
        let Some(ex) = r.probe(ProbeKind::InvalidToken) else {
            return Outcome::skip("not probed");
        };
        let Some((status, parsed)) = probe_challenge(r, ProbeKind::InvalidToken) else {
            return Outcome::fail(format!(
                "no response: {}",
                ex.error.as_ref().map_or("unknown", |e| e.message.as_str())
            ));
        };
        if status != 401 {
            return Outcome::fail(format!("a garbage token got {status}, not 401"));
        }
        match parsed.bearer().and_then(|b| b.param("error")) {
            Some(e) if e.value == "invalid_token" => Outcome::pass("401, error=\"invalid_token\""),
            Some(e) => Outcome::warn(format!("401 with error=\"{}\" (expected invalid_token)", e.value)),
            None => Outcome::warn("401 without error=\"invalid_token\": clients cannot tell a bad token from a missing one"),
        }
    }),
};

pub const CH_QUERY_TOKEN: CheckDef = CheckDef {
    id: "CH-QUERY-TOKEN",
    at: concat!(file!(), ":", line!()),
    level: Level::Should,
    title: "Tokens in the query string are ignored",
    spec:
        "MCP §Token Requirements (\"Access tokens MUST NOT be included in the URI query string\")",
    hint:
        "Ignore `access_token` in the query string; accept tokens only in the Authorization header.",
    doc: "Sends the MCP request with a garbage `?access_token=` in the URL and no Authorization \
          header, and expects the same 401 as without any token. A status other than 401 warns; a \
          401 whose Bearer `error` differs from the unauthenticated one is INFO, since the server \
          then seems to read the query parameter as a credential. MCP forbids access tokens in \
          the URI query string, so a server should not look there; clients are not affected, it \
          is a security-hygiene signal. Skipped when the probe was not sent or got no answer. \
          Source: MCP §Token Requirements.",
    grade: Grade::Resource(|r| {
        if r.probe(ProbeKind::QueryToken).is_none() {
            return Outcome::skip("not probed");
        }
        let Some((status, parsed)) = probe_challenge(r, ProbeKind::QueryToken) else {
            return Outcome::skip("no response to the probe");
        };
        if status != 401 {
            return Outcome::warn(format!("a garbage ?access_token= got {status}, not 401"));
        }
        let plain_error = r
            .challenges
            .bearer()
            .and_then(|b| b.param("error"))
            .map(|p| p.value.clone());
        let query_error = parsed
            .bearer()
            .and_then(|b| b.param("error"))
            .map(|p| p.value.clone());
        if query_error == plain_error {
            Outcome::pass("401 with the same challenge as no token")
        } else {
            Outcome::info(format!(
                "the challenge changed (error {:?} → {:?}): the query token seems to be read as a credential",
                plain_error.unwrap_or_default(),
                query_error.unwrap_or_default()
            ))
        }
    }),
};

#[cfg(test)]
mod tests;

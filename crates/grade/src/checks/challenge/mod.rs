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

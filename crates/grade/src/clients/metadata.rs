//! The authorization-server step of a client path: which metadata
//! candidates a profile's discovery tries, and whether it accepts the
//! document (spec-checklist §1.2 "Reference client behaviour" and §4).

use super::profile::{IssuerRule, MetadataDiscovery};
use super::{ClientPath, Profile};
use crate::evidence::CandidateKind;
use crate::metadata::lists;
use crate::{AsAnalysis, AttemptAnalysis, AttemptOutcome, Doc};

pub(crate) fn position(a: &AsAnalysis<'_>, attempt: &AttemptAnalysis) -> String {
    let n = a
        .spec_attempts()
        .position(|(_, t)| std::ptr::eq(t, attempt))
        .map_or(0, |p| p + 1);
    format!("#{n}")
}

/// The profile's issuer comparison of the document's issuer with the expected one.
fn issuer_check(rule: IssuerRule, doc: &Doc, expected: Option<&str>) -> Result<(), String> {
    match (doc.md.issuer.as_deref(), expected, rule) {
        (_, None, _) | (_, _, IssuerRule::Ignored) => Ok(()),
        (Some(actual), Some(expected), IssuerRule::Exact) if actual == expected => Ok(()),
        (Some(actual), Some(expected), IssuerRule::TrailingSlash)
            if ts_issuer_accepted(actual, expected) =>
        {
            Ok(())
        }
        (Some(actual), Some(expected), _) => Err(format!("issuer '{actual}' ≠ '{expected}'")),
        (None, Some(_), _) => Err("no issuer in the document".to_owned()),
    }
}

/// The TypeScript SDK v2's issuer comparison: exact, with one tolerance, an
/// expected issuer ending in `/` matches a document issuer without it
/// (spec-checklist §1.2). Anything else throws `IssuerMismatchError`.
pub(crate) fn ts_issuer_accepted(actual: &str, expected: &str) -> bool {
    actual == expected || expected.strip_suffix('/') == Some(actual)
}

/// Why the code may not reach a client although discovery succeeds:
/// `response_modes_supported` is present without `query`, the response mode
/// every MCP client's authorization request uses (the default of response
/// type code, OAuth 2.1 §4.1.2), for the code sent to its loopback redirect.
pub(crate) fn query_mode_missing(doc: &Doc) -> Option<String> {
    let modes = doc.md.response_modes_supported.as_ref()?;
    if modes.iter().any(|m| m == "query") {
        return None;
    }
    let listed = if modes.is_empty() {
        "response_modes_supported is empty".to_owned()
    } else {
        format!("response_modes_supported lists only {}", modes.join(", "))
    };
    Some(format!(
        "{listed}, not query: the code is requested with the query response mode, which this \
         server may not deliver to the loopback redirect"
    ))
}

/// The document a path uses, found by its URL.
pub(crate) fn doc_of<'a>(a: &'a AsAnalysis<'_>, path: &ClientPath) -> Option<&'a Doc> {
    a.attempts
        .iter()
        .find(|t| path.url.as_ref() == Some(&t.url))
        .and_then(|t| t.doc.as_ref())
}

/// A path that gets through, with the caveat of its document's response modes.
pub(crate) fn with_caveat(a: &AsAnalysis<'_>, mut path: ClientPath) -> ClientPath {
    if let Some(caveat) = doc_of(a, &path)
        .filter(|_| path.works)
        .and_then(query_mode_missing)
    {
        path.detail = format!("{}, but {caveat}", path.detail);
    }
    path
}

/// The requirements every MCP client applies after discovery.
pub(crate) fn usable(doc: &Doc) -> Result<(), String> {
    if !lists(&doc.md.code_challenge_methods_supported, "S256") {
        return Err("S256 is not advertised".to_owned());
    }
    if doc.md.authorization_endpoint.is_none() || doc.md.token_endpoint.is_none() {
        return Err("endpoints missing".to_owned());
    }
    Ok(())
}

/// The profile's authorization-server step over `a`; `None` when it
/// fetches a single candidate this issuer does not have.
pub(crate) fn metadata_path(a: &AsAnalysis<'_>, p: &Profile) -> Option<ClientPath> {
    let issuer = p.def.metadata.issuer;
    match p.def.metadata.discovery {
        MetadataDiscovery::Spec => Some(spec_client(a, p, issuer)),
        MetadataDiscovery::TsSdk => Some(typescript_sdk(a, p, issuer)),
        MetadataDiscovery::PythonSdk => Some(python_sdk(a, p, issuer)),
        MetadataDiscovery::Rfc8414 => single_url(a, p, &[CandidateKind::Oauth], issuer),
        MetadataDiscovery::Oidc => single_url(
            a,
            p,
            &[CandidateKind::OidcAppend, CandidateKind::Oidc],
            issuer,
        ),
        MetadataDiscovery::McpOrigin => None,
    }
}

/// MCP 2025-11-25 and 2026-07-28: every candidate in order, first document wins.
pub(crate) fn spec_client(a: &AsAnalysis<'_>, p: &Profile, issuer: IssuerRule) -> ClientPath {
    let Some(sel) = a.selected_attempt() else {
        return ClientPath::stopped(p, None, "discovery", "no candidate serves metadata");
    };
    let doc = sel.doc.as_ref().expect("selected attempts have documents");
    match issuer_check(issuer, doc, a.expected_issuer()).and_then(|()| usable(doc)) {
        Ok(()) => ClientPath::through(
            p,
            &sel.url,
            format!("uses {} ({})", position(a, sel), sel.kind.label()),
        ),
        Err(e) => ClientPath::stopped(
            p,
            Some(&sel.url),
            "discovery",
            format!("finds {} but stops: {e}", position(a, sel)),
        ),
    }
}

/// A client that fetches exactly one candidate.
fn single_url(
    a: &AsAnalysis<'_>,
    p: &Profile,
    kinds: &[CandidateKind],
    issuer: IssuerRule,
) -> Option<ClientPath> {
    let attempt = a.attempts.iter().find(|t| kinds.contains(&t.kind))?;
    let result = match &attempt.doc {
        None => Err(format!("gets {}", attempt.outcome.summary())),
        Some(doc) => issuer_check(issuer, doc, a.expected_issuer()).and_then(|()| usable(doc)),
    };
    Some(match result {
        Ok(()) => ClientPath::through(
            p,
            &attempt.url,
            format!("uses {} ({})", position(a, attempt), attempt.kind.label()),
        ),
        Err(e) => ClientPath::stopped(
            p,
            Some(&attempt.url),
            "discovery",
            format!("{} {e}", attempt.url),
        ),
    })
}

/// Members the TypeScript SDK's zod schemas require.
fn ts_schema(doc: &Doc, oidc: bool) -> Result<(), String> {
    let mut required = vec![
        "issuer",
        "authorization_endpoint",
        "token_endpoint",
        "response_types_supported",
    ];
    if oidc {
        required.extend([
            "jwks_uri",
            "subject_types_supported",
            "id_token_signing_alg_values_supported",
        ]);
    }
    let missing: Vec<&str> = required
        .into_iter()
        .filter(|m| !doc.raw.contains_key(*m))
        .collect();
    if !missing.is_empty() {
        return Err(format!("schema rejects it: missing {}", missing.join(", ")));
    }
    if let Some(e) = doc
        .type_errors
        .iter()
        .find(|e| e.member != "authorization_response_iss_parameter_supported")
    {
        return Err(format!("schema rejects it: `{}` is {}", e.member, e.found));
    }
    Ok(())
}

/// Why the TypeScript SDK v2 refuses a document it parsed, if it does.
fn ts_refusal(
    a: &AsAnalysis<'_>,
    t: &AttemptAnalysis,
    doc: &Doc,
    issuer: IssuerRule,
) -> Option<String> {
    if let Err(e) = ts_schema(doc, t.kind.is_oidc_location()) {
        return Some(format!("throws at {}: {e}", position(a, t)));
    }
    if doc.md.issuer.is_some() && issuer_check(issuer, doc, a.expected_issuer()).is_err() {
        return Some(format!("throws IssuerMismatchError at {}", position(a, t)));
    }
    if doc
        .md
        .code_challenge_methods_supported
        .as_ref()
        .is_some_and(|m| !m.iter().any(|x| x == "S256"))
    {
        return Some("refuses: S256 not supported".to_owned());
    }
    if !lists(&doc.md.response_types_supported, "code") {
        return Some("refuses: response type code not supported".to_owned());
    }
    None
}

/// The TypeScript SDK v2: next candidate on 4xx or 502, throws on anything else.
fn typescript_sdk(a: &AsAnalysis<'_>, p: &Profile, issuer: IssuerRule) -> ClientPath {
    for (_, t) in a.spec_attempts() {
        match (&t.outcome, &t.doc) {
            (AttemptOutcome::ClientError { .. }, _)
            | (AttemptOutcome::ServerError { status: 502 }, _) => continue,
            (_, Some(doc)) => {
                return match ts_refusal(a, t, doc, issuer) {
                    Some(why) => ClientPath::stopped(p, Some(&t.url), "discovery", why),
                    None => ClientPath::through(
                        p,
                        &t.url,
                        format!("uses {} ({})", position(a, t), t.kind.label()),
                    ),
                };
            }
            (outcome, None) => {
                return ClientPath::stopped(
                    p,
                    Some(&t.url),
                    "discovery",
                    format!("throws at {}: {}", position(a, t), outcome.summary()),
                );
            }
        }
    }
    ClientPath::stopped(p, None, "discovery", "every candidate answered 4xx")
}

/// The Python SDK v2: next candidate on 4xx or an invalid 200; anything else
/// ends discovery and it falls back to default endpoints on the MCP origin.
fn python_sdk(a: &AsAnalysis<'_>, p: &Profile, issuer: IssuerRule) -> ClientPath {
    for (_, t) in a.spec_attempts() {
        match (&t.outcome, &t.doc) {
            (AttemptOutcome::ClientError { .. }, _) => continue,
            (_, Some(doc)) => {
                let valid = doc.md.issuer.is_some()
                    && doc.md.authorization_endpoint.is_some()
                    && doc.md.token_endpoint.is_some()
                    && doc.type_errors.is_empty();
                if !valid {
                    continue;
                }
                return match issuer_check(issuer, doc, a.expected_issuer()) {
                    Ok(()) => ClientPath::through(
                        p,
                        &t.url,
                        format!("uses {} ({})", position(a, t), t.kind.label()),
                    ),
                    Err(e) => ClientPath::stopped(
                        p,
                        Some(&t.url),
                        "discovery",
                        format!("raises OAuthFlowError: {e}"),
                    ),
                };
            }
            (
                AttemptOutcome::Document
                | AttemptOutcome::NotJson { .. }
                | AttemptOutcome::NotObject { .. },
                None,
            ) => continue,
            (outcome, None) => {
                return ClientPath::stopped(
                    p,
                    Some(&t.url),
                    "discovery",
                    format!(
                    "stops at {} ({}) and falls back to /authorize and /token on the MCP origin",
                    position(a, t),
                    outcome.summary()
                ),
                )
            }
        }
    }
    ClientPath::stopped(
        p,
        None,
        "discovery",
        "no valid document; falls back to default endpoints on the MCP origin",
    )
}

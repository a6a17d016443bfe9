//! Which metadata URL each kind of MCP client would use, and whether it would
//! get through discovery (spec-checklist §1.2 "Reference client behaviour" and
//! §4). Pure, like the checks.

use serde::Serialize;

mod flow;
mod id;
mod resource;
mod scope;
#[cfg(test)]
mod tests;

pub use flow::{end_to_end, per_server, through_flow};
pub use id::{Client, ClientFamily};
pub use resource::{
    python_resource_allowed, resource_client_paths, same_resource, ts_resource_allowed,
};
pub use scope::{clients_falling_back_to, ScopeFallback, SCOPE_FALLBACKS};

use crate::evidence::{CandidateKind, ServerType};
use crate::metadata::lists;
use crate::{AsAnalysis, AttemptAnalysis, AttemptOutcome, Doc};

/// One client's path through discovery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ClientPath {
    /// Who, as a stable id (`ts-sdk`, `spec-2025-11-25`, ...).
    pub id: Client,
    /// Who, in words: a spec revision, an SDK, or Logto's library.
    pub client: String,
    /// The URL whose document it would use, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub works: bool,
    /// Why it works or where it stops.
    pub detail: String,
}

pub(crate) fn position(a: &AsAnalysis<'_>, attempt: &AttemptAnalysis) -> String {
    let n = a
        .spec_attempts()
        .position(|(_, t)| std::ptr::eq(t, attempt))
        .map_or(0, |p| p + 1);
    format!("#{n}")
}

/// Issuer equality as RFC 8414 §3.3 states it.
fn issuer_exact(doc: &Doc, expected: Option<&str>) -> Result<(), String> {
    match (doc.md.issuer.as_deref(), expected) {
        (_, None) => Ok(()),
        (Some(actual), Some(expected)) if actual == expected => Ok(()),
        (Some(actual), Some(expected)) => Err(format!("issuer '{actual}' ≠ '{expected}'")),
        (None, Some(_)) => Err("no issuer in the document".to_owned()),
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

/// A path that gets through, with the caveat of its document's response modes.
pub(crate) fn with_caveat(a: &AsAnalysis<'_>, mut path: ClientPath) -> ClientPath {
    let doc = a
        .attempts
        .iter()
        .find(|t| path.url.as_ref() == Some(&t.url))
        .and_then(|t| t.doc.as_ref());
    if let Some(caveat) = doc.filter(|_| path.works).and_then(query_mode_missing) {
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

/// MCP 2025-11-25 and 2026-07-28: every candidate in order, first document wins.
pub(crate) fn spec_client(a: &AsAnalysis<'_>) -> ClientPath {
    let (id, client) = (
        Client::Spec2025_11_25,
        "MCP 2025-11-25 / 2026-07-28 client".to_owned(),
    );
    let Some(sel) = a.selected_attempt() else {
        return ClientPath {
            id,
            client,
            url: None,
            works: false,
            detail: "no candidate serves metadata".to_owned(),
        };
    };
    let doc = sel.doc.as_ref().expect("selected attempts have documents");
    let result = issuer_exact(doc, a.expected_issuer()).and_then(|()| usable(doc));
    ClientPath {
        id,
        client,
        url: Some(sel.url.clone()),
        works: result.is_ok(),
        detail: match result {
            Ok(()) => format!("uses {} ({})", position(a, sel), sel.kind.label()),
            Err(e) => format!("finds {} but stops: {e}", position(a, sel)),
        },
    }
}

/// A client that fetches exactly one candidate.
pub(crate) fn single_url(
    a: &AsAnalysis<'_>,
    id: Client,
    client: &str,
    kinds: &[CandidateKind],
    check_issuer: bool,
) -> Option<ClientPath> {
    let attempt = a.attempts.iter().find(|t| kinds.contains(&t.kind))?;
    let result = match &attempt.doc {
        None => Err(format!("gets {}", attempt.outcome.summary())),
        Some(doc) => if check_issuer {
            issuer_exact(doc, a.expected_issuer())
        } else {
            Ok(())
        }
        .and_then(|()| usable(doc)),
    };
    Some(ClientPath {
        id,
        client: client.to_owned(),
        url: Some(attempt.url.clone()),
        works: result.is_ok(),
        detail: match result {
            Ok(()) => format!("uses {} ({})", position(a, attempt), attempt.kind.label()),
            Err(e) => format!("{} {e}", attempt.url),
        },
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

/// The TypeScript SDK v2: next candidate on 4xx or 502, throws on anything else.
pub(crate) fn typescript_sdk(a: &AsAnalysis<'_>) -> ClientPath {
    let (id, client) = (Client::TsSdk, "TypeScript SDK v2".to_owned());
    for (_, t) in a.spec_attempts() {
        let stop = |detail: String| ClientPath {
            id,
            client: client.clone(),
            url: Some(t.url.clone()),
            works: false,
            detail,
        };
        match (&t.outcome, &t.doc) {
            (AttemptOutcome::ClientError { .. }, _)
            | (AttemptOutcome::ServerError { status: 502 }, _) => continue,
            (_, Some(doc)) => {
                if let Err(e) = ts_schema(doc, t.kind.is_oidc_location()) {
                    return stop(format!("throws at {}: {e}", position(a, t)));
                }
                if let (Some(actual), Some(expected)) =
                    (doc.md.issuer.as_deref(), a.expected_issuer())
                {
                    if !ts_issuer_accepted(actual, expected) {
                        return stop(format!("throws IssuerMismatchError at {}", position(a, t)));
                    }
                }
                if doc
                    .md
                    .code_challenge_methods_supported
                    .as_ref()
                    .is_some_and(|m| !m.iter().any(|x| x == "S256"))
                {
                    return stop("refuses: S256 not supported".to_owned());
                }
                if !lists(&doc.md.response_types_supported, "code") {
                    return stop("refuses: response type code not supported".to_owned());
                }
                return ClientPath {
                    id,
                    client,
                    url: Some(t.url.clone()),
                    works: true,
                    detail: format!("uses {} ({})", position(a, t), t.kind.label()),
                };
            }
            (outcome, None) => {
                return stop(format!(
                    "throws at {}: {}",
                    position(a, t),
                    outcome.summary()
                ));
            }
        }
    }
    ClientPath {
        id,
        client,
        url: None,
        works: false,
        detail: "every candidate answered 4xx".to_owned(),
    }
}

/// The Python SDK v2: next candidate on 4xx or an invalid 200; anything else
/// ends discovery and it falls back to default endpoints on the MCP origin.
pub(crate) fn python_sdk(a: &AsAnalysis<'_>) -> ClientPath {
    let (id, client) = (Client::PythonSdk, "Python SDK v2".to_owned());
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
                let detail = match issuer_exact(doc, a.expected_issuer()) {
                    Ok(()) => format!("uses {} ({})", position(a, t), t.kind.label()),
                    Err(e) => {
                        return ClientPath {
                            id,
                            client,
                            url: Some(t.url.clone()),
                            works: false,
                            detail: format!("raises OAuthFlowError: {e}"),
                        }
                    }
                };
                return ClientPath {
                    id,
                    client,
                    url: Some(t.url.clone()),
                    works: true,
                    detail,
                };
            }
            (
                AttemptOutcome::Document
                | AttemptOutcome::NotJson { .. }
                | AttemptOutcome::NotObject { .. },
                None,
            ) => continue,
            (outcome, None) => {
                return ClientPath {
                    id,
                    client,
                    url: Some(t.url.clone()),
                    works: false,
                    detail: format!(
                    "stops at {} ({}) and falls back to /authorize and /token on the MCP origin",
                    position(a, t),
                    outcome.summary()
                ),
                }
            }
        }
    }
    ClientPath {
        id,
        client,
        url: None,
        works: false,
        detail: "no valid document; falls back to default endpoints on the MCP origin".to_owned(),
    }
}

/// Every client path that applies to this evidence.
pub fn client_paths(a: &AsAnalysis<'_>) -> Vec<ClientPath> {
    if !a.from_issuer() {
        return Vec::new();
    }
    let mut out = vec![spec_client(a)];
    // No RFC 8414 candidate when the issuer itself could not be used (e.g. refused by policy).
    out.extend(single_url(
        a,
        Client::Spec2025_06_18,
        "MCP 2025-06-18 client (RFC 8414 only)",
        &[CandidateKind::Oauth],
        false,
    ));
    out.extend([typescript_sdk(a), python_sdk(a)]);
    let wanted = a.server_type;
    if wanted.is_none() || wanted == Some(ServerType::Oauth) {
        out.extend(single_url(
            a,
            Client::LogtoOauth,
            "Logto mcp-auth, type 'oauth'",
            &[CandidateKind::Oauth],
            true,
        ));
    }
    if wanted.is_none() || wanted == Some(ServerType::Oidc) {
        out.extend(single_url(
            a,
            Client::LogtoOidc,
            "Logto mcp-auth, type 'oidc'",
            &[CandidateKind::OidcAppend, CandidateKind::Oidc],
            true,
        ));
    }
    out.into_iter().map(|p| with_caveat(a, p)).collect()
}

//! Which metadata URL each kind of MCP client would use, and whether it would
//! get through discovery (spec-checklist §1.2 "Reference client behaviour" and
//! §4). Pure, like the checks.

use serde::Serialize;
use url::Url;

use super::{AsAnalysis, AttemptAnalysis, AttemptOutcome, Doc, ResourceAnalysis};
use crate::evidence::{AsRole, CandidateKind, PrmSource, ServerType};
use crate::metadata::lists;

/// One client's path through discovery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClientPath {
    /// Who: a spec revision, an SDK, or the seeds' library.
    pub client: String,
    /// The URL whose document it would use, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub works: bool,
    /// Why it works or where it stops.
    pub detail: String,
}

fn position(a: &AsAnalysis<'_>, attempt: &AttemptAnalysis) -> String {
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

/// The requirements every MCP client applies after discovery.
fn usable(doc: &Doc) -> Result<(), String> {
    if !lists(&doc.md.code_challenge_methods_supported, "S256") {
        return Err("S256 is not advertised".to_owned());
    }
    if doc.md.authorization_endpoint.is_none() || doc.md.token_endpoint.is_none() {
        return Err("endpoints missing".to_owned());
    }
    Ok(())
}

/// MCP 2025-11-25 and 2026-07-28: every candidate in order, first document wins.
fn spec_client(a: &AsAnalysis<'_>) -> ClientPath {
    let client = "MCP 2025-11-25 / 2026-07-28 client".to_owned();
    let Some(sel) = a.selected_attempt() else {
        return ClientPath {
            client,
            url: None,
            works: false,
            detail: "no candidate serves metadata".to_owned(),
        };
    };
    let doc = sel.doc.as_ref().expect("selected attempts have documents");
    let result = issuer_exact(doc, a.expected_issuer()).and_then(|()| usable(doc));
    ClientPath {
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
fn single_url(
    a: &AsAnalysis<'_>,
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
fn typescript_sdk(a: &AsAnalysis<'_>) -> ClientPath {
    let client = "TypeScript SDK v2".to_owned();
    for (_, t) in a.spec_attempts() {
        let stop = |detail: String| ClientPath {
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
                // v2 forgives an expected issuer with a trailing `/` the document lacks.
                if let (Some(actual), Some(expected)) =
                    (doc.md.issuer.as_deref(), a.expected_issuer())
                {
                    if actual != expected && expected.strip_suffix('/') != Some(actual) {
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
        client,
        url: None,
        works: false,
        detail: "every candidate answered 4xx".to_owned(),
    }
}

/// The Python SDK v2: next candidate on 4xx or an invalid 200; anything else
/// ends discovery and it falls back to default endpoints on the MCP origin.
fn python_sdk(a: &AsAnalysis<'_>) -> ClientPath {
    let client = "Python SDK v2".to_owned();
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
                            client,
                            url: Some(t.url.clone()),
                            works: false,
                            detail: format!("raises OAuthFlowError: {e}"),
                        }
                    }
                };
                return ClientPath {
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
        "MCP 2025-06-18 client (RFC 8414 only)",
        &[CandidateKind::Oauth],
        false,
    ));
    out.extend([typescript_sdk(a), python_sdk(a)]);
    let wanted = a.server_type;
    if wanted.is_none() || wanted == Some(ServerType::Oauth) {
        out.extend(single_url(
            a,
            "Logto mcp-auth, type 'oauth'",
            &[CandidateKind::Oauth],
            true,
        ));
    }
    if wanted.is_none() || wanted == Some(ServerType::Oidc) {
        out.extend(single_url(
            a,
            "Logto mcp-auth, type 'oidc'",
            &[CandidateKind::OidcAppend, CandidateKind::Oidc],
            true,
        ));
    }
    out
}

/// The TypeScript SDK's `checkResourceAllowed`: same origin, and the
/// requested path starts with the configured one (a longer configured path,
/// such as `/mcp/` for `/mcp`, is refused).
pub fn ts_resource_allowed(requested: &Url, configured: &Url) -> bool {
    if requested.origin() != configured.origin() || requested.path().len() < configured.path().len()
    {
        return false;
    }
    let slash = |p: &str| {
        if p.ends_with('/') {
            p.to_owned()
        } else {
            format!("{p}/")
        }
    };
    slash(requested.path()).starts_with(&slash(configured.path()))
}

/// The Python SDK's `check_resource_allowed`: same origin, path prefix,
/// trailing slashes ignored.
pub fn python_resource_allowed(requested: &Url, configured: &Url) -> bool {
    if requested.origin() != configured.origin() {
        return false;
    }
    let trim = |p: &str| format!("{}/", p.trim_end_matches('/'));
    trim(requested.path()).starts_with(&trim(configured.path()))
}

/// The PRM step of one client, then its authorization-server step.
struct PrmStep {
    url: String,
    authorization_servers: Vec<String>,
    resource: Option<String>,
}

fn prm_step(
    r: &ResourceAnalysis<'_>,
    order: &[PrmSource],
    header_alone: bool,
) -> Result<PrmStep, String> {
    let candidates: Vec<_> = if header_alone && r.header_prm_url().is_some() {
        r.prm
            .iter()
            .filter(|p| p.source == PrmSource::Header)
            .collect()
    } else {
        order.iter().filter_map(|s| r.prm_at(*s)).collect()
    };
    let Some(p) = candidates.iter().find(|p| p.doc.is_some()) else {
        return Err(match candidates.first() {
            Some(p) => format!(
                "no protected resource metadata ({} → {})",
                p.url,
                p.outcome.summary()
            ),
            None => "no protected resource metadata to fetch".to_owned(),
        });
    };
    let doc = p.doc.as_ref().expect("found");
    Ok(PrmStep {
        url: p.url.clone(),
        authorization_servers: doc.md.authorization_servers.clone().unwrap_or_default(),
        resource: doc.md.resource.clone(),
    })
}

/// Join a PRM step and the client's authorization-server path.
fn chain(
    client: &str,
    r: &ResourceAnalysis<'_>,
    prm: Result<PrmStep, String>,
    resource_ok: impl Fn(&str) -> Result<(), String>,
    legacy_on_missing: bool,
    as_step: impl Fn(&AsAnalysis<'_>) -> ClientPath,
) -> ClientPath {
    let fail = |detail: String| ClientPath {
        client: client.to_owned(),
        url: None,
        works: false,
        detail,
    };
    let server = match prm {
        Ok(step) => {
            if let Err(e) = step
                .resource
                .as_deref()
                .map_or(Err("PRM has no resource".to_owned()), &resource_ok)
            {
                return fail(format!("PRM {}: {e}", step.url));
            }
            match step.authorization_servers.first() {
                Some(first) => r.servers.iter().find(|s| {
                    s.role() == AsRole::Listed && s.expected_issuer() == Some(first.as_str())
                }),
                None if legacy_on_missing => r.servers.iter().find(|s| s.role() == AsRole::Legacy),
                None => return fail(format!("PRM {} lists no authorization server", step.url)),
            }
        }
        Err(e) if legacy_on_missing => {
            let legacy = r.servers.iter().find(|s| s.role() == AsRole::Legacy);
            if legacy.is_none() {
                return fail(e);
            }
            legacy
        }
        Err(e) => return fail(e),
    };
    let Some(server) = server else {
        return fail("the authorization server was not examined".to_owned());
    };
    let mut path = as_step(server);
    path.client = client.to_owned();
    let via = if server.role() == AsRole::Legacy {
        "no PRM, legacy authorization server at the MCP origin".to_owned()
    } else {
        format!("AS {}", server.expected_issuer().unwrap_or("?"))
    };
    path.detail = format!("{via}: {}", path.detail);
    path
}

/// End-to-end paths (PRM, then authorization server) for an MCP server.
pub fn resource_client_paths(r: &ResourceAnalysis<'_>) -> Vec<ClientPath> {
    let mcp = r.url().to_owned();
    let exact = |res: &str| {
        if res == mcp {
            Ok(())
        } else {
            Err(format!("resource '{res}' is not '{mcp}'"))
        }
    };
    let lenient = |rule: fn(&Url, &Url) -> bool, who: &'static str| {
        let mcp = mcp.clone();
        move |res: &str| match (Url::parse(&mcp), Url::parse(res)) {
            (Ok(a), Ok(b)) if rule(&a, &b) => Ok(()),
            _ => Err(format!("{who} rejects resource '{res}' for '{mcp}'")),
        }
    };
    let all = [PrmSource::Header, PrmSource::PathInserted, PrmSource::Root];
    let well_known_only = [PrmSource::PathInserted, PrmSource::Root];
    let spec_order: &[PrmSource] = if r.header_prm_url().is_some() {
        &[PrmSource::Header]
    } else {
        &well_known_only
    };
    let mut out = vec![
        chain(
            "MCP 2025-11-25 / 2026-07-28 client",
            r,
            prm_step(r, spec_order, true),
            exact,
            false,
            spec_client,
        ),
        chain(
            "MCP 2025-06-18 client",
            r,
            prm_step(r, &[PrmSource::Header], true),
            exact,
            false,
            |s| single_url(s, "", &[CandidateKind::Oauth], false).unwrap_or_else(|| spec_client(s)),
        ),
        chain(
            "TypeScript SDK v2",
            r,
            prm_step(r, &well_known_only, true),
            lenient(ts_resource_allowed, "the TypeScript SDK"),
            true,
            typescript_sdk,
        ),
        chain(
            "Python SDK v2",
            r,
            prm_step(r, &all, false),
            lenient(python_resource_allowed, "the Python SDK"),
            false,
            python_sdk,
        ),
    ];
    out.extend(legacy_client(r));
    out
}

/// MCP 2025-03-26: no protected resource metadata; the MCP origin is the
/// authorization server, with `/.well-known/oauth-authorization-server` or
/// else the default endpoints `/authorize`, `/token`, `/register`.
fn legacy_client(r: &ResourceAnalysis<'_>) -> Option<ClientPath> {
    let ex = r.probe(crate::evidence::ProbeKind::LegacyAsMetadata)?;
    let fetched = super::classify::<crate::metadata::AsMetadata>(&ex.request.url, ex);
    let origin = Url::parse(r.url()).ok()?.origin().ascii_serialization();
    let client = "MCP 2025-03-26 client (no PRM)".to_owned();
    Some(match &fetched.doc {
        Some(doc) => match usable(doc) {
            Ok(()) => ClientPath {
                client,
                url: Some(fetched.url.clone()),
                works: true,
                detail: format!(
                    "uses the metadata at {} (issuer {})",
                    fetched.url,
                    doc.md.issuer.as_deref().unwrap_or("?")
                ),
            },
            Err(e) => ClientPath {
                client,
                url: Some(fetched.url.clone()),
                works: false,
                detail: format!("finds {} but stops: {e}", fetched.url),
            },
        },
        None => ClientPath {
            client,
            url: None,
            works: false,
            detail: format!(
                "{} → {}; falls back to {origin}/authorize, /token and /register on the MCP server itself",
                fetched.url,
                fetched.outcome.summary()
            ),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    fn paths(ev: &crate::evidence::Evidence) -> Vec<(String, bool)> {
        let a = AsAnalysis::new(ev, &ev.authorization_servers[0]);
        client_paths(&a)
            .into_iter()
            .map(|p| (p.client, p.works))
            .collect()
    }

    fn works(ev: &crate::evidence::Evidence, client: &str) -> bool {
        paths(ev)
            .into_iter()
            .find(|(c, _)| c.starts_with(client))
            .unwrap_or_else(|| panic!("no client {client}"))
            .1
    }

    #[test]
    fn rfc8414_document_works_everywhere_but_logto_oidc() {
        let ev = served_at_oauth(&good_doc());
        for c in [
            "MCP 2025-11-25",
            "MCP 2025-06-18",
            "TypeScript",
            "Python",
            "Logto mcp-auth, type 'oauth'",
        ] {
            assert!(works(&ev, c), "{c}");
        }
        assert!(!works(&ev, "Logto mcp-auth, type 'oidc'"));
    }

    #[test]
    fn oidc_append_only_breaks_2025_06_18_clients() {
        let ev = served_at_oidc_append(&good_doc());
        assert!(works(&ev, "MCP 2025-11-25"));
        assert!(!works(&ev, "MCP 2025-06-18"));
        assert!(works(&ev, "Logto mcp-auth, type 'oidc'"));
        assert!(!works(&ev, "Logto mcp-auth, type 'oauth'"));
    }

    #[test]
    fn a_500_before_the_document_stops_both_sdks() {
        let ev = issuer_evidence(
            response(500, "text/plain", "x"),
            not_found(),
            json(&good_doc()),
        );
        assert!(works(&ev, "MCP 2025-11-25"));
        assert!(!works(&ev, "TypeScript"));
        assert!(!works(&ev, "Python"));
        // A 502 is skipped by the TypeScript SDK only.
        let ev = issuer_evidence(
            response(502, "text/plain", "x"),
            not_found(),
            json(&good_doc()),
        );
        assert!(works(&ev, "TypeScript"));
        assert!(!works(&ev, "Python"));
    }

    #[test]
    fn trailing_slash_is_forgiven_only_by_typescript() {
        // Expected issuer has no slash, document adds one: nobody forgives that.
        let mut doc = good_doc();
        doc["issuer"] = serde_json::json!(format!("{ISSUER}/"));
        let ev = served_at_oauth(&doc);
        assert!(!works(&ev, "TypeScript"));
        assert!(!works(&ev, "Python"));
        assert!(!works(&ev, "MCP 2025-11-25"));
    }

    #[test]
    fn type_filter_keeps_one_logto_row() {
        let mut ev = served_at_oauth(&good_doc());
        ev.target.server_type = Some(ServerType::Oidc);
        let p = paths(&ev);
        assert!(p.iter().any(|(c, _)| c.contains("'oidc'")));
        assert!(!p.iter().any(|(c, _)| c.contains("'oauth'")));
    }
}

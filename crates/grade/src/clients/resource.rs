//! End-to-end client paths for an MCP server: each client's protected
//! resource metadata step (its order, its resource matching), then its
//! authorization-server path.

use url::Url;

use super::metadata::{metadata_path, spec_client, usable, with_caveat};
use super::profile::{IssuerRule, ResourceRule, TargetKind};
use super::{host, ClientPath, Profile};
use crate::evidence::{AsRole, PrmSource};
use crate::ResourceAnalysis;

/// Whether the PRM's `resource` is identical to the MCP URL (RFC 9728
/// §3.3): the same string, or the same bare origin written with and
/// without its `/` (an origin's path is `/`: `https://x.com` and
/// `https://x.com/` are one URL, whichever the user typed).
pub fn same_resource(resource: &str, mcp: &str) -> bool {
    let bare = |s: &str| {
        Url::parse(s)
            .is_ok_and(|u| u.path() == "/" && u.query().is_none() && u.fragment().is_none())
    };
    let trim = |s: &'_ str| s.strip_suffix('/').unwrap_or(s).to_owned();
    resource == mcp || (bare(resource) && bare(mcp) && trim(resource) == trim(mcp))
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

/// Whether the PRM's `resource` is acceptable under the profile's rule.
fn resource_ok(rule: ResourceRule, res: &str, mcp: &str) -> Result<(), String> {
    let lenient =
        |allowed: fn(&Url, &Url) -> bool, who: &str| match (Url::parse(mcp), Url::parse(res)) {
            (Ok(a), Ok(b)) if allowed(&a, &b) => Ok(()),
            _ => Err(format!("{who} rejects resource '{res}' for '{mcp}'")),
        };
    match rule {
        ResourceRule::Exact if same_resource(res, mcp) => Ok(()),
        ResourceRule::Exact => Err(format!("resource '{res}' is not '{mcp}'")),
        ResourceRule::TsPrefix => lenient(ts_resource_allowed, "the TypeScript SDK"),
        ResourceRule::PythonPrefix => lenient(python_resource_allowed, "the Python SDK"),
        ResourceRule::Ignored => Ok(()),
    }
}

/// The authorization server a PRM step leads to (or the legacy one).
fn server_of<'r, 'a>(
    p: &Profile,
    r: &'r ResourceAnalysis<'a>,
) -> Result<&'r crate::AsAnalysis<'a>, String> {
    let legacy = || r.servers.iter().find(|s| s.role() == AsRole::Legacy);
    let fallback = p.def.prm.legacy_fallback;
    let server = match prm_step(r, &p.def.prm.order, p.def.prm.header_alone) {
        Ok(step) => {
            let res = step
                .resource
                .as_deref()
                .ok_or("PRM has no resource".to_owned());
            if let Err(e) = res.and_then(|res| resource_ok(p.def.prm.resource, res, r.url())) {
                return Err(format!("PRM {}: {e}", step.url));
            }
            match step.authorization_servers.first() {
                Some(first) => r.servers.iter().find(|s| {
                    s.role() == AsRole::Listed && s.expected_issuer() == Some(first.as_str())
                }),
                None if fallback => legacy(),
                None => return Err(format!("PRM {} lists no authorization server", step.url)),
            }
        }
        Err(e) if fallback => Some(legacy().ok_or(e)?),
        Err(e) => return Err(e),
    };
    server.ok_or_else(|| "the authorization server was not examined".to_owned())
}

/// One profile's path: its PRM step, then its authorization-server step.
fn chain(p: &Profile, r: &ResourceAnalysis<'_>) -> ClientPath {
    let server = match server_of(p, r) {
        Ok(s) => s,
        Err(e) => return ClientPath::stopped(p, None, "discovery", e),
    };
    let mut path =
        metadata_path(server, p).unwrap_or_else(|| spec_client(server, p, IssuerRule::Exact));
    let via = if server.role() == AsRole::Legacy {
        "no PRM, legacy authorization server at the MCP origin".to_owned()
    } else {
        format!("AS {}", server.expected_issuer().unwrap_or("?"))
    };
    path.detail = format!("{via}: {}", path.detail);
    with_caveat(
        server,
        host::after_discovery(p, server, Some(r.url()), path),
    )
}

/// End-to-end paths (PRM, then authorization server) for an MCP server.
pub fn resource_client_paths(r: &ResourceAnalysis<'_>) -> Vec<ClientPath> {
    super::profiles()
        .iter()
        .filter(|p| super::applies(p, TargetKind::Mcp, None))
        .filter_map(|p| {
            if p.def.prm.order.is_empty() {
                legacy_client(p, r)
            } else {
                Some(chain(p, r))
            }
        })
        .collect()
}

/// MCP 2025-03-26: no protected resource metadata; the MCP origin is the
/// authorization server, with `/.well-known/oauth-authorization-server` or
/// else the default endpoints `/authorize`, `/token`, `/register`.
fn legacy_client(p: &Profile, r: &ResourceAnalysis<'_>) -> Option<ClientPath> {
    let ex = r.probe(crate::evidence::ProbeKind::LegacyAsMetadata)?;
    let fetched = crate::classify::<crate::metadata::AsMetadata>(&ex.request.url, ex);
    let origin = Url::parse(r.url()).ok()?.origin().ascii_serialization();
    Some(match &fetched.doc {
        Some(doc) => match usable(doc) {
            Ok(()) => ClientPath::through(
                p,
                &fetched.url,
                format!(
                    "uses the metadata at {} (issuer {})",
                    fetched.url,
                    doc.md.issuer.as_deref().unwrap_or("?")
                ),
            ),
            Err(e) => ClientPath::stopped(
                p,
                Some(&fetched.url),
                "discovery",
                format!("finds {} but stops: {e}", fetched.url),
            ),
        },
        None => ClientPath::stopped(
            p,
            None,
            "discovery",
            format!(
                "{} → {}; falls back to {origin}/authorize, /token and /register on the MCP server itself",
                fetched.url,
                fetched.outcome.summary()
            ),
        ),
    })
}

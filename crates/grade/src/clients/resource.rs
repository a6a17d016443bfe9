//! End-to-end client paths for an MCP server: each client's protected
//! resource metadata step (its order, its resource matching), then its
//! authorization-server path.

use url::Url;

use super::{python_sdk, single_url, spec_client, typescript_sdk, usable, Client, ClientPath};
use crate::evidence::{AsRole, CandidateKind, PrmSource};
use crate::{AsAnalysis, ResourceAnalysis};

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

/// Join a PRM step and the client's authorization-server path.
fn chain(
    (id, client): (Client, &str),
    r: &ResourceAnalysis<'_>,
    prm: Result<PrmStep, String>,
    resource_ok: impl Fn(&str) -> Result<(), String>,
    legacy_on_missing: bool,
    as_step: impl Fn(&AsAnalysis<'_>) -> ClientPath,
) -> ClientPath {
    let fail = |detail: String| ClientPath {
        id,
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
    let mut path = super::with_caveat(server, as_step(server));
    path.id = id;
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
        if same_resource(res, &mcp) {
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
            (Client::Spec2025_11_25, "MCP 2025-11-25 / 2026-07-28 client"),
            r,
            prm_step(r, spec_order, true),
            exact,
            false,
            spec_client,
        ),
        chain(
            (Client::Spec2025_06_18, "MCP 2025-06-18 client"),
            r,
            prm_step(r, &[PrmSource::Header], true),
            exact,
            false,
            |s| {
                single_url(
                    s,
                    Client::Spec2025_06_18,
                    "",
                    &[CandidateKind::Oauth],
                    false,
                )
                .unwrap_or_else(|| spec_client(s))
            },
        ),
        chain(
            (Client::TsSdk, "TypeScript SDK v2"),
            r,
            prm_step(r, &well_known_only, true),
            lenient(ts_resource_allowed, "the TypeScript SDK"),
            true,
            typescript_sdk,
        ),
        chain(
            (Client::PythonSdk, "Python SDK v2"),
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
    let fetched = crate::classify::<crate::metadata::AsMetadata>(&ex.request.url, ex);
    let origin = Url::parse(r.url()).ok()?.origin().ascii_serialization();
    let (id, client) = (
        Client::Spec2025_03_26,
        "MCP 2025-03-26 client (no PRM)".to_owned(),
    );
    Some(match &fetched.doc {
        Some(doc) => match usable(doc) {
            Ok(()) => ClientPath {
                id,
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
                id,
                client,
                url: Some(fetched.url.clone()),
                works: false,
                detail: format!("finds {} but stops: {e}", fetched.url),
            },
        },
        None => ClientPath {
            id,
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

//! One authorization server: its discovery, then round 4, the probes of its
//! endpoints (CORS; registration, authorization requests and the hosts'
//! authorization requests when asked).

use url::Url;

use super::register::register;
use super::{authorize_requests, host_request, send_probes, AuthorizeSettings, Gatherer, Settings};
use crate::chain::not_sent;
use crate::discovery;
use crate::evidence::interpret::{body_doc, classify};
use crate::evidence::urls::UrlPolicy;
use crate::evidence::{AsDiscovery, AsRole, Attempt, CandidateKind, Probe, ProbeKind};
use crate::metadata::{lists, AsMetadata, ClientInformation};
use crate::probe::{ProbeRequest, Prober};

impl Gatherer<'_> {
    /// Discovery of one authorization server, then its endpoint probes.
    pub async fn server(&self, issuer: &str, role: AsRole, settings: Settings) -> AsDiscovery {
        let url = match self.policy.check(issuer) {
            Ok(u) => u,
            Err(e) => return refused_server(issuer, role, &e),
        };
        let mut disc = discovery::discover_issuer_reusing(
            self.prober,
            &url,
            issuer,
            role,
            self.prefetched,
            discovery::Diagnostics::WhenNotFound,
        )
        .await;
        disc.probes = server_probes(self.prober, &disc, settings, self.policy).await;
        disc
    }
}

/// A server the URL policy refuses: its one attempt, not sent.
fn refused_server(issuer: &str, role: AsRole, why: &str) -> AsDiscovery {
    AsDiscovery {
        issuer: Some(issuer.to_owned()),
        role,
        attempts: vec![Attempt {
            kind: CandidateKind::Explicit,
            url: issuer.to_owned(),
            exchange: Some(not_sent(issuer, why)),
            file_body: None,
        }],
        probes: Vec::new(),
    }
}

/// Round 4 for one server: CORS on its endpoints and, when asked,
/// registration; alongside (it needs none of them), DISC-PROTOCOL-HEADER's
/// comparison GET.
pub async fn server_probes(
    prober: &Prober,
    disc: &AsDiscovery,
    settings: Settings,
    policy: &UrlPolicy,
) -> Vec<Probe> {
    let (mut probes, compared) = futures::join!(
        endpoint_probes(prober, disc, settings, policy),
        without_version_header(prober, disc)
    );
    probes.extend(compared);
    probes
}

/// DISC-PROTOCOL-HEADER's comparison: the first spec candidate that answered
/// 400 or 403 to the GET with `MCP-Protocol-Version`, fetched again without
/// the header (is the header the cause?). A document served with the header
/// needs no comparison, so a healthy server costs no extra request.
async fn without_version_header(prober: &Prober, disc: &AsDiscovery) -> Option<Probe> {
    let refused = disc
        .attempts
        .iter()
        .filter(|a| a.kind.is_spec_candidate())
        .find(|a| {
            a.exchange
                .as_ref()
                .and_then(|ex| ex.response.as_ref())
                .is_some_and(|r| matches!(r.status, 400 | 403))
        })?;
    let exchange = prober
        .send(ProbeRequest::metadata_get_without_version(
            refused.url.clone(),
        ))
        .await;
    Some(Probe {
        kind: ProbeKind::AsMetadataWithoutVersion,
        host: None,
        exchange,
    })
}

/// CORS on the server's endpoints and, when asked, registration.
async fn endpoint_probes(
    prober: &Prober,
    disc: &AsDiscovery,
    settings: Settings,
    policy: &UrlPolicy,
) -> Vec<Probe> {
    let Some((meta_url, md)) = served_metadata(disc) else {
        return Vec::new();
    };
    let mut allowed = Allowed {
        policy,
        refused: Vec::new(),
    };
    let cors = cors_requests(&meta_url, &md, &mut allowed);
    let reg_url = if settings.register {
        allowed.url(ProbeKind::RegisterLoopbackIp, &md.registration_endpoint)
    } else {
        None
    };
    let authz_url = if settings.authorize.is_some() {
        allowed.url(ProbeKind::AuthzBaseline, &md.authorization_endpoint)
    } else {
        None
    };
    let authorize = settings.authorize.as_ref().zip(authz_url.as_ref());
    let (mut out, reg, hosts) = futures::join!(
        send_probes(prober, cors),
        registration_then_authorize(prober, reg_url, authorize, &md),
        host_probes(prober, &settings, &md, policy)
    );
    out.extend(reg);
    out.extend(hosts);
    out.extend(allowed.refused);
    out
}

/// `--probe-hosts`: one authorization request per host, concurrently, as
/// the host would send it (its own client id and callback; nothing
/// registered); none without an `authorization_endpoint`. An endpoint the
/// URL policy refuses is recorded once per host, not sent.
async fn host_probes(
    prober: &Prober,
    settings: &Settings,
    md: &AsMetadata,
    policy: &UrlPolicy,
) -> Vec<Probe> {
    let Some(endpoint) = md.authorization_endpoint.as_deref() else {
        return Vec::new();
    };
    if settings.hosts.is_empty() {
        return Vec::new();
    }
    let url = match policy.check(endpoint) {
        Ok(u) => u,
        Err(e) => {
            return settings
                .hosts
                .iter()
                .map(|h| Probe {
                    kind: ProbeKind::AuthzHost,
                    host: Some(h.id.clone()),
                    exchange: not_sent(endpoint, &e),
                })
                .collect()
        }
    };
    let scope = lists(&md.scopes_supported, "openid").then_some("openid");
    let resource = settings.hosts_resource.as_deref();
    let requests = settings
        .hosts
        .iter()
        .map(|h| (ProbeKind::AuthzHost, host_request(&url, h, resource, scope)))
        .collect();
    let mut probes = send_probes(prober, requests).await;
    for (p, h) in probes.iter_mut().zip(&settings.hosts) {
        p.host = Some(h.id.clone());
    }
    probes
}

/// The URL and document of the server's metadata: the first spec candidate
/// that serves one (or the only attempt, for an explicit metadata URL).
fn served_metadata(disc: &AsDiscovery) -> Option<(String, AsMetadata)> {
    disc.attempts
        .iter()
        .filter(|a| a.kind.is_spec_candidate() || disc.attempts.len() == 1)
        .filter_map(|a| {
            let ex = a.exchange.as_ref()?;
            classify::<AsMetadata>(&a.url, ex)
                .doc
                .map(|d| (a.url.clone(), d.md))
        })
        .next()
}

/// Endpoints the URL policy allows; those it refuses are recorded as probes
/// that were not sent.
struct Allowed<'a> {
    policy: &'a UrlPolicy,
    refused: Vec<Probe>,
}

impl Allowed<'_> {
    /// The endpoint's URL when there is one and the policy allows it.
    fn url(&mut self, kind: ProbeKind, endpoint: &Option<String>) -> Option<Url> {
        let v = endpoint.as_deref()?;
        match self.policy.check(v) {
            Ok(url) => Some(url),
            Err(e) => {
                self.refused.push(Probe {
                    kind,
                    host: None,
                    exchange: not_sent(v, &e),
                });
                None
            }
        }
    }
}

/// CORS requests: the metadata URL's, and those of the endpoints (JWKS,
/// registration, token, userinfo) the policy allows.
fn cors_requests(
    meta_url: &str,
    md: &AsMetadata,
    allowed: &mut Allowed,
) -> Vec<(ProbeKind, ProbeRequest)> {
    let mut probes = vec![
        (
            ProbeKind::CorsAsPreflight,
            ProbeRequest::cors_preflight(meta_url, "GET", "mcp-protocol-version"),
        ),
        (ProbeKind::CorsAsGet, ProbeRequest::cors_get(meta_url)),
    ];
    if let Some(u) = allowed.url(ProbeKind::CorsJwks, &md.jwks_uri) {
        probes.push((ProbeKind::CorsJwks, ProbeRequest::cors_get(u.as_str())));
    }
    if let Some(u) = allowed.url(ProbeKind::CorsRegPreflight, &md.registration_endpoint) {
        probes.push((
            ProbeKind::CorsRegPreflight,
            ProbeRequest::cors_preflight(u.as_str(), "POST", "content-type"),
        ));
    }
    if let Some(u) = allowed.url(ProbeKind::CorsToken, &md.token_endpoint) {
        probes.push((ProbeKind::CorsToken, ProbeRequest::cors_token(u.as_str())));
    }
    if let Some(u) = allowed.url(ProbeKind::CorsUserinfoPreflight, &md.userinfo_endpoint) {
        probes.push((
            ProbeKind::CorsUserinfoPreflight,
            ProbeRequest::cors_preflight(u.as_str(), "GET", "authorization"),
        ));
    }
    probes
}

/// Registration, then (with the client it created, or `--client-id`) the
/// authorization-request probes.
async fn registration_then_authorize(
    prober: &Prober,
    reg_url: Option<Url>,
    authorize: Option<(&AuthorizeSettings, &Url)>,
    md: &AsMetadata,
) -> Vec<Probe> {
    let mut reg = match reg_url {
        Some(u) => register(prober, &u).await,
        None => Vec::new(),
    };
    if let Some((a, endpoint)) = authorize {
        let registered = reg
            .iter()
            .find(|p| p.kind == ProbeKind::RegisterLoopbackIp)
            .and_then(|p| body_doc::<ClientInformation>(&p.exchange))
            .and_then(|d| d.md.client_id);
        match a.client_id.clone().or(registered) {
            Some(client_id) => {
                let scope = lists(&md.scopes_supported, "openid").then_some("openid");
                let requests = authorize_requests(
                    endpoint,
                    &client_id,
                    &a.redirect_uri,
                    a.resource.as_deref(),
                    scope,
                );
                reg.extend(send_probes(prober, requests).await);
            }
            None => reg.push(Probe {
                kind: ProbeKind::AuthzBaseline,
                host: None,
                exchange: not_sent(
                    endpoint.as_str(),
                    "--probe-authorize needs a client: pass --client-id or --register",
                ),
            }),
        }
    }
    reg
}

//! Gathering evidence: which requests are sent, in which order. Everything
//! that does not depend on an earlier answer is sent concurrently, so a check
//! costs about as many round trips as its dependency chain is deep:
//!
//! 1. the MCP `initialize` POST and the well-known metadata URLs, and (started
//!    then, awaited only by whoever needs them) the metadata candidates of the
//!    origin and, when auto-detecting, of the URL itself as an issuer;
//! 2. the header's metadata URL (when it is another one) and the probes of
//!    the MCP endpoint (invalid token, query token, CORS);
//! 3. every listed authorization server's candidate URLs (those already
//!    started in round 1 are not asked again);
//! 4. each server's endpoint probes (CORS, registration with `--register`).
//!
//! An issuer (given, or detected) needs rounds 1 and 4 only; a 2025-03-26
//! server (no protected resource metadata) 1, 2 and 4. When no candidate of a
//! server that answers serves a document, the diagnostic URL takes one more
//! round (see [`discovery::Diagnostics`]).

use futures::future::join_all;
use url::Url;

use crate::chain::not_sent;
use crate::discovery::{self, parse_http_url};
use crate::evidence::interpret::classify;
pub use crate::evidence::urls::UrlPolicy;
use crate::evidence::{
    AsDiscovery, AsRole, Exchange, PrmAttempt, Probe, ProbeKind, ResourceEvidence,
};
use crate::metadata::{AsMetadata, ClientInformation, ResourceMetadata};
use crate::probe::{ProbeRequest, Prober};

/// At most this many authorization servers of one PRM are examined.
pub const MAX_SERVERS: usize = 8;

pub use crate::evidence::requests::{registration_metadata, PROBE_REDIRECT_PORT};

#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Register probe clients (creates clients at the provider).
    pub register: bool,
    /// Send crafted authorization requests (`--probe-authorize`).
    pub authorize: Option<AuthorizeSettings>,
}

/// What authorization-request probes need besides the metadata.
#[derive(Debug, Clone, Default)]
pub struct AuthorizeSettings {
    /// `--client-id` (else the client `--register` created).
    pub client_id: Option<String>,
    /// A redirect URI registered for that client.
    pub redirect_uri: String,
    /// The MCP server's resource (for AUTHZ-RESOURCE-ACCEPTED).
    pub resource: Option<String>,
}

/// `mcp-auth <version>`, as evidence names its recorder.
pub fn tool_name() -> String {
    format!("mcp-auth {}", env!("CARGO_PKG_VERSION"))
}

/// Now, RFC 3339 in UTC to the second.
pub fn now_rfc3339() -> String {
    humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()
}

/// All the evidence for a URL: an MCP server's chain, or an issuer's
/// discovery (`kind` decides, or the first round does for `auto`).
pub async fn url_evidence(
    prober: &Prober,
    url: &Url,
    text: &str,
    kind: crate::evidence::TargetHint,
    settings: Settings,
    server_type: Option<crate::evidence::ServerType>,
) -> crate::evidence::Evidence {
    use crate::evidence::TargetHint;
    use crate::evidence::{Evidence, Target, TargetKind, EVIDENCE_SCHEMA_VERSION};
    let recorded_at = Some(now_rfc3339());
    let first = match kind {
        TargetHint::Issuer => None,
        TargetHint::Mcp | TargetHint::Auto => {
            Some(first_round(prober, url, kind == TargetHint::Auto).await)
        }
    };
    match first {
        Some(first) if kind == TargetHint::Mcp || first.looks_like_mcp() => {
            let (resource, servers) = mcp_server(prober, url, text, first, settings).await;
            Evidence {
                schema_version: EVIDENCE_SCHEMA_VERSION,
                tool: tool_name(),
                recorded_at,
                target: Target {
                    input: text.to_owned(),
                    kind: TargetKind::McpServer,
                    issuer: None,
                    server_type,
                },
                resource: Some(resource),
                authorization_servers: servers,
            }
        }
        first => Evidence {
            schema_version: EVIDENCE_SCHEMA_VERSION,
            tool: tool_name(),
            recorded_at,
            target: Target {
                input: text.to_owned(),
                kind: TargetKind::Issuer,
                issuer: Some(text.to_owned()),
                server_type,
            },
            resource: None,
            authorization_servers: vec![
                server(
                    prober,
                    text,
                    AsRole::Target,
                    settings,
                    &UrlPolicy::for_target(url),
                    &first.map(|f| f.prefetched).unwrap_or_default(),
                )
                .await,
            ],
        },
    }
}

/// The first round against a URL that may be an MCP server.
#[derive(Debug, Clone)]
pub struct FirstRound {
    pub unauthenticated: Exchange,
    pub prm: Vec<PrmAttempt>,
    /// Authorization server candidates fetched in the same round
    /// ([`discovery::speculative_candidates`]), for discovery to reuse.
    pub prefetched: discovery::Prefetched,
}

impl FirstRound {
    /// A 401, a challenge, or well-known protected resource metadata: an MCP
    /// server (spec-checklist §1.4).
    pub fn looks_like_mcp(&self) -> bool {
        let resp = self.unauthenticated.response.as_ref();
        resp.is_some_and(|r| r.status == 401 || r.header("www-authenticate").is_some())
            || self.prm.iter().any(|p| {
                classify::<ResourceMetadata>(&p.url, &p.exchange)
                    .doc
                    .is_some()
            })
    }
}

/// Round 1: the unauthenticated POST, the well-known protected resource
/// metadata URLs, and the speculative authorization server candidates (with
/// `maybe_issuer`, those of the URL itself too: auto-detection then costs no
/// round of its own).
pub async fn first_round(prober: &Prober, mcp: &Url, maybe_issuer: bool) -> FirstRound {
    let wk = discovery::prm_candidates(mcp);
    // Started, not awaited: discovery waits for the answers it uses.
    let prefetched =
        discovery::Prefetched::start(prober, discovery::speculative_candidates(mcp, maybe_issuer));
    let (unauthenticated, exchanges) = futures::join!(
        prober.send(ProbeRequest::mcp_initialize(mcp.as_str())),
        join_all(
            wk.iter()
                .map(|(_, u)| prober.send(ProbeRequest::metadata_get(u.clone())))
        ),
    );
    FirstRound {
        prefetched,
        unauthenticated,
        prm: wk
            .into_iter()
            .zip(exchanges)
            .map(|((source, url), exchange)| PrmAttempt {
                source,
                url,
                exchange,
            })
            .collect(),
    }
}

/// The whole MCP server chain, from the first round on.
pub async fn mcp_server(
    prober: &Prober,
    mcp: &Url,
    input: &str,
    first: FirstRound,
    settings: Settings,
) -> (ResourceEvidence, Vec<AsDiscovery>) {
    let policy = UrlPolicy::for_target(mcp);
    let header_url = crate::chain::header_prm_url(&first.unauthenticated);

    let side_probes = async {
        let probes = [
            (
                ProbeKind::InvalidToken,
                ProbeRequest::mcp_initialize_invalid_token(mcp.as_str()),
            ),
            (
                ProbeKind::QueryToken,
                ProbeRequest::mcp_initialize_query_token(mcp),
            ),
            (
                ProbeKind::CorsMcpPreflight,
                ProbeRequest::cors_preflight(
                    mcp.as_str(),
                    "POST",
                    "authorization, content-type, mcp-protocol-version",
                ),
            ),
            (
                ProbeKind::CorsMcpPost,
                ProbeRequest::mcp_initialize_with_origin(mcp.as_str()),
            ),
        ];
        let legacy_url = discovery::legacy_metadata_url(mcp);
        let legacy = async {
            Probe {
                kind: ProbeKind::LegacyAsMetadata,
                exchange: first.prefetched.get_or_send(prober, &legacy_url).await,
            }
        };
        let (mut sent, legacy) =
            futures::join!(send_probes(prober, probes.into_iter().collect()), legacy);
        sent.push(legacy);
        sent
    };

    let chain = async {
        let prm = crate::chain::prm_attempts(prober, &first, header_url.as_deref(), &policy).await;
        // The document to follow: the header's, else the first well-known one.
        let used = crate::chain::followed(&prm).map(|(p, doc)| (p, Some(doc)));
        let prm_url = used.as_ref().map(|(p, _)| p.url.clone());
        let prm_resource = used
            .as_ref()
            .and_then(|(_, d)| d.as_ref())
            .and_then(|d| d.md.resource.clone());
        let listed: Vec<String> = used
            .and_then(|(_, d)| d)
            .and_then(|d| d.md.authorization_servers)
            .unwrap_or_default();
        let prm_cors = async {
            match &prm_url {
                Some(u) => {
                    send_probes(
                        prober,
                        vec![
                            (
                                ProbeKind::CorsPrmPreflight,
                                ProbeRequest::cors_preflight(
                                    u.as_str(),
                                    "GET",
                                    "mcp-protocol-version",
                                ),
                            ),
                            (ProbeKind::CorsPrmGet, ProbeRequest::cors_get(u.as_str())),
                        ],
                    )
                    .await
                }
                None => Vec::new(),
            }
        };
        let servers = async {
            if listed.is_empty() {
                // No usable PRM: the 2025-03-26 chain (authorization server at the origin).
                let origin = discovery::legacy_issuer(mcp);
                vec![
                    server(
                        prober,
                        &origin,
                        AsRole::Legacy,
                        settings.clone(),
                        &policy,
                        &first.prefetched,
                    )
                    .await,
                ]
            } else {
                join_all(
                    listed
                        .iter()
                        .take(MAX_SERVERS)
                        .enumerate()
                        .map(|(i, issuer)| {
                            // Registration and authorization probes go to the server clients use.
                            let settings = Settings {
                                register: settings.register && i == 0,
                                authorize: settings.authorize.clone().filter(|_| i == 0).map(|a| {
                                    AuthorizeSettings {
                                        resource: prm_resource.clone(),
                                        ..a
                                    }
                                }),
                            };
                            server(
                                prober,
                                issuer,
                                AsRole::Listed,
                                settings,
                                &policy,
                                &first.prefetched,
                            )
                        }),
                )
                .await
            }
        };
        let (prm_probes, servers) = futures::join!(prm_cors, servers);
        (prm, prm_probes, servers)
    };

    let (mut probes, (prm, prm_probes, servers)) = futures::join!(side_probes, chain);
    probes.extend(prm_probes);
    (
        ResourceEvidence {
            url: input.to_owned(),
            unauthenticated: first.unauthenticated,
            prm,
            probes,
        },
        servers,
    )
}

/// Discovery of one authorization server, then its endpoint probes.
pub async fn server(
    prober: &Prober,
    issuer: &str,
    role: AsRole,
    settings: Settings,
    policy: &UrlPolicy,
    known: &discovery::Prefetched,
) -> AsDiscovery {
    let url = match policy.check(issuer) {
        Ok(u) => u,
        Err(e) => {
            return AsDiscovery {
                issuer: Some(issuer.to_owned()),
                role,
                attempts: vec![crate::evidence::Attempt {
                    kind: crate::evidence::CandidateKind::Explicit,
                    url: issuer.to_owned(),
                    exchange: Some(not_sent(issuer, &e)),
                    file_body: None,
                }],
                probes: Vec::new(),
            }
        }
    };
    let mut disc = discovery::discover_issuer_reusing(
        prober,
        &url,
        issuer,
        role,
        known,
        discovery::Diagnostics::WhenNotFound,
    )
    .await;
    disc.probes = server_probes(prober, &disc, settings, policy).await;
    disc
}

/// Round 4 for one server: CORS on its endpoints and, when asked, registration.
pub async fn server_probes(
    prober: &Prober,
    disc: &AsDiscovery,
    settings: Settings,
    policy: &UrlPolicy,
) -> Vec<Probe> {
    let Some((meta_url, md)) = disc
        .attempts
        .iter()
        .filter(|a| a.kind.is_spec_candidate() || disc.attempts.len() == 1)
        .filter_map(|a| {
            let ex = a.exchange.as_ref()?;
            classify::<AsMetadata>(&a.url, ex)
                .doc
                .map(|d| (a.url.clone(), d.md))
        })
        .next()
    else {
        return Vec::new();
    };
    // Endpoints the policy refuses are recorded as probes that were not sent.
    let mut refused = Vec::new();
    let mut http = |kind: ProbeKind, u: &Option<String>| -> Option<Url> {
        let v = u.as_deref()?;
        match policy.check(v) {
            Ok(url) => Some(url),
            Err(e) => {
                refused.push(Probe {
                    kind,
                    exchange: not_sent(v, &e),
                });
                None
            }
        }
    };
    let mut probes = vec![
        (
            ProbeKind::CorsAsPreflight,
            ProbeRequest::cors_preflight(meta_url.as_str(), "GET", "mcp-protocol-version"),
        ),
        (
            ProbeKind::CorsAsGet,
            ProbeRequest::cors_get(meta_url.as_str()),
        ),
    ];
    if let Some(u) = http(ProbeKind::CorsJwks, &md.jwks_uri) {
        probes.push((ProbeKind::CorsJwks, ProbeRequest::cors_get(u.as_str())));
    }
    if let Some(u) = http(ProbeKind::CorsRegPreflight, &md.registration_endpoint) {
        probes.push((
            ProbeKind::CorsRegPreflight,
            ProbeRequest::cors_preflight(u.as_str(), "POST", "content-type"),
        ));
    }
    if let Some(u) = http(ProbeKind::CorsToken, &md.token_endpoint) {
        probes.push((ProbeKind::CorsToken, ProbeRequest::cors_token(u.as_str())));
    }
    if let Some(u) = http(ProbeKind::CorsUserinfoPreflight, &md.userinfo_endpoint) {
        probes.push((
            ProbeKind::CorsUserinfoPreflight,
            ProbeRequest::cors_preflight(u.as_str(), "GET", "authorization"),
        ));
    }
    let reg_url = if settings.register {
        http(ProbeKind::RegisterLoopbackIp, &md.registration_endpoint)
    } else {
        None
    };
    let authz_url = if settings.authorize.is_some() {
        http(ProbeKind::AuthzBaseline, &md.authorization_endpoint)
    } else {
        None
    };
    // Registration, then (with the client it created, or --client-id) the
    // authorization-request probes.
    let registration_then_authorize = async {
        let mut reg = match reg_url {
            Some(u) => register(prober, &u).await,
            None => Vec::new(),
        };
        if let (Some(a), Some(endpoint)) = (&settings.authorize, &authz_url) {
            let registered = reg
                .iter()
                .find(|p| p.kind == ProbeKind::RegisterLoopbackIp)
                .and_then(|p| {
                    crate::evidence::interpret::body_doc::<ClientInformation>(&p.exchange)
                })
                .and_then(|d| d.md.client_id);
            match a.client_id.clone().or(registered) {
                Some(client_id) => {
                    let scope =
                        crate::metadata::lists(&md.scopes_supported, "openid").then_some("openid");
                    reg.extend(
                        send_probes(
                            prober,
                            authorize_requests(
                                endpoint,
                                &client_id,
                                &a.redirect_uri,
                                a.resource.as_deref(),
                                scope,
                            ),
                        )
                        .await,
                    );
                }
                None => reg.push(Probe {
                    kind: ProbeKind::AuthzBaseline,
                    exchange: not_sent(
                        endpoint.as_str(),
                        "--probe-authorize needs a client: pass --client-id or --register",
                    ),
                }),
            }
        }
        reg
    };
    let (mut out, reg) = futures::join!(send_probes(prober, probes), registration_then_authorize);
    out.extend(reg);
    out.extend(refused);
    out
}

/// The verifier whose S256 challenge the probes send (never redeemed).
const PROBE_VERIFIER: &str = "mcp-auth-probe-verifier-0123456789-abcdefghijklmnopqrstuvwxyz";

/// The crafted authorization requests of `--probe-authorize`, each a GET whose
/// answer (login page, error page, or redirect) is read without following it.
pub fn authorize_requests(
    endpoint: &Url,
    client_id: &str,
    redirect_uri: &str,
    resource: Option<&str>,
    scope: Option<&str>,
) -> Vec<(ProbeKind, ProbeRequest)> {
    use base64::Engine;
    use sha2::Digest;
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(PROBE_VERIFIER.as_bytes()));
    let build = |redirect: &str, pkce: Option<(&str, &str)>, resource: Option<&str>| {
        let mut u = endpoint.clone();
        {
            let mut q = u.query_pairs_mut();
            q.append_pair("response_type", "code")
                .append_pair("client_id", client_id)
                .append_pair("redirect_uri", redirect)
                .append_pair("state", "mcp-auth-probe");
            if let Some(s) = scope {
                q.append_pair("scope", s);
            }
            if let Some((c, m)) = pkce {
                q.append_pair("code_challenge", c)
                    .append_pair("code_challenge_method", m);
            }
            if let Some(r) = resource {
                q.append_pair("resource", r);
            }
        }
        ProbeRequest::authorize(u.to_string())
    };
    let s256 = Some((challenge.as_str(), "S256"));
    let other_port = Url::parse(redirect_uri)
        .ok()
        .filter(crate::evidence::urls::is_loopback)
        .map(|mut u| {
            let port = u.port_or_known_default().unwrap_or(80);
            let _ = u.set_port(Some(if port == 65535 { 8977 } else { port + 1 }));
            u.to_string()
        });
    let mut out = vec![
        (ProbeKind::AuthzBaseline, build(redirect_uri, s256, None)),
        (
            ProbeKind::AuthzUnregisteredRedirect,
            build("https://mcp-auth-probe.invalid/callback", s256, None),
        ),
        (ProbeKind::AuthzNoPkce, build(redirect_uri, None, None)),
        (
            ProbeKind::AuthzPlainPkce,
            build(redirect_uri, Some((PROBE_VERIFIER, "plain")), None),
        ),
    ];
    if let Some(p) = other_port {
        out.push((ProbeKind::AuthzOtherLoopbackPort, build(&p, s256, None)));
    }
    if let Some(r) = resource {
        out.push((ProbeKind::AuthzResource, build(redirect_uri, s256, Some(r))));
    }
    out
}

/// Register probe clients (three valid variants, one with an invalid
/// redirect URI); delete (RFC 7592) all but the first, which the report
/// names for reuse with `login`.
async fn register(prober: &Prober, endpoint: &Url) -> Vec<Probe> {
    let mut invalid = registration_metadata("127.0.0.1", true);
    invalid["redirect_uris"] = serde_json::json!(["not a valid redirect uri"]);
    let variants = [
        (
            ProbeKind::RegisterLoopbackIp,
            registration_metadata("127.0.0.1", true),
        ),
        (
            ProbeKind::RegisterLocalhost,
            registration_metadata("localhost", true),
        ),
        (
            ProbeKind::RegisterNoAppType,
            registration_metadata("127.0.0.1", false),
        ),
        (ProbeKind::RegisterInvalid, invalid),
    ];
    let results = join_all(variants.iter().map(|(_, body)| {
        prober.send_keeping_secrets(ProbeRequest::register(endpoint.as_str(), body))
    }))
    .await;
    let mut probes = Vec::new();
    let mut deletions = Vec::new();
    for (i, ((kind, _), (exchange, raw))) in variants.iter().zip(results).enumerate() {
        if i > 0 {
            if let Some(req) = raw.as_deref().and_then(deletion_request) {
                deletions.push(req);
            }
        }
        probes.push(Probe {
            kind: *kind,
            exchange,
        });
    }
    for exchange in join_all(deletions.into_iter().map(|r| prober.send(r))).await {
        probes.push(Probe {
            kind: ProbeKind::RegisterDelete,
            exchange,
        });
    }
    probes
}

/// An RFC 7592 DELETE for a registration response that allows it.
fn deletion_request(raw_body: &str) -> Option<ProbeRequest> {
    let obj: serde_json::Map<String, serde_json::Value> = serde_json::from_str(raw_body).ok()?;
    let (md, _) = <ClientInformation as crate::metadata::Lenient>::from_object(&obj);
    let uri = parse_http_url(md.registration_client_uri.as_deref()?).ok()?;
    Some(ProbeRequest::unregister(
        uri.as_str(),
        md.registration_access_token.as_deref()?,
    ))
}

async fn send_probes(prober: &Prober, probes: Vec<(ProbeKind, ProbeRequest)>) -> Vec<Probe> {
    let (kinds, reqs): (Vec<_>, Vec<_>) = probes.into_iter().unzip();
    let exchanges = join_all(reqs.into_iter().map(|r| prober.send(r))).await;
    kinds
        .into_iter()
        .zip(exchanges)
        .map(|(kind, exchange)| Probe { kind, exchange })
        .collect()
}

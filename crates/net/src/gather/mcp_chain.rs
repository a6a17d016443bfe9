//! The MCP server chain after round 1: three concurrent branches, the side
//! probes of the MCP endpoint, and the PRM chain (the protected resource
//! metadata, then its CORS probes alongside the servers it lists).

use futures::future::join_all;
use url::Url;

use super::enforcement::{self, McpForm};
use super::{send_probes, AuthorizeSettings, FirstRound, Gatherer, Settings, MAX_SERVERS};
use crate::discovery;
use crate::evidence::urls::UrlPolicy;
use crate::evidence::{AsDiscovery, AsRole, PrmAttempt, Probe, ProbeKind, ResourceEvidence};
use crate::probe::{ProbeRequest, Prober};

/// The whole MCP server chain, from the first round on.
pub async fn mcp_server(
    prober: &Prober,
    mcp: &Url,
    input: &str,
    first: FirstRound,
    settings: Settings,
) -> (ResourceEvidence, Vec<AsDiscovery>) {
    let policy = UrlPolicy::for_target(mcp);
    let chain = McpChain {
        g: Gatherer {
            prober,
            policy: &policy,
            prefetched: &first.prefetched,
        },
        mcp,
        first: &first,
        settings: &settings,
        form: McpForm::of(&first.unauthenticated, settings.lifecycle.as_ref()),
    };
    let (mut probes, (prm, prm_probes, servers)) =
        futures::join!(chain.side_probes(), chain.prm_chain());
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

/// One MCP server's chain: its URL, its first round, and the check's settings.
struct McpChain<'a> {
    g: Gatherer<'a>,
    mcp: &'a Url,
    first: &'a FirstRound,
    settings: &'a Settings,
    /// How the enforcement probes speak to the server.
    form: McpForm,
}

impl McpChain<'_> {
    /// The MCP endpoint's probes (the enforcement probes without a token
    /// and with a garbage one, query token, CORS) and the 2025-03-26
    /// metadata URL (reusing round 1's request of it).
    async fn side_probes(&self) -> Vec<Probe> {
        let mcp = self.mcp;
        let mut probes = enforcement::unauthenticated_probes(&self.form, mcp.as_str());
        probes.extend([
            (
                ProbeKind::QueryToken,
                ProbeRequest::mcp_initialize_query_token(mcp),
            ),
            (
                ProbeKind::CorsMcpPreflight,
                ProbeRequest::cors_preflight(
                    mcp.as_str(),
                    "POST",
                    crate::evidence::requests::MCP_PREFLIGHT_HEADERS,
                ),
            ),
            (
                ProbeKind::CorsMcpPost,
                ProbeRequest::mcp_initialize_with_origin(mcp.as_str()),
            ),
        ]);
        let legacy_url = discovery::legacy_metadata_url(mcp);
        let legacy = async {
            Probe {
                kind: ProbeKind::LegacyAsMetadata,
                host: None,
                exchange: self
                    .first
                    .prefetched
                    .get_or_send(self.g.prober, &legacy_url)
                    .await,
            }
        };
        let (mut sent, legacy) = futures::join!(send_probes(self.g.prober, probes), legacy);
        sent.push(legacy);
        sent
    }

    /// The protected resource metadata (the header's URL, the well-known
    /// ones), then, concurrently, the CORS probes of the document followed
    /// and the authorization servers it lists.
    async fn prm_chain(&self) -> (Vec<PrmAttempt>, Vec<Probe>, Vec<AsDiscovery>) {
        let header_url = crate::chain::header_prm_url(&self.first.unauthenticated);
        let prm = crate::chain::prm_attempts(
            self.g.prober,
            self.first,
            header_url.as_deref(),
            self.g.policy,
        )
        .await;
        // The document to follow: the header's, else the first well-known one.
        let used = crate::chain::followed(&prm);
        let prm_url = used.as_ref().map(|(p, _)| p.url.clone());
        let prm_resource = used.as_ref().and_then(|(_, d)| d.md.resource.clone());
        let listed: Vec<String> = used
            .and_then(|(_, d)| d.md.authorization_servers)
            .unwrap_or_default();
        // The forged tokens name the server clients use and the resource.
        let issuer = listed
            .first()
            .cloned()
            .unwrap_or_else(|| discovery::legacy_issuer(self.mcp));
        let audience = prm_resource.clone().unwrap_or_else(|| self.mcp.to_string());
        let (mut prm_probes, forged, servers) = futures::join!(
            self.prm_cors(prm_url.as_deref()),
            enforcement::forged_token_probes(
                self.g.prober,
                &self.form,
                self.mcp.as_str(),
                &issuer,
                &audience
            ),
            self.servers(&listed, prm_resource.as_ref(), &audience)
        );
        prm_probes.extend(forged);
        (prm, prm_probes, servers)
    }

    /// CORS on the protected resource metadata followed, if any.
    async fn prm_cors(&self, prm_url: Option<&str>) -> Vec<Probe> {
        match prm_url {
            Some(u) => {
                send_probes(
                    self.g.prober,
                    vec![
                        (
                            ProbeKind::CorsPrmPreflight,
                            ProbeRequest::cors_preflight(u, "GET", "mcp-protocol-version"),
                        ),
                        (ProbeKind::CorsPrmGet, ProbeRequest::cors_get(u)),
                    ],
                )
                .await
            }
            None => Vec::new(),
        }
    }

    /// The listed authorization servers (at most [`MAX_SERVERS`]),
    /// concurrently; without any, the 2025-03-26 chain (the authorization
    /// server at the origin).
    /// The host probes name `resource` (the PRM's, else the MCP server's URL).
    async fn servers(
        &self,
        listed: &[String],
        prm_resource: Option<&String>,
        resource: &str,
    ) -> Vec<AsDiscovery> {
        if listed.is_empty() {
            let origin = discovery::legacy_issuer(self.mcp);
            let settings = Settings {
                hosts_resource: Some(resource.to_owned()),
                ..self.settings.clone()
            };
            vec![self.g.server(&origin, AsRole::Legacy, settings).await]
        } else {
            join_all(
                listed
                    .iter()
                    .take(MAX_SERVERS)
                    .enumerate()
                    .map(|(i, issuer)| {
                        let settings = self.settings.for_listed(i, prm_resource, resource);
                        self.g.server(issuer, AsRole::Listed, settings)
                    }),
            )
            .await
        }
    }
}

impl Settings {
    /// The settings for the `i`th listed server: registration and
    /// authorization probes go to the server clients use (the first), the
    /// latter with the PRM's resource (the hosts' with `resource`).
    fn for_listed(&self, i: usize, prm_resource: Option<&String>, resource: &str) -> Settings {
        Settings {
            register: self.register && i == 0,
            authorize: self
                .authorize
                .clone()
                .filter(|_| i == 0)
                .map(|a| AuthorizeSettings {
                    resource: prm_resource.cloned(),
                    ..a
                }),
            lifecycle: self.lifecycle.clone(),
            hosts: if i == 0 {
                self.hosts.clone()
            } else {
                Vec::new()
            },
            hosts_resource: Some(resource.to_owned()),
        }
    }
}

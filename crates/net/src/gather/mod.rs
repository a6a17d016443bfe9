//! Gathering evidence: which requests are sent, in which order. Everything
//! that does not depend on an earlier answer is sent concurrently, so a check
//! costs about as many round trips as its dependency chain is deep:
//!
//! 1. the MCP `initialize` POST and the well-known metadata URLs, and (started
//!    then, awaited only by whoever needs them) the metadata candidates of the
//!    origin and, when auto-detecting, of the URL itself as an issuer
//!    (`initial`);
//! 2. the header's metadata URL (when it is another one) and the probes of
//!    the MCP endpoint (invalid token, query token, CORS, and the
//!    enforcement probes without a token) (`mcp_chain`, `enforcement`);
//!    once the PRM is known, its CORS probes and the expired and
//!    wrong-audience token probes go alongside round 3;
//! 3. every listed authorization server's candidate URLs (those already
//!    started in round 1 are not asked again);
//! 4. each server's endpoint probes (CORS, registration with `--register`,
//!    one authorization request per host with `--probe-hosts`) and,
//!    alongside, when a candidate answered 400 or 403, that GET again
//!    without `MCP-Protocol-Version` (`server_probes`).
//!
//! An issuer (given, or detected) needs rounds 1 and 4 only; a 2025-03-26
//! server (no protected resource metadata) 1, 2 and 4. When no candidate of a
//! server that answers serves a document, the diagnostic URL takes one more
//! round (see [`discovery::Diagnostics`]).

mod authorize;
pub mod enforcement;
mod initial;
mod mcp_chain;
mod register;
mod server_probes;

use futures::future::join_all;
use url::Url;

use crate::discovery;
use crate::evidence::{
    AsRole, Evidence, Probe, ProbeKind, ServerType, Target, TargetHint, TargetKind,
    EVIDENCE_SCHEMA_VERSION,
};
use crate::probe::{ProbeRequest, Prober};

pub use crate::evidence::requests::{registration_metadata, PROBE_REDIRECT_PORT};
pub use crate::evidence::urls::UrlPolicy;
pub use authorize::{authorize_requests, host_request};
pub use initial::{client_first_round, first_round, FirstRound};
pub use mcp_chain::mcp_server;
pub use server_probes::server_probes;

/// At most this many authorization servers of one PRM are examined.
pub const MAX_SERVERS: usize = 8;

#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Register probe clients (creates clients at the provider).
    pub register: bool,
    /// Send crafted authorization requests (`--probe-authorize`).
    pub authorize: Option<AuthorizeSettings>,
    /// The lifecycle the enforcement probes speak (`--protocol-version`);
    /// none: by the server's answer to `initialize`.
    pub lifecycle: Option<crate::mcp_session::Lifecycle>,
    /// The hosts to stand in for with one authorization request each
    /// (`--probe-hosts`); empty: none is sent.
    pub hosts: Vec<HostClient>,
    /// The `resource` those requests name: the MCP server's (set per server
    /// for an MCP server; none for an issuer).
    pub hosts_resource: Option<String>,
}

/// A known MCP host that registers with a Client ID Metadata Document: its
/// `client_id` is the document's https URL, its callback a fixed https URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostClient {
    /// Its short name (`claude`), the subject of its findings.
    pub id: String,
    /// The URL of its Client ID Metadata Document.
    pub client_id: String,
    /// Its callback.
    pub redirect_uri: String,
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

/// What the requests to the authorization servers of one check share: the
/// client, the target's URL policy, and the candidates round 1 started.
#[derive(Debug, Clone, Copy)]
pub struct Gatherer<'a> {
    pub prober: &'a Prober,
    pub policy: &'a UrlPolicy,
    pub prefetched: &'a discovery::Prefetched,
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
    kind: TargetHint,
    settings: Settings,
    server_type: Option<ServerType>,
) -> Evidence {
    let recorded_at = Some(now_rfc3339());
    let first = match kind {
        TargetHint::Issuer => None,
        TargetHint::Mcp | TargetHint::Auto => {
            Some(first_round(prober, url, kind == TargetHint::Auto).await)
        }
    };
    let (target_kind, issuer, resource, authorization_servers) = match first {
        Some(first) if kind == TargetHint::Mcp || first.looks_like_mcp() => {
            let (resource, servers) = mcp_server(prober, url, text, first, settings).await;
            (TargetKind::McpServer, None, Some(resource), servers)
        }
        first => {
            let policy = UrlPolicy::for_target(url);
            let prefetched = first.map(|f| f.prefetched).unwrap_or_default();
            let g = Gatherer {
                prober,
                policy: &policy,
                prefetched: &prefetched,
            };
            let server = g.server(text, AsRole::Target, settings).await;
            (
                TargetKind::Issuer,
                Some(text.to_owned()),
                None,
                vec![server],
            )
        }
    };
    Evidence {
        schema_version: EVIDENCE_SCHEMA_VERSION,
        tool: tool_name(),
        recorded_at,
        target: Target {
            input: text.to_owned(),
            kind: target_kind,
            issuer,
            server_type,
        },
        resource,
        authorization_servers,
        live: None,
    }
}

/// Send probes concurrently; their exchanges in the order given.
async fn send_probes(prober: &Prober, probes: Vec<(ProbeKind, ProbeRequest)>) -> Vec<Probe> {
    let (kinds, reqs): (Vec<_>, Vec<_>) = probes.into_iter().unzip();
    let exchanges = join_all(reqs.into_iter().map(|r| prober.send(r))).await;
    kinds
        .into_iter()
        .zip(exchanges)
        .map(|(kind, exchange)| Probe::new(kind, exchange))
        .collect()
}

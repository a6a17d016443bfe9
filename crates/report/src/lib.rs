//! The report: a serialisable model of graded evidence, and renderers
//! (`table`, `json`, `markdown`) that only format it; [`matrix`], the same for
//! one row per provider. The verdict, the provider hints and the counts come
//! from grading (`mcp_auth_grade::Graded`).

pub mod attention;
pub mod call;
pub mod catalogue;
pub mod cimd;
pub mod clients;
pub mod findings;
pub mod layout;
pub mod markdown;
pub mod matrix;
pub mod registry;
pub mod schema;
pub mod table;
pub mod token;
pub mod tokens;
pub mod whoami;

use serde::Serialize;

use mcp_auth_evidence as evidence;
use mcp_auth_grade as checks;

use crate::checks::{
    clients::ClientPath, AsAnalysis, AttemptOutcome, Finding, Graded, Headline, ResourceAnalysis,
};
use crate::evidence::www_authenticate::Parsed;
use crate::evidence::{AsRole, CandidateKind, Exchange, PrmSource, ProbeKind, Target};
pub use mcp_auth_grade::quirks::{ProviderMatch, QuirkReport};
pub use mcp_auth_grade::story::{StepVerdict, StoryStep};
pub use mcp_auth_grade::Summary;

/// Version of the JSON report format (`--format json`). Bumped on any
/// incompatible change; additions keep the version.
pub const REPORT_SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Report {
    pub schema_version: u32,
    /// `mcp-auth <version>`.
    pub tool: String,
    /// When the evidence was recorded (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recorded_at: Option<String>,
    pub target: Target,
    /// The answer: will MCP clients work (consistent with the client rows).
    pub verdict: Headline,
    /// The steps of the flow in order, each with its verdict and the check
    /// that decided it, or why it did not run.
    pub story: Vec<StoryStep>,
    /// MCP server mode: the protected resource's part of the chain.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<ResourceReport>,
    /// The authorization server clients use (the target itself in issuer mode).
    pub discovery: DiscoveryReport,
    /// Further authorization servers listed in the protected resource metadata.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub additional_authorization_servers: Vec<DiscoveryReport>,
    /// CORS headers seen on every probed endpoint (as a browser would send).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cors: Vec<CorsRow>,
    /// The known provider the target was recognised as (`providers/`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<ProviderMatch>,
    /// The client registered by `--register`, for reuse with `login`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registered_client_id: Option<String>,
    pub checks: Vec<Finding>,
    pub summary: Summary,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ResourceReport {
    pub url: String,
    /// Status of the unauthenticated `initialize` POST.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Why there was no response.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub www_authenticate: Vec<String>,
    /// The challenges as parsed (RFC 9110 §11.6.1).
    pub challenges: Parsed,
    pub prm_attempts: Vec<PrmAttemptReport>,
    /// The metadata a spec client uses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata_url: Option<String>,
    /// End to end, what each kind of client would do.
    pub clients: Vec<ClientPath>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct PrmAttemptReport {
    /// Every rule that led to this URL (the header's URL is often also the
    /// path-inserted well-known URL).
    pub sources: Vec<PrmSource>,
    pub url: String,
    #[serde(flatten)]
    pub fetch: FetchReport,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authorization_servers: Option<Vec<String>>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct DiscoveryReport {
    /// The issuer the metadata must declare, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_issuer: Option<String>,
    /// Why this server was examined.
    pub role: AsRole,
    pub attempts: Vec<AttemptReport>,
    /// URL of the document that was graded (what a spec client uses).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata_url: Option<String>,
    /// What each kind of client would do with these URLs.
    pub clients: Vec<ClientPath>,
}

impl DiscoveryReport {
    /// The attempts with their row labels: the rule number for URLs clients
    /// try (1, 2, …), a dash for diagnostic URLs.
    pub fn labelled_attempts(&self) -> impl Iterator<Item = (String, &AttemptReport)> {
        let mut n = 0;
        self.attempts.iter().map(move |a| {
            let label = if a.spec_candidate {
                n += 1;
                n.to_string()
            } else {
                "–".to_owned()
            };
            (label, a)
        })
    }
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct AttemptReport {
    pub kind: CandidateKind,
    pub url: String,
    /// Whether MCP clients try this URL (false for diagnostic URLs).
    pub spec_candidate: bool,
    #[serde(flatten)]
    pub fetch: FetchReport,
    /// The `issuer` member of the document found there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
}

impl PrmAttemptReport {
    /// "WWW-Authenticate resource_metadata = well-known, path inserted".
    pub fn label(&self) -> String {
        self.sources
            .iter()
            .map(|s| s.label())
            .collect::<Vec<_>>()
            .join(" = ")
    }
}

/// What one metadata fetch got (shared by PRM and AS attempts).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct FetchReport {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub elapsed_ms: Option<u64>,
    pub outcome: AttemptOutcome,
}

impl FetchReport {
    fn from<M>(f: &checks::Fetched<M>) -> Self {
        Self {
            status: f.status,
            content_type: f.content_type.clone(),
            elapsed_ms: f.elapsed_ms,
            outcome: f.outcome.clone(),
        }
    }

    /// The media type of the response, without parameters.
    pub fn media_type(&self) -> Option<String> {
        self.content_type
            .as_deref()
            .map(crate::evidence::media_type)
    }
}

impl std::ops::Deref for AttemptReport {
    type Target = FetchReport;
    fn deref(&self) -> &FetchReport {
        &self.fetch
    }
}

impl std::ops::Deref for PrmAttemptReport {
    type Target = FetchReport;
    fn deref(&self) -> &FetchReport {
        &self.fetch
    }
}

/// The CORS response headers of one probe.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct CorsRow {
    pub probe: ProbeKind,
    pub method: String,
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_origin: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_headers: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expose_headers: Option<String>,
}

impl CorsRow {
    fn from_probe(kind: ProbeKind, ex: &Exchange) -> Self {
        let h = |n: &str| {
            ex.response
                .as_ref()
                .and_then(|r| r.header(n))
                .map(str::to_owned)
        };
        Self {
            probe: kind,
            method: ex.request.method.clone(),
            url: ex.request.url.clone(),
            status: ex.response.as_ref().map(|r| r.status),
            allow_origin: h("access-control-allow-origin"),
            allow_headers: h("access-control-allow-headers"),
            expose_headers: h("access-control-expose-headers"),
        }
    }

    /// What the probe asked for, in words.
    pub fn label(&self) -> &'static str {
        match self.probe {
            ProbeKind::CorsMcpPreflight => "MCP endpoint, preflight",
            ProbeKind::CorsMcpPost => "MCP endpoint, 401",
            ProbeKind::CorsPrmPreflight => "resource metadata, preflight",
            ProbeKind::CorsPrmGet => "resource metadata",
            ProbeKind::CorsAsPreflight => "AS metadata, preflight",
            ProbeKind::CorsAsGet => "AS metadata",
            ProbeKind::CorsJwks => "jwks_uri",
            ProbeKind::CorsRegPreflight => "registration, preflight",
            ProbeKind::CorsToken => "token endpoint",
            ProbeKind::CorsUserinfoPreflight => "userinfo, preflight",
            _ => "other",
        }
    }
}

fn is_cors(kind: ProbeKind) -> bool {
    matches!(
        kind,
        ProbeKind::CorsMcpPreflight
            | ProbeKind::CorsMcpPost
            | ProbeKind::CorsPrmPreflight
            | ProbeKind::CorsPrmGet
            | ProbeKind::CorsAsPreflight
            | ProbeKind::CorsAsGet
            | ProbeKind::CorsJwks
            | ProbeKind::CorsRegPreflight
            | ProbeKind::CorsToken
            | ProbeKind::CorsUserinfoPreflight
    )
}

fn discovery_report(a: &AsAnalysis<'_>, clients: Vec<ClientPath>) -> DiscoveryReport {
    DiscoveryReport {
        expected_issuer: a.expected_issuer().map(str::to_owned),
        role: a.role(),
        attempts: a
            .attempts
            .iter()
            .map(|t| AttemptReport {
                kind: t.kind,
                url: t.url.clone(),
                spec_candidate: t.kind.is_spec_candidate(),
                fetch: FetchReport::from(&t.fetched),
                issuer: t.doc.as_ref().and_then(|d| d.md.issuer.clone()),
            })
            .collect(),
        metadata_url: a.selected_attempt().map(|t| t.url.clone()),
        clients,
    }
}

fn resource_report(r: &ResourceAnalysis<'_>, clients: Vec<ClientPath>) -> ResourceReport {
    let ex = &r.evidence.unauthenticated;
    ResourceReport {
        url: r.url().to_owned(),
        status: r.status,
        error: ex.error.as_ref().map(|e| e.message.clone()),
        www_authenticate: r.www_authenticate.clone(),
        challenges: r.challenges.clone(),
        prm_attempts: r
            .prm
            .iter()
            .fold(Vec::new(), |mut rows: Vec<PrmAttemptReport>, p| {
                match rows.iter_mut().find(|row| row.url == p.url) {
                    Some(row) => row.sources.push(p.source),
                    None => rows.push(PrmAttemptReport {
                        sources: vec![p.source],
                        url: p.url.clone(),
                        fetch: FetchReport::from(&p.fetched),
                        resource: p.doc.as_ref().and_then(|d| d.md.resource.clone()),
                        authorization_servers: p
                            .doc
                            .as_ref()
                            .and_then(|d| d.md.authorization_servers.clone()),
                    }),
                }
                rows
            }),
        metadata_url: r.spec_prm().map(|p| p.url.clone()),
        clients,
    }
}

impl Report {
    /// The report of graded evidence.
    pub fn new(graded: &Graded<'_>) -> Self {
        let evidence = graded.evidence;
        let servers = graded.analysis.all_servers();
        let mut discoveries = servers
            .iter()
            .zip(graded.server_clients.iter().cloned())
            .map(|(s, clients)| discovery_report(s, clients));
        let discovery = discoveries.next().unwrap_or(DiscoveryReport {
            expected_issuer: None,
            role: AsRole::Target,
            attempts: Vec::new(),
            metadata_url: None,
            clients: Vec::new(),
        });
        let resource_probes = evidence.resource.iter().flat_map(|r| &r.probes);
        let server_probes = evidence
            .authorization_servers
            .iter()
            .flat_map(|d| &d.probes);
        let cors = resource_probes
            .chain(server_probes)
            .filter(|p| is_cors(p.kind))
            .map(|p| CorsRow::from_probe(p.kind, &p.exchange))
            .collect();
        Self {
            schema_version: REPORT_SCHEMA_VERSION,
            tool: evidence.tool.clone(),
            recorded_at: evidence.recorded_at.clone(),
            target: evidence.target.clone(),
            story: graded.story.clone(),
            verdict: graded.headline.clone(),
            resource: graded
                .analysis
                .resource
                .as_ref()
                .map(|r| resource_report(r, graded.clients.clone())),
            discovery,
            additional_authorization_servers: discoveries.collect(),
            cors,
            provider: graded.provider.clone(),
            registered_client_id: graded.registered_client_id.clone(),
            checks: graded.findings.clone(),
            summary: graded.summary,
        }
    }

    /// The client paths a user meets: end to end through the MCP server, or
    /// the target authorization server's.
    pub fn clients(&self) -> &[ClientPath] {
        match &self.resource {
            Some(r) => &r.clients,
            None => &self.discovery.clients,
        }
    }

    /// Whether `client` gets through.
    pub fn client_works(&self, client: &str) -> bool {
        self.clients().iter().any(|c| c.id == client && c.works)
    }

    /// Keep only the client paths `keep` accepts (`check --client`).
    pub fn retain_clients(&mut self, keep: impl Fn(&ClientPath) -> bool) {
        self.discovery.clients.retain(&keep);
        for d in &mut self.additional_authorization_servers {
            d.clients.retain(&keep);
        }
        if let Some(r) = &mut self.resource {
            r.clients.retain(&keep);
        }
        self.verdict = self.verdict.clone().for_clients(self.clients());
    }
}

/// Render the JSON report.
pub fn json(report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    writeln!(out)
}

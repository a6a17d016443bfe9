//! The first, shared step of grading: classify each exchange, read the
//! documents, and pick what a spec client would use. Pure.

use crate::evidence::interpret::{classify, parse_body, AttemptOutcome, Doc, Fetched};
use crate::evidence::{
    AsDiscovery, AsRole, CandidateKind, Evidence, Exchange, PrmSource, ProbeKind, ResourceEvidence,
    ServerType, TargetKind, TransportErrorKind,
};
use crate::metadata::ResourceMetadata;
use crate::www_authenticate::{self, Parsed};

/// One authorization-server metadata attempt, classified.
#[derive(Debug, Clone, PartialEq)]
pub struct AttemptAnalysis {
    pub kind: CandidateKind,
    pub fetched: Fetched,
}

impl std::ops::Deref for AttemptAnalysis {
    type Target = Fetched;
    fn deref(&self) -> &Fetched {
        &self.fetched
    }
}

/// One authorization server's evidence, classified once for every check.
#[derive(Debug)]
pub struct AsAnalysis<'a> {
    pub discovery: &'a AsDiscovery,
    pub target_kind: TargetKind,
    pub server_type: Option<ServerType>,
    pub attempts: Vec<AttemptAnalysis>,
    /// Index of the attempt whose document a spec client uses.
    pub selected: Option<usize>,
    /// The `resource` of the protected resource metadata that lists this
    /// server (MCP server mode), set by [`ResourceAnalysis::new`].
    pub prm_resource: Option<String>,
}

impl<'a> AsAnalysis<'a> {
    pub fn new(evidence: &Evidence, discovery: &'a AsDiscovery) -> Self {
        let attempts: Vec<AttemptAnalysis> = discovery
            .attempts
            .iter()
            .map(|a| AttemptAnalysis {
                kind: a.kind,
                fetched: match (&a.file_body, &a.exchange) {
                    (Some(body), _) => match parse_body(body, false) {
                        Ok(doc) => Fetched {
                            url: a.url.clone(),
                            status: None,
                            content_type: None,
                            elapsed_ms: None,
                            outcome: AttemptOutcome::Document,
                            doc: Some(doc),
                        },
                        Err(outcome) => Fetched {
                            url: a.url.clone(),
                            status: None,
                            content_type: None,
                            elapsed_ms: None,
                            outcome,
                            doc: None,
                        },
                    },
                    (None, Some(exchange)) => classify(&a.url, exchange),
                    (None, None) => Fetched {
                        url: a.url.clone(),
                        status: None,
                        content_type: None,
                        elapsed_ms: None,
                        outcome: AttemptOutcome::Transport {
                            kind: TransportErrorKind::Other,
                            message: "no exchange recorded".to_owned(),
                        },
                        doc: None,
                    },
                },
            })
            .collect();
        let selected = attempts
            .iter()
            .position(|a| a.kind.is_spec_candidate() && a.doc.is_some());
        Self {
            discovery,
            target_kind: evidence.target.kind,
            server_type: evidence.target.server_type,
            attempts,
            selected,
            prm_resource: None,
        }
    }

    /// The attempt a spec client uses.
    pub fn selected_attempt(&self) -> Option<&AttemptAnalysis> {
        self.selected.map(|i| &self.attempts[i])
    }

    /// The document a spec client uses.
    pub fn doc(&self) -> Option<&Doc> {
        self.selected_attempt().and_then(|a| a.doc.as_ref())
    }

    /// The issuer the document must declare, when known.
    pub fn expected_issuer(&self) -> Option<&str> {
        self.discovery.issuer.as_deref()
    }

    pub fn role(&self) -> AsRole {
        self.discovery.role
    }

    /// Whether the well-known candidates were derived from an issuer (rather
    /// than a metadata URL or a file).
    pub fn from_issuer(&self) -> bool {
        !matches!(
            self.target_kind,
            TargetKind::WellKnownUrl | TargetKind::File
        )
    }

    /// The spec candidates, in order.
    pub fn spec_attempts(&self) -> impl Iterator<Item = (usize, &AttemptAnalysis)> {
        self.attempts
            .iter()
            .enumerate()
            .filter(|(_, a)| a.kind.is_spec_candidate())
    }

    /// Whether the document in use was found at an OpenID Connect location.
    pub fn doc_is_oidc_located(&self) -> bool {
        self.selected_attempt()
            .is_some_and(|a| a.kind.is_oidc_location())
    }

    pub fn probe(&self, kind: ProbeKind) -> Option<&Exchange> {
        self.discovery.probe(kind)
    }
}

/// One protected-resource-metadata location, classified.
#[derive(Debug, Clone, PartialEq)]
pub struct PrmAnalysis {
    pub source: PrmSource,
    pub fetched: Fetched<ResourceMetadata>,
}

impl std::ops::Deref for PrmAnalysis {
    type Target = Fetched<ResourceMetadata>;
    fn deref(&self) -> &Self::Target {
        &self.fetched
    }
}

/// The MCP server's side, classified once for every check.
#[derive(Debug)]
pub struct ResourceAnalysis<'a> {
    pub evidence: &'a ResourceEvidence,
    /// Status of the unauthenticated POST.
    pub status: Option<u16>,
    /// Raw `WWW-Authenticate` values of that response.
    pub www_authenticate: Vec<String>,
    pub challenges: Parsed,
    pub prm: Vec<PrmAnalysis>,
    /// The authorization servers' analyses, in PRM order (legacy last).
    pub servers: Vec<AsAnalysis<'a>>,
    /// The server answered a 2026-07-28 `server/discover` with 2xx (the
    /// unauthenticated probe, or `--login`'s call): it speaks that revision.
    pub speaks_stateless: bool,
}

/// Whether `ex` is a `server/discover` of the stateless transport answered 2xx.
fn discover_answered(ex: &Exchange) -> bool {
    ex.request
        .headers
        .iter()
        .any(|h| h.name.eq_ignore_ascii_case("mcp-method") && h.value == "server/discover")
        && ex.response.as_ref().is_some_and(|r| r.status / 100 == 2)
}

/// Whether the evidence shows the MCP server speaking MCP 2026-07-28.
fn speaks_stateless(evidence: &Evidence, resource: &ResourceEvidence) -> bool {
    let probed = resource
        .probe(ProbeKind::StatelessDiscover)
        .is_some_and(discover_answered);
    let live = evidence.live.as_ref().is_some_and(|l| {
        l.exchanges.iter().any(|e| {
            e.step == crate::evidence::live::LiveStep::McpCall && discover_answered(&e.exchange)
        })
    });
    probed || live
}

impl<'a> ResourceAnalysis<'a> {
    pub fn new(evidence: &'a ResourceEvidence, servers: Vec<AsAnalysis<'a>>) -> Self {
        let resp = evidence.unauthenticated.response.as_ref();
        let www_authenticate: Vec<String> = resp
            .map(|r| {
                r.header_all("www-authenticate")
                    .into_iter()
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        let mut this = Self {
            evidence,
            status: resp.map(|r| r.status),
            challenges: www_authenticate::parse(&www_authenticate),
            www_authenticate,
            prm: evidence
                .prm
                .iter()
                .map(|p| PrmAnalysis {
                    source: p.source,
                    fetched: classify(&p.url, &p.exchange),
                })
                .collect(),
            servers,
            speaks_stateless: false,
        };
        // Each listed server learns the resource its tokens are for.
        let (resource, listed) = match this.prm_doc() {
            Some((_, d)) => (
                d.md.resource.clone(),
                d.md.authorization_servers.clone().unwrap_or_default(),
            ),
            None => (None, Vec::new()),
        };
        for s in &mut this.servers {
            if s.role() == AsRole::Listed
                && s.expected_issuer()
                    .is_some_and(|i| listed.iter().any(|l| l == i))
            {
                s.prm_resource.clone_from(&resource);
            }
        }
        this
    }

    /// The MCP endpoint as the user gave it.
    pub fn url(&self) -> &str {
        &self.evidence.url
    }

    /// The `resource_metadata` URL of the Bearer challenge.
    pub fn header_prm_url(&self) -> Option<&str> {
        self.challenges
            .bearer()
            .and_then(|b| b.param("resource_metadata"))
            .map(|p| p.value.as_str())
            .filter(|v| !v.is_empty())
    }

    pub fn prm_at(&self, source: PrmSource) -> Option<&PrmAnalysis> {
        self.prm.iter().find(|p| p.source == source)
    }

    /// The PRM a spec client uses: the header URL when there is one (MCP
    /// 2025-11-25: "MUST use"), else the first well-known location serving one.
    pub fn spec_prm(&self) -> Option<&PrmAnalysis> {
        if self.header_prm_url().is_some() {
            self.prm_at(PrmSource::Header).filter(|p| p.doc.is_some())
        } else {
            self.prm
                .iter()
                .find(|p| p.source != PrmSource::Header && p.doc.is_some())
        }
    }

    /// The first PRM document found anywhere (what the most lenient client uses);
    /// the document the PRM- checks grade.
    pub fn prm_doc(&self) -> Option<(&PrmAnalysis, &Doc<ResourceMetadata>)> {
        self.spec_prm()
            .or_else(|| self.prm.iter().find(|p| p.doc.is_some()))
            .and_then(|p| p.doc.as_ref().map(|d| (p, d)))
    }

    pub fn probe(&self, kind: ProbeKind) -> Option<&Exchange> {
        self.evidence.probe(kind)
    }

    /// The authorization server clients use: the analysis of the graded
    /// PRM's first `authorization_servers` entry (the SDKs try no other).
    pub fn first_listed_server(&self) -> Option<&AsAnalysis<'a>> {
        let (_, doc) = self.prm_doc()?;
        let first = doc.md.authorization_servers.as_ref()?.first()?;
        self.servers
            .iter()
            .find(|s| s.role() == AsRole::Listed && s.expected_issuer() == Some(first.as_str()))
    }
}

/// The whole evidence, classified.
#[derive(Debug)]
pub struct Analysis<'a> {
    pub evidence: &'a Evidence,
    /// MCP server mode.
    pub resource: Option<ResourceAnalysis<'a>>,
    /// Issuer mode: the one server.
    pub servers: Vec<AsAnalysis<'a>>,
}

impl<'a> Analysis<'a> {
    pub fn new(evidence: &'a Evidence) -> Self {
        let servers: Vec<AsAnalysis<'a>> = evidence
            .authorization_servers
            .iter()
            .map(|d| AsAnalysis::new(evidence, d))
            .collect();
        match &evidence.resource {
            Some(r) => {
                let mut resource = ResourceAnalysis::new(r, servers);
                resource.speaks_stateless = speaks_stateless(evidence, r);
                Self {
                    evidence,
                    resource: Some(resource),
                    servers: Vec::new(),
                }
            }
            None => Self {
                evidence,
                resource: None,
                servers,
            },
        }
    }

    /// Every authorization server analysed, in order.
    pub fn all_servers(&self) -> &[AsAnalysis<'a>] {
        match &self.resource {
            Some(r) => &r.servers,
            None => &self.servers,
        }
    }

    /// The server clients use: the first listed (or the target itself).
    pub fn primary(&self) -> Option<&AsAnalysis<'a>> {
        self.all_servers().first()
    }

    /// Whether any metadata document (PRM or AS) was found.
    pub fn anything_found(&self) -> bool {
        self.all_servers().iter().any(|s| s.selected.is_some())
            || self
                .resource
                .as_ref()
                .is_some_and(|r| r.prm.iter().any(|p| p.doc.is_some()))
    }
}

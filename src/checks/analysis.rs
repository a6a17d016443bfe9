//! The first, shared step of grading: classify each exchange, read the
//! documents, and pick what a spec client would use. Pure.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::evidence::{
    AsDiscovery, AsRole, CandidateKind, Evidence, Exchange, PrmSource, ProbeKind, ResourceEvidence,
    ServerType, TargetKind, TransportError, TransportErrorKind,
};
use crate::metadata::{AsMetadata, Lenient, MemberTypeError, ResourceMetadata};
use crate::www_authenticate::{self, Parsed};

/// A JSON object read from a response or file, with its typed view.
#[derive(Debug, Clone, PartialEq)]
pub struct Doc<M = AsMetadata> {
    pub raw: Map<String, Value>,
    pub md: M,
    pub type_errors: Vec<MemberTypeError>,
}

/// What one metadata fetch amounted to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum AttemptOutcome {
    /// 200 with a JSON object.
    Document,
    /// A 4xx: clients move on to the next candidate.
    ClientError { status: u16 },
    /// A 3xx; redirects are not followed.
    Redirect {
        status: u16,
        #[serde(skip_serializing_if = "Option::is_none")]
        location: Option<String>,
    },
    /// A 5xx.
    ServerError { status: u16 },
    /// Any other status (1xx, 2xx other than 200).
    UnexpectedStatus { status: u16 },
    /// 200, but the body is not JSON.
    NotJson { reason: String },
    /// 200 with JSON that is not an object.
    NotObject { found: String },
    /// The body exceeded the size cap.
    TooLarge { message: String },
    /// No usable response.
    Transport {
        kind: TransportErrorKind,
        message: String,
    },
}

impl AttemptOutcome {
    /// A short phrase for tables and error lines.
    pub fn summary(&self) -> String {
        match self {
            Self::Document => "metadata document".to_owned(),
            Self::ClientError { status } => format!("{status} (not here)"),
            Self::Redirect {
                status,
                location: Some(l),
            } => format!("{status} redirect to {l} (not followed)"),
            Self::Redirect { status, .. } => format!("{status} redirect (not followed)"),
            Self::ServerError { status } => format!("{status} server error"),
            Self::UnexpectedStatus { status } => format!("unexpected status {status}"),
            Self::NotJson { reason } => format!("not JSON: {reason}"),
            Self::NotObject { found } => format!("JSON {found}, not an object"),
            Self::TooLarge { message } => message.clone(),
            Self::Transport { message, .. } => message.clone(),
        }
    }

    /// Whether the TypeScript and Python SDKs move on to the next candidate.
    pub fn is_4xx(&self) -> bool {
        matches!(self, Self::ClientError { .. })
    }
}

/// One fetch, classified.
#[derive(Debug, Clone, PartialEq)]
pub struct Fetched<M = AsMetadata> {
    pub url: String,
    pub status: Option<u16>,
    pub content_type: Option<String>,
    pub elapsed_ms: Option<u64>,
    pub outcome: AttemptOutcome,
    pub doc: Option<Doc<M>>,
}

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

fn parse_body<M: Lenient>(body: &str, not_utf8: bool) -> Result<Doc<M>, AttemptOutcome> {
    if not_utf8 {
        return Err(AttemptOutcome::NotJson {
            reason: "body is not valid UTF-8".to_owned(),
        });
    }
    if body.trim_start().starts_with('<') {
        return Err(AttemptOutcome::NotJson {
            reason: "body is HTML".to_owned(),
        });
    }
    match serde_json::from_str::<Value>(body) {
        Ok(Value::Object(raw)) => {
            let (md, type_errors) = M::from_object(&raw);
            Ok(Doc {
                raw,
                md,
                type_errors,
            })
        }
        Ok(other) => Err(AttemptOutcome::NotObject {
            found: crate::metadata::json_kind(&other).to_owned(),
        }),
        Err(e) if body.trim().is_empty() => Err(AttemptOutcome::NotJson {
            reason: format!("empty body ({e})"),
        }),
        Err(e) => Err(AttemptOutcome::NotJson {
            reason: e.to_string(),
        }),
    }
}

/// Classify a metadata exchange.
pub fn classify<M: Lenient>(url: &str, exchange: &Exchange) -> Fetched<M> {
    let mut out = Fetched {
        url: url.to_owned(),
        status: None,
        content_type: None,
        elapsed_ms: Some(exchange.elapsed_ms),
        outcome: AttemptOutcome::Document,
        doc: None,
    };
    let Some(resp) = &exchange.response else {
        let err = exchange.error.clone().unwrap_or(TransportError {
            kind: TransportErrorKind::Other,
            message: "no response".to_owned(),
        });
        out.outcome = AttemptOutcome::Transport {
            kind: err.kind,
            message: err.message,
        };
        return out;
    };
    out.status = Some(resp.status);
    out.content_type = resp.header("content-type").map(str::to_owned);
    out.outcome = match resp.status {
        200 => match &exchange.error {
            Some(e) if e.kind == TransportErrorKind::BodyTooLarge => AttemptOutcome::TooLarge {
                message: e.message.clone(),
            },
            Some(e) => AttemptOutcome::Transport {
                kind: e.kind,
                message: format!("body cut off: {}", e.message),
            },
            None => match parse_body(&resp.body, resp.body_not_utf8) {
                Ok(doc) => {
                    out.doc = Some(doc);
                    AttemptOutcome::Document
                }
                Err(outcome) => outcome,
            },
        },
        s @ 300..=399 => AttemptOutcome::Redirect {
            status: s,
            location: resp.header("location").map(str::to_owned),
        },
        s @ 400..=499 => AttemptOutcome::ClientError { status: s },
        s @ 500..=599 => AttemptOutcome::ServerError { status: s },
        s => AttemptOutcome::UnexpectedStatus { status: s },
    };
    out
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
        Self {
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
        }
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
            Some(r) => Self {
                evidence,
                resource: Some(ResourceAnalysis::new(r, servers)),
                servers: Vec::new(),
            },
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

/// The JSON object body of a response (any status), read leniently.
pub fn body_doc<M: Lenient>(exchange: &Exchange) -> Option<Doc<M>> {
    let resp = exchange.response.as_ref()?;
    if exchange.error.is_some() {
        return None;
    }
    parse_body(&resp.body, resp.body_not_utf8).ok()
}

//! The first, shared step of grading: classify each attempt and pick the
//! document a spec client would use. Pure.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::evidence::{Attempt, CandidateKind, Evidence, TargetKind, TransportErrorKind};
use crate::metadata::{AsMetadata, MemberTypeError};

/// A JSON object read from an attempt, with its typed view.
#[derive(Debug, Clone, PartialEq)]
pub struct Doc {
    pub raw: Map<String, Value>,
    pub md: AsMetadata,
    pub type_errors: Vec<MemberTypeError>,
}

/// What one attempt amounted to.
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

/// One attempt, classified.
#[derive(Debug, Clone, PartialEq)]
pub struct AttemptAnalysis {
    pub kind: CandidateKind,
    pub url: String,
    pub status: Option<u16>,
    pub content_type: Option<String>,
    pub elapsed_ms: Option<u64>,
    pub outcome: AttemptOutcome,
    pub doc: Option<Doc>,
}

/// The evidence, classified once for every check.
#[derive(Debug)]
pub struct Analysis<'a> {
    pub evidence: &'a Evidence,
    pub attempts: Vec<AttemptAnalysis>,
    /// Index of the attempt whose document a spec client uses.
    pub selected: Option<usize>,
}

impl<'a> Analysis<'a> {
    pub fn new(evidence: &'a Evidence) -> Self {
        let attempts: Vec<AttemptAnalysis> = evidence
            .authorization_server
            .attempts
            .iter()
            .map(classify)
            .collect();
        let selected = attempts
            .iter()
            .position(|a| a.kind.is_spec_candidate() && a.doc.is_some());
        Self {
            evidence,
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
        self.evidence.authorization_server.issuer.as_deref()
    }

    pub fn target_kind(&self) -> TargetKind {
        self.evidence.target.kind
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
}

fn parse_body(body: &str, not_utf8: bool) -> Result<Doc, AttemptOutcome> {
    if not_utf8 {
        return Err(AttemptOutcome::NotJson {
            reason: "body is not valid UTF-8".to_owned(),
        });
    }
    let trimmed = body.trim_start();
    if trimmed.starts_with('<') {
        return Err(AttemptOutcome::NotJson {
            reason: "body is HTML".to_owned(),
        });
    }
    match serde_json::from_str::<Value>(body) {
        Ok(Value::Object(raw)) => {
            let (md, type_errors) = AsMetadata::from_object(&raw);
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

fn classify(attempt: &Attempt) -> AttemptAnalysis {
    let mut out = AttemptAnalysis {
        kind: attempt.kind,
        url: attempt.url.clone(),
        status: None,
        content_type: None,
        elapsed_ms: None,
        outcome: AttemptOutcome::Document,
        doc: None,
    };
    if let Some(body) = &attempt.file_body {
        match parse_body(body, false) {
            Ok(doc) => out.doc = Some(doc),
            Err(outcome) => out.outcome = outcome,
        }
        return out;
    }
    let Some(exchange) = &attempt.exchange else {
        out.outcome = AttemptOutcome::Transport {
            kind: TransportErrorKind::Other,
            message: "no exchange recorded".to_owned(),
        };
        return out;
    };
    out.elapsed_ms = Some(exchange.elapsed_ms);
    let Some(resp) = &exchange.response else {
        let err = exchange
            .error
            .clone()
            .unwrap_or(crate::evidence::TransportError {
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

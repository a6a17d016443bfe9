//! The report: a serialisable model built from graded evidence, and renderers
//! (`table`, `json`, `markdown`) that only format it.

pub mod catalogue;
pub mod markdown;
pub mod table;

use serde::{Deserialize, Serialize};

use crate::checks::{self, clients::ClientPath, AttemptOutcome, Finding, Level, Status};
use crate::evidence::{CandidateKind, Evidence, Target};

/// Version of the JSON report format (`--format json`). Bumped on any
/// incompatible change; additions keep the version.
pub const REPORT_SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema_version: u32,
    /// `mcp-auth <version>`.
    pub tool: String,
    pub target: Target,
    pub discovery: DiscoveryReport,
    pub checks: Vec<Finding>,
    pub summary: Summary,
}

#[derive(Debug, Clone, Serialize)]
pub struct DiscoveryReport {
    /// The issuer the metadata must declare, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_issuer: Option<String>,
    pub attempts: Vec<AttemptReport>,
    /// URL of the document that was graded (what a spec client uses).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata_url: Option<String>,
    /// What each kind of client would do with these URLs.
    pub clients: Vec<ClientPath>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AttemptReport {
    pub kind: CandidateKind,
    pub url: String,
    /// Whether MCP clients try this URL (false for diagnostic URLs).
    pub spec_candidate: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub elapsed_ms: Option<u64>,
    pub outcome: AttemptOutcome,
    /// The `issuer` member of the document found there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
}

impl AttemptReport {
    /// The media type of the response, without parameters.
    pub fn media_type(&self) -> Option<String> {
        self.content_type
            .as_deref()
            .map(crate::evidence::media_type)
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub pass: usize,
    pub info: usize,
    pub warn: usize,
    pub fail: usize,
    pub skip: usize,
    /// No candidate produced a metadata document.
    pub metadata_found: bool,
}

/// What the run means for the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Ok,
    RequiredFailed,
    NotFound,
}

impl Report {
    /// Grade evidence into a report.
    pub fn build(evidence: &Evidence) -> Self {
        let (analysis, findings) = checks::grade(evidence);
        let attempts = analysis
            .attempts
            .iter()
            .map(|a| AttemptReport {
                kind: a.kind,
                url: a.url.clone(),
                spec_candidate: a.kind.is_spec_candidate(),
                status: a.status,
                content_type: a.content_type.clone(),
                elapsed_ms: a.elapsed_ms,
                outcome: a.outcome.clone(),
                issuer: a.doc.as_ref().and_then(|d| d.md.issuer.clone()),
            })
            .collect();
        let mut summary = Summary {
            metadata_found: analysis.selected.is_some(),
            ..Summary::default()
        };
        for f in &findings {
            match f.status {
                Status::Pass => summary.pass += 1,
                Status::Info => summary.info += 1,
                Status::Warn => summary.warn += 1,
                Status::Fail => summary.fail += 1,
                Status::Skip => summary.skip += 1,
            }
        }
        Self {
            schema_version: REPORT_SCHEMA_VERSION,
            tool: evidence.tool.clone(),
            target: evidence.target.clone(),
            discovery: DiscoveryReport {
                expected_issuer: evidence.authorization_server.issuer.clone(),
                attempts,
                metadata_url: analysis.selected_attempt().map(|a| a.url.clone()),
                clients: checks::clients::client_paths(&analysis),
            },
            checks: findings,
            summary,
        }
    }

    /// The verdict: nothing found, a MUST failed (or, strictly, anything warned), or fine.
    pub fn verdict(&self, strict: bool) -> Verdict {
        if !self.summary.metadata_found {
            Verdict::NotFound
        } else if self.checks.iter().any(|f| {
            f.status == Status::Fail
                || (strict && f.status == Status::Warn && f.level <= Level::Should)
        }) {
            Verdict::RequiredFailed
        } else {
            Verdict::Ok
        }
    }

    /// One line saying why nothing was found, for stderr.
    pub fn not_found_message(&self) -> String {
        let tried: Vec<String> = self
            .discovery
            .attempts
            .iter()
            .filter(|a| a.spec_candidate)
            .map(|a| format!("{} → {}", a.url, a.outcome.summary()))
            .collect();
        let unreachable = self
            .discovery
            .attempts
            .iter()
            .all(|a| matches!(a.outcome, AttemptOutcome::Transport { .. }));
        format!(
            "{} for {}: {}",
            if unreachable {
                "target unreachable"
            } else {
                "no authorization server metadata found"
            },
            self.target.input,
            tried.join("; ")
        )
    }
}

/// Render the JSON report.
pub fn json(report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    writeln!(out)
}

//! The `mcp-auth matrix` model: one row per provider, built from its graded
//! evidence, and its renderers (`table`, `markdown`, `junit`; `json` here).
//! What counts as a regression against a baseline is grading's
//! (`mcp_auth_grade::baseline`); [`MatrixReport::changes_since`] only hands
//! it the rows.

pub mod junit;
pub mod markdown;
pub mod table;

use serde::{Deserialize, Serialize};

use crate::checks::baseline::{self, Change, CheckRun, ProviderRun};
use crate::checks::clients::id;
use crate::checks::providers::{Provider, ProviderKind};
use crate::checks::quirks::QuirkLedger;
use crate::checks::{ids, Graded, Status, Verdict};
use crate::Report;

/// Version of the matrix JSON format.
pub const MATRIX_SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct MatrixReport {
    pub schema_version: u32,
    pub tool: String,
    pub rows: Vec<Row>,
}

/// One provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Row {
    pub id: String,
    pub name: String,
    pub kind: ProviderKind,
    pub url: String,
    /// When its evidence was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checked_at: Option<String>,
    /// Why there is no verdict (unreachable, timeout, no metadata, no replay file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cells: Option<Cells>,
    /// Every check's status.
    #[serde(default)]
    pub checks: Vec<CheckCell>,
    /// Its documented quirks as this run saw them, and failures none explains.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quirks: Option<QuirkLedger>,
    /// The live flow (`check --login` for a test tenant, `[live]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub live: Option<LiveCell>,
    /// Each host profile's end-to-end path (the provider × host table).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hosts: Vec<HostCell>,
}

/// Whether one host gets through, and where it stops.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct HostCell {
    /// The host's profile id (`mcp-auth clients`).
    pub id: String,
    pub works: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stops_at: Option<String>,
    pub detail: String,
}

impl HostCell {
    /// "yes", or "no (registration)".
    pub fn text(&self) -> String {
        match (&self.stops_at, self.works) {
            (_, true) => "yes".to_owned(),
            (Some(step), false) => format!("no ({step})"),
            (None, false) => "no".to_owned(),
        }
    }
}

/// The live flow's cell: its verdict and the check that decided it, or
/// "not run" and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LiveCell {
    /// `pass`, `warn`, `fail` or `not run`.
    pub verdict: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl LiveCell {
    /// The live flow of `graded`, or "not run" with `why` when it has none
    /// (`why` comes from the provider file and the environment).
    fn of(graded: &Graded<'_>, why: Option<String>) -> Self {
        let ran = graded.evidence.live.as_ref();
        match (ran, crate::checks::story::live_verdict(&graded.story)) {
            (Some(_), Some(step)) => Self {
                verdict: step.verdict.as_str().to_owned(),
                check: step.check.clone(),
                note: None,
            },
            (Some(live), None) => Self::not_run(
                live.error
                    .clone()
                    .unwrap_or_else(|| "no live step was graded".to_owned()),
            ),
            (None, _) => Self::not_run(why.unwrap_or_else(|| "not in this recording".to_owned())),
        }
    }

    fn not_run(why: String) -> Self {
        Self {
            verdict: "not run".to_owned(),
            check: None,
            note: Some(why),
        }
    }

    /// The cell as the table and the Markdown page show it.
    pub fn text(&self) -> String {
        match &self.check {
            Some(id) => format!("{} ({id})", self.verdict),
            None => self.verdict.clone(),
        }
    }
}

/// The columns of the table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Cells {
    /// The metadata URL that worked (what a spec client uses).
    pub metadata_url: Option<String>,
    pub issuer_match: String,
    pub pkce_s256: String,
    pub dcr: String,
    pub cimd: String,
    pub cors_registration: String,
    pub prm_resource: String,
    pub userinfo: String,
    pub must_failures: usize,
    pub warnings: usize,
    /// Client works: MCP 2025-06-18, 2025-11-25+, TypeScript SDK, Python SDK.
    pub mcp_2025_06_18: bool,
    pub mcp_2025_11_25: bool,
    pub typescript_sdk: bool,
    pub python_sdk: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CheckCell {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    pub status: Status,
    pub detail: String,
}

impl MatrixReport {
    /// The matrix of `rows`, in provider id order.
    pub fn new(tool: String, mut rows: Vec<Row>) -> Self {
        rows.sort_by(|a, b| a.id.cmp(&b.id));
        Self {
            schema_version: MATRIX_SCHEMA_VERSION,
            tool,
            rows,
        }
    }

    /// What changed since `base`, by the rule of `mcp_auth_grade::baseline`.
    pub fn changes_since(&self, base: &MatrixReport) -> Vec<Change> {
        baseline::diff(&base.runs(), &self.runs())
    }

    /// The rows with a known quirk that no longer shows or a failure no
    /// quirk explains, in row order.
    pub fn to_review(&self) -> impl Iterator<Item = (&Row, &QuirkLedger)> {
        self.rows
            .iter()
            .filter_map(|r| r.quirks.as_ref().map(|q| (r, q)))
            .filter(|(_, q)| q.needs_review())
    }

    /// The rows as the regression rule reads them.
    fn runs(&self) -> Vec<ProviderRun<'_>> {
        self.rows.iter().map(Row::run).collect()
    }
}

impl Row {
    /// A provider without a verdict: `error` says why (unreachable, timeout,
    /// no replay file).
    pub fn failed(p: &Provider, error: String) -> Self {
        Self {
            error: Some(error),
            ..Self::empty(p)
        }
    }

    /// A provider's row from its graded evidence; `live_why` says why the
    /// live flow did not run, when its evidence has none.
    pub fn new(p: &Provider, graded: &Graded<'_>, live_why: Option<String>) -> Self {
        let report = Report::new(graded);
        let error =
            (graded.verdict(false) == Verdict::NotFound).then(|| graded.not_found_message());
        let checks = report
            .checks
            .iter()
            .map(|f| CheckCell {
                id: f.id.clone(),
                subject: f.subject.clone(),
                status: f.status,
                detail: f.detail.clone(),
            })
            .collect();
        Self {
            checked_at: report.recorded_at.clone(),
            cells: Some(Cells::new(&report)),
            checks,
            // No verdict, nothing to say of quirks; an empty ledger is left out.
            quirks: error
                .is_none()
                .then(|| QuirkLedger::new(p, &graded.findings))
                .filter(|q| *q != QuirkLedger::default()),
            live: error.is_none().then(|| LiveCell::of(graded, live_why)),
            hosts: if error.is_none() {
                host_cells(&report)
            } else {
                Vec::new()
            },
            error,
            ..Self::empty(p)
        }
    }

    fn empty(p: &Provider) -> Self {
        Self {
            id: p.id.clone(),
            name: p.def.name.clone(),
            kind: p.def.kind,
            url: p.url(),
            checked_at: None,
            error: None,
            cells: None,
            checks: Vec::new(),
            quirks: None,
            live: None,
            hosts: Vec::new(),
        }
    }

    fn run(&self) -> ProviderRun<'_> {
        ProviderRun {
            id: &self.id,
            error: self.error.as_deref(),
            checks: self
                .checks
                .iter()
                .map(|c| CheckRun {
                    id: &c.id,
                    subject: c.subject.as_deref(),
                    status: c.status,
                    detail: &c.detail,
                })
                .collect(),
        }
    }
}

impl Cells {
    fn new(report: &Report) -> Self {
        let count = |s: Status| report.checks.iter().filter(|f| f.status == s).count();
        Self {
            metadata_url: report.discovery.metadata_url.clone(),
            issuer_match: status_of(report, ids::DISC_AS_ISSUER_MATCH),
            pkce_s256: status_of(report, ids::AS_PKCE_S256),
            dcr: status_of(report, ids::AS_REGISTRATION_ENDPOINT),
            cimd: status_of(report, ids::AS_CIMD_SUPPORTED),
            cors_registration: status_of(report, ids::CORS_REG_PREFLIGHT),
            prm_resource: status_of(report, ids::PRM_RESOURCE_MATCH),
            userinfo: status_of(report, ids::AS_USERINFO),
            must_failures: count(Status::Fail),
            warnings: count(Status::Warn),
            mcp_2025_06_18: report.client_works(id::SPEC_2025_06_18),
            mcp_2025_11_25: report.client_works(id::SPEC_2025_11_25),
            typescript_sdk: report.client_works(id::TS_SDK),
            python_sdk: report.client_works(id::PYTHON_SDK),
        }
    }
}

/// The status of the first finding of check `id`, "–" when there is none.
fn status_of(report: &Report, id: &str) -> String {
    report
        .checks
        .iter()
        .find(|f| f.id == id)
        .map_or("–".to_owned(), |f| f.status.as_str().to_owned())
}

/// The host rows of a report, in profile order.
fn host_cells(report: &Report) -> Vec<HostCell> {
    report
        .clients()
        .iter()
        .filter(|c| c.kind == crate::checks::clients::ProfileKind::Host)
        .map(|c| HostCell {
            id: c.id.clone(),
            works: c.works,
            stops_at: c.stops_at.clone(),
            detail: c.detail.clone(),
        })
        .collect()
}

/// The host ids the rows have, in the order of their first appearance.
pub fn host_ids(r: &MatrixReport) -> Vec<&str> {
    let mut ids: Vec<&str> = Vec::new();
    for h in r.rows.iter().flat_map(|row| &row.hosts) {
        if !ids.contains(&h.id.as_str()) {
            ids.push(&h.id);
        }
    }
    ids
}

/// Render the matrix JSON (what `--baseline` reads back).
pub fn json(report: &MatrixReport, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    writeln!(out)
}

/// A client column's cell.
fn yes(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

//! `mcp-auth matrix`: every provider of `providers/` checked concurrently,
//! one row each, as a table, Markdown, JSON or JUnit XML; evidence can be
//! recorded and replayed, and a previous JSON run compared (regressions
//! exit 1).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use comfy_table::Cell;
use futures::StreamExt;
use serde::{Deserialize, Serialize};

use crate::checks::Status;
use crate::cli::{MatrixArgs, MatrixFormat};
use crate::evidence::Evidence;
use crate::evidence::TargetHint;
use crate::exit::ExitStatus;
use crate::providers::{Provider, ProviderKind};
use crate::report::markdown::cell as md;
use crate::report::table::{header, new_table, Style};
use crate::report::Report;
use crate::Error;
use mcp_auth_grade::baseline::{self, CheckRun, ProviderRun};
use mcp_auth_grade::Verdict;

/// Version of the matrix JSON format.
pub const MATRIX_SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatrixReport {
    pub schema_version: u32,
    pub tool: String,
    pub rows: Vec<Row>,
}

/// One provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
}

/// The columns of the table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckCell {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    pub status: Status,
    pub detail: String,
}

fn status_of(report: &Report, id: &str) -> String {
    report
        .checks
        .iter()
        .find(|f| f.id == id)
        .map_or("–".to_owned(), |f| f.status.as_str().to_owned())
}

fn row(p: &Provider, evidence: Result<Evidence, String>, providers: &[Provider]) -> Row {
    let mut row = Row {
        id: p.id.clone(),
        name: p.def.name.clone(),
        kind: p.def.kind,
        url: p.url(),
        checked_at: None,
        error: None,
        cells: None,
        checks: Vec::new(),
    };
    let ev = match evidence {
        Ok(ev) => ev,
        Err(e) => {
            row.error = Some(e);
            return row;
        }
    };
    let graded = mcp_auth_grade::grade_with(&ev, providers);
    let report = Report::new(&graded);
    row.checked_at = report.recorded_at.clone();
    if graded.verdict(false) == Verdict::NotFound {
        row.error = Some(graded.not_found_message());
    }
    row.checks = report
        .checks
        .iter()
        .map(|f| CheckCell {
            id: f.id.clone(),
            subject: f.subject.clone(),
            status: f.status,
            detail: f.detail.clone(),
        })
        .collect();
    let count = |s: Status| report.checks.iter().filter(|f| f.status == s).count();
    row.cells = Some(Cells {
        metadata_url: report.discovery.metadata_url.clone(),
        issuer_match: status_of(&report, "DISC-AS-ISSUER-MATCH"),
        pkce_s256: status_of(&report, "AS-PKCE-S256"),
        dcr: status_of(&report, "AS-REGISTRATION-ENDPOINT"),
        cimd: status_of(&report, "AS-CIMD-SUPPORTED"),
        cors_registration: status_of(&report, "CORS-REG-PREFLIGHT"),
        prm_resource: status_of(&report, "PRM-RESOURCE-MATCH"),
        userinfo: status_of(&report, "AS-USERINFO"),
        must_failures: count(Status::Fail),
        warnings: count(Status::Warn),
        mcp_2025_06_18: report.client_works("MCP 2025-06-18"),
        mcp_2025_11_25: report.client_works("MCP 2025-11-25"),
        typescript_sdk: report.client_works("TypeScript SDK"),
        python_sdk: report.client_works("Python SDK"),
    });
    row
}

fn evidence_path(dir: &Path, id: &str) -> PathBuf {
    dir.join(format!("{id}.json"))
}

/// Gather (or replay) one provider's evidence, within the provider timeout.
async fn evidence_for(
    p: &Provider,
    args: &MatrixArgs,
    template: &crate::probe::Prober,
) -> Result<Evidence, String> {
    if let Some(dir) = &args.replay {
        return super::load_evidence(&evidence_path(dir, &p.id));
    }
    // A client (and connection pool) per provider: its connections close when
    // its check ends, so a long matrix holds the sockets of `--concurrency`
    // providers, not of every provider checked so far.
    let prober = &template.with_new_pool().map_err(|e| e.to_string())?;
    let url_text = p.url();
    let url = crate::discovery::parse_http_url(&url_text).map_err(|e| e.to_string())?;
    let kind = match p.def.kind {
        ProviderKind::Issuer => TargetHint::Issuer,
        ProviderKind::Mcp => TargetHint::Mcp,
    };
    let limit = Duration::from_secs_f64(args.provider_timeout);
    let ev = tokio::time::timeout(
        limit,
        crate::gather::url_evidence(
            prober,
            &url,
            &url_text,
            kind,
            crate::gather::Settings::default(),
            p.def.server_type,
        ),
    )
    .await
    .map_err(|_| {
        format!(
            "no verdict within {} s (--provider-timeout)",
            limit.as_secs_f64()
        )
    })?;
    if let Some(dir) = &args.record {
        let text = serde_json::to_string_pretty(&ev).expect("evidence serialises") + "\n";
        std::fs::write(evidence_path(dir, &p.id), text)
            .map_err(|e| format!("cannot record {}: {e}", evidence_path(dir, &p.id).display()))?;
    }
    Ok(ev)
}

fn select(all: Vec<Provider>, only: &[String]) -> Result<Vec<Provider>, Error> {
    if only.is_empty() {
        return Ok(all.into_iter().filter(|p| p.def.matrix).collect());
    }
    for id in only {
        if !all.iter().any(|p| &p.id == id) {
            return Err(Error::Input(format!(
                "--only: no provider '{id}' (known: {})",
                all.iter()
                    .map(|p| p.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
    }
    Ok(all.into_iter().filter(|p| only.contains(&p.id)).collect())
}

/// Sockets one provider typically holds open at once (a round of CORS and
/// registration probes against one server over HTTP/1.1; an MCP server listing
/// several authorization servers can hold more, HTTP/2 fewer), and descriptors
/// kept for the rest.
const SOCKETS_PER_PROVIDER: u64 = 16;
const RESERVED_DESCRIPTORS: u64 = 64;

/// How many providers can run at once with `nofile` open files.
fn fits_file_limit(requested: usize, nofile: u64) -> usize {
    let fit = nofile.saturating_sub(RESERVED_DESCRIPTORS) / SOCKETS_PER_PROVIDER;
    requested
        .min(usize::try_from(fit).unwrap_or(usize::MAX))
        .max(1)
}

/// `--concurrency`, bounded by the number of providers and by the open-file
/// limit (raised towards the hard limit first, as far as it is needed):
/// running out of descriptors would turn into connection errors in the
/// report, blamed on providers that did nothing wrong.
fn concurrency_within_file_limit(requested: usize, providers: usize) -> usize {
    let wanted = requested.min(providers).max(1);
    let needed = wanted as u64 * SOCKETS_PER_PROVIDER + RESERVED_DESCRIPTORS;
    let nofile = match rlimit::increase_nofile_limit(needed) {
        Ok(limit) => limit,
        Err(e) => {
            tracing::debug!("cannot read or raise the open-file limit: {e}");
            return wanted;
        }
    };
    let fit = fits_file_limit(wanted, nofile);
    if fit < wanted {
        eprintln!(
            "note: checking {fit} providers at a time, not {wanted}: the open-file limit is {nofile} \
             (raise it with `ulimit -n {needed}`)"
        );
    }
    fit
}

pub async fn run(
    args: &MatrixArgs,
    style: Style,
    out: &mut dyn Write,
) -> Result<ExitStatus, Error> {
    let all = match &args.providers {
        Some(dir) => super::load_providers(dir).map_err(|e| Error::Input(e.to_string()))?,
        None if Path::new("providers").is_dir() => super::load_providers(Path::new("providers"))
            .map_err(|e| Error::Input(e.to_string()))?,
        None => crate::providers::embedded().to_vec(),
    };
    let providers = select(all.clone(), &args.only)?;
    if let Some(dir) = &args.record {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::Input(format!("cannot create {}: {e}", dir.display())))?;
    }
    let baseline = match &args.baseline {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| Error::Input(format!("cannot read {}: {e}", path.display())))?;
            Some(serde_json::from_str::<MatrixReport>(&text).map_err(|e| {
                Error::Input(format!(
                    "{} is not an mcp-auth matrix JSON: {e}",
                    path.display()
                ))
            })?)
        }
        None => None,
    };
    // Certificates are read once, and a bad --cacert is one error before any
    // provider runs, not one per row.
    let template = crate::probe::Prober::new(crate::settings::probe(&args.net))?;
    let concurrency = if args.replay.is_some() {
        // Evidence files: no sockets.
        args.concurrency.max(1)
    } else {
        concurrency_within_file_limit(args.concurrency, providers.len())
    };
    let bar = if std::io::stderr().is_terminal() && args.format == MatrixFormat::Table {
        indicatif::ProgressBar::new(providers.len() as u64)
    } else {
        indicatif::ProgressBar::hidden()
    };
    let mut rows: Vec<Row> = futures::stream::iter(providers.iter())
        .map(|p| {
            let (template, bar, all) = (&template, &bar, &all);
            async move {
                let ev = evidence_for(p, args, template).await;
                bar.inc(1);
                row(p, ev, all)
            }
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    bar.finish_and_clear();
    rows.sort_by(|a, b| a.id.cmp(&b.id));
    let report = MatrixReport {
        schema_version: MATRIX_SCHEMA_VERSION,
        tool: crate::gather::tool_name(),
        rows,
    };
    match args.format {
        MatrixFormat::Table => table(&report, style, out)?,
        MatrixFormat::Markdown => markdown(&report, out)?,
        MatrixFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &report).map_err(std::io::Error::from)?;
            writeln!(out)?;
        }
        MatrixFormat::Junit => junit(&report, out)?,
    }
    out.flush()?;
    if let Some(base) = baseline {
        let changes = baseline::diff(&base.runs(), &report.runs());
        let mut err = std::io::stderr();
        for c in &changes {
            writeln!(err, "{c}")?;
        }
        if changes.iter().any(|c| c.regression) {
            return Ok(ExitStatus::Failed);
        }
    }
    Ok(ExitStatus::Ok)
}

fn yes(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

fn table(r: &MatrixReport, style: Style, out: &mut dyn Write) -> std::io::Result<()> {
    let mut t = new_table(style);
    header(
        &mut t,
        &[
            "Provider",
            "Metadata",
            "Issuer",
            "S256",
            "DCR",
            "CIMD",
            "CORS reg.",
            "PRM resource",
            "Userinfo",
            "MUST fails",
            "06-18",
            "11-25+",
            "TS SDK",
            "Py SDK",
            "Checked",
        ],
        style,
    );
    for row in &r.rows {
        let mut cells = vec![Cell::new(format!("{}\n{}", row.name, row.url))];
        match (&row.cells, &row.error) {
            (Some(c), None) => {
                cells.extend([
                    Cell::new(c.metadata_url.as_deref().unwrap_or("–")),
                    Cell::new(&c.issuer_match),
                    Cell::new(&c.pkce_s256),
                    Cell::new(&c.dcr),
                    Cell::new(&c.cimd),
                    Cell::new(&c.cors_registration),
                    Cell::new(&c.prm_resource),
                    Cell::new(&c.userinfo),
                    Cell::new(c.must_failures),
                    Cell::new(yes(c.mcp_2025_06_18)),
                    Cell::new(yes(c.mcp_2025_11_25)),
                    Cell::new(yes(c.typescript_sdk)),
                    Cell::new(yes(c.python_sdk)),
                ]);
            }
            (_, Some(e)) => cells.push(Cell::new(format!("error: {e}"))),
            (None, None) => {}
        }
        t.add_row(cells);
    }
    writeln!(out, "{t}")?;
    writeln!(out, "{} provider(s) · {}", r.rows.len(), r.tool)
}

fn markdown(r: &MatrixReport, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, "# MCP authorization compatibility\n")?;
    writeln!(
        out,
        "Generated by `mcp-auth matrix` ({}). Cells are check statuses (`mcp-auth checks` lists them): issuer = `DISC-AS-ISSUER-MATCH`, S256 = `AS-PKCE-S256`, DCR = `AS-REGISTRATION-ENDPOINT`, CIMD = `AS-CIMD-SUPPORTED`, CORS reg. = `CORS-REG-PREFLIGHT`, PRM resource = `PRM-RESOURCE-MATCH`, userinfo = `AS-USERINFO`; the client columns say whether that client gets through discovery.\n",
        r.tool
    )?;
    writeln!(out, "| Provider | Metadata found at | Issuer | S256 | DCR | CIMD | CORS reg. | PRM resource | Userinfo | MUST fails | 2025-06-18 | 2025-11-25+ | TS SDK | Python SDK | Checked |")?;
    writeln!(
        out,
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    )?;
    for row in &r.rows {
        let name = format!("{} (`{}`)", md(&row.name), row.url);
        match (&row.cells, &row.error) {
            (Some(c), None) => {
                writeln!(
                out,
                "| {name} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                c.metadata_url.as_deref().map_or("–".to_owned(), |u| format!("`{u}`")),
                c.issuer_match,
                c.pkce_s256,
                c.dcr,
                c.cimd,
                c.cors_registration,
                c.prm_resource,
                c.userinfo,
                c.must_failures,
                yes(c.mcp_2025_06_18),
                yes(c.mcp_2025_11_25),
                yes(c.typescript_sdk),
                yes(c.python_sdk),
                row.checked_at.as_deref().unwrap_or("–")
            )?
            }
            (_, e) => writeln!(
                out,
                "| {name} | error: {} | | | | | | | | | | | | | {} |",
                md(e.as_deref().unwrap_or("no result")),
                row.checked_at.as_deref().unwrap_or("–")
            )?,
        }
    }
    Ok(())
}

fn junit(r: &MatrixReport, out: &mut dyn Write) -> std::io::Result<()> {
    use quick_junit::{NonSuccessKind, TestCase, TestCaseStatus, TestSuite};
    let mut report = quick_junit::Report::new("mcp-auth matrix");
    for row in &r.rows {
        let mut suite = TestSuite::new(row.id.clone());
        if let Some(e) = &row.error {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
            status.set_message(e.clone());
            suite.add_test_case(TestCase::new("reachable", status));
        }
        for c in &row.checks {
            let name = match &c.subject {
                Some(s) => format!("{} [{s}]", c.id),
                None => c.id.clone(),
            };
            let status = match c.status {
                Status::Fail => {
                    let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    s.set_message(c.detail.clone());
                    s
                }
                Status::Skip => {
                    let mut s = TestCaseStatus::skipped();
                    s.set_message(c.detail.clone());
                    s
                }
                Status::Pass | Status::Info | Status::Warn => TestCaseStatus::success(),
            };
            let mut case = TestCase::new(name, status);
            case.set_classname(row.id.clone());
            if c.status == Status::Warn {
                case.set_system_out(format!("warn: {}", c.detail));
            }
            suite.add_test_case(case);
        }
        report.add_test_suite(suite);
    }
    let xml = report
        .to_string()
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    writeln!(out, "{xml}")
}

impl MatrixReport {
    /// The rows as the regression rule reads them.
    fn runs(&self) -> Vec<ProviderRun<'_>> {
        self.rows
            .iter()
            .map(|row| ProviderRun {
                id: &row.id,
                error: row.error.as_deref(),
                checks: row
                    .checks
                    .iter()
                    .map(|c| CheckRun {
                        id: &c.id,
                        subject: c.subject.as_deref(),
                        status: c.status,
                        detail: &c.detail,
                    })
                    .collect(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concurrency_fits_the_open_file_limit() {
        // Plenty of descriptors: what was asked.
        assert_eq!(fits_file_limit(128, 20_000), 128);
        // macOS's default 256: (256 - 64) / 16 = 12 providers at a time.
        assert_eq!(fits_file_limit(128, 256), 12);
        // Linux's common 1024: 60.
        assert_eq!(fits_file_limit(128, 1024), 60);
        // Never zero, even with almost no descriptors.
        assert_eq!(fits_file_limit(128, 10), 1);
        assert_eq!(fits_file_limit(0, 20_000), 1);
    }
}

//! `mcp-auth matrix`: every provider of `providers/` checked concurrently,
//! one row each, as a table, Markdown, JSON or JUnit XML; evidence can be
//! recorded and replayed, and a previous JSON run compared (regressions
//! exit 1).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use futures::StreamExt;

use super::matrix_live::{self, Plan};
use super::matrix_targets::{self, Entry};
use crate::cli::{MatrixArgs, MatrixCommand, MatrixFormat};
use crate::evidence::Evidence;
use crate::evidence::TargetKind;
use crate::exit::ExitStatus;
use crate::providers::Provider;
use crate::report::matrix::{self, MatrixReport, Row};
use crate::report::table::Style;
use crate::Error;

fn evidence_path(dir: &Path, id: &str) -> PathBuf {
    dir.join(format!("{id}.json"))
}

/// Gather (or replay) one provider's evidence, within the provider timeout.
async fn evidence_for(
    entry: &Entry,
    args: &MatrixArgs,
    template: &crate::probe::Prober,
) -> Result<Evidence, String> {
    let p = &entry.provider;
    if let Some(dir) = &args.replay {
        return super::load_evidence(&evidence_path(dir, &p.id));
    }
    // A client (and connection pool) per provider: its connections close when
    // its check ends, so a long matrix holds the sockets of `--concurrency`
    // providers, not of every provider checked so far.
    let prober = &template.with_new_pool().map_err(|e| e.to_string())?;
    let url_text = p.url();
    let url = crate::discovery::parse_http_url(&url_text).map_err(|e| e.to_string())?;
    let kind = entry.hint;
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
    let mut ev = ev;
    if let Plan::Run(settings) = matrix_live::plan(p) {
        if ev.target.kind == TargetKind::McpServer {
            ev.live = Some(matrix_live::run(prober, &url_text, &settings, limit).await);
        }
    }
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
pub(super) fn concurrency_within_file_limit(requested: usize, providers: usize) -> usize {
    let wanted = requested.min(providers).max(1);
    let needed = wanted as u64 * SOCKETS_PER_PROVIDER + RESERVED_DESCRIPTORS;
    let nofile = match crate::platform::raise_open_file_limit(needed) {
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
    if let Some(MatrixCommand::Merge(merge)) = &args.command {
        return super::registry_merge::run(merge, out);
    }
    if let Some(base) = &args.registry.url {
        return super::registry::run(args, &args.registry, base, out).await;
    }
    let format = args.format.unwrap_or(MatrixFormat::Table);
    let urls: Vec<String> = args.urls.iter().chain(&args.targets).cloned().collect();
    let all = provider_files(args.providers.as_deref())?;
    // URLs alone: only they are checked, unless --providers or --only says
    // which files go beside them.
    let files = if urls.is_empty() || args.providers.is_some() || !args.only.is_empty() {
        select(all.clone(), &args.only)?
    } else {
        Vec::new()
    };
    let mut providers: Vec<Entry> = files.into_iter().map(Entry::of_file).collect();
    providers.extend(matrix_targets::entries(&urls, &all)?);
    if let Some(dir) = &args.record {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::Input(format!("cannot create {}: {e}", dir.display())))?;
    }
    let baseline = args.baseline.as_deref().map(read_baseline).transpose()?;
    // Certificates are read once, and a bad --cacert is one error before any
    // provider runs, not one per row.
    let template = crate::probe::Prober::new(crate::settings::probe(&args.net))?;
    let rows = rows(&providers, &all, args, &template).await;
    let report = MatrixReport::new(crate::gather::tool_name(), rows);
    match format {
        MatrixFormat::Table => matrix::table::render(&report, style, out)?,
        MatrixFormat::Jsonl => {
            for row in &report.rows {
                serde_json::to_writer(&mut *out, row).map_err(std::io::Error::from)?;
                out.write_all(b"\n")?;
            }
        }
        MatrixFormat::Markdown => matrix::markdown::render(&report, out)?,
        MatrixFormat::Json => matrix::json(&report, out)?,
        MatrixFormat::Junit => matrix::junit::render(&report, out)?,
    }
    out.flush()?;
    if let Some(base) = baseline {
        let changes = report.changes_since(&base);
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

/// `--providers`, else `./providers` when there is one, else the built-in files.
fn provider_files(dir: Option<&Path>) -> Result<Vec<Provider>, Error> {
    let dir = match dir {
        Some(dir) => dir,
        None if Path::new("providers").is_dir() => Path::new("providers"),
        None => return Ok(crate::providers::embedded().to_vec()),
    };
    super::load_providers(dir).map_err(|e| Error::Input(e.to_string()))
}

/// A previous `--format json` run (`--baseline`).
fn read_baseline(path: &Path) -> Result<MatrixReport, Error> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::Input(format!("cannot read {}: {e}", path.display())))?;
    serde_json::from_str(&text).map_err(|e| {
        Error::Input(format!(
            "{} is not an mcp-auth matrix JSON: {e}",
            path.display()
        ))
    })
}

/// Why `p`'s evidence has no live flow: the provider file and the
/// environment say (the same on a replay as when recorded, given the same
/// variables), or the target was not an MCP server.
fn live_why(p: &Provider, ev: &Evidence) -> String {
    match matrix_live::plan(p) {
        Plan::NotRun(why) => why,
        Plan::Run(_) if ev.target.kind != TargetKind::McpServer => {
            "the target was not found to be an MCP server".to_owned()
        }
        Plan::Run(_) => "not in this recording".to_owned(),
    }
}

/// Every provider's row, `--concurrency` at a time (fewer when the open-file
/// limit says so), with a progress bar for a table on a terminal.
async fn rows(
    providers: &[Entry],
    all: &[Provider],
    args: &MatrixArgs,
    template: &crate::probe::Prober,
) -> Vec<Row> {
    let requested = args.concurrency.unwrap_or(crate::cli::DEFAULT_CONCURRENCY);
    let concurrency = if args.replay.is_some() {
        // Evidence files: no sockets.
        requested.max(1)
    } else {
        concurrency_within_file_limit(requested, providers.len())
    };
    let bar = if std::io::stderr().is_terminal()
        && args.format.unwrap_or(MatrixFormat::Table) == MatrixFormat::Table
    {
        indicatif::ProgressBar::new(providers.len() as u64)
    } else {
        indicatif::ProgressBar::hidden()
    };
    let rows = futures::stream::iter(providers)
        .map(|p| {
            let bar = &bar;
            async move {
                let row = match evidence_for(p, args, template).await {
                    Ok(ev) => {
                        let checked = p.as_checked(&ev);
                        let why = ev.live.is_none().then(|| live_why(&checked, &ev));
                        Row::new(&checked, &crate::checks::grade_with(&ev, all), why)
                    }
                    Err(e) => Row::failed(&p.provider, e),
                };
                bar.inc(1);
                row
            }
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    bar.finish_and_clear();
    rows
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

//! `mcp-auth matrix --registry [URL]`: every remote MCP server a registry
//! lists, checked as an MCP server (metadata and probes only: no login, no
//! registration, no authorization request), one JSON Lines row each, written
//! and flushed as its check ends.
//!
//! settings → gather (the pages, lazily, as checks need servers; each
//! server's evidence within its budget) → grade (each server's evidence,
//! dropped once its row is made) → render (the row). Memory holds the rows
//! in flight and one page, not the run: 10,000 servers cost what 64 do.
//!
//! Politeness: requests wait for a slot of [`RequestLimits`] (so many in
//! flight in total, so many to one host by name); so many servers of one
//! host are checked at once; each server has a time budget; the User-Agent
//! names the project and its URL; a public registry's remotes are checked
//! only when https on a public host.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;

use super::registry_rows;
use crate::cli::{MatrixArgs, MatrixFormat, RegistryArgs};
use crate::evidence::registry::{self, Reach, RegistryTarget, Shard};
use crate::evidence::TargetHint;
use crate::exit::ExitStatus;
use crate::probe::{ProbeSettings, Prober, RequestLimits};
use crate::registry::{Pager, RegistryError};
use crate::report::registry::RegistryRow;
use crate::Error;

/// A registry page may be this large (a page of 100 servers is ~200 KiB).
const PAGE_CAP: usize = 16 * 1024 * 1024;

/// What the run does, from the command line.
struct Plan {
    base: String,
    reach: Reach,
    shard: Option<Shard>,
    done: BTreeSet<String>,
    concurrency: usize,
    budget: Duration,
    max_servers: Option<usize>,
    page_size: u32,
}

/// One listed remote: to check, or a row already (skipped).
enum Work {
    Check(RegistryTarget),
    Row(RegistryRow),
}

/// The registry's pages as a lazy stream of work; a failed walk ends it and
/// leaves its error in `failure`.
fn listing(
    plan: &Plan,
    prober: Prober,
    failure: Arc<std::sync::Mutex<Option<RegistryError>>>,
) -> impl futures::Stream<Item = Work> + '_ {
    let pager = Pager::new(&plan.base, plan.page_size, None);
    let state = (pager, BTreeSet::<String>::new(), VecDeque::<Work>::new());
    futures::stream::unfold(state, move |(mut pager, mut seen, mut queue)| {
        let prober = prober.clone();
        let failure = failure.clone();
        async move {
            while queue.is_empty() {
                match pager.next(&prober).await {
                    Ok(Some(page)) => {
                        let (keep, skipped) =
                            registry::targets(&page.servers, &mut seen, plan.reach);
                        queue.extend(keep.into_iter().map(Work::Check));
                        queue.extend(skipped.iter().filter(|s| s.is_row()).map(|s| {
                            let url = s.url().unwrap_or_default();
                            Work::Row(RegistryRow::skipped(s.name(), url, s.to_string()))
                        }));
                        for s in skipped.iter().filter(|s| !s.is_row()) {
                            tracing::debug!("registry: {s}");
                        }
                    }
                    Ok(None) => return None,
                    Err(e) => {
                        *failure.lock().unwrap_or_else(|e| e.into_inner()) = Some(e);
                        return None;
                    }
                }
            }
            queue.pop_front().map(|w| (w, (pager, seen, queue)))
        }
    })
    .filter(move |w| {
        let url = match w {
            Work::Check(t) => t.url.as_str(),
            Work::Row(r) => r.url.as_str(),
        };
        let keep = plan.shard.map_or(true, |s| s.has(url)) && !plan.done.contains(url);
        std::future::ready(keep)
    })
}

/// One server's row: its evidence within the budget, graded, then dropped.
async fn check(
    target: RegistryTarget,
    template: &Prober,
    servers: &RequestLimits,
    budget: Duration,
) -> RegistryRow {
    let (name, url_text) = (target.name.as_str(), target.url.as_str());
    // So many servers of one host at once; the budget starts after the wait.
    let _turn = servers.acquire(url_text).await;
    let started = Instant::now();
    let elapsed = || u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let url = match crate::discovery::parse_http_url(url_text) {
        Ok(url) => url,
        Err(e) => return RegistryRow::skipped(name, url_text, e.to_string()),
    };
    let prober = match template.with_new_pool() {
        Ok(p) => p,
        Err(e) => return RegistryRow::without_verdict(name, url_text, e.to_string(), 0),
    };
    let gathered = tokio::time::timeout(
        budget,
        crate::gather::url_evidence(
            &prober,
            &url,
            url_text,
            TargetHint::Mcp,
            crate::gather::Settings::default(),
            None,
        ),
    )
    .await;
    match gathered {
        Ok(ev) => {
            let graded = crate::checks::grade_with(&ev, crate::providers::embedded());
            RegistryRow::new(name, url_text, &graded, elapsed())
        }
        Err(_) => RegistryRow::without_verdict(
            name,
            url_text,
            format!(
                "no verdict within {} s (--server-timeout)",
                budget.as_secs_f64()
            ),
            elapsed(),
        ),
    }
}

/// The plan, from the arguments and the `--resume` file.
fn plan(
    args: &MatrixArgs,
    r: &RegistryArgs,
    base: &str,
) -> Result<(Plan, Option<registry_rows::RowFile>), Error> {
    if let Some(f) = args.format.filter(|f| *f != MatrixFormat::Jsonl) {
        return Err(Error::Input(format!(
            "matrix --registry writes JSON Lines only (not --format {}); render its rows with \
             `mcp-auth matrix merge FILE --format html|markdown|json`",
            clap::ValueEnum::to_possible_value(&f)
                .map_or_else(String::new, |v| v.get_name().to_owned())
        )));
    }
    let url = crate::discovery::parse_http_url(base)
        .map_err(|e| Error::Input(format!("--registry: {e}")))?;
    // A --resume file that does not exist yet is a run from the start.
    let resumed = r
        .resume
        .as_deref()
        .map(|p| match p.exists() {
            true => registry_rows::read(p),
            false => Ok(registry_rows::RowFile::default()),
        })
        .transpose()?;
    let done = resumed
        .iter()
        .flat_map(|f| f.rows.iter().map(|row| row.url.clone()))
        .collect();
    let plan = Plan {
        base: url.as_str().trim_end_matches('/').to_owned(),
        reach: Reach::of_registry(url.as_str()),
        shard: r.shard,
        done,
        // Servers of a registry are many: as many at once as the open-file
        // limit holds (raised towards its hard limit first).
        concurrency: super::matrix::concurrency_within_file_limit(
            args.concurrency
                .unwrap_or(crate::cli::DEFAULT_REGISTRY_CONCURRENCY),
            usize::MAX,
        ),
        budget: Duration::from_secs_f64(args.provider_timeout),
        max_servers: r.max_servers,
        page_size: r.page_size,
    };
    Ok((plan, resumed))
}

/// Where the rows go: `--resume`'s file (appended), `--output`, or stdout.
fn sink<'a>(
    r: &RegistryArgs,
    resumed: Option<&registry_rows::RowFile>,
    out: &'a mut dyn Write,
) -> Result<Box<dyn Write + 'a>, Error> {
    if let (Some(path), Some(file)) = (&r.resume, resumed) {
        return Ok(Box::new(std::io::BufWriter::new(registry_rows::append(
            path, file,
        )?)));
    }
    if let Some(path) = &r.output {
        let f = std::fs::File::create(path)
            .map_err(|e| Error::Input(format!("cannot create {}: {e}", path.display())))?;
        return Ok(Box::new(std::io::BufWriter::new(f)));
    }
    Ok(Box::new(out))
}

pub async fn run(
    args: &MatrixArgs,
    r: &RegistryArgs,
    base: &str,
    out: &mut dyn Write,
) -> Result<ExitStatus, Error> {
    let (plan, resumed) = plan(args, r, base)?;
    let mut sink = sink(r, resumed.as_ref(), out)?;
    let requests = RequestLimits::new(r.max_requests, r.per_host);
    let servers = RequestLimits::new(plan.concurrency, r.per_host);
    let template = Prober::new(crate::settings::probe(&args.net))?.limited(requests.clone());
    let pages = Prober::new(ProbeSettings {
        body_cap: PAGE_CAP,
        ..crate::settings::probe(&args.net)
    })?
    .limited(requests);
    let failure = Arc::new(std::sync::Mutex::new(None));
    let started = Instant::now();
    let bar = progress_bar();
    let mut checked = 0usize;
    let work = listing(&plan, pages, failure.clone())
        .take_while(|w| {
            let more = match w {
                Work::Check(_) => {
                    checked += 1;
                    plan.max_servers.map_or(true, |max| checked <= max)
                }
                Work::Row(_) => true,
            };
            std::future::ready(more)
        })
        .map(|w| {
            let (template, servers) = (&template, &servers);
            async move {
                match w {
                    Work::Check(t) => check(t, template, servers, plan.budget).await,
                    Work::Row(row) => row,
                }
            }
        })
        .buffer_unordered(plan.concurrency);
    let mut counts = BTreeMap::new();
    futures::pin_mut!(work);
    while let Some(row) = work.next().await {
        registry_rows::write_row(&mut *sink, &row)?;
        *counts.entry(row.access.as_str()).or_insert(0usize) += 1;
        bar.inc(1);
    }
    bar.finish_and_clear();
    drop(sink);
    let failure = failure.lock().unwrap_or_else(|e| e.into_inner()).take();
    closing_line(
        &counts,
        plan.done.len(),
        started.elapsed(),
        failure.as_ref(),
        r,
    );
    Ok(if failure.is_some() {
        ExitStatus::Unreachable
    } else {
        ExitStatus::Ok
    })
}

fn progress_bar() -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {pos} servers checked ({elapsed})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

/// What the run did, on stderr: the rows by access, what a resume skipped,
/// the time, and why the walk stopped early (the rows so far are kept).
fn closing_line(
    counts: &BTreeMap<&str, usize>,
    resumed: usize,
    took: Duration,
    failure: Option<&RegistryError>,
    r: &RegistryArgs,
) {
    let rows: usize = counts.values().sum();
    let by: Vec<String> = counts.iter().map(|(k, n)| format!("{n} {k}")).collect();
    let mut line = format!(
        "registry: {rows} rows ({}) in {:.1} s",
        by.join(", "),
        took.as_secs_f64()
    );
    if resumed > 0 {
        line.push_str(&format!("; {resumed} already in the --resume file"));
    }
    eprintln!("{line}");
    if let Some(e) = failure {
        let again = match (&r.resume, &r.output) {
            (Some(p), _) | (None, Some(p)) => format!("--resume {}", p.display()),
            (None, None) => "--output FILE, then --resume FILE,".to_owned(),
        };
        eprintln!(
            "error: the registry walk stopped: {e}; the {rows} rows above are kept (run again with {again} to go on)"
        );
    }
}

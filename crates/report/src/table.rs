//! The human report: comfy-table tables and a summary line. Formats only.

use std::io::{self, Write};

use colored::Colorize;
use comfy_table::{presets, Attribute, Cell, Color, ContentArrangement, Table};

use super::{CorsRow, DiscoveryReport, Report, ResourceReport, StepVerdict, StoryStep};
use crate::checks::clients::ClientFamily;
use crate::checks::{Finding, Status};
use crate::evidence::AsRole;

/// How to draw: decided once, from `--color`, NO_COLOR and the terminal.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
    /// stdout is a terminal (comfy-table then finds its width).
    pub tty: bool,
}

/// Width used when the output is not a terminal.
const PIPE_WIDTH: u16 = 160;

pub fn new_table(style: Style) -> Table {
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic);
    if style.color {
        t.enforce_styling();
    }
    if !style.tty {
        t.set_width(PIPE_WIDTH);
    }
    t
}

pub fn header(t: &mut Table, names: &[&str], style: Style) {
    t.set_header(names.iter().map(|n| {
        let c = Cell::new(n);
        if style.color {
            c.add_attribute(Attribute::Bold)
        } else {
            c
        }
    }));
}

pub(crate) fn status_cell(status: Status, style: Style) -> Cell {
    let cell = Cell::new(status.as_str().to_uppercase());
    if !style.color {
        return cell;
    }
    match status {
        Status::Pass => cell.fg(Color::Green),
        Status::Info => cell.fg(Color::Cyan),
        Status::Warn => cell.fg(Color::Yellow),
        Status::Fail => cell.fg(Color::Red).add_attribute(Attribute::Bold),
        Status::Skip => cell.fg(Color::DarkGrey),
    }
}

fn heading(text: &str, style: Style) -> String {
    if style.color {
        text.bold().to_string()
    } else {
        text.to_owned()
    }
}

fn dash<T: ToString>(v: Option<T>) -> String {
    v.map_or("–".to_owned(), |x| x.to_string())
}

fn ms(v: Option<u64>) -> String {
    v.map_or("–".to_owned(), |ms| format!("{ms} ms"))
}

/// The whole report.
pub fn render(report: &Report, style: Style, out: &mut dyn Write) -> io::Result<()> {
    title(report, style, out)?;
    story(&report.story, style, out)?;
    if let Some(r) = &report.resource {
        resource(r, style, out)?;
    }
    authorization_servers(report, style, out)?;
    if let Some(r) = &report.resource {
        clients_table("Clients, end to end", &r.clients, style, out)?;
    }
    cors(&report.cors, style, out)?;
    checks(report, style, out)?;
    registered_client(report, out)?;
    writeln!(out)?;
    writeln!(out, "{}", summary_line(report, style))
}

/// The heading, and the provider the target was recognised as.
fn title(report: &Report, style: Style, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "{}",
        heading(
            &format!(
                "mcp-auth check {} ({})",
                report.target.input,
                report.target.kind.label()
            ),
            style
        )
    )?;
    if let Some(p) = &report.provider {
        writeln!(
            out,
            "provider: {} (recognised from its URL; docs: {})",
            p.name, p.docs
        )?;
    }
    Ok(())
}

/// The steps of the flow, one line each (with a continuation line for the
/// authorization server and a note), fitting 80 columns.
fn story(steps: &[StoryStep], style: Style, out: &mut dyn Write) -> io::Result<()> {
    if steps.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(out, "{}", heading("Flow", style))?;
    let width = steps
        .iter()
        .map(|s| s.step.label().len())
        .max()
        .unwrap_or(0);
    let indent = " ".repeat(3 + width + 2 + 7 + 2);
    for (i, s) in steps.iter().enumerate() {
        let verdict = format!("{:<7}", s.verdict.as_str().to_uppercase());
        let verdict = if style.color {
            match s.verdict {
                StepVerdict::Pass => verdict.green().to_string(),
                StepVerdict::Warn => verdict.yellow().to_string(),
                StepVerdict::Fail => verdict.red().bold().to_string(),
                StepVerdict::NotRun => verdict.dimmed().to_string(),
            }
        } else {
            verdict
        };
        let mut rest: Vec<String> = s.check.iter().cloned().collect();
        rest.extend(s.subject.as_ref().map(|a| format!("at {a}")));
        rest.extend(s.note.clone());
        let mut rest = rest.into_iter();
        let first = rest.next().unwrap_or_default();
        let line = format!("{}. {:<width$}  {verdict}  {first}", i + 1, s.step.label());
        writeln!(out, "{}", line.trim_end())?;
        for more in rest {
            writeln!(out, "{indent}{more}")?;
        }
    }
    Ok(())
}

/// The MCP server's answer without a token, and its protected resource metadata.
fn resource(r: &ResourceReport, style: Style, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out)?;
    writeln!(out, "{}", heading("Protected resource", style))?;
    match (r.status, &r.error) {
        (Some(s), _) => writeln!(out, "POST {} without a token → {s}", r.url)?,
        (None, e) => writeln!(
            out,
            "POST {} without a token → no response ({})",
            r.url,
            e.as_deref().unwrap_or("unknown")
        )?,
    }
    for v in &r.www_authenticate {
        writeln!(out, "WWW-Authenticate: {v}")?;
    }
    if r.status == Some(401) && r.www_authenticate.is_empty() {
        writeln!(out, "(no WWW-Authenticate header)")?;
    }
    prm_table(r, style, out)
}

fn prm_table(r: &ResourceReport, style: Style, out: &mut dyn Write) -> io::Result<()> {
    let mut t = new_table(style);
    header(
        &mut t,
        &["Source", "URL", "Status", "Time", "Result"],
        style,
    );
    for p in &r.prm_attempts {
        let mut result = p.outcome.summary();
        if let Some(res) = &p.resource {
            result.push_str(&format!("\nresource: {res}"));
        }
        if let Some(list) = &p.authorization_servers {
            result.push_str(&format!("\nauthorization_servers: {}", list.join(", ")));
        }
        if r.metadata_url.as_deref() == Some(p.url.as_str()) {
            result.push_str("\n← used");
        }
        t.add_row(vec![
            Cell::new(p.label()),
            Cell::new(&p.url),
            Cell::new(dash(p.status)),
            Cell::new(ms(p.elapsed_ms)),
            Cell::new(result),
        ]);
    }
    writeln!(out, "{t}")
}

/// Discovery of each authorization server, with the clients that use it.
fn authorization_servers(report: &Report, style: Style, out: &mut dyn Write) -> io::Result<()> {
    for (i, d) in std::iter::once(&report.discovery)
        .chain(&report.additional_authorization_servers)
        .enumerate()
    {
        writeln!(out)?;
        let title = match (report.resource.is_some(), d.role) {
            (false, _) => "Discovery".to_owned(),
            (true, AsRole::Legacy) => {
                "Authorization server at the MCP origin (legacy 2025-03-26 chain)".to_owned()
            }
            (true, _) => format!("Authorization server #{}", i + 1),
        };
        writeln!(out, "{}", heading(&title, style))?;
        if let Some(issuer) = &d.expected_issuer {
            writeln!(out, "expected issuer: {issuer}")?;
        }
        discovery_table(d, style, out)?;
        if report.resource.is_none() {
            clients_table("Clients", &d.clients, style, out)?;
        } else {
            // Logto's library runs in the MCP server: how it would fetch this server's config.
            let seeds: Vec<_> = d
                .clients
                .iter()
                .filter(|c| c.id.family() == ClientFamily::Logto)
                .cloned()
                .collect();
            clients_table(
                "Logto mcp-auth in the MCP server (fetchServerConfig)",
                &seeds,
                style,
                out,
            )?;
        }
    }
    Ok(())
}

/// The CORS headers of every probed endpoint.
fn cors(rows: &[CorsRow], style: Style, out: &mut dyn Write) -> io::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(
        out,
        "{}",
        heading(
            &format!(
                "CORS (as a browser at {})",
                crate::evidence::requests::CORS_ORIGIN
            ),
            style
        )
    )?;
    let mut t = new_table(style);
    header(
        &mut t,
        &[
            "Endpoint",
            "Request",
            "Status",
            "Allow-Origin",
            "Allow-Headers",
            "Expose-Headers",
        ],
        style,
    );
    for c in rows {
        t.add_row(vec![
            Cell::new(c.label()),
            Cell::new(format!("{} {}", c.method, c.url)),
            Cell::new(dash(c.status)),
            Cell::new(dash(c.allow_origin.as_deref())),
            Cell::new(dash(c.allow_headers.as_deref())),
            Cell::new(dash(c.expose_headers.as_deref())),
        ]);
    }
    writeln!(out, "{t}")
}

/// Checks, one table per subject (the MCP server, then each authorization server).
fn checks(report: &Report, style: Style, out: &mut dyn Write) -> io::Result<()> {
    let mut subjects: Vec<Option<&str>> = Vec::new();
    for f in &report.checks {
        if !subjects.contains(&f.subject.as_deref()) {
            subjects.push(f.subject.as_deref());
        }
    }
    for subject in subjects {
        writeln!(out)?;
        let title = match (subject, report.resource.is_some()) {
            (None, true) => "Checks: MCP server".to_owned(),
            (None, false) => "Checks".to_owned(),
            (Some(s), _) => format!("Checks: authorization server {s}"),
        };
        writeln!(out, "{}", heading(&title, style))?;
        let findings = report
            .checks
            .iter()
            .filter(|f| f.subject.as_deref() == subject);
        checks_table(findings, style, out)?;
    }
    Ok(())
}

fn checks_table<'a>(
    findings: impl Iterator<Item = &'a Finding>,
    style: Style,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut t = new_table(style);
    header(&mut t, &["Status", "Level", "Check", "Detail"], style);
    for f in findings {
        let mut detail = f.detail.clone();
        if !matches!(f.status, Status::Pass | Status::Skip) {
            detail.push_str(&format!("\nfix: {}", f.hint));
            if let Some(p) = &f.provider_hint {
                detail.push_str(&format!("\nknown quirk of {p}"));
            }
            detail.push_str(&format!("\nspec: {}", f.spec));
        }
        t.add_row(vec![
            status_cell(f.status, style),
            Cell::new(f.level.as_str()),
            Cell::new(format!("{}\n{}", f.id, f.title)),
            Cell::new(detail),
        ]);
    }
    writeln!(out, "{t}")
}

/// The client `--register` registered, for reuse with `login`.
fn registered_client(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    if let Some(id) = &report.registered_client_id {
        writeln!(out)?;
        writeln!(
            out,
            "Registered client_id {id} (redirect URI http://127.0.0.1:{}/callback); reuse it with `mcp-auth login --client-id {id}`",
            crate::evidence::requests::PROBE_REDIRECT_PORT
        )?;
    }
    Ok(())
}

fn discovery_table(d: &DiscoveryReport, style: Style, out: &mut dyn Write) -> io::Result<()> {
    let mut t = new_table(style);
    header(
        &mut t,
        &["#", "Rule", "URL", "Status", "Type", "Time", "Result"],
        style,
    );
    for (label, a) in d.labelled_attempts() {
        let mut result = a.outcome.summary();
        if let Some(issuer) = &a.issuer {
            result.push_str(&format!("\nissuer: {issuer}"));
        }
        if d.metadata_url.as_deref() == Some(a.url.as_str()) {
            result.push_str("\n← graded");
        }
        t.add_row(vec![
            Cell::new(label),
            Cell::new(a.kind.label()),
            Cell::new(&a.url),
            Cell::new(dash(a.status)),
            Cell::new(a.media_type().unwrap_or_else(|| "–".to_owned())),
            Cell::new(ms(a.elapsed_ms)),
            Cell::new(result),
        ]);
    }
    writeln!(out, "{t}")
}

fn clients_table(
    title: &str,
    clients: &[crate::checks::clients::ClientPath],
    style: Style,
    out: &mut dyn Write,
) -> io::Result<()> {
    if clients.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(out, "{}", heading(title, style))?;
    let mut t = new_table(style);
    header(&mut t, &["Client", "Works", "How"], style);
    for c in clients {
        let works = Cell::new(if c.works { "yes" } else { "no" });
        let works = match (style.color, c.works) {
            (false, _) => works,
            (true, true) => works.fg(Color::Green),
            (true, false) => works.fg(Color::Red),
        };
        t.add_row(vec![Cell::new(&c.client), works, Cell::new(&c.detail)]);
    }
    writeln!(out, "{t}")
}

/// "Summary: N pass, N info, N warn, N fail, N skip".
pub fn summary_line(report: &Report, style: Style) -> String {
    let s = &report.summary;
    let paint = |n: usize, word: &str, color: fn(String) -> colored::ColoredString| {
        let text = format!("{n} {word}");
        if style.color && n > 0 {
            color(text).to_string()
        } else {
            text
        }
    };
    format!(
        "Summary: {}, {}, {}, {}, {}",
        paint(s.pass, "pass", |t| t.green()),
        paint(s.info, "info", |t| t.cyan()),
        paint(s.warn, "warn", |t| t.yellow()),
        paint(s.fail, "fail", |t| t.red().bold()),
        paint(s.skip, "skip", |t| t.dimmed()),
    )
}

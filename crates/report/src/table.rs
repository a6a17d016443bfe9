//! The human report: comfy-table tables and a summary line. Formats only.

use std::io::{self, Write};

use colored::Colorize;
use comfy_table::{presets, Attribute, Cell, ContentArrangement, Table};

use crate::layout::{hanging, Grid, Paint, Row};

use super::{CorsRow, DiscoveryReport, Report, ResourceReport, StepVerdict, StoryStep};
use crate::checks::clients::{ClientPath, ProfileKind};
use crate::checks::{Answer, Status};
use crate::evidence::AsRole;

/// How to draw: decided once, from `--color`, NO_COLOR, `COLUMNS` and the
/// terminal.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
    /// stdout is a terminal.
    pub tty: bool,
    /// The columns to lay out in (`COLUMNS`, the terminal's, or a default).
    pub width: usize,
}

impl Style {
    /// Plain text at `width` columns.
    pub fn plain(width: usize) -> Self {
        Self {
            color: false,
            tty: false,
            width,
        }
    }
}

pub fn new_table(style: Style) -> Table {
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic);
    if style.color {
        t.enforce_styling();
    }
    t.set_width(style.width.clamp(20, u16::MAX as usize) as u16);
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

pub(crate) fn heading(text: &str, style: Style) -> String {
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

/// The whole report; `all` shows every check, not only what needs attention.
pub fn render(report: &Report, style: Style, all: bool, out: &mut dyn Write) -> io::Result<()> {
    lines(out, verdict_lines(report, style))?;
    title(report, style, out)?;
    story(&report.story, style, out)?;
    if let Some(r) = &report.resource {
        resource(r, style, out)?;
    }
    authorization_servers(report, style, out)?;
    if let Some(r) = &report.resource {
        clients_table("Clients, end to end", false, &r.clients, style, out)?;
        clients_table("Hosts, end to end", true, &r.clients, style, out)?;
    }
    cors(&report.cors, style, out)?;
    crate::attention::checks(report, style, all, out)?;
    registered_client(report, style, out)?;
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
        let text = format!("{} (recognised from its URL; docs: {})", p.name, p.docs);
        lines(out, hanging("provider: ", 2, &text, style.width))?;
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

/// Write lines.
pub(crate) fn lines(out: &mut dyn Write, lines: Vec<String>) -> io::Result<()> {
    for l in lines {
        writeln!(out, "{l}")?;
    }
    Ok(())
}

/// The paint of a check status.
pub(crate) fn status_paint(status: Status) -> Paint {
    match status {
        Status::Pass => Paint::Green,
        Status::Info => Paint::Cyan,
        Status::Warn => Paint::Yellow,
        Status::Fail => Paint::Red,
        Status::Skip => Paint::Dim,
    }
}

/// The MCP server's answer without a token, and its protected resource metadata.
fn resource(r: &ResourceReport, style: Style, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out)?;
    writeln!(out, "{}", heading("Protected resource", style))?;
    let answer = match (r.status, &r.error) {
        (Some(s), _) => format!("{s}"),
        (None, e) => format!("no response ({})", e.as_deref().unwrap_or("unknown")),
    };
    let text = format!("POST {} without a token → {answer}", r.url);
    lines(out, hanging("", 2, &text, style.width))?;
    for v in &r.www_authenticate {
        lines(out, hanging("WWW-Authenticate: ", 2, v, style.width))?;
    }
    if r.status == Some(401) && r.www_authenticate.is_empty() {
        writeln!(out, "(no WWW-Authenticate header)")?;
    }
    writeln!(out)?;
    prm_table(r, style, out)
}

fn prm_table(r: &ResourceReport, style: Style, out: &mut dyn Write) -> io::Result<()> {
    let mut g = Grid::new(&["Source", "Status", "Time", "Result"]);
    for p in &r.prm_attempts {
        let mut url = p.url.clone();
        if r.metadata_url.as_deref() == Some(p.url.as_str()) {
            url.push_str(" ← used");
        }
        let row = Row::new([
            p.label(),
            dash(p.status),
            ms(p.elapsed_ms),
            p.outcome.summary(),
        ]);
        let mut row = row.below(url);
        if let Some(res) = &p.resource {
            row = row.below(format!("resource: {res}"));
        }
        if let Some(list) = &p.authorization_servers {
            row = row.below(format!("authorization_servers: {}", list.join(", ")));
        }
        g.push(row);
    }
    g.write(style.width, style.color, out)
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
        lines(out, hanging("", 2, &heading(&title, style), style.width))?;
        if let Some(issuer) = &d.expected_issuer {
            lines(out, hanging("expected issuer: ", 2, issuer, style.width))?;
        }
        discovery_table(d, style, out)?;
        if report.resource.is_none() {
            clients_table("Clients", false, &d.clients, style, out)?;
            clients_table("Hosts", true, &d.clients, style, out)?;
        } else {
            // Logto's library runs in the MCP server: how it would fetch this server's config.
            let seeds: Vec<_> = d
                .clients
                .iter()
                .filter(|c| c.kind == ProfileKind::Library)
                .cloned()
                .collect();
            clients_table(
                "Logto mcp-auth in the MCP server (fetchServerConfig)",
                false,
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
    let title = format!(
        "CORS (as a browser at {})",
        crate::evidence::requests::CORS_ORIGIN
    );
    writeln!(out, "{}", heading(&title, style))?;
    let values = |c: &CorsRow| {
        [
            dash(c.status),
            dash(c.allow_origin.as_deref()),
            dash(c.allow_headers.as_deref()),
            dash(c.expose_headers.as_deref()),
        ]
    };
    let names = ["Status", "Allow-Origin", "Allow-Headers", "Expose-Headers"];
    // The endpoint's name in a column when that fits, else under the row
    // with its request.
    let mut g = Grid::new(&[&["Endpoint"][..], &names[..]].concat());
    for c in rows {
        let cells = std::iter::once(c.label().to_owned()).chain(values(c));
        g.push(Row::new(cells).below(format!("{} {}", c.method, c.url)));
    }
    if g.natural_width() > style.width {
        g = Grid::new(&names);
        for c in rows {
            g.push(Row::new(values(c)).below(format!("{}: {} {}", c.label(), c.method, c.url)));
        }
    }
    g.write(style.width, style.color, out)
}

/// The client `--register` registered, for reuse with `login`.
fn registered_client(report: &Report, style: Style, out: &mut dyn Write) -> io::Result<()> {
    if let Some(id) = &report.registered_client_id {
        writeln!(out)?;
        let text = format!(
            "Registered client_id {id} (redirect URI http://127.0.0.1:{}/callback); reuse it with `mcp-auth login --client-id {id}`",
            crate::evidence::requests::PROBE_REDIRECT_PORT
        );
        lines(out, hanging("", 2, &text, style.width))?;
    }
    Ok(())
}

fn discovery_table(d: &DiscoveryReport, style: Style, out: &mut dyn Write) -> io::Result<()> {
    let mut g = Grid::new(&["#", "Rule", "Status", "Type", "Time", "Result"]);
    g.indent = 3;
    for (label, a) in d.labelled_attempts() {
        let mut url = a.url.clone();
        if d.metadata_url.as_deref() == Some(a.url.as_str()) {
            url.push_str(" ← graded");
        }
        let mut row = Row::new([
            label,
            a.kind.label().to_owned(),
            dash(a.status),
            a.media_type().unwrap_or_else(|| "–".to_owned()),
            ms(a.elapsed_ms),
            a.outcome.summary(),
        ])
        .below(url);
        if let Some(issuer) = &a.issuer {
            row = row.below(format!("issuer: {issuer}"));
        }
        g.push(row);
    }
    g.write(style.width, style.color, out)
}

/// The client rows under `title`: the hosts (`hosts`), or the spec
/// clients, SDKs and libraries.
fn clients_table(
    title: &str,
    hosts: bool,
    all: &[ClientPath],
    style: Style,
    out: &mut dyn Write,
) -> io::Result<()> {
    let clients: Vec<&ClientPath> = all
        .iter()
        .filter(|c| (c.kind == ProfileKind::Host) == hosts)
        .collect();
    if clients.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(out, "{}", heading(title, style))?;
    let mut g = Grid::new(&[]);
    g.header.clear();
    g.indent = 5;
    for c in clients {
        let (works, paint) = if c.works {
            ("yes", Paint::Green)
        } else {
            ("no", Paint::Red)
        };
        g.push(
            Row::new([works.to_owned(), c.client.clone()])
                .paint(0, paint)
                .below(&c.detail),
        );
    }
    g.write(style.width, style.color, out)
}

/// The answer the report opens with, wrapped, coloured by what it says.
pub fn verdict_lines(report: &Report, style: Style) -> Vec<String> {
    let lines = hanging("", 2, &report.verdict.text, style.width);
    if !style.color {
        return lines;
    }
    let paint = |l: String| match report.verdict.answer {
        Answer::WillWork => l.green().bold().to_string(),
        Answer::Partly => l.yellow().bold().to_string(),
        Answer::WillFail => l.red().bold().to_string(),
    };
    lines.into_iter().map(paint).collect()
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

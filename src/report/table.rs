//! The human report: comfy-table tables and a summary line. Formats only.

use std::io::{self, Write};

use colored::Colorize;
use comfy_table::{presets, Attribute, Cell, Color, ContentArrangement, Table};

use super::Report;
use crate::checks::Status;

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

fn status_cell(status: Status, style: Style) -> Cell {
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

/// The whole report.
pub fn render(report: &Report, style: Style, out: &mut dyn Write) -> io::Result<()> {
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
    if let Some(issuer) = &report.discovery.expected_issuer {
        writeln!(out, "expected issuer: {issuer}")?;
    }
    writeln!(out)?;

    writeln!(out, "{}", heading("Discovery", style))?;
    let mut t = new_table(style);
    header(
        &mut t,
        &["#", "Rule", "URL", "Status", "Type", "Time", "Result"],
        style,
    );
    let mut n = 0;
    for a in &report.discovery.attempts {
        let label = if a.spec_candidate {
            n += 1;
            n.to_string()
        } else {
            "–".to_owned()
        };
        let used = report.discovery.metadata_url.as_deref() == Some(a.url.as_str());
        let mut result = a.outcome.summary();
        if let Some(issuer) = &a.issuer {
            result.push_str(&format!("\nissuer: {issuer}"));
        }
        if used {
            result.push_str("\n← graded");
        }
        t.add_row(vec![
            Cell::new(label),
            Cell::new(a.kind.label()),
            Cell::new(&a.url),
            Cell::new(a.status.map_or("–".to_owned(), |s| s.to_string())),
            Cell::new(a.media_type().unwrap_or_else(|| "–".to_owned())),
            Cell::new(a.elapsed_ms.map_or("–".to_owned(), |ms| format!("{ms} ms"))),
            Cell::new(result),
        ]);
    }
    writeln!(out, "{t}")?;

    if !report.discovery.clients.is_empty() {
        writeln!(out)?;
        writeln!(out, "{}", heading("Clients", style))?;
        let mut t = new_table(style);
        header(&mut t, &["Client", "Works", "How"], style);
        for c in &report.discovery.clients {
            let works = Cell::new(if c.works { "yes" } else { "no" });
            let works = match (style.color, c.works) {
                (false, _) => works,
                (true, true) => works.fg(Color::Green),
                (true, false) => works.fg(Color::Red),
            };
            t.add_row(vec![Cell::new(&c.client), works, Cell::new(&c.detail)]);
        }
        writeln!(out, "{t}")?;
    }

    writeln!(out)?;
    writeln!(out, "{}", heading("Checks", style))?;
    let mut t = new_table(style);
    header(&mut t, &["Status", "Level", "Check", "Detail"], style);
    for f in &report.checks {
        let mut detail = f.detail.clone();
        if !matches!(f.status, Status::Pass | Status::Skip) {
            detail.push_str(&format!("\nfix: {}\nspec: {}", f.hint, f.spec));
        }
        t.add_row(vec![
            status_cell(f.status, style),
            Cell::new(f.level.as_str()),
            Cell::new(format!("{}\n{}", f.id, f.title)),
            Cell::new(detail),
        ]);
    }
    writeln!(out, "{t}")?;
    writeln!(out)?;
    writeln!(out, "{}", summary_line(report, style))
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

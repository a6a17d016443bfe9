//! The checks of a table report: by default what needs attention (failures
//! and warnings with their fixes, infos one line each) and the rest as counts
//! per group; `--all` every row. Formats only.

use std::io::{self, Write};

use crate::checks::{Finding, Status};
use crate::layout::{hanging, one_line};
use crate::table::{heading, lines, status_paint, Style};
use crate::Report;

/// Status and level take this many columns.
const LEAD: usize = 14;

/// Checks, one group per subject (the MCP server, then each authorization server).
pub fn checks(report: &Report, style: Style, all: bool, out: &mut dyn Write) -> io::Result<()> {
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
        let group: Vec<&Finding> = report
            .checks
            .iter()
            .filter(|f| f.subject.as_deref() == subject)
            .collect();
        group_lines(&group, style, all, out)?;
    }
    Ok(())
}

fn rank(s: Status) -> u8 {
    match s {
        Status::Fail => 0,
        Status::Warn => 1,
        Status::Info => 2,
        Status::Pass => 3,
        Status::Skip => 4,
    }
}

fn group_lines(group: &[&Finding], style: Style, all: bool, out: &mut dyn Write) -> io::Result<()> {
    if all {
        for f in group {
            finding(f, style, out)?;
        }
        return Ok(());
    }
    let mut shown: Vec<&&Finding> = group
        .iter()
        .filter(|f| matches!(f.status, Status::Fail | Status::Warn | Status::Info))
        .collect();
    shown.sort_by_key(|f| rank(f.status));
    for f in shown {
        if f.status == Status::Info {
            info(f, style, out)?;
        } else {
            finding(f, style, out)?;
        }
    }
    let rest = counts(group);
    if !rest.is_empty() {
        lines(
            out,
            hanging("", 2, &format!("{rest} (--all shows them)"), style.width),
        )?;
    }
    Ok(())
}

/// "STATUS LEVEL  " painted, padded to [`LEAD`].
fn lead(f: &Finding, style: Style) -> String {
    let status = format!("{:<6}", f.status.as_str().to_uppercase());
    format!(
        "{}{:<8}",
        status_paint(f.status).apply(&status, style.color),
        f.level.as_str()
    )
}

/// A finding in full: id and title, then its detail, and for anything but
/// a pass or skip its fix and spec.
fn finding(f: &Finding, style: Style, out: &mut dyn Write) -> io::Result<()> {
    let pad = " ".repeat(LEAD);
    // The lead is measured without its colour codes.
    let plain = format!(
        "{:<6}{:<8}{}  ",
        f.status.as_str().to_uppercase(),
        f.level.as_str(),
        f.id
    );
    let mut title = hanging(&plain, LEAD + 2, &f.title, style.width);
    if let Some(first) = title.first_mut() {
        *first = format!("{}{}", lead(f, style), &first[LEAD..]);
    }
    lines(out, title)?;
    if !f.detail.is_empty() {
        lines(out, hanging(&pad, LEAD + 2, &f.detail, style.width))?;
    }
    if !matches!(f.status, Status::Pass | Status::Skip) {
        lines(
            out,
            hanging(&format!("{pad}fix: "), LEAD + 2, &f.hint, style.width),
        )?;
        if let Some(p) = &f.provider_hint {
            lines(
                out,
                hanging(&format!("{pad}known quirk of "), LEAD + 2, p, style.width),
            )?;
        }
        lines(
            out,
            hanging(&format!("{pad}spec: "), LEAD + 2, &f.spec, style.width),
        )?;
    }
    Ok(())
}

/// An info in one line: its id and detail, cut at a word.
fn info(f: &Finding, style: Style, out: &mut dyn Write) -> io::Result<()> {
    let prefix = format!("{}  ", f.id);
    let room = style.width.saturating_sub(LEAD + prefix.chars().count());
    writeln!(
        out,
        "{}{prefix}{}",
        lead(f, style),
        one_line(&f.detail, room.max(10))
    )
}

/// "22 pass, 4 skip (3 not probed, 1 the endpoint is not advertised)".
fn counts(group: &[&Finding]) -> String {
    let pass = group.iter().filter(|f| f.status == Status::Pass).count();
    let skips: Vec<&&Finding> = group.iter().filter(|f| f.status == Status::Skip).collect();
    let mut reasons: Vec<(String, usize)> = Vec::new();
    for f in &skips {
        let reason = f
            .detail
            .split(':')
            .next()
            .unwrap_or_default()
            .trim()
            .to_owned();
        match reasons.iter_mut().find(|(r, _)| *r == reason) {
            Some((_, n)) => *n += 1,
            None => reasons.push((reason, 1)),
        }
    }
    let mut parts = Vec::new();
    if pass > 0 {
        parts.push(format!("{pass} pass"));
    }
    if !skips.is_empty() {
        // Repeated reasons by name, the others as a count.
        let mut why: Vec<String> = reasons
            .iter()
            .filter(|(_, n)| *n > 1)
            .map(|(r, n)| format!("{n} {r}"))
            .collect();
        let other: usize = reasons
            .iter()
            .filter(|(_, n)| *n == 1)
            .map(|(_, n)| n)
            .sum();
        if other > 0 && !why.is_empty() {
            why.push(format!("{other} other"));
        }
        if why.is_empty() {
            parts.push(format!("{} skip", skips.len()));
        } else {
            parts.push(format!("{} skip ({})", skips.len(), why.join(", ")));
        }
    }
    parts.join(", ")
}

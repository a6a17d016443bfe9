//! The matrix for a terminal: one block per provider (its name, URL and
//! when it was checked; the metadata URL on its own line; then the cells as
//! `name value` pairs), readable at 80 columns. Formats only.

use std::io::{self, Write};

use super::{yes, MatrixReport, Row};
use crate::layout::{hanging, Paint};
use crate::table::{lines, Style};

pub fn render(r: &MatrixReport, style: Style, out: &mut dyn Write) -> io::Result<()> {
    for (i, row) in r.rows.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        block(row, style, out)?;
    }
    if !r.rows.is_empty() {
        writeln!(out)?;
    }
    for (row, q) in r.to_review() {
        for id in &q.stale {
            let text = format!(
                "{} quirk {id} no longer shows (its checks pass: the provider may have fixed it)",
                row.id
            );
            lines(out, hanging("stale: ", 2, &text, style.width))?;
        }
        for id in &q.new {
            let text = format!("{} fails {id}, which no known quirk explains", row.id);
            lines(out, hanging("new: ", 2, &text, style.width))?;
        }
    }
    writeln!(out, "{} provider(s) · {}", r.rows.len(), r.tool)
}

/// "2026-11-30 12:00:05 UTC" from RFC 3339 ("2026-11-30T12:00:05Z").
pub(crate) fn checked(at: &str) -> String {
    let at = at.trim();
    match at.split_once('T') {
        Some((day, time)) => {
            let time = time.trim_end_matches('Z');
            let (time, zone) = match time.find(['+', '-']) {
                Some(i) => (&time[..i], &time[i..]),
                None => (time, " UTC"),
            };
            let time = time.split('.').next().unwrap_or(time);
            format!("{day} {time}{zone}")
        }
        None => at.to_owned(),
    }
}

fn block(row: &Row, style: Style, out: &mut dyn Write) -> io::Result<()> {
    let name = Paint::Bold.apply(&row.name, style.color);
    writeln!(out, "{name}  {}", row.url)?;
    let when = row.checked_at.as_deref().map_or("–".to_owned(), checked);
    writeln!(out, "  checked {when}")?;
    match (&row.cells, &row.error) {
        (_, Some(e)) => lines(out, hanging("  error: ", 4, e, style.width)),
        (Some(c), None) => {
            let metadata = c.metadata_url.as_deref().unwrap_or("–");
            lines(out, hanging("  metadata ", 4, metadata, style.width))?;
            let facts = format!(
                "issuer {} · S256 {} · DCR {} · CIMD {} · CORS reg. {} · PRM resource {} · \
                 userinfo {} · MUST fails {}",
                c.issuer_match,
                c.pkce_s256,
                c.dcr,
                c.cimd,
                c.cors_registration,
                c.prm_resource,
                c.userinfo,
                c.must_failures
            );
            lines(out, hanging("  ", 4, &facts, style.width))?;
            let clients = format!(
                "06-18 {} · 11-25+ {} · TS SDK {} · Py SDK {} · live {}",
                yes(c.mcp_2025_06_18),
                yes(c.mcp_2025_11_25),
                yes(c.typescript_sdk),
                yes(c.python_sdk),
                row.live.as_ref().map_or("–".to_owned(), |l| l.text())
            );
            lines(out, hanging("  clients: ", 4, &clients, style.width))?;
            hosts_line(row, style, out)
        }
        (None, None) => Ok(()),
    }
}

/// "hosts: 7 of 10 work; no: chatgpt (registration), cursor (discovery)".
fn hosts_line(row: &Row, style: Style, out: &mut dyn Write) -> io::Result<()> {
    if row.hosts.is_empty() {
        return Ok(());
    }
    let working = row.hosts.iter().filter(|h| h.works).count();
    let failing: Vec<String> = row
        .hosts
        .iter()
        .filter(|h| !h.works)
        .map(|h| match &h.stops_at {
            Some(step) => format!("{} ({step})", h.id),
            None => h.id.clone(),
        })
        .collect();
    let mut text = format!("{working} of {} work", row.hosts.len());
    if !failing.is_empty() {
        text = format!("{text}; no: {}", failing.join(", "));
    }
    lines(out, hanging("  hosts: ", 4, &text, style.width))
}

#[cfg(test)]
mod tests {
    use super::checked;

    #[test]
    fn checked_shows_the_day_and_the_time() {
        assert_eq!(checked("2026-11-30T12:00:05Z"), "2026-11-30 12:00:05 UTC");
        assert_eq!(
            checked("2026-11-30T12:00:05.123Z"),
            "2026-11-30 12:00:05 UTC"
        );
        assert_eq!(
            checked("2026-11-30T12:00:05+01:00"),
            "2026-11-30 12:00:05+01:00"
        );
        assert_eq!(checked("yesterday"), "yesterday");
    }
}

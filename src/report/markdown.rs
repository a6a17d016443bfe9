//! The Markdown report. Formats only.

use std::io::{self, Write};

use super::Report;

/// Make a value safe inside a Markdown table cell.
pub fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', "<br>")
}

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "# mcp-auth check `{}`", report.target.input)?;
    writeln!(out)?;
    let s = &report.summary;
    writeln!(
        out,
        "**Summary:** {} pass, {} info, {} warn, {} fail, {} skip ({})",
        s.pass, s.info, s.warn, s.fail, s.skip, report.tool
    )?;
    if let Some(issuer) = &report.discovery.expected_issuer {
        writeln!(out, "\nExpected issuer: `{issuer}`")?;
    }
    writeln!(out, "\n## Discovery\n")?;
    writeln!(out, "| # | Rule | URL | Status | Type | Result |")?;
    writeln!(out, "|---|---|---|---|---|---|")?;
    let mut n = 0;
    for a in &report.discovery.attempts {
        let label = if a.spec_candidate {
            n += 1;
            n.to_string()
        } else {
            "–".to_owned()
        };
        let mut result = a.outcome.summary();
        if report.discovery.metadata_url.as_deref() == Some(a.url.as_str()) {
            result.push_str(" (graded)");
        }
        writeln!(
            out,
            "| {label} | {} | `{}` | {} | {} | {} |",
            cell(a.kind.label()),
            a.url,
            a.status.map_or("–".to_owned(), |s| s.to_string()),
            a.media_type().unwrap_or_else(|| "–".to_owned()),
            cell(&result)
        )?;
    }
    if !report.discovery.clients.is_empty() {
        writeln!(out, "\n## Clients\n")?;
        writeln!(out, "| Client | Works | How |")?;
        writeln!(out, "|---|---|---|")?;
        for c in &report.discovery.clients {
            writeln!(
                out,
                "| {} | {} | {} |",
                cell(&c.client),
                if c.works { "✅ yes" } else { "❌ no" },
                cell(&c.detail)
            )?;
        }
    }
    writeln!(out, "\n## Checks\n")?;
    writeln!(out, "| Status | Level | Check | Detail | Fix | Spec |")?;
    writeln!(out, "|---|---|---|---|---|---|")?;
    for f in &report.checks {
        writeln!(
            out,
            "| {} | {} | `{}` {} | {} | {} | {} |",
            f.status.as_str(),
            f.level.as_str(),
            f.id,
            cell(&f.title),
            cell(&f.detail),
            if f.status == crate::checks::Status::Pass {
                String::new()
            } else {
                cell(&f.hint)
            },
            cell(&f.spec)
        )?;
    }
    Ok(())
}

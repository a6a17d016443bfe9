//! The Markdown report. Formats only.

use std::io::{self, Write};

use super::{CorsRow, DiscoveryReport, Report, ResourceReport, StoryStep};
use crate::checks::{Finding, Status};

/// Make a value safe inside a Markdown table cell.
pub fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', "<br>")
}

/// The Markdown report; `all` lists every check, not only what needs attention.
pub fn render(report: &Report, all: bool, out: &mut dyn Write) -> io::Result<()> {
    title(report, out)?;
    story(&report.story, out)?;
    if let Some(r) = &report.resource {
        resource(r, out)?;
    }
    authorization_servers(report, out)?;
    if let Some(r) = &report.resource {
        clients(&r.clients, out)?;
    }
    cors(&report.cors, out)?;
    checks(&report.checks, all, out)?;
    registered_client(report, out)
}

/// The heading and the summary line.
fn title(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "**{}**", report.verdict.text)?;
    writeln!(out)?;
    writeln!(
        out,
        "# mcp-auth check `{}` ({})",
        report.target.input,
        report.target.kind.label()
    )?;
    writeln!(out)?;
    let s = &report.summary;
    writeln!(
        out,
        "**Summary:** {} pass, {} info, {} warn, {} fail, {} skip ({})",
        s.pass, s.info, s.warn, s.fail, s.skip, report.tool
    )
}

/// The steps of the flow, as an ordered list.
fn story(steps: &[StoryStep], out: &mut dyn Write) -> io::Result<()> {
    if steps.is_empty() {
        return Ok(());
    }
    writeln!(out, "\n## Flow\n")?;
    for (i, s) in steps.iter().enumerate() {
        let mut line = format!("{}. {}: **{}**", i + 1, s.step.label(), s.verdict.as_str());
        if let Some(id) = &s.check {
            line.push_str(&format!(" `{id}`"));
        }
        if let Some(subject) = &s.subject {
            line.push_str(&format!(" at `{subject}`"));
        }
        if let Some(note) = &s.note {
            line.push_str(&format!(" — {note}"));
        }
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// The MCP server's answer without a token, and its protected resource metadata.
fn resource(r: &ResourceReport, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "\n## Protected resource\n")?;
    writeln!(
        out,
        "`POST {}` without a token → {}",
        r.url,
        r.status.map_or_else(
            || format!("no response ({})", r.error.as_deref().unwrap_or("unknown")),
            |s| s.to_string()
        )
    )?;
    for v in &r.www_authenticate {
        writeln!(out, "\n`WWW-Authenticate: {v}`")?;
    }
    writeln!(out, "\n| Source | URL | Status | Result |")?;
    writeln!(out, "|---|---|---|---|")?;
    for p in &r.prm_attempts {
        let mut result = p.outcome.summary();
        if let Some(res) = &p.resource {
            result.push_str(&format!("; resource `{res}`"));
        }
        if r.metadata_url.as_deref() == Some(p.url.as_str()) {
            result.push_str(" (used)");
        }
        writeln!(
            out,
            "| {} | `{}` | {} | {} |",
            cell(&p.label()),
            p.url,
            p.status.map_or("–".to_owned(), |s| s.to_string()),
            cell(&result)
        )?;
    }
    Ok(())
}

/// Discovery of each authorization server (with its clients in issuer mode).
fn authorization_servers(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for (i, d) in std::iter::once(&report.discovery)
        .chain(&report.additional_authorization_servers)
        .enumerate()
    {
        if report.resource.is_some() {
            writeln!(out, "\n## Authorization server #{}\n", i + 1)?;
        } else {
            writeln!(out, "\n## Discovery\n")?;
        }
        discovery(d, out)?;
        if report.resource.is_none() {
            clients(&d.clients, out)?;
        }
    }
    Ok(())
}

fn discovery(d: &DiscoveryReport, out: &mut dyn Write) -> io::Result<()> {
    if let Some(issuer) = &d.expected_issuer {
        writeln!(out, "Expected issuer: `{issuer}`\n")?;
    }
    writeln!(out, "| # | Rule | URL | Status | Type | Result |")?;
    writeln!(out, "|---|---|---|---|---|---|")?;
    for (label, a) in d.labelled_attempts() {
        let mut result = a.outcome.summary();
        if d.metadata_url.as_deref() == Some(a.url.as_str()) {
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
    Ok(())
}

/// The CORS headers of every probed endpoint.
fn cors(rows: &[CorsRow], out: &mut dyn Write) -> io::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "\n## CORS (Origin `{}`)\n",
        crate::evidence::requests::CORS_ORIGIN
    )?;
    writeln!(
        out,
        "| Endpoint | Request | Status | Allow-Origin | Allow-Headers | Expose-Headers |"
    )?;
    writeln!(out, "|---|---|---|---|---|---|")?;
    for c in rows {
        let d = |v: &Option<String>| v.as_deref().map_or("–".to_owned(), cell);
        writeln!(
            out,
            "| {} | `{} {}` | {} | {} | {} | {} |",
            c.label(),
            c.method,
            c.url,
            c.status.map_or("–".to_owned(), |s| s.to_string()),
            d(&c.allow_origin),
            d(&c.allow_headers),
            d(&c.expose_headers)
        )?;
    }
    Ok(())
}

/// The findings in one table: every one with `all`, else failures, warnings
/// and infos, with the passes and skips counted.
fn checks(findings: &[Finding], all: bool, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "\n## Checks\n")?;
    let hidden = |f: &&Finding| !all && matches!(f.status, Status::Pass | Status::Skip);
    let (pass, skip) = findings.iter().filter(hidden).fold((0, 0), |(p, s), f| {
        if f.status == Status::Pass {
            (p + 1, s)
        } else {
            (p, s + 1)
        }
    });
    if pass + skip > 0 {
        writeln!(
            out,
            "{pass} passing and {skip} skipped checks not listed (`--all` lists them).\n"
        )?;
    }
    let findings: Vec<&Finding> = findings.iter().filter(|f| !hidden(f)).collect();
    if findings.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "| Status | Level | Check | Subject | Detail | Fix | Spec |"
    )?;
    writeln!(out, "|---|---|---|---|---|---|---|")?;
    for f in findings {
        writeln!(
            out,
            "| {} | {} | `{}` {} | {} | {} | {} | {} |",
            f.status.as_str(),
            f.level.as_str(),
            f.id,
            cell(&f.title),
            f.subject.as_deref().map_or(String::new(), cell),
            cell(&f.detail),
            if f.status == Status::Pass {
                String::new()
            } else {
                match &f.provider_hint {
                    Some(p) => cell(&format!("{} Known quirk of {p}", f.hint)),
                    None => cell(&f.hint),
                }
            },
            cell(&f.spec)
        )?;
    }
    Ok(())
}

/// The client `--register` registered, for reuse with `login`.
fn registered_client(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    if let Some(id) = &report.registered_client_id {
        writeln!(
            out,
            "\nRegistered client_id `{id}` (reuse with `mcp-auth login --client-id {id}`)."
        )?;
    }
    Ok(())
}

fn clients(list: &[crate::checks::clients::ClientPath], out: &mut dyn Write) -> io::Result<()> {
    use crate::checks::clients::ProfileKind;
    for (title, hosts) in [("Clients", false), ("Hosts", true)] {
        let rows: Vec<_> = list
            .iter()
            .filter(|c| (c.kind == ProfileKind::Host) == hosts)
            .collect();
        if rows.is_empty() {
            continue;
        }
        writeln!(out, "\n## {title}\n")?;
        writeln!(out, "| Client | Works | How |")?;
        writeln!(out, "|---|---|---|")?;
        for c in rows {
            writeln!(
                out,
                "| {} | {} | {} |",
                cell(&c.client),
                if c.works { "✅ yes" } else { "❌ no" },
                cell(&c.detail)
            )?;
        }
    }
    Ok(())
}

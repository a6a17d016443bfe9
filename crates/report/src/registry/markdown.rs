//! `matrix merge --format markdown`: the summary of a registry run as a
//! GitHub-flavoured page (the rows themselves are in the JSON and HTML).

use std::io::{self, Write};

use super::summary::Summary;
use super::RegistryRow;
use crate::checks::clients::id::SPEC_2025_11_25;
use crate::markdown::cell;

/// Render the summary page.
pub fn render(rows: &[RegistryRow], summary: &Summary, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "# MCP Registry: {} remote servers\n", rows.len())?;
    access(summary, out)?;
    clients(summary, out)?;
    failing(summary, out)?;
    servers(summary, out)
}

/// `part / whole` as a whole percentage (`–` of nothing).
pub fn percent(part: usize, whole: usize) -> String {
    if whole == 0 {
        "–".to_owned()
    } else {
        format!("{:.0}%", part as f64 * 100.0 / whole as f64)
    }
}

fn access(summary: &Summary, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "## How they answered without a token\n")?;
    writeln!(out, "| Answer | Servers | Share |")?;
    writeln!(out, "|---|---:|---:|")?;
    for a in &summary.access {
        writeln!(
            out,
            "| {} | {} | {} |",
            a.access.as_str(),
            a.servers,
            percent(a.servers, summary.servers)
        )?;
    }
    writeln!(
        out,
        "\n*sign-in*: the server asks for a token (401, or another refusal); \
         *open*: it answers without one; *unavailable*: 404, 405, 410 or 5xx; \
         *unreachable*: no answer; *skipped*: listed but not checked.\n"
    )
}

fn clients(summary: &Summary, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "## Which clients can sign in\n")?;
    if summary.sign_in == 0 {
        return writeln!(out, "No server asks for sign-in.\n");
    }
    writeln!(
        out,
        "Of the {} servers that ask for sign-in, how many each client profile \
         gets through (`mcp-auth clients` describes the profiles):\n",
        summary.sign_in
    )?;
    writeln!(out, "| Client | Kind | Works | Share |")?;
    writeln!(out, "|---|---|---:|---:|")?;
    for c in &summary.clients {
        writeln!(
            out,
            "| `{}` | {} | {} / {} | {} |",
            cell(&c.id),
            c.kind.label(),
            c.works,
            summary.sign_in,
            percent(c.works, summary.sign_in)
        )?;
    }
    writeln!(out)
}

fn failing(summary: &Summary, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "## Most common failing checks\n")?;
    if summary.failing_checks.is_empty() {
        return writeln!(out, "No check fails.\n");
    }
    writeln!(out, "| Check | Servers | What | Fix |")?;
    writeln!(out, "|---|---:|---|---|")?;
    for c in &summary.failing_checks {
        let def = crate::checks::find(&c.id);
        writeln!(
            out,
            "| `{}` | {} | {} | {} |",
            cell(&c.id),
            c.servers,
            cell(def.map_or("", |d| d.title)),
            cell(def.map_or("", |d| d.hint))
        )?;
    }
    writeln!(out, "\n`mcp-auth checks ID` explains a check in full.\n")
}

fn servers(summary: &Summary, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "## By authorization server\n")?;
    if summary.authorization_servers.is_empty() {
        return writeln!(out, "No server asks for sign-in.");
    }
    writeln!(
        out,
        "| Authorization server | Servers | `{SPEC_2025_11_25}` works | Most common failing check |"
    )?;
    writeln!(out, "|---|---:|---:|---|")?;
    for g in &summary.authorization_servers {
        let top = g.top_failing.as_ref().map_or("–".to_owned(), |c| {
            format!("`{}` ({})", cell(&c.id), c.servers)
        });
        writeln!(
            out,
            "| {} | {} | {} ({}) | {} |",
            cell(&g.host),
            g.servers,
            g.spec_works,
            percent(g.spec_works, g.servers),
            top
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::summary::tests::sample;

    #[test]
    fn the_summary_page() {
        let rows = sample();
        let mut out = Vec::new();
        render(&rows, &Summary::of(&rows), &mut out).unwrap();
        insta::assert_snapshot!(String::from_utf8(out).unwrap());
    }

    #[test]
    fn nothing_to_sign_in_to() {
        let mut out = Vec::new();
        render(&[], &Summary::of(&[]), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("# MCP Registry: 0 remote servers\n"));
        assert!(text.contains("No check fails."));
        assert!(text.ends_with("No server asks for sign-in.\n"));
    }

    #[test]
    fn percentages() {
        assert_eq!(percent(1, 3), "33%");
        assert_eq!(percent(2, 3), "67%");
        assert_eq!(percent(0, 0), "–");
    }
}

//! `cimd validate`: a graded Client ID Metadata Document as a table,
//! Markdown or JSON.

use std::io::{self, Write};

use crate::checks::cimd::{CimdGraded, SourceKind};
use crate::checks::Status;
use crate::findings;
use crate::layout::hanging;
use crate::markdown::cell;
use crate::table::{lines, Style};

/// Version of `cimd validate --format json`.
pub const CIMD_SCHEMA_VERSION: u32 = 1;

fn verdict_line(g: &CimdGraded) -> &'static str {
    if g.valid {
        "No required check failed: authorization servers can use this document."
    } else {
        "A required check failed: authorization servers will refuse this document."
    }
}

/// The fix of the first failing check.
fn first_fix(g: &CimdGraded) -> Option<(&str, &str)> {
    g.checks
        .iter()
        .find(|f| f.status == Status::Fail)
        .map(|f| (f.id.as_str(), f.hint.as_str()))
}

/// The lines that say what was graded.
fn subject(g: &CimdGraded) -> Vec<(&'static str, String)> {
    let mut lines = vec![(
        match g.source_kind {
            SourceKind::Url => "URL",
            SourceKind::File => "File",
        },
        g.source.clone(),
    )];
    lines.push((
        "client_id",
        g.client_id.clone().unwrap_or_else(|| "(none)".to_owned()),
    ));
    if let Some(i) = &g.issuer {
        lines.push(("Issuer", i.clone()));
    }
    lines
}

pub fn json(g: &CimdGraded, out: &mut dyn Write) -> io::Result<()> {
    findings::json(CIMD_SCHEMA_VERSION, g, out)
}

pub fn table(g: &CimdGraded, style: Style, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "Client ID Metadata Document")?;
    for (k, v) in subject(g) {
        writeln!(out, "{k}: {v}")?;
    }
    writeln!(out)?;
    findings::table(&g.checks, style, out)?;
    lines(out, hanging("", 0, verdict_line(g), style.width))?;
    if let Some((id, fix)) = first_fix(g) {
        lines(out, hanging(&format!("fix ({id}): "), 2, fix, style.width))?;
    }
    Ok(())
}

pub fn markdown(g: &CimdGraded, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "# mcp-auth cimd validate\n")?;
    for (k, v) in subject(g) {
        writeln!(out, "- {k}: `{}`", cell(&v))?;
    }
    writeln!(out, "\n## Checks\n")?;
    findings::markdown(&g.checks, out)?;
    writeln!(out, "\n**{}**", verdict_line(g))?;
    if let Some((id, fix)) = first_fix(g) {
        writeln!(out, "\nFix (`{id}`): {fix}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::cimd::{grade_cimd, CimdFacts, Origin};

    fn graded(doc: &str) -> CimdGraded {
        grade_cimd(&CimdFacts {
            origin: Origin::File {
                path: "client.json",
                text: doc,
            },
            issuer: None,
        })
    }

    const BROKEN: &str = r#"{"client_id": "https://app.example/c.json", "token_endpoint_auth_method": "client_secret_post"}"#;

    #[test]
    fn the_table_names_the_file_the_failures_and_a_fix() {
        let mut out = Vec::new();
        table(&graded(BROKEN), Style::plain(80), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("File: client.json"), "{text}");
        assert!(text.contains("CIMD-DOC-NO-SECRET"), "{text}");
        assert!(text.contains("will refuse"), "{text}");
        assert!(text.contains("fix (CIMD-DOC-REDIRECT-URIS)"), "{text}");
    }

    #[test]
    fn json_carries_the_schema_version_and_every_check() {
        let mut out = Vec::new();
        json(&graded(BROKEN), &mut out).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["schema_version"], CIMD_SCHEMA_VERSION);
        assert_eq!(v["valid"], false);
        assert_eq!(v["checks"].as_array().unwrap().len(), 10);
    }

    #[test]
    fn markdown_has_a_checks_table() {
        let mut out = Vec::new();
        markdown(&graded(BROKEN), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("# mcp-auth cimd validate"));
        assert!(text.contains("| `CIMD-DOC-NO-SECRET` | fail |"), "{text}");
    }
}

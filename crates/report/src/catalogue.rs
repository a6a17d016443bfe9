//! `mcp-auth checks`: the catalogue of checks, from the registry.

use std::io::{self, Write};

use comfy_table::Cell;
use serde::Serialize;

use super::markdown::cell;
use super::table::{header, new_table, Style};
use crate::checks::{CheckDef, Grade, Level, CATALOGUE};

/// Version of `checks --format json` and `checks ID --format json`.
pub const CATALOGUE_SCHEMA_VERSION: u32 = 1;

/// `checks --format json`: every check, in report order.
#[derive(Serialize, schemars::JsonSchema)]
pub struct CatalogueDoc {
    pub schema_version: u32,
    pub checks: Vec<Entry>,
}

/// One check of the catalogue.
#[derive(Serialize, schemars::JsonSchema)]
pub struct Entry {
    /// The stable id (`PRM-RESOURCE-MATCH`): never reused, never renamed.
    pub id: &'static str,
    pub level: Level,
    pub title: &'static str,
    pub spec: &'static str,
    pub hint: &'static str,
}

fn entries() -> impl Iterator<Item = Entry> {
    CATALOGUE.iter().map(|c| Entry {
        id: c.id,
        level: c.level,
        title: c.title,
        spec: c.spec,
        hint: c.hint,
    })
}

pub fn table(style: Style, out: &mut dyn Write) -> io::Result<()> {
    let mut t = new_table(style);
    header(&mut t, &["Id", "Level", "Title", "Spec"], style);
    for e in entries() {
        t.add_row(vec![
            Cell::new(e.id),
            Cell::new(e.level.as_str()),
            Cell::new(e.title),
            Cell::new(e.spec),
        ]);
    }
    writeln!(out, "{t}")?;
    writeln!(out, "{} checks", CATALOGUE.len())
}

pub fn json(out: &mut dyn Write) -> io::Result<()> {
    let doc = CatalogueDoc {
        schema_version: CATALOGUE_SCHEMA_VERSION,
        checks: entries().collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

/// The heading anchor of a check's section in `docs/checks.md`.
pub fn anchor(id: &str) -> String {
    id.to_ascii_lowercase()
}

/// `docs/checks.md`: a table of every check (linking to its section), then
/// each check in full, as `checks ID --format markdown` prints it.
pub fn markdown(out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "# Check catalogue\n")?;
    writeln!(
        out,
        "Generated from the registry (`crates/grade/src/catalogue.rs`) by \
         `mcp-auth checks --format markdown`; a test fails when this page is stale \
         (regenerate: `MCP_AUTH_UPDATE_DOCS=1 cargo test --test it docs`). Ids are \
         stable: an id never changes meaning and is never reused. {} checks.\n",
        CATALOGUE.len()
    )?;
    writeln!(out, "| Id | Level | What it checks | Spec |")?;
    writeln!(out, "|---|---|---|---|")?;
    for e in entries() {
        writeln!(
            out,
            "| [`{}`](#{}) | {} | {} | {} |",
            e.id,
            anchor(e.id),
            e.level.as_str(),
            cell(e.title),
            cell(e.spec),
        )?;
    }
    // The page links the file, not the line: line numbers move with every edit.
    for c in CATALOGUE {
        let file = c.at.split(':').next().unwrap_or(c.at);
        writeln!(out)?;
        section(c, &format!("[`{file}`](../{file})"), out)?;
    }
    Ok(())
}

/// What a check grades, in words.
fn applies_to(c: &CheckDef) -> &'static str {
    match c.grade {
        Grade::Resource(_) => "`check` of an MCP server: the MCP server itself",
        Grade::Server(_) => "`check`: each authorization server",
        Grade::Hosts(_) => {
            "`check --probe-hosts`: each known host, at the authorization server clients use"
        }
        Grade::Token(_) => {
            "`token inspect` (and `whoami`, without the signature): a presented token"
        }
        Grade::Session(_) => {
            "`whoami` (userinfo), `call` and `check --login` (the MCP server): what using the token showed"
        }
        Grade::Live(_) => "`check --login` of an MCP server: the live flow",
        Grade::Cimd(_) => "`cimd validate`: a client's Client ID Metadata Document",
    }
}

/// One check, as `mcp-auth checks ID --format json` prints it.
#[derive(Serialize, schemars::JsonSchema)]
pub struct Detail<'a> {
    pub schema_version: u32,
    /// The stable id.
    pub id: &'a str,
    pub level: Level,
    pub title: &'a str,
    pub spec: &'a str,
    /// Which command grades it, and what.
    pub applies_to: &'a str,
    /// What the check looks at, when it skips, warns or informs, and which
    /// clients break.
    pub explanation: &'a str,
    pub fix: &'a str,
    /// Where the check is defined (`file:line`).
    pub at: &'a str,
}

fn detail(c: &'static CheckDef) -> Detail<'static> {
    Detail {
        schema_version: CATALOGUE_SCHEMA_VERSION,
        id: c.id,
        level: c.level,
        title: c.title,
        spec: c.spec,
        applies_to: applies_to(c),
        explanation: c.doc,
        fix: c.hint,
        at: c.at,
    }
}

/// `text` in lines of at most `width` characters (words are not split).
fn wrap(text: &str, width: usize) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    lines.push(line);
    lines.join("\n")
}

/// `mcp-auth checks ID`: one check, in full (readable at 80 columns).
pub fn one_table(c: &'static CheckDef, out: &mut dyn Write) -> io::Result<()> {
    let d = detail(c);
    writeln!(out, "{} ({}): {}", d.id, d.level.as_str(), d.title)?;
    writeln!(out, "\nspec:       {}", d.spec)?;
    writeln!(out, "applies to: {}", d.applies_to)?;
    writeln!(out, "\n{}\n", wrap(d.explanation, 78))?;
    writeln!(out, "{}", wrap(&format!("fix: {}", d.fix), 78))?;
    writeln!(out, "code: {}", d.at)
}

pub fn one_json(c: &'static CheckDef, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &detail(c))?;
    writeln!(out)
}

pub fn one_markdown(c: &'static CheckDef, out: &mut dyn Write) -> io::Result<()> {
    section(c, &format!("`{}`", c.at), out)
}

/// One check's Markdown section; `code` says where it is defined.
fn section(c: &'static CheckDef, code: &str, out: &mut dyn Write) -> io::Result<()> {
    let d = detail(c);
    writeln!(
        out,
        "### {}\n\n**{}** ({})\n",
        d.id,
        d.title,
        d.level.as_str()
    )?;
    writeln!(out, "- Spec: {}\n- Applies to: {}", d.spec, d.applies_to)?;
    writeln!(out, "- Fix: {}\n- Code: {code}\n\n{}", d.fix, d.explanation)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explanations_wrap_at_the_width_without_splitting_words() {
        let text = "a".repeat(10) + " " + &"b".repeat(70) + " c d";
        let w = wrap(&text, 78);
        assert!(w.lines().all(|l| l.chars().count() <= 78), "{w}");
        assert_eq!(w.lines().count(), 2);
        assert_eq!(w.replace('\n', " "), text);
        // Every check's text output fits 80 columns but for unbreakable words.
        for c in CATALOGUE {
            let mut out = Vec::new();
            one_table(c, &mut out).unwrap();
            let out = String::from_utf8(out).unwrap();
            for line in out.lines().skip(1) {
                assert!(
                    line.chars().count() <= 80
                        || !line.contains(' ')
                        || line.starts_with("spec:")
                        || line.starts_with("applies to:")
                        || line.starts_with("code:"),
                    "{}: {line}",
                    c.id
                );
            }
        }
    }
}

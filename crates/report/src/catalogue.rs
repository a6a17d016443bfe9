//! `mcp-auth checks`: the catalogue of checks, from the registry.

use std::io::{self, Write};

use comfy_table::Cell;
use serde::Serialize;

use super::markdown::cell;
use super::table::{header, new_table, Style};
use crate::checks::{Level, CATALOGUE};

#[derive(Serialize)]
struct Entry {
    id: &'static str,
    level: Level,
    title: &'static str,
    spec: &'static str,
    hint: &'static str,
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
    let all: Vec<Entry> = entries().collect();
    serde_json::to_writer_pretty(&mut *out, &all)?;
    writeln!(out)
}

/// The Markdown table README.md embeds between its catalogue markers.
pub fn markdown(out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "| Id | Level | What it checks | Spec | Fix hint |")?;
    writeln!(out, "|---|---|---|---|---|")?;
    for e in entries() {
        writeln!(
            out,
            "| `{}` | {} | {} | {} | {} |",
            e.id,
            e.level.as_str(),
            cell(e.title),
            cell(e.spec),
            cell(e.hint)
        )?;
    }
    Ok(())
}

//! Pieces every command's renderers share: a findings table, a claims table,
//! and the versioned JSON envelope.

use std::io::{self, Write};

use comfy_table::Cell;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::checks::Finding;
use crate::markdown::cell;
use crate::table::{header, new_table, status_cell, Style};

/// A JSON document: `schema_version` first, then the payload's members.
#[derive(Serialize, schemars::JsonSchema)]
pub struct Versioned<'a, T: Serialize> {
    pub schema_version: u32,
    #[serde(flatten)]
    pub body: &'a T,
}

/// Write `body` as pretty JSON with its schema version.
pub fn json<T: Serialize>(schema_version: u32, body: &T, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(
        &mut *out,
        &Versioned {
            schema_version,
            body,
        },
    )?;
    writeln!(out)
}

/// A claim's value as text: strings bare, anything else as JSON.
pub fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        o => o.to_string(),
    }
}

/// The findings as a Check / Status / Detail table.
pub fn table(findings: &[Finding], style: Style, out: &mut dyn Write) -> io::Result<()> {
    let mut t = new_table(style);
    header(&mut t, &["Check", "Status", "Detail"], style);
    for f in findings {
        t.add_row(vec![
            Cell::new(&f.id),
            status_cell(f.status, style),
            Cell::new(&f.detail),
        ]);
    }
    writeln!(out, "{t}")
}

/// The findings as a Markdown table.
pub fn markdown(findings: &[Finding], out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "| Check | Status | Detail |")?;
    writeln!(out, "|---|---|---|")?;
    for f in findings {
        writeln!(
            out,
            "| `{}` | {} | {} |",
            f.id,
            f.status.as_str(),
            cell(&f.detail)
        )?;
    }
    Ok(())
}

/// Claims as a Claim / Value table.
pub fn claims_table(
    claims: &Map<String, Value>,
    style: Style,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut t = new_table(style);
    header(&mut t, &["Claim", "Value"], style);
    for (k, v) in claims {
        t.add_row(vec![Cell::new(k), Cell::new(value_text(v))]);
    }
    writeln!(out, "{t}")
}

/// Claims as a Markdown table.
pub fn claims_markdown(claims: &Map<String, Value>, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "| Claim | Value |")?;
    writeln!(out, "|---|---|")?;
    for (k, v) in claims {
        writeln!(out, "| `{}` | {} |", cell(k), cell(&value_text(v)))?;
    }
    Ok(())
}

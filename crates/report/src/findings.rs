//! Pieces every command's renderers share: a findings table, a claims table,
//! and the versioned JSON envelope.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::{Map, Value};

use crate::checks::Finding;
use crate::layout::{hanging, Grid, Row};
use crate::markdown::cell;
use crate::table::{lines, status_paint, Style};

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

/// The findings: each check's status and id, its detail wrapped under it.
pub fn table(findings: &[Finding], style: Style, out: &mut dyn Write) -> io::Result<()> {
    let mut g = Grid::new(&["Status", "Check"]);
    for f in findings {
        g.push(
            Row::new([f.status.as_str().to_uppercase(), f.id.clone()])
                .paint(0, status_paint(f.status))
                .below(&f.detail),
        );
    }
    g.write(style.width, style.color, out)
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

/// Claims as a Claim / Value table; a long value goes under its claim.
pub fn claims_table(
    claims: &Map<String, Value>,
    style: Style,
    out: &mut dyn Write,
) -> io::Result<()> {
    let width = claims.keys().map(|k| k.chars().count()).max().unwrap_or(0);
    for (k, v) in claims {
        let value = value_text(v);
        let first = format!("{k:<width$}  ");
        if first.chars().count() + value.chars().count() <= style.width {
            writeln!(out, "{first}{value}")?;
        } else {
            writeln!(out, "{k}")?;
            lines(out, hanging("    ", 4, &value, style.width))?;
        }
    }
    Ok(())
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

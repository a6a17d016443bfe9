//! The matrix as a terminal table. Formats only.

use std::io::{self, Write};

use comfy_table::Cell;

use super::{yes, MatrixReport, Row};
use crate::table::{header, new_table, Style};

const COLUMNS: &[&str] = &[
    "Provider",
    "Metadata",
    "Issuer",
    "S256",
    "DCR",
    "CIMD",
    "CORS reg.",
    "PRM resource",
    "Userinfo",
    "MUST fails",
    "06-18",
    "11-25+",
    "TS SDK",
    "Py SDK",
    "Live",
    "Checked",
];

pub fn render(r: &MatrixReport, style: Style, out: &mut dyn Write) -> io::Result<()> {
    let mut t = new_table(style);
    header(&mut t, COLUMNS, style);
    for row in &r.rows {
        t.add_row(cells(row));
    }
    writeln!(out, "{t}")?;
    for (row, q) in r.to_review() {
        for id in &q.stale {
            writeln!(
                out,
                "stale: {} quirk {id} no longer shows (its checks pass: the provider may have fixed it)",
                row.id
            )?;
        }
        for id in &q.new {
            writeln!(
                out,
                "new: {} fails {id}, which no known quirk explains",
                row.id
            )?;
        }
    }
    writeln!(out, "{} provider(s) · {}", r.rows.len(), r.tool)
}

fn cells(row: &Row) -> Vec<Cell> {
    let mut cells = vec![Cell::new(format!("{}\n{}", row.name, row.url))];
    match (&row.cells, &row.error) {
        (Some(c), None) => {
            cells.extend([
                Cell::new(c.metadata_url.as_deref().unwrap_or("–")),
                Cell::new(&c.issuer_match),
                Cell::new(&c.pkce_s256),
                Cell::new(&c.dcr),
                Cell::new(&c.cimd),
                Cell::new(&c.cors_registration),
                Cell::new(&c.prm_resource),
                Cell::new(&c.userinfo),
                Cell::new(c.must_failures),
                Cell::new(yes(c.mcp_2025_06_18)),
                Cell::new(yes(c.mcp_2025_11_25)),
                Cell::new(yes(c.typescript_sdk)),
                Cell::new(yes(c.python_sdk)),
                Cell::new(row.live.as_ref().map_or("–".to_owned(), |l| l.text())),
            ]);
        }
        (_, Some(e)) => cells.push(Cell::new(format!("error: {e}"))),
        (None, None) => {}
    }
    cells
}

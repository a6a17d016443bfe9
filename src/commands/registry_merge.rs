//! `mcp-auth matrix merge FILE...`: the rows of `matrix --registry` runs
//! (shards, resumed runs) as one report. Rows are keyed by URL: a URL in
//! several files keeps the row read last (a later run's); the output is in
//! URL order, so N shards merged equal one unsharded run row for row.

use std::collections::BTreeMap;
use std::io::Write;

use super::registry_rows;
use crate::cli::{MergeArgs, MergeFormat};
use crate::exit::ExitStatus;
use crate::gather::tool_name;
use crate::report::registry::{self, summary::Summary, RegistryRow};
use crate::Error;

/// Every file's rows, one per URL, in URL order.
pub fn merged(args: &MergeArgs) -> Result<Vec<RegistryRow>, Error> {
    let mut rows = BTreeMap::new();
    for path in &args.files {
        let file = registry_rows::read(path)?;
        if file.torn {
            eprintln!(
                "note: {}: the last line is torn (an interrupted run); it is left out",
                path.display()
            );
        }
        for row in file.rows {
            rows.insert(row.url.clone(), row);
        }
    }
    Ok(rows.into_values().collect())
}

pub fn run(args: &MergeArgs, out: &mut dyn Write) -> Result<ExitStatus, Error> {
    let rows = merged(args)?;
    let mut file;
    let out: &mut dyn Write = match &args.output {
        Some(path) => {
            file = std::io::BufWriter::new(
                std::fs::File::create(path)
                    .map_err(|e| Error::Input(format!("cannot create {}: {e}", path.display())))?,
            );
            &mut file
        }
        None => out,
    };
    render(args.format, &rows, out)?;
    out.flush()?;
    Ok(ExitStatus::Ok)
}

fn render(format: MergeFormat, rows: &[RegistryRow], out: &mut dyn Write) -> std::io::Result<()> {
    match format {
        MergeFormat::Jsonl => {
            for row in rows {
                serde_json::to_writer(&mut *out, row)?;
                out.write_all(b"\n")?;
            }
            Ok(())
        }
        MergeFormat::Json => registry::json(rows, &Summary::of(rows), &tool_name(), out),
        MergeFormat::Markdown => registry::markdown::render(rows, &Summary::of(rows), out),
        MergeFormat::Html => registry::html::render(rows, &Summary::of(rows), &tool_name(), out),
    }
}

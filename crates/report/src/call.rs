//! `call`: the MCP server's answer (its tools, or a tool's result) and the
//! checks of how it treated the token.

use std::io::{self, Write};

use comfy_table::Cell;
use serde::Serialize;
use serde_json::Value;

use crate::checks::{Finding, Status};
use crate::findings;
use crate::markdown::cell;
use crate::table::{header, new_table, Style};

/// Version of `call --format json`.
pub const CALL_SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct CallReport {
    #[serde(skip_serializing_if = "Value::is_null")]
    pub server: Value,
    pub protocol_version: Option<String>,
    /// The tool called (`None`: the tools were listed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool: Option<String>,
    /// The JSON-RPC result, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<Value>,
    /// RS-ACCEPTS-TOKEN and, on a 403, CH-403-SCOPE.
    pub checks: Vec<Finding>,
}

pub fn json(r: &CallReport, out: &mut dyn Write) -> io::Result<()> {
    findings::json(CALL_SCHEMA_VERSION, r, out)
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

fn server_line(r: &CallReport) -> String {
    let name = match str_of(&r.server, "name") {
        "" => "MCP server",
        n => n,
    };
    format!(
        "{name} {} (protocol {})",
        str_of(&r.server, "version"),
        r.protocol_version.as_deref().unwrap_or("?")
    )
}

fn tools(result: &Value) -> impl Iterator<Item = &Value> {
    result
        .get("tools")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

/// A tool result's content, one text per item.
fn content(result: &Value) -> Vec<String> {
    result
        .get("content")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|item| match item.get("text").and_then(Value::as_str) {
            Some(text) => text.to_owned(),
            None => item.to_string(),
        })
        .collect()
}

/// Checks are shown when one did not pass (a success needs no table).
fn notable(r: &CallReport) -> bool {
    r.checks.iter().any(|f| f.status != Status::Pass)
}

pub fn table(r: &CallReport, style: Style, out: &mut dyn Write) -> io::Result<()> {
    if let Some(result) = &r.result {
        writeln!(out, "{}", server_line(r))?;
        if r.tool.is_none() {
            let mut t = new_table(style);
            header(&mut t, &["Tool", "Description"], style);
            for tool in tools(result) {
                t.add_row(vec![
                    Cell::new(match str_of(tool, "name") {
                        "" => "?",
                        n => n,
                    }),
                    Cell::new(str_of(tool, "description")),
                ]);
            }
            writeln!(out, "{t}")?;
        } else {
            for text in content(result) {
                writeln!(out, "{text}")?;
            }
        }
    }
    if notable(r) {
        findings::table(&r.checks, style, out)?;
    }
    Ok(())
}

pub fn markdown(r: &CallReport, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "# mcp-auth call\n")?;
    if let Some(result) = &r.result {
        writeln!(out, "{}\n", server_line(r))?;
        if r.tool.is_none() {
            writeln!(out, "| Tool | Description |\n|---|---|")?;
            for tool in tools(result) {
                writeln!(
                    out,
                    "| `{}` | {} |",
                    cell(str_of(tool, "name")),
                    cell(str_of(tool, "description"))
                )?;
            }
        } else {
            for text in content(result) {
                writeln!(out, "{text}\n")?;
            }
        }
    }
    if notable(r) {
        writeln!(out, "\n## Checks\n")?;
        findings::markdown(&r.checks, out)?;
    }
    Ok(())
}

//! `token inspect`: a graded token as a table, Markdown or JSON.

use std::io::{self, Write};

use serde_json::Value;

use crate::checks::token::{TokenGraded, TokenOutcome};
use crate::findings;
use crate::table::Style;

/// Version of `token inspect --format json`.
pub const TOKEN_SCHEMA_VERSION: u32 = 1;

fn verdict_line(g: &TokenGraded) -> &'static str {
    match g.outcome {
        TokenOutcome::Accepted => "An MCP server checking signature, issuer, audience, expiry and scopes would accept this token.",
        TokenOutcome::Rejected => "An MCP server would reject this token.",
        TokenOutcome::Unknown => "This token is opaque: it cannot be checked offline, only by introspection at its issuer (TOKEN-INTROSPECTION); whether an MCP server would accept it is unknown.",
    }
}

/// What the hint line is called (in a table, in Markdown): a fix for a
/// rejected token, a way to find out for an unknown one.
fn hint_label(g: &TokenGraded) -> (&'static str, &'static str) {
    match g.outcome {
        TokenOutcome::Unknown => ("to check it", "To check it"),
        _ => ("fix", "Fix"),
    }
}

pub fn json(g: &TokenGraded, out: &mut dyn Write) -> io::Result<()> {
    findings::json(TOKEN_SCHEMA_VERSION, g, out)
}

pub fn table(g: &TokenGraded, style: Style, out: &mut dyn Write) -> io::Result<()> {
    if let (Some(h), Some(c)) = (&g.header, &g.claims) {
        writeln!(out, "JWT header: {}", Value::Object(h.clone()))?;
        findings::claims_table(c, style, out)?;
    } else {
        writeln!(out, "Opaque token (not a JWT).")?;
        if let Some(c) = &g.claims {
            findings::claims_table(c, style, out)?;
        }
    }
    findings::table(&g.checks, style, out)?;
    writeln!(out, "{}", verdict_line(g))?;
    if let Some(h) = &g.hint {
        writeln!(out, "{}: {h}", hint_label(g).0)?;
    }
    Ok(())
}

pub fn markdown(g: &TokenGraded, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "# mcp-auth token inspect\n")?;
    if let (Some(h), Some(c)) = (&g.header, &g.claims) {
        writeln!(out, "JWT header: `{}`\n", Value::Object(h.clone()))?;
        findings::claims_markdown(c, out)?;
    } else {
        writeln!(out, "Opaque token (not a JWT).")?;
        if let Some(c) = &g.claims {
            writeln!(out)?;
            findings::claims_markdown(c, out)?;
        }
    }
    writeln!(out, "\n## Checks\n")?;
    findings::markdown(&g.checks, out)?;
    writeln!(out, "\n**{}**", verdict_line(g))?;
    if let Some(h) = &g.hint {
        writeln!(out, "\n{}: {h}", hint_label(g).1)?;
    }
    Ok(())
}

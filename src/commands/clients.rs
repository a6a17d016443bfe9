//! `mcp-auth clients [ID]`: the client profiles, or one in full.

use std::io::Write;

use mcp_auth_grade::clients::{json_schema, profile, profiles, Profile};

use crate::cli::{ClientsArgs, Format};
use crate::exit::ExitStatus;
use crate::report::clients;
use crate::report::table::Style;

pub fn run(
    args: &ClientsArgs,
    style: Style,
    out: &mut dyn Write,
) -> Result<ExitStatus, crate::Error> {
    if args.schema {
        out.write_all(json_schema().as_bytes())?;
        return Ok(ExitStatus::Ok);
    }
    // clap has checked the id against the profiles.
    let one = args.id.as_deref().and_then(profile);
    let list: Vec<&Profile> = match one {
        Some(p) => vec![p],
        None => profiles().iter().collect(),
    };
    match (args.format, one) {
        (Format::Table, Some(p)) => clients::one_table(p, style, out)?,
        (Format::Table, None) => clients::table(&list, style, out)?,
        (Format::Json, _) => clients::json(&list, out)?,
        (Format::Markdown, _) => clients::markdown(&list, out)?,
    }
    Ok(ExitStatus::Ok)
}

//! `mcp-auth checks [ID]`: the catalogue, or one check in full.

use std::io::Write;

use crate::cli::{ChecksArgs, Format};
use crate::exit::ExitStatus;
use crate::report::catalogue;
use crate::report::table::Style;

pub fn run(
    args: &ChecksArgs,
    style: Style,
    out: &mut dyn Write,
) -> Result<ExitStatus, crate::Error> {
    let Some(id) = &args.id else {
        match args.format {
            Format::Table => catalogue::table(style, out)?,
            Format::Json => catalogue::json(out)?,
            Format::Markdown => catalogue::markdown(out)?,
        }
        return Ok(ExitStatus::Ok);
    };
    let Some(check) = mcp_auth_grade::find(&id.to_ascii_uppercase()) else {
        return Err(crate::Error::Input(format!(
            "no check '{id}'; `mcp-auth checks` lists them"
        )));
    };
    match args.format {
        Format::Table => catalogue::one_table(check, out)?,
        Format::Json => catalogue::one_json(check, out)?,
        Format::Markdown => catalogue::one_markdown(check, out)?,
    }
    Ok(ExitStatus::Ok)
}

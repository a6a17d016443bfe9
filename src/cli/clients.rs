//! `mcp-auth clients` and `check --client`: the client profiles by id.

use clap::builder::{PossibleValue, PossibleValuesParser};
use clap::Args;

use super::Format;

/// Examples for `clients --help`.
pub const CLIENTS_EXAMPLES: &str = "\
Examples:
  mcp-auth clients
  mcp-auth clients claude
  mcp-auth clients --format markdown > docs/clients.md
  mcp-auth check https://mcp.example.com/mcp --client claude,chatgpt
  mcp-auth check https://mcp.example.com/mcp --client host";

#[derive(Debug, Args)]
pub struct ClientsArgs {
    /// One profile's id: print its behaviour, with each one's sources and version.
    #[arg(value_name = "ID", value_parser = profile_ids())]
    pub id: Option<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// Print the JSON Schema of a profile file (clients/schema.json) instead.
    #[arg(long, conflicts_with_all = ["id", "format"])]
    pub schema: bool,
}

fn profile_values() -> impl Iterator<Item = PossibleValue> {
    mcp_auth_grade::clients::profiles()
        .iter()
        .map(|p| PossibleValue::new(p.id.as_str()).help(p.def.name.as_str()))
}

fn profile_ids() -> PossibleValuesParser {
    PossibleValuesParser::new(profile_values())
}

/// `check --client`'s values: `all`, a kind, or a profile id (the old
/// family names `strict` and `seeds` still work, hidden).
pub fn client_selectors() -> PossibleValuesParser {
    let mut values = vec![
        PossibleValue::new("all").help("Every client"),
        PossibleValue::new("spec").help("The spec clients of each MCP revision"),
        PossibleValue::new("sdk").help("The MCP SDKs"),
        PossibleValue::new("host").help("The hosts: Claude, ChatGPT, VS Code, ..."),
        PossibleValue::new("library").help("Logto's mcp-auth library"),
        PossibleValue::new("strict").hide(true),
        PossibleValue::new("seeds").hide(true),
    ];
    values.extend(profile_values());
    PossibleValuesParser::new(values)
}

//! `mcp-auth call`'s arguments.

use clap::Args;
use mcp_auth_net::mcp_session::Lifecycle;

use super::{Format, NetArgs};

pub(super) const CALL_EXAMPLES: &str = "\
Examples:
  mcp-auth call https://mcp.example.com/mcp                # initialize, list the tools
  mcp-auth call https://mcp.example.com/mcp whoami         # call a tool
  mcp-auth call https://mcp.example.com/mcp search --arg query=oauth --arg limit=5

Uses the token cached by `mcp-auth login <url>` (a DPoP-bound one as `Authorization: DPoP`
with a fresh proof per request), as an MCP client does: a token about to
expire is refreshed first; when the server answers 401 (the token is no longer accepted, or
the server moved to another authorization server) the login runs again; on 403
insufficient_scope it authorizes again with the union of the scopes it has and the scopes
the server asks for (once; --no-step-up turns that off). --no-login never starts a new
authorization (CI): the call fails instead.";

#[derive(Debug, Args)]
pub struct CallArgs {
    /// The MCP server (Streamable HTTP endpoint) logged in to.
    pub url: String,

    /// The tool to call (default: list the tools).
    pub tool: Option<String>,

    /// A tool argument, key=value (the value as JSON when it parses); repeatable.
    #[arg(long, value_name = "KEY=VALUE")]
    pub arg: Vec<String>,

    /// On 403 insufficient_scope, report it instead of authorizing again with more scopes.
    #[arg(long)]
    pub no_step_up: bool,

    /// Never start a new authorization (no browser): a rejected token fails the call.
    #[arg(long)]
    pub no_login: bool,

    /// Seconds to wait for the browser's redirect when authorizing again.
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    pub login_timeout: u64,

    /// When authorizing again, print the URL instead of opening a browser.
    #[arg(long)]
    pub no_browser: bool,

    /// Speak this MCP revision's lifecycle only: 2025-03-26, 2025-06-18 or
    /// 2025-11-25 (`initialize`, sessions) or 2026-07-28 (stateless:
    /// `server/discover`, `_meta` on every request). Default: as a dual-era
    /// client, `server/discover` first, and `initialize` when the server
    /// answers it as a server of the `initialize` era.
    #[arg(long, value_name = "REV", value_parser = parse_protocol_version)]
    pub protocol_version: Option<Lifecycle>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    #[command(flatten)]
    pub net: NetArgs,
}

/// `--protocol-version REV`: the lifecycle of a known MCP revision.
pub fn parse_protocol_version(s: &str) -> Result<Lifecycle, String> {
    Lifecycle::of_revision(s)
}

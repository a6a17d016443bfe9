//! `cimd validate`: its arguments and examples.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::{Format, NetArgs};

pub(super) const CIMD_EXAMPLES: &str = "\
Examples:
  mcp-auth cimd validate https://app.example.com/oauth/client.json
  mcp-auth cimd validate https://app.example.com/oauth/client.json --issuer https://auth.example.com
  mcp-auth cimd validate ./client-metadata.json
  mcp-auth cimd validate https://app.example.com/oauth/client.json --format json > cimd.json
  mcp-auth cimd validate https://app.example.com/oauth/client.json --save-evidence cimd-evidence.json
  mcp-auth cimd validate --from-evidence cimd-evidence.json

A URL is fetched as an authorization server fetches it (no redirect followed); a file is
read as is, so the checks of how it is served skip and client_id can only be reported.
With --issuer, that authorization server's metadata is discovered too, and the document's
auth method is checked against it. --save-evidence records what was read; --from-evidence
grades such a file again offline, to the same report.

Exit codes: 0 no MUST check failed; 1 a MUST check failed; 2 usage error, unreadable
file (not JSON) or evidence file; 3 the URL or the issuer could not be reached.";

#[derive(Debug, Subcommand)]
pub enum CimdCommand {
    /// Grade a Client ID Metadata Document (a URL, or a local file) the way
    /// authorization servers will take it: client_id, redirect URIs, no shared
    /// secret, keys, how it is served, and what an issuer supports.
    #[command(after_long_help = CIMD_EXAMPLES)]
    Validate(CimdValidateArgs),
}

#[derive(Debug, Args)]
pub struct CimdValidateArgs {
    /// The document's https URL (its client_id), or a local JSON file.
    #[arg(value_name = "URL|FILE", required_unless_present = "from_evidence")]
    pub target: Option<String>,

    /// Also check the document against this authorization server: its
    /// token_endpoint_auth_methods_supported and client_id_metadata_document_supported.
    #[arg(long, value_name = "ISSUER")]
    pub issuer: Option<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    #[command(flatten)]
    pub net: NetArgs,

    /// Write what was fetched (the document's exchange or the file, and the
    /// issuer's metadata) to FILE (re-grade with --from-evidence).
    #[arg(long, value_name = "FILE")]
    pub save_evidence: Option<PathBuf>,

    /// Grade evidence saved by --save-evidence instead of going to the network.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["target", "issuer", "save_evidence"])]
    pub from_evidence: Option<PathBuf>,
}

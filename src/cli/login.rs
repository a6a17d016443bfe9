//! `login`, `logout` and `tokens` (clap types only).

use clap::{Args, ValueEnum};

use super::{Format, GrantArgs, NetArgs, ResultFormat, TargetAs};

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// An MCP server URL (its authorization server is discovered) or an issuer.
    pub target: String,

    /// What the URL is (see `check --as`).
    #[arg(long = "as", value_enum, value_name = "KIND", default_value_t = TargetAs::Auto)]
    pub target_as: TargetAs,

    /// A pre-registered client id (else CIMD, else dynamic registration).
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,

    /// The pre-registered client's secret, read from FILE (`-`: stdin); else
    /// $MCP_AUTH_CLIENT_SECRET. Sent as the server supports (client_secret_basic or _post).
    #[arg(long, value_name = "FILE", requires = "client_id")]
    pub client_secret_file: Option<std::path::PathBuf>,

    /// The pre-registered client's private key (PEM), to authenticate with
    /// private_key_jwt (RFC 7523).
    #[arg(long, value_name = "FILE", requires = "client_id")]
    pub private_key: Option<std::path::PathBuf>,

    /// The algorithm the private key signs with (default: from the key: ES256, ES384, RS256 or EdDSA).
    #[arg(long, value_name = "ALG", requires = "private_key")]
    pub signing_alg: Option<String>,

    /// Your Client ID Metadata Document URL, used as client id when the server supports CIMD
    /// (default: mcp-auth's own, docs/client-metadata.json).
    #[arg(long, value_name = "URL", env = "MCP_AUTH_CLIENT_METADATA_URL")]
    pub client_metadata_url: Option<String>,

    /// Scopes to request (default: what the MCP server asks for; for an issuer, openid profile email when offered).
    #[arg(long)]
    pub scope: Option<String>,

    /// The RFC 8707 resource to request (default: the MCP server's).
    #[arg(long, value_name = "URL", conflicts_with = "no_resource")]
    pub resource: Option<String>,

    /// Send no resource parameter (for providers that reject it, or for an identity-only token).
    #[arg(long)]
    pub no_resource: bool,

    /// Loopback port for the redirect (0: any free port; default: the port a reused
    /// registration or the client metadata document names, else any).
    #[arg(long, value_name = "PORT")]
    pub redirect_port: Option<u16>,

    /// The exact redirect URI, when the provider needs a registered one (loopback, on --redirect-port).
    #[arg(long, value_name = "URI", requires = "redirect_port")]
    pub redirect_uri: Option<String>,

    /// Print the URL instead of opening a browser (SSH, headless).
    #[arg(long)]
    pub no_browser: bool,

    /// Proceed even when the server does not advertise PKCE S256.
    #[arg(long)]
    pub force: bool,

    /// Seconds to wait for the browser's redirect.
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    pub login_timeout: u64,

    /// Bind the tokens to a DPoP key (RFC 9449). auto: when the authorization server lists
    /// ES256 in dpop_signing_alg_values_supported and the MCP server (if any) takes DPoP;
    /// always: regardless, refusing a Bearer answer; never: Bearer tokens.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = Dpop::Auto)]
    pub dpop: Dpop,

    #[command(flatten)]
    pub grants: GrantArgs,

    #[command(flatten)]
    pub net: NetArgs,

    /// Print the access token on stdout after logging in.
    #[arg(long)]
    pub show_token: bool,

    /// Refresh the cached token for this URL instead of logging in again.
    #[arg(long)]
    pub refresh: bool,

    /// Output format: a sentence, or the cached login as JSON (never the token).
    #[arg(long, value_enum, default_value_t = ResultFormat::Table)]
    pub format: ResultFormat,
}

#[derive(Debug, Args)]
pub struct LogoutArgs {
    /// The issuer or MCP server to log out of (default: every cached login).
    pub target: Option<String>,

    #[command(flatten)]
    pub net: NetArgs,

    /// Output format: sentences, or what was logged out as JSON.
    #[arg(long, value_enum, default_value_t = ResultFormat::Table)]
    pub format: ResultFormat,
}

#[derive(Debug, Args)]
pub struct TokensArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// `login --dpop`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Dpop {
    Auto,
    Always,
    Never,
}

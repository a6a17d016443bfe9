//! `check --login` and the login settings it reuses (clap types only;
//! flattened into `CheckArgs`).

use std::path::PathBuf;

use clap::Args;

use super::GrantArgs;

#[derive(Debug, Args)]
pub struct LiveArgs {
    /// After the checks, log in as `login` does (the browser, or --grant for CI),
    /// call the MCP server with the token, refresh it, call userinfo, and grade
    /// the live flow. Nothing is cached unless --save-login.
    #[arg(long)]
    pub login: bool,

    /// With --login: also run the probes that spend something: use a rotated-out
    /// refresh token again (which may revoke the whole grant at the provider).
    #[arg(long, requires = "login")]
    pub intrusive: bool,

    /// With --login: keep the login's token in the token cache (as `login` does).
    #[arg(long, requires = "login")]
    pub save_login: bool,

    /// With --login: your Client ID Metadata Document URL, used as client id
    /// when the server supports CIMD (CIMD-LIVE grades it; default:
    /// mcp-auth's own, docs/client-metadata.json).
    #[arg(long, value_name = "URL", env = "MCP_AUTH_CLIENT_METADATA_URL")]
    pub client_metadata_url: Option<String>,

    /// With --login: the pre-registered client's secret, read from FILE (`-`:
    /// stdin); else $MCP_AUTH_CLIENT_SECRET (only with --client-id).
    #[arg(long, value_name = "FILE", requires = "login")]
    pub client_secret_file: Option<PathBuf>,

    /// With --login: the pre-registered client's private key (PEM), for private_key_jwt.
    #[arg(long, value_name = "FILE", requires = "login")]
    pub private_key: Option<PathBuf>,

    /// With --login: the algorithm the private key signs with.
    #[arg(long, value_name = "ALG", requires = "private_key")]
    pub signing_alg: Option<String>,

    /// With --login: the scopes to request (default: what the MCP server asks for).
    #[arg(long, requires = "login")]
    pub scope: Option<String>,

    /// With --login: print the authorization URL instead of opening a browser.
    #[arg(long, requires = "login")]
    pub no_browser: bool,

    /// With --login: the loopback port for the redirect (0: any free port).
    #[arg(long, value_name = "PORT", requires = "login")]
    pub redirect_port: Option<u16>,

    /// With --login: seconds to wait for the browser's redirect.
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    pub login_timeout: u64,

    #[command(flatten)]
    pub grants: GrantArgs,
}

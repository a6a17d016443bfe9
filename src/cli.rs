//! Command-line definition (clap derive types only).
//!
//! Conventions: long flags in kebab-case; every command has examples in its
//! long help; `--format` chooses the output, `--color` the colouring; exit
//! codes are documented once, in `EXIT_CODES`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

mod call;
mod cimd;
mod clients;
mod examples;
mod grant;
mod live;
mod login;
mod matrix;
pub mod shell;

use examples::{LOGIN_EXAMPLES, MATRIX_EXAMPLES, TOKEN_EXAMPLES};

use call::CALL_EXAMPLES;
pub use call::{parse_protocol_version, CallArgs};
pub use cimd::{CimdCommand, CimdValidateArgs};
pub use clients::{ClientsArgs, CLIENTS_EXAMPLES};
pub use grant::{GrantArg, GrantArgs};
pub use live::LiveArgs;
pub use login::{Dpop, LoginArgs, LogoutArgs, TokensArgs};
pub use matrix::{
    MatrixArgs, MatrixCommand, MatrixFormat, MergeArgs, MergeFormat, RegistryArgs,
    DEFAULT_CONCURRENCY, DEFAULT_REGISTRY_CONCURRENCY,
};

macro_rules! exit_codes {
    () => {
        "\
Exit codes:
  0  no required (MUST) check failed
  1  a MUST check failed (with --strict: also a MUST or SHOULD warning)
  2  usage error: bad arguments, unreadable file, malformed URL
  3  target unreachable, or no metadata document found"
    };
}

/// The exit codes, as `--help` shows them.
pub const EXIT_CODES: &str = exit_codes!();

#[derive(Debug, Parser)]
#[command(
    name = "mcp-auth",
    version,
    about = "Check whether an OAuth 2.1 / OpenID Connect provider will work with MCP clients",
    after_help = EXIT_CODES,
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// When to use colour (NO_COLOR is honoured with `auto`).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,

    /// More logging on stderr (-v debug, -vv trace). RUST_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Discover and grade an MCP server's authorization chain (give its URL), or an
    /// authorization server's metadata (its issuer URL).
    #[command(after_long_help = CHECK_EXAMPLES)]
    Check(CheckArgs),
    /// Log in (authorization code + PKCE in a browser, or a grant without a user); caches the tokens.
    #[command(after_long_help = LOGIN_EXAMPLES)]
    Login(LoginArgs),
    /// Show who the cached token belongs to: userinfo claims (a DPoP-bound token with its
    /// proof) and the token's own claims.
    Whoami(WhoamiArgs),
    /// Call an MCP server with the cached token: list its tools, or call one.
    #[command(after_long_help = CALL_EXAMPLES)]
    Call(CallArgs),
    /// Inspect an access token the way an MCP server's bearer check does.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Check a client's Client ID Metadata Document (CIMD).
    #[command(subcommand)]
    Cimd(CimdCommand),
    /// Delete cached tokens (revoking them when the server offers revocation).
    Logout(LogoutArgs),
    /// List cached tokens (never their values).
    Tokens(TokensArgs),
    /// Check every provider of providers/ and write a compatibility table.
    #[command(after_long_help = MATRIX_EXAMPLES)]
    Matrix(MatrixArgs),
    /// List every check (id, level, spec section), or explain one: `checks ID`.
    Checks(ChecksArgs),
    /// List the client profiles check evaluates (Claude, ChatGPT, VS Code, the SDKs, ...),
    /// with their versions and sources, or show one: `clients ID`.
    #[command(after_long_help = CLIENTS_EXAMPLES)]
    Clients(ClientsArgs),
    /// Print the JSON Schema of the provider file format (providers/schema.json).
    #[command(hide = true)]
    ProvidersSchema,
    /// Print a shell completion script (flags, their values, subcommands).
    #[command(
        after_long_help = "Examples:\n  source <(mcp-auth completions bash)\n  mcp-auth completions zsh > ~/.zfunc/_mcp-auth\n  mcp-auth completions fish > ~/.config/fish/completions/mcp-auth.fish"
    )]
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), or write one page per command into DIR.
    #[command(
        after_long_help = "Examples:\n  mcp-auth man | man -l -\n  mcp-auth man --dir share/man/man1"
    )]
    Man {
        /// Write mcp-auth.1 and mcp-auth-COMMAND.1 into DIR instead of printing mcp-auth.1.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

const CHECK_EXAMPLES: &str = concat!(
    "\
Examples:
  mcp-auth check https://mcp.example.com/mcp
  mcp-auth check https://mcp.example.com/mcp --register
  mcp-auth check https://mcp.example.com/mcp --login
  mcp-auth check https://mcp.example.com/mcp --login --grant client-credentials \\
      --client-id svc --client-secret-file svc.secret
  mcp-auth check https://auth.example.com/tenant1
  mcp-auth check https://auth.example.com/tenant1 --format json > report.json
  mcp-auth check https://example.logto.app/oidc --type oidc
  mcp-auth check --well-known-url https://idp.example.com/custom/metadata
  mcp-auth check ./metadata.json --issuer https://auth.example.com
  mcp-auth check https://auth.example.com --save-evidence ev.json
  mcp-auth check --from-evidence ev.json --format markdown

",
    exit_codes!()
);

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// An MCP server URL (its authorization servers are discovered and graded
    /// too), an issuer URL, a metadata URL (containing /.well-known/), or a
    /// local JSON file.
    #[arg(required_unless_present_any = ["well_known_url", "from_evidence"])]
    pub target: Option<String>,

    /// Fetch this metadata URL instead of deriving the well-known URLs.
    #[arg(long, value_name = "URL", conflicts_with_all = ["target", "from_evidence"])]
    pub well_known_url: Option<String>,

    /// The issuer the metadata must declare (for a file or a custom metadata URL).
    #[arg(long, value_name = "URL")]
    pub issuer: Option<String>,

    /// What the URL is: `auto` sends an MCP request first and treats a 401 (or
    /// protected resource metadata) as an MCP server, anything else as an issuer.
    #[arg(long = "as", value_enum, value_name = "KIND", default_value_t = TargetAs::Auto)]
    pub target_as: TargetAs,

    /// Probe dynamic client registration: registers public native clients at
    /// the provider (never done by default); the first one's client_id is
    /// printed for reuse with `login`.
    #[arg(long)]
    pub register: bool,

    /// Send crafted authorization requests (redirects not followed) to see how
    /// the server treats unregistered redirect URIs, other loopback ports,
    /// missing PKCE and the resource parameter. Needs a client id.
    #[arg(long)]
    pub probe_authorize: bool,

    /// Send one unfollowed authorization request per known host that uses a
    /// Client ID Metadata Document (Claude, ChatGPT, VS Code, …) with its
    /// client id and callback, and report whether the authorization server
    /// would show it a login page.
    #[arg(long)]
    pub probe_hosts: bool,

    /// The client id for --probe-authorize (default: the client --register creates).
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,

    /// A redirect URI registered for that client.
    #[arg(
        long,
        value_name = "URI",
        default_value = "http://127.0.0.1:8976/callback"
    )]
    pub redirect_uri: String,

    /// Which clients' rows to show: all, a kind (spec, sdk, host, library) or
    /// profile ids (`mcp-auth clients` lists them), comma-separated.
    #[arg(
        long,
        value_name = "CLIENT",
        value_delimiter = ',',
        default_value = "all",
        value_parser = clients::client_selectors()
    )]
    pub client: Vec<String>,

    /// Which URL Logto's mcp-auth library would build (`fetchServerConfig` type).
    /// Discovery always tries every spec candidate.
    #[arg(long = "type", value_enum, value_name = "TYPE")]
    pub server_type: Option<ServerTypeArg>,

    /// The MCP lifecycle the enforcement probes and `--login`'s calls speak
    /// (see `call --protocol-version`).
    #[arg(long, value_name = "REV", value_parser = parse_protocol_version)]
    pub protocol_version: Option<mcp_auth_net::mcp_session::Lifecycle>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// Also exit 1 when a MUST or SHOULD check warns (a MAY never fails the run).
    #[arg(long)]
    pub strict: bool,

    /// Show every check (table and Markdown): by default passes and skips are
    /// counted per group, and only failures, warnings and infos are listed.
    /// JSON always carries every check.
    #[arg(long)]
    pub all: bool,

    #[command(flatten)]
    pub net: NetArgs,

    /// Write the recorded HTTP exchanges to FILE (re-grade with --from-evidence).
    #[arg(long, value_name = "FILE")]
    pub save_evidence: Option<PathBuf>,

    /// Grade evidence saved by --save-evidence instead of going to the network.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["target", "save_evidence"])]
    pub from_evidence: Option<PathBuf>,

    #[command(flatten)]
    pub live: LiveArgs,
}

pub(crate) fn parse_timeout(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .parse()
        .map_err(|_| format!("'{s}' is not a number of seconds"))?;
    if v.is_finite() && v > 0.0 && v <= 3600.0 {
        Ok(v)
    } else {
        Err(format!("'{s}' must be between 0 and 3600 seconds"))
    }
}

#[derive(Debug, Args)]
pub struct WhoamiArgs {
    /// The issuer or MCP server logged in to (default: the only cached login).
    pub target: Option<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    #[command(flatten)]
    pub net: NetArgs,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Decode a token, verify its signature against the issuer's JWKS, and check
    /// iss, aud (the resource), exp/nbf and scopes; introspect an opaque one.
    #[command(after_long_help = TOKEN_EXAMPLES)]
    Inspect(TokenInspectArgs),
}

#[derive(Debug, Args)]
pub struct TokenInspectArgs {
    /// `-` to read the token from stdin (default: a cached login's). A token
    /// given here is visible to other users' process listings.
    pub token: Option<String>,

    /// Which cached login (issuer or MCP server URL) when no token is given.
    #[arg(long, value_name = "URL", conflicts_with = "token")]
    pub cached: Option<String>,

    /// The issuer whose JWKS verifies it (default: the token's iss).
    #[arg(long, value_name = "URL")]
    pub issuer: Option<String>,

    /// The MCP server's resource, which `aud` must contain.
    #[arg(long, value_name = "URL")]
    pub resource: Option<String>,

    /// A scope the token must carry; repeatable.
    #[arg(long, value_name = "SCOPE")]
    pub require_scope: Vec<String>,

    /// Clock skew allowed for exp/nbf, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    pub leeway: u64,

    /// Judge exp/nbf as of this time (Unix seconds) instead of now.
    #[arg(long, value_name = "UNIX")]
    pub at: Option<u64>,

    /// The client that introspects an opaque token (RFC 7662) at the issuer's
    /// introspection_endpoint (default: the cached login's client).
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,

    /// Read that client's secret from FILE (`-`: stdin); else from
    /// MCP_AUTH_CLIENT_SECRET; without either, a public client introspects.
    #[arg(long, value_name = "FILE")]
    pub client_secret_file: Option<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    #[command(flatten)]
    pub net: NetArgs,
}

/// Network settings shared by every command that talks to servers.
#[derive(Debug, Clone, Args)]
pub struct NetArgs {
    /// Seconds allowed for each HTTP exchange.
    #[arg(long, value_name = "SECS", default_value_t = 10.0, value_parser = parse_timeout)]
    pub timeout: f64,

    /// Trust this CA certificate (PEM) too, e.g. a corporate CA; repeatable.
    #[arg(long, value_name = "FILE")]
    pub cacert: Vec<PathBuf>,
}

#[derive(Debug, Args)]
#[command(
    after_long_help = "Examples:\n  mcp-auth checks\n  mcp-auth checks PRM-RESOURCE-MATCH\n  mcp-auth checks --format markdown > checks.md"
)]
pub struct ChecksArgs {
    /// One check's id: print its level, spec, explanation, fix and where its code is.
    #[arg(value_name = "ID")]
    pub id: Option<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// For commands whose result is a sentence: no Markdown to render.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ResultFormat {
    /// A human-readable sentence.
    Table,
    /// A versioned JSON document.
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Human-readable tables.
    Table,
    /// The versioned JSON report (docs/json-report.md).
    Json,
    /// GitHub-flavoured Markdown.
    Markdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TargetAs {
    /// Detect from the answer to an MCP request.
    Auto,
    /// An authorization server's issuer identifier.
    Issuer,
    /// An MCP server's Streamable HTTP endpoint.
    Mcp,
}

/// The seeds' `fetchServerConfig` type: which single URL Logto MCP Auth builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ServerTypeArg {
    /// RFC 8414: `/.well-known/oauth-authorization-server` inserted before the path.
    Oauth,
    /// OpenID Connect: `/.well-known/openid-configuration` appended to the issuer.
    Oidc,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn check_needs_a_target() {
        assert!(Cli::try_parse_from(["mcp-auth", "check"]).is_err());
        assert!(Cli::try_parse_from(["mcp-auth", "check", "--from-evidence", "x"]).is_ok());
        assert!(
            Cli::try_parse_from(["mcp-auth", "check", "--well-known-url", "https://a/x"]).is_ok()
        );
        assert!(Cli::try_parse_from(["mcp-auth", "check", "https://a", "--timeout", "0"]).is_err());
    }

    #[test]
    fn help_lists_exit_codes() {
        let help = Cli::command().render_long_help().to_string();
        assert!(help.contains("Exit codes"));
    }
}

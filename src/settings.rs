//! From the command line to the library crates' settings: the only place
//! clap's types are turned into domain types (uv's `settings.rs`).

use std::time::Duration;

use mcp_auth_evidence::{ServerType, TargetHint};
use mcp_auth_net::probe::ProbeSettings;

use crate::cli::{ClientFilter, NetArgs, ServerTypeArg, TargetAs};

mod grant;
pub use grant::{grant_inputs, GrantInputs};
use mcp_auth_grade::clients::{ClientFamily, ClientPath};

/// The HTTP client's settings from `--timeout` and `--cacert`.
pub fn probe(net: &NetArgs) -> ProbeSettings {
    ProbeSettings {
        timeout: Duration::from_secs_f64(net.timeout),
        ca_certs: net.cacert.clone(),
        ..ProbeSettings::default()
    }
}

impl From<TargetAs> for TargetHint {
    fn from(t: TargetAs) -> Self {
        match t {
            TargetAs::Auto => Self::Auto,
            TargetAs::Issuer => Self::Issuer,
            TargetAs::Mcp => Self::Mcp,
        }
    }
}

impl From<ServerTypeArg> for ServerType {
    fn from(t: ServerTypeArg) -> Self {
        match t {
            ServerTypeArg::Oauth => Self::Oauth,
            ServerTypeArg::Oidc => Self::Oidc,
        }
    }
}

/// `--type`, as evidence records it.
pub fn server_type(arg: Option<ServerTypeArg>) -> Option<ServerType> {
    arg.map(ServerType::from)
}

/// `check --client`: which client paths to show, by family (typed ids, not names).
pub fn keeps_client(filter: ClientFilter) -> impl Fn(&ClientPath) -> bool {
    move |c| {
        let family = c.id.family();
        match filter {
            ClientFilter::All => true,
            ClientFilter::Strict => family == ClientFamily::Spec,
            ClientFilter::TsSdk => family == ClientFamily::TsSdk,
            ClientFilter::PythonSdk => family == ClientFamily::PythonSdk,
            ClientFilter::Seeds => family == ClientFamily::Logto,
        }
    }
}

/// A secret value from `file` (`-`: standard input; one trailing newline
/// dropped), else `$env`, else none. Never from argv. `flag` and `what`
/// name it in errors, which never show it.
pub fn secret(
    file: Option<&std::path::Path>,
    flag: &str,
    env: &str,
    what: &str,
) -> Result<Option<mcp_auth_net::token_store::Secret>, String> {
    use std::io::Read;
    let text = match file {
        Some(p) if p.as_os_str() == "-" => {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .map_err(|e| format!("cannot read {what} from stdin: {e}"))?;
            s
        }
        Some(p) => {
            std::fs::read_to_string(p).map_err(|e| format!("{flag} {}: {e}", p.display()))?
        }
        None => match std::env::var(env) {
            Ok(s) if !s.is_empty() => s,
            _ => return Ok(None),
        },
    };
    let value = text.strip_suffix('\n').unwrap_or(&text);
    let value = value.strip_suffix('\r').unwrap_or(value);
    if value.is_empty() {
        return Err(format!("{what} is empty"));
    }
    Ok(Some(mcp_auth_net::token_store::Secret::new(value)))
}

/// A client secret: `--client-secret-file`, else `$MCP_AUTH_CLIENT_SECRET`.
pub fn client_secret(
    file: Option<&std::path::Path>,
) -> Result<Option<mcp_auth_net::token_store::Secret>, String> {
    secret(
        file,
        "--client-secret-file",
        "MCP_AUTH_CLIENT_SECRET",
        "the client secret",
    )
}

/// The private key of `--private-key` (PEM), with `--signing-alg`.
pub fn client_key(
    file: Option<&std::path::Path>,
    alg: Option<&str>,
) -> Result<Option<mcp_auth_net::login::SigningKey>, mcp_auth_net::login::LoginError> {
    let Some(p) = file else { return Ok(None) };
    let pem = std::fs::read(p).map_err(|e| {
        mcp_auth_net::login::LoginError::Usage(format!("--private-key {}: {e}", p.display()))
    })?;
    mcp_auth_net::login::SigningKey::from_pem(&pem, alg, &format!("--private-key {}", p.display()))
        .map(Some)
}

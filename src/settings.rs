//! From the command line to the library crates' settings: the only place
//! clap's types are turned into domain types (uv's `settings.rs`).

use std::time::Duration;

use mcp_auth_evidence::{ServerType, TargetHint};
use mcp_auth_net::probe::ProbeSettings;

use crate::cli::{NetArgs, ServerTypeArg, TargetAs};

mod grant;
pub use grant::{grant_inputs, GrantInputs};
use mcp_auth_grade::clients::{ClientPath, ProfileKind};

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

/// `check --client`: which client rows to show, by kind or profile id
/// (`strict` and `seeds` are the old names of the spec and library kinds).
pub fn keeps_client(selectors: &[String]) -> impl Fn(&ClientPath) -> bool + '_ {
    move |c| {
        selectors.iter().any(|s| match s.as_str() {
            "all" => true,
            "strict" => c.kind == ProfileKind::Spec,
            "seeds" => c.kind == ProfileKind::Library,
            other => other == c.kind.label() || other == c.id,
        })
    }
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

/// A client's credentials from `login`'s (and `check --login`'s) flags: its
/// secret (from the file, else `$MCP_AUTH_CLIENT_SECRET`, and only for a
/// pre-registered `--client-id`), its signing key, and the grant's inputs.
pub fn client_credentials(
    client_id: Option<&String>,
    secret_file: Option<&std::path::Path>,
    private_key: Option<&std::path::Path>,
    signing_alg: Option<&str>,
    grants: &crate::cli::GrantArgs,
) -> Result<ClientCredentials, mcp_auth_net::login::LoginError> {
    use mcp_auth_net::login::LoginError;
    let secret = match client_id {
        Some(_) => crate::secrets::client_secret(secret_file).map_err(LoginError::Usage)?,
        None => None,
    };
    Ok(ClientCredentials {
        secret,
        key: client_key(private_key, signing_alg)?,
        grant: grant_inputs(grants, secret_file).map_err(LoginError::Usage)?,
    })
}

/// What [`client_credentials`] read.
pub struct ClientCredentials {
    pub secret: Option<mcp_auth_net::token_store::Secret>,
    pub key: Option<mcp_auth_net::login::SigningKey>,
    pub grant: GrantInputs,
}

/// What `cimd validate` was given: a URL to fetch, or a file to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CimdTarget {
    Url(String),
    File(std::path::PathBuf),
}

/// `cimd validate URL|FILE`: an http(s) URL is fetched; anything without a
/// scheme is a file; another scheme is a usage error.
pub fn cimd_target(arg: &str) -> Result<CimdTarget, String> {
    let lower = arg.to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") {
        mcp_auth_evidence::urls::absolute_url(arg)?;
        Ok(CimdTarget::Url(arg.to_owned()))
    } else if arg.contains("://") {
        Err(format!(
            "'{arg}' is neither an http(s) URL nor a file: a Client ID Metadata Document is served over https"
        ))
    } else {
        Ok(CimdTarget::File(arg.into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cimd_targets_are_urls_or_files() {
        assert_eq!(
            cimd_target("https://app.example/c.json"),
            Ok(CimdTarget::Url("https://app.example/c.json".to_owned()))
        );
        assert_eq!(
            cimd_target("./client.json"),
            Ok(CimdTarget::File("./client.json".into()))
        );
        assert!(cimd_target("ftp://app.example/c.json").is_err());
        assert!(cimd_target("https://").is_err());
    }
}

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

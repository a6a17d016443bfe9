//! From the command line to the library crates' settings: the only place
//! clap's types are turned into domain types (uv's `settings.rs`).

use std::time::Duration;

use mcp_auth_evidence::{ServerType, TargetHint};
use mcp_auth_net::probe::ProbeSettings;

use crate::cli::{ClientFilter, NetArgs, ServerTypeArg, TargetAs};
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

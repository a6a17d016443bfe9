//! Which metadata URL each MCP client would use, and where it stops: the
//! profiles of `clients/*.toml` (spec clients of each revision, the SDKs,
//! Logto's library, the hosts people use) evaluated over the evidence.
//! Pure, like the checks.

use serde::Serialize;

mod flow;
mod host;
pub mod id;
mod load;
mod metadata;
pub mod profile;
mod resource;
mod scope;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_hosts;
#[cfg(test)]
mod tests_profiles;

pub use flow::{end_to_end, per_server, through_flow};
pub use load::{json_schema, load_embedded, profile, profiles, Profile, ProfileError};
pub(crate) use metadata::{query_mode_missing, ts_issuer_accepted};
pub use profile::ProfileKind;
pub use resource::{
    python_resource_allowed, resource_client_paths, same_resource, ts_resource_allowed,
};
pub use scope::{clients_falling_back_to, ScopeFallback};

use crate::evidence::ServerType;
use crate::AsAnalysis;
use profile::TargetKind;

/// One client's path through the flow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ClientPath {
    /// Who, as a stable id: its profile's file name (`ts-sdk`, `claude`, ...).
    pub id: String,
    /// Who, in words.
    pub client: String,
    pub kind: ProfileKind,
    /// The URL whose document it would use, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub works: bool,
    /// How it gets its client id from this server (hosts: `cimd`, `dcr`, `preregistered`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registers_with: Option<profile::RegistrationMethod>,
    /// The step it stops at (`discovery`, `registration`, `authorize`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stops_at: Option<String>,
    /// Why it works or where it stops.
    pub detail: String,
}

impl ClientPath {
    /// A path that got through (so far), using the document at `url`.
    pub(crate) fn through(p: &Profile, url: &str, detail: impl Into<String>) -> Self {
        Self {
            id: p.id.clone(),
            client: p.def.name.clone(),
            kind: p.kind(),
            url: Some(url.to_owned()),
            works: true,
            registers_with: None,
            stops_at: None,
            detail: detail.into(),
        }
    }

    /// A path that stops at `step`.
    pub(crate) fn stopped(
        p: &Profile,
        url: Option<&str>,
        step: &str,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            id: p.id.clone(),
            client: p.def.name.clone(),
            kind: p.kind(),
            url: url.map(str::to_owned),
            works: false,
            registers_with: None,
            stops_at: Some(step.to_owned()),
            detail: detail.into(),
        }
    }

    /// Stop this path at `step`, saying why after what it did so far.
    pub(crate) fn stop(&mut self, step: &str, why: &str) {
        self.works = false;
        self.stops_at = Some(step.to_owned());
        self.detail = format!("{}; {why}", self.detail);
    }

    /// Whether an MCP client (not Logto's library, which runs in the MCP
    /// server) walks this path.
    pub fn is_mcp_client(&self) -> bool {
        self.kind != ProfileKind::Library
    }
}

/// Whether a profile applies to this target and `--type`.
fn applies(p: &Profile, target: TargetKind, server_type: Option<ServerType>) -> bool {
    p.def.targets.contains(&target)
        && match (p.def.metadata.server_type, server_type) {
            (Some(mine), Some(wanted)) => mine == wanted,
            _ => true,
        }
}

/// Every client path that applies to this evidence (an issuer checked alone).
pub fn client_paths(a: &AsAnalysis<'_>) -> Vec<ClientPath> {
    if !a.from_issuer() {
        return Vec::new();
    }
    profiles()
        .iter()
        .filter(|p| applies(p, TargetKind::Issuer, a.server_type))
        .filter_map(|p| {
            let path = metadata::metadata_path(a, p)?;
            Some(metadata::with_caveat(
                a,
                host::after_discovery(p, a, None, path),
            ))
        })
        .collect()
}

/// A path of the profile `id` for tests, with `detail` "uses #1".
#[cfg(test)]
pub(crate) fn test_path(id: &str, works: bool, url: Option<&str>) -> ClientPath {
    let p = profile(id).unwrap_or_else(|| panic!("no profile {id}"));
    let mut path = ClientPath::through(p, url.unwrap_or(""), "uses #1");
    path.url = url.map(str::to_owned);
    path.works = works;
    path
}

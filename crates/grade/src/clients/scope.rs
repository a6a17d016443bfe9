//! Where each MCP client takes the `scope` of its authorization request
//! from when neither the 401 challenge nor the protected resource metadata
//! names one (spec-checklist §Scope Selection; the profiles' `[scope]`).

use super::profile::ScopeSource;
use super::{profiles, Profile};

/// What a client requests when the challenge and the PRM name no scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeFallback {
    /// The authorization server's `scopes_supported` (the Python SDK's
    /// `get_client_metadata_scopes`: challenge, PRM, then the AS's list).
    AuthorizationServer,
    /// The scope its application configured, else none (the TypeScript
    /// SDK's `auth`: challenge, PRM, then `clientMetadata.scope`).
    Configured,
    /// No `scope` parameter: MCP 2025-11-25 §Scope Selection Strategy
    /// ("omitting the `scope` parameter if `scopes_supported` is undefined").
    Omit,
}

/// A profile's fallback, if its `[scope]` is known: the authorization
/// server's list when it reads it at all, else its configured scope, else
/// none.
fn fallback(p: &Profile) -> Option<ScopeFallback> {
    let from = &p.def.scope.as_ref()?.from;
    Some(if from.contains(&ScopeSource::AuthorizationServer) {
        ScopeFallback::AuthorizationServer
    } else if from.contains(&ScopeSource::Configured) {
        ScopeFallback::Configured
    } else {
        ScopeFallback::Omit
    })
}

/// The names of the clients with this fallback, in profile order.
pub fn clients_falling_back_to(f: ScopeFallback) -> Vec<String> {
    profiles()
        .iter()
        .filter(|p| fallback(p) == Some(f))
        .map(|p| p.def.name.clone())
        .collect()
}

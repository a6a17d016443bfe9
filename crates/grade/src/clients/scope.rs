//! Where each MCP client takes the `scope` of its authorization request
//! from when neither the 401 challenge nor the protected resource metadata
//! names one (spec-checklist §Scope Selection; the SDKs' scope selection).

use super::Client;

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

/// Each modelled MCP client's fallback, with the words reports use for it.
pub const SCOPE_FALLBACKS: &[(Client, &str, ScopeFallback)] = &[
    (
        Client::PythonSdk,
        "the Python SDK v2",
        ScopeFallback::AuthorizationServer,
    ),
    (
        Client::TsSdk,
        "the TypeScript SDK",
        ScopeFallback::Configured,
    ),
    (
        Client::Spec2025_11_25,
        "MCP 2025-11-25 / 2026-07-28 clients",
        ScopeFallback::Omit,
    ),
];

/// The names of the clients with this fallback, in `SCOPE_FALLBACKS` order.
pub fn clients_falling_back_to(fallback: ScopeFallback) -> Vec<&'static str> {
    SCOPE_FALLBACKS
        .iter()
        .filter(|(_, _, f)| *f == fallback)
        .map(|(_, name, _)| *name)
        .collect()
}

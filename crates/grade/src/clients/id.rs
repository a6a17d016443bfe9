//! Which client a path is: a stable id for JSON, filters and matrix columns
//! (display names are for people, and change).

use serde::Serialize;

/// A client whose discovery `check` models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Client {
    /// MCP 2025-11-25 and 2026-07-28: every candidate in order.
    #[serde(rename = "spec-2025-11-25")]
    Spec2025_11_25,
    /// MCP 2025-06-18: the header's PRM, RFC 8414 only.
    #[serde(rename = "spec-2025-06-18")]
    Spec2025_06_18,
    /// MCP 2025-03-26: no PRM, the authorization server at the MCP origin.
    #[serde(rename = "spec-2025-03-26")]
    Spec2025_03_26,
    /// The MCP TypeScript SDK v2.
    TsSdk,
    /// The MCP Python SDK v2.
    PythonSdk,
    /// Logto's mcp-auth library, `fetchServerConfig` type `oauth`.
    LogtoOauth,
    /// The same with type `oidc`.
    LogtoOidc,
}

/// The kinds of client `check --client` filters by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientFamily {
    /// Spec-following clients of each MCP revision.
    Spec,
    TsSdk,
    PythonSdk,
    Logto,
}

impl Client {
    /// Its stable id, as JSON writes it.
    pub fn id(self) -> &'static str {
        match self {
            Self::Spec2025_11_25 => "spec-2025-11-25",
            Self::Spec2025_06_18 => "spec-2025-06-18",
            Self::Spec2025_03_26 => "spec-2025-03-26",
            Self::TsSdk => "ts-sdk",
            Self::PythonSdk => "python-sdk",
            Self::LogtoOauth => "logto-oauth",
            Self::LogtoOidc => "logto-oidc",
        }
    }

    pub fn family(self) -> ClientFamily {
        match self {
            Self::Spec2025_11_25 | Self::Spec2025_06_18 | Self::Spec2025_03_26 => {
                ClientFamily::Spec
            }
            Self::TsSdk => ClientFamily::TsSdk,
            Self::PythonSdk => ClientFamily::PythonSdk,
            Self::LogtoOauth | Self::LogtoOidc => ClientFamily::Logto,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_what_json_writes() {
        for c in [
            Client::Spec2025_11_25,
            Client::Spec2025_06_18,
            Client::Spec2025_03_26,
            Client::TsSdk,
            Client::PythonSdk,
            Client::LogtoOauth,
            Client::LogtoOidc,
        ] {
            assert_eq!(serde_json::to_value(c).unwrap(), c.id());
        }
    }
}

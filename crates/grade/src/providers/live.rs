//! `[live]`: how `matrix` may run the live flow (`check --login`) for a
//! provider's test tenant without a browser. The file names the environment
//! variables that hold the credentials, never their values; the nightly
//! workflow sets them from repository secrets, and without them the row
//! says "live: not run".

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{invalid, Invalid};

/// Every variable a `[live]` table names starts with this, so the nightly
/// workflow exports exactly these secrets and nothing else.
pub const ENV_PREFIX: &str = "MCP_AUTH_LIVE_";

/// A test tenant's credentials, by the names of the variables holding them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Live {
    /// How the token is obtained without a user at a browser.
    pub grant: LiveGrant,
    /// The variable holding the pre-registered client's id.
    pub client_id_env: String,
    /// The variable holding its secret (`client_credentials`, or a
    /// confidential client's refresh).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret_env: Option<String>,
    /// The variable holding a refresh token issued to the client
    /// (`refresh_token`: e.g. from a test user's login, kept as a secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token_env: Option<String>,
    /// The variable holding the RFC 7523 assertion (`jwt_bearer`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assertion_env: Option<String>,
    /// The scope to ask for (space-separated), when not the server's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

/// The non-interactive grants `login` supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LiveGrant {
    /// OAuth client credentials (the MCP client-credentials extension).
    ClientCredentials,
    /// RFC 7523 JWT bearer, with an assertion the tenant issues.
    JwtBearer,
    /// A refresh token of a test user's login, redeemed as its client.
    RefreshToken,
}

impl LiveGrant {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ClientCredentials => "client_credentials",
            Self::JwtBearer => "jwt_bearer",
            Self::RefreshToken => "refresh_token",
        }
    }
}

impl Live {
    /// Every variable it names, with the field naming it, in file order.
    pub fn env_names(&self) -> Vec<(&'static str, &str)> {
        let mut names = vec![("client_id_env", self.client_id_env.as_str())];
        names.extend(
            self.client_secret_env
                .as_deref()
                .map(|n| ("client_secret_env", n)),
        );
        names.extend(self.assertion_env.as_deref().map(|n| ("assertion_env", n)));
        names.extend(
            self.refresh_token_env
                .as_deref()
                .map(|n| ("refresh_token_env", n)),
        );
        names
    }

    /// Variable names are `MCP_AUTH_LIVE_` and upper-case letters, digits
    /// or `_`; each grant has the credential it needs.
    pub(super) fn validate(&self) -> Result<(), Invalid> {
        for (field, name) in self.env_names() {
            let well_formed = name.len() > ENV_PREFIX.len()
                && name.starts_with(ENV_PREFIX)
                && name
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
            if !well_formed {
                return Err(invalid(
                    format!("live.{field}"),
                    format!(
                        "'{name}' must be an environment variable name starting with {ENV_PREFIX} (upper-case letters, digits, _): it names where the secret is, never the secret"
                    ),
                ));
            }
        }
        let needs = match self.grant {
            LiveGrant::ClientCredentials => ("client_secret_env", self.client_secret_env.is_none()),
            LiveGrant::JwtBearer => ("assertion_env", self.assertion_env.is_none()),
            LiveGrant::RefreshToken => ("refresh_token_env", self.refresh_token_env.is_none()),
        };
        if needs.1 {
            return Err(invalid(
                format!("live.{}", needs.0),
                format!("missing: grant {} needs it", self.grant.as_str()),
            ));
        }
        Ok(())
    }
}

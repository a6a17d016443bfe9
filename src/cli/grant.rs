//! `login --grant` and the credentials of the grants without a user (clap
//! types only; flattened into `LoginArgs`).

use std::path::PathBuf;

use clap::{Args, ValueEnum};

/// How `login` obtains its token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GrantArg {
    /// In the browser, with PKCE.
    AuthorizationCode,
    /// As a confidential client (its secret or --private-key), no user.
    ClientCredentials,
    /// A JWT you hold (e.g. a workload identity token) as the RFC 7523 assertion.
    JwtBearer,
    /// Enterprise-managed: trade the IdP's ID token for an ID-JAG, then present it.
    TokenExchange,
    /// A refresh token you hold (e.g. a CI secret), as the --client-id it was issued to.
    RefreshToken,
}

#[derive(Debug, Args)]
pub struct GrantArgs {
    /// How to obtain the token: in the browser, or without a user
    /// (client-credentials, jwt-bearer, token-exchange, refresh-token).
    #[arg(long, value_enum, value_name = "GRANT", default_value_t = GrantArg::AuthorizationCode)]
    pub grant: GrantArg,

    /// jwt-bearer: the assertion (a JWT, e.g. a workload identity token), read
    /// from FILE (`-`: stdin); else $MCP_AUTH_ASSERTION.
    #[arg(long, value_name = "FILE")]
    pub assertion_file: Option<PathBuf>,

    /// refresh-token: the refresh token, read from FILE (`-`: stdin); else
    /// $MCP_AUTH_REFRESH_TOKEN.
    #[arg(long, value_name = "FILE")]
    pub refresh_token_file: Option<PathBuf>,

    /// token-exchange: the IdP's ID token, read from FILE (`-`: stdin); else
    /// $MCP_AUTH_SUBJECT_TOKEN.
    #[arg(long, value_name = "FILE")]
    pub subject_token_file: Option<PathBuf>,

    /// token-exchange: the enterprise IdP's issuer (its token endpoint is discovered).
    #[arg(long, value_name = "URL")]
    pub idp_issuer: Option<String>,

    /// token-exchange: the IdP's token endpoint, when not discoverable from --idp-issuer.
    #[arg(long, value_name = "URL")]
    pub idp_token_endpoint: Option<String>,

    /// token-exchange: this client's id at the IdP (the ID token's audience).
    #[arg(long, value_name = "ID")]
    pub idp_client_id: Option<String>,

    /// token-exchange: this client's secret at the IdP, read from FILE (`-`:
    /// stdin); else $MCP_AUTH_IDP_CLIENT_SECRET.
    #[arg(long, value_name = "FILE", requires = "idp_client_id")]
    pub idp_client_secret_file: Option<PathBuf>,
}

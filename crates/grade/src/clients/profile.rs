//! `clients/*.toml`: how each MCP client behaves where clients differ, as
//! data. One file per client and version range: the spec clients of each
//! revision, the SDKs, Logto's library and the hosts people use (Claude,
//! ChatGPT, VS Code, ...). Every behaviour section names its sources and the
//! version it was seen in. The grading code evaluates a profile over the
//! evidence (`eval.rs`); nothing here decides.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::evidence::{PrmSource, ServerType};

/// What kind of client a profile describes.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ProfileKind {
    /// A spec-following client of one MCP revision.
    Spec,
    /// An MCP SDK's client.
    Sdk,
    /// A library that runs in the MCP server and only fetches the
    /// authorization server's configuration (Logto's mcp-auth).
    Library,
    /// An application people use: Claude, ChatGPT, VS Code, ...
    Host,
}

impl ProfileKind {
    pub fn label(self) -> &'static str {
        match self {
            Self::Spec => "spec",
            Self::Sdk => "sdk",
            Self::Library => "library",
            Self::Host => "host",
        }
    }
}

/// One `clients/<id>.toml` file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileFile {
    /// Display name.
    pub name: String,
    pub kind: ProfileKind,
    /// The versions this profile describes ("2.4.0 and later", "claude.ai, 2026-09").
    pub versions: String,
    /// Its home page (https).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub homepage: Option<String>,
    /// When the facts were last reviewed (YYYY-MM-DD).
    pub updated: String,
    /// Rows are listed by `order`, then id.
    #[serde(default = "default_order")]
    pub order: u32,
    /// Which targets it applies to: `issuer` (an authorization server
    /// checked alone), `mcp` (an MCP server), or both (the default).
    #[serde(default = "both_targets")]
    pub targets: Vec<TargetKind>,
    /// How it finds the protected resource metadata (MCP servers).
    pub prm: PrmBehaviour,
    /// How it finds and accepts the authorization server metadata.
    pub metadata: MetadataBehaviour,
    /// How it gets a client id (absent: the application supplies one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration: Option<RegistrationBehaviour>,
    /// Its redirect URI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect: Option<RedirectBehaviour>,
    /// Where the `scope` of its authorization request comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<ScopeBehaviour>,
    /// What its authorization and token requests carry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requests: Option<RequestBehaviour>,
    /// Which servers it can reach at all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<NetworkBehaviour>,
}

fn default_order() -> u32 {
    100
}

fn both_targets() -> Vec<TargetKind> {
    vec![TargetKind::Issuer, TargetKind::Mcp]
}

/// The kind of target a profile applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TargetKind {
    Issuer,
    Mcp,
}

/// How a PRM's `resource` must relate to the MCP URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ResourceRule {
    /// Identical (RFC 9728 §3.3).
    Exact,
    /// The TypeScript SDK's `checkResourceAllowed`: same origin, path prefix.
    TsPrefix,
    /// The Python SDK's `check_resource_allowed`: same origin, path prefix,
    /// trailing slashes ignored.
    PythonPrefix,
    /// Not compared.
    Ignored,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PrmBehaviour {
    /// The PRM locations it tries, in order (empty: it reads no PRM, as in
    /// MCP 2025-03-26).
    pub order: Vec<PrmSource>,
    /// With a `resource_metadata` in the 401 challenge, it uses that URL alone.
    #[serde(default = "yes")]
    pub header_alone: bool,
    pub resource: ResourceRule,
    /// Without PRM it uses the MCP origin as the authorization server
    /// (MCP 2025-03-26's fallback).
    #[serde(default)]
    pub legacy_fallback: bool,
    /// https links: documentation, an issue, or a source file at a commit or tag.
    pub sources: Vec<String>,
    /// The version (or date) the behaviour was seen in.
    pub seen_in: String,
}

fn yes() -> bool {
    true
}

/// Which authorization server metadata locations it tries, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum MetadataDiscovery {
    /// MCP 2025-11-25 and later: every candidate in order, the first
    /// document wins.
    Spec,
    /// The TypeScript SDK v2: the next candidate on 4xx or 502, throws on
    /// anything else; zod schemas (full OIDC at an OIDC location).
    TsSdk,
    /// The Python SDK v2: the next candidate on 4xx or an invalid 200;
    /// anything else ends discovery.
    PythonSdk,
    /// The RFC 8414 location only.
    Rfc8414,
    /// The OpenID Connect location only (appended to the issuer).
    Oidc,
    /// No discovery: the MCP origin's RFC 8414 document, else its default
    /// endpoints (MCP 2025-03-26).
    McpOrigin,
}

/// How it compares the metadata's `issuer` with the one it expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum IssuerRule {
    /// RFC 8414 §3.3: identical.
    Exact,
    /// Identical, except that an expected issuer ending in `/` matches a
    /// document issuer without it (the TypeScript SDK v2).
    TrailingSlash,
    /// Not compared.
    Ignored,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MetadataBehaviour {
    pub discovery: MetadataDiscovery,
    pub issuer: IssuerRule,
    /// Logto's library: the `fetchServerConfig` type this profile is
    /// (`check --type` keeps one of them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_type: Option<ServerType>,
    /// https links: documentation, an issue, or a source file at a commit or tag.
    pub sources: Vec<String>,
    /// The version (or date) the behaviour was seen in.
    pub seen_in: String,
}

/// A way of getting a client id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationMethod {
    /// Its Client ID Metadata Document URL as `client_id`.
    Cimd,
    /// RFC 7591 dynamic client registration.
    Dcr,
    /// A client id the user registered by hand and entered.
    Preregistered,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegistrationBehaviour {
    /// The methods it uses, in order of preference.
    pub order: Vec<RegistrationMethod>,
    /// Its Client ID Metadata Document (https), when it uses one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cimd_url: Option<String>,
    /// Metadata members that must be present for it to pick CIMD, beyond
    /// `client_id_metadata_document_supported: true`: `none` means the
    /// server must list `none` in `token_endpoint_auth_methods_supported`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cimd_requires: Vec<String>,
    /// The `token_endpoint_auth_method` it registers or declares.
    pub auth_method: String,
    /// The method its CIMD document also lists, used when the server does
    /// not list `auth_method` (ChatGPT: `private_key_jwt`, else `none`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback_auth_method: Option<String>,
    /// `application_type` it registers (`native`, `web`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_type: Option<String>,
    /// https links: documentation, an issue, or a source file at a commit or tag.
    pub sources: Vec<String>,
    /// The version (or date) the behaviour was seen in.
    pub seen_in: String,
}

/// The shape of its redirect URI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RedirectKind {
    /// `http://127.0.0.1` or `localhost`, any port it picks.
    LoopbackAnyPort,
    /// A loopback URI on one fixed port.
    LoopbackFixedPort,
    /// One fixed https callback (a hosted connector).
    Https,
    /// A private-use URI scheme (`vscode://`, `cursor://`).
    CustomScheme,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RedirectBehaviour {
    pub kind: RedirectKind,
    /// The URI itself, when it is fixed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// https links: documentation, an issue, or a source file at a commit or tag.
    pub sources: Vec<String>,
    /// The version (or date) the behaviour was seen in.
    pub seen_in: String,
}

/// A place the `scope` of the authorization request can come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScopeSource {
    /// The 401 challenge's `scope`.
    Challenge,
    /// The PRM's `scopes_supported`.
    Prm,
    /// The authorization server's `scopes_supported`, the whole list.
    AuthorizationServer,
    /// The scope its application configured.
    Configured,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScopeBehaviour {
    /// Where it looks, in order; with none of them it omits `scope`.
    pub from: Vec<ScopeSource>,
    /// https links: documentation, an issue, or a source file at a commit or tag.
    pub sources: Vec<String>,
    /// The version (or date) the behaviour was seen in.
    pub seen_in: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestBehaviour {
    /// It sends the RFC 8707 `resource` parameter (absent: not known).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<bool>,
    /// It checks the RFC 9207 `iss` of the authorization response (absent: not known).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<bool>,
    /// The PKCE method it sends (absent: not known).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pkce: Option<String>,
    /// How its token request is encoded (`form`; absent: not known).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_encoding: Option<String>,
    /// https links: documentation, an issue, or a source file at a commit or tag.
    pub sources: Vec<String>,
    /// The version (or date) the behaviour was seen in.
    pub seen_in: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NetworkBehaviour {
    /// It reaches servers only over https on port 443 (a hosted connector
    /// broker), or it reaches any URL.
    pub https_443_only: bool,
    /// https links: documentation, an issue, or a source file at a commit or tag.
    pub sources: Vec<String>,
    /// The version (or date) the behaviour was seen in.
    pub seen_in: String,
}

//! Evidence: everything `check` observed, recorded as plain data, and the
//! protocol facts both sides of the tool share.
//!
//! The gathering crate (`mcp-auth-net`) produces these values; the grading
//! crate (`mcp-auth-grade`) reads them and nothing else. An [`Evidence`] value
//! can be written with `--save-evidence` and graded again offline with
//! `--from-evidence`, giving the same report.
//! [`cimd::CimdEvidence`] is the same for `cimd validate`.
//!
//! Besides the records: [`metadata`] (the one place JSON members of protocol
//! documents are read by name), [`www_authenticate`] (the challenge parser),
//! [`jwt`], [`wellknown`] (where metadata lives), [`urls`] (loopback, https and
//! the SSRF policy), [`requests`] (what probes send), [`interpret`] (what a
//! fetch amounted to), [`token_response`] (the one reader of a token
//! endpoint's answer) and [`dpop`] (DPoP nonces and how servers demand them).
//! No I/O, no network, no command line.

pub mod cimd;
pub mod dpop;
pub mod interpret;
pub mod jwt;
pub mod live;
pub mod metadata;
pub mod registry;
pub mod requests;
pub mod token_response;
pub mod urls;
pub mod wellknown;
pub mod www_authenticate;

use serde::{Deserialize, Serialize};

/// Version of the evidence file format written by `--save-evidence`.
pub const EVIDENCE_SCHEMA_VERSION: u32 = 1;

/// One HTTP request and what came back (or why nothing did).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Exchange {
    pub request: RequestRecord,
    /// The response, when one arrived (even when its body was then cut off).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<ResponseRecord>,
    /// Why the exchange did not complete normally.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<TransportError>,
    /// Wall time from sending the request to the end of the body, in milliseconds.
    pub elapsed_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RequestRecord {
    pub method: String,
    pub url: String,
    #[serde(default)]
    pub headers: Vec<Header>,
    /// The request body, for probes that send one (never a credential).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Header {
    /// Lower-case header name.
    pub name: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ResponseRecord {
    pub status: u16,
    #[serde(default)]
    pub headers: Vec<Header>,
    /// The body as text (invalid UTF-8 sequences replaced, see `body_not_utf8`).
    #[serde(default)]
    pub body: String,
    /// The body was not valid UTF-8.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub body_not_utf8: bool,
    /// The body was longer than the cap and was not kept.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub body_truncated: bool,
}

impl Exchange {
    /// Why there is no usable answer: the transport error, else "no response".
    pub fn failure(&self) -> &str {
        self.error
            .as_ref()
            .map_or("no response", |e| e.message.as_str())
    }
}

impl ResponseRecord {
    /// The first value of a header (names are compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.as_str())
    }

    /// Every value of a header, in order.
    pub fn header_all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.as_str())
            .collect()
    }
}

/// The media type of a `Content-Type` value: lower-cased, without parameters.
pub fn media_type(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TransportError {
    pub kind: TransportErrorKind,
    pub message: String,
}

impl TransportError {
    /// A request that was never sent (its URL refused by the URL policy).
    pub fn not_sent(why: &str) -> Self {
        Self {
            kind: TransportErrorKind::Other,
            message: format!("not sent: {why}"),
        }
    }

    /// Whether the TLS handshake failed on the server's certificate (its
    /// chain not trusted, not valid for the host, expired…): rustls says
    /// "invalid peer certificate: …", which the message keeps.
    pub fn is_certificate_rejected(&self) -> bool {
        self.kind != TransportErrorKind::Timeout
            && self.message.contains("invalid peer certificate")
    }

    /// Why the request was never sent, for an error [`Self::not_sent`] made.
    pub fn unsent_reason(&self) -> Option<&str> {
        match self.kind {
            TransportErrorKind::Other => self.message.strip_prefix("not sent: "),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TransportErrorKind {
    /// No answer (connect, headers or body) within the timeout.
    Timeout,
    /// The TCP (or TLS) connection could not be made.
    Connect,
    /// The body exceeded the size cap.
    BodyTooLarge,
    /// Anything else (protocol error, reset mid-body, …).
    Other,
}

impl std::fmt::Display for TransportErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Timeout => "timeout",
            Self::Connect => "connection failed",
            Self::BodyTooLarge => "body too large",
            Self::Other => "transport error",
        })
    }
}

/// How the user named the thing to check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TargetKind {
    /// An issuer identifier: every well-known candidate is tried.
    Issuer,
    /// A metadata URL given directly (`--well-known-url`, or a URL containing `/.well-known/`).
    WellKnownUrl,
    /// A metadata document read from a local file.
    File,
    /// An MCP server (Streamable HTTP endpoint) protected by OAuth.
    McpServer,
}

/// What the user says a URL is (`check --as`, a provider's `kind`): `Auto`
/// sends an MCP request first and decides from the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TargetHint {
    #[default]
    Auto,
    Issuer,
    Mcp,
}

impl TargetKind {
    pub fn label(self) -> &'static str {
        match self {
            Self::Issuer => "issuer",
            Self::WellKnownUrl => "metadata URL",
            Self::File => "file",
            Self::McpServer => "MCP server",
        }
    }
}

/// The seeds' `fetchServerConfig` type: which single URL Logto MCP Auth builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ServerType {
    /// RFC 8414: `/.well-known/oauth-authorization-server` inserted before the path.
    Oauth,
    /// OpenID Connect: `/.well-known/openid-configuration` appended to the issuer.
    Oidc,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Target {
    /// What the user typed.
    pub input: String,
    pub kind: TargetKind,
    /// The issuer identifier the metadata must declare, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_type: Option<ServerType>,
}

/// Which well-known rule produced a candidate URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CandidateKind {
    /// RFC 8414 §3: `/.well-known/oauth-authorization-server` inserted between host and path.
    Oauth,
    /// OpenID Connect with path insertion: `/.well-known/openid-configuration` before the path.
    OidcInsert,
    /// OpenID Connect Discovery §4: `/.well-known/openid-configuration` appended to the issuer.
    OidcAppend,
    /// Issuer without a path: OIDC insertion and appending give the same URL.
    Oidc,
    /// `/.well-known/oauth-authorization-server` appended (not RFC 8414; no MCP client tries it).
    /// Fetched only as a diagnostic for providers such as older Keycloak.
    OauthAppend,
    /// A metadata URL given by the user.
    Explicit,
    /// A metadata document read from a file.
    File,
}

impl CandidateKind {
    /// Whether a spec-following MCP client tries this URL.
    pub fn is_spec_candidate(self) -> bool {
        !matches!(self, Self::OauthAppend)
    }

    /// Whether a document found here is an OpenID Connect discovery document.
    pub fn is_oidc_location(self) -> bool {
        matches!(self, Self::OidcInsert | Self::OidcAppend | Self::Oidc)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Oauth => "RFC 8414 (path insertion)",
            Self::OidcInsert => "OIDC (path insertion)",
            Self::OidcAppend => "OIDC (path appending)",
            Self::Oidc => "OIDC",
            Self::OauthAppend => "RFC 8414 suffix appended (non-standard)",
            Self::Explicit => "given URL",
            Self::File => "file",
        }
    }
}

/// One place metadata was looked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Attempt {
    pub kind: CandidateKind,
    /// The URL (or, for a file, its path).
    pub url: String,
    /// The HTTP exchange; absent for a file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exchange: Option<Exchange>,
    /// The file's content; only for a file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_body: Option<String>,
}

/// Why an authorization server is in the evidence.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum AsRole {
    /// The target itself (issuer mode).
    #[default]
    Target,
    /// Listed in the protected resource metadata's `authorization_servers`.
    Listed,
    /// No protected resource metadata: the MCP server's origin, as MCP
    /// 2025-03-26 clients assume.
    Legacy,
}

/// Authorization-server discovery for one issuer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AsDiscovery {
    /// The issuer the metadata must declare (RFC 8414 §3.3), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    #[serde(default)]
    pub role: AsRole,
    /// In the order a spec client tries them; diagnostics last.
    pub attempts: Vec<Attempt>,
    /// Probes run once the metadata was known (CORS, registration).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub probes: Vec<Probe>,
}

/// What a probe request was for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProbeKind {
    /// GET `{MCP origin}/.well-known/oauth-authorization-server`: where
    /// MCP 2025-03-26 clients look.
    LegacyAsMetadata,
    /// POST to the MCP endpoint with `Authorization: Bearer <garbage>`.
    InvalidToken,
    /// POST to the MCP endpoint with `?access_token=<garbage>`.
    QueryToken,
    /// The authorization server metadata GET again, without
    /// `MCP-Protocol-Version`, of a candidate that answered 400 or 403 with
    /// the header: the comparison DISC-PROTOCOL-HEADER reads.
    AsMetadataWithoutVersion,
    /// OPTIONS preflight for a POST to the MCP endpoint.
    CorsMcpPreflight,
    /// The unauthenticated POST, sent with `Origin`.
    CorsMcpPost,
    /// OPTIONS preflight for a GET of the protected resource metadata.
    CorsPrmPreflight,
    /// GET of the protected resource metadata with `Origin`.
    CorsPrmGet,
    /// OPTIONS preflight for a GET of the authorization server metadata.
    CorsAsPreflight,
    /// GET of the authorization server metadata with `Origin`.
    CorsAsGet,
    /// GET of `jwks_uri` with `Origin`.
    CorsJwks,
    /// OPTIONS preflight for a POST to the registration endpoint.
    CorsRegPreflight,
    /// A (deliberately invalid) token request with `Origin`.
    CorsToken,
    /// OPTIONS preflight for a GET of the userinfo endpoint with `Authorization`.
    CorsUserinfoPreflight,
    /// Dynamic registration of a native client with a `127.0.0.1` redirect URI.
    RegisterLoopbackIp,
    /// The same with a `localhost` redirect URI.
    RegisterLocalhost,
    /// The loopback-IP registration without `application_type` (pre-2026 clients).
    RegisterNoAppType,
    /// A registration with an invalid redirect URI, to see how refusals look.
    RegisterInvalid,
    /// RFC 7592 deletion of a client the probe registered.
    RegisterDelete,
    /// A well-formed authorization request (the baseline the others are read against).
    AuthzBaseline,
    /// The same with an unregistered redirect URI.
    AuthzUnregisteredRedirect,
    /// The same with the registered loopback redirect URI on another port.
    AuthzOtherLoopbackPort,
    /// The same without a PKCE challenge.
    AuthzNoPkce,
    /// The same with `code_challenge_method=plain`.
    AuthzPlainPkce,
    /// The same with the RFC 8707 `resource` of the MCP server.
    AuthzResource,
    /// A well-formed authorization request as a known MCP host sends it
    /// (`check --probe-hosts`): its Client ID Metadata Document URL as
    /// `client_id` and its https callback; [`Probe::host`] names the host.
    AuthzHost,
    /// `tools/list` without a token (in the unauthenticated session when
    /// `initialize` was answered; the stateless form for 2026-07-28).
    UnauthToolsList,
    /// `tools/call` of a made-up tool ([`requests::PROBE_TOOL`]) without a token.
    UnauthToolsCall,
    /// A request with a well-formed JWT whose `exp` is in the past, signed by
    /// a throwaway key.
    ExpiredToken,
    /// A request with a well-formed JWT for another audience
    /// ([`requests::FOREIGN_AUDIENCE`]), signed by a throwaway key.
    WrongAudienceToken,
    /// The unauthenticated 2026-07-28 stateless `server/discover` POST.
    StatelessDiscover,
}

/// One probe request and its exchange.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Probe {
    pub kind: ProbeKind,
    /// The host a [`ProbeKind::AuthzHost`] probe stood in for (`claude`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    pub exchange: Exchange,
}

impl Probe {
    /// A probe that stands in for no host.
    pub fn new(kind: ProbeKind, exchange: Exchange) -> Self {
        Self {
            kind,
            host: None,
            exchange,
        }
    }
}

/// Where a protected resource metadata URL came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PrmSource {
    /// `resource_metadata` of the 401 challenge.
    Header,
    /// RFC 9728 §3.1: `/.well-known/oauth-protected-resource` inserted before the path.
    PathInserted,
    /// `/.well-known/oauth-protected-resource` at the root.
    Root,
}

impl PrmSource {
    pub fn label(self) -> &'static str {
        match self {
            Self::Header => "WWW-Authenticate resource_metadata",
            Self::PathInserted => "well-known, path inserted",
            Self::Root => "well-known, root",
        }
    }
}

/// One place protected resource metadata was looked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PrmAttempt {
    pub source: PrmSource,
    pub url: String,
    pub exchange: Exchange,
}

/// The MCP server's side of the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ResourceEvidence {
    /// The MCP endpoint.
    pub url: String,
    /// The unauthenticated `initialize` POST.
    pub unauthenticated: Exchange,
    /// Protected resource metadata locations, header URL first.
    pub prm: Vec<PrmAttempt>,
    /// Further probes of the MCP endpoint and its metadata.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub probes: Vec<Probe>,
}

/// Everything one `check` run observed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Evidence {
    pub schema_version: u32,
    /// `mcp-auth <version>` that recorded it.
    pub tool: String,
    /// When it was recorded (RFC 3339, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorded_at: Option<String>,
    pub target: Target,
    /// MCP server mode: the protected resource's part of the chain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<ResourceEvidence>,
    /// The authorization servers, the one clients use first.
    pub authorization_servers: Vec<AsDiscovery>,
    /// `check --login`: the live flow (absent without `--login`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub live: Option<live::LiveEvidence>,
}

impl Evidence {
    /// Evidence recorded now by `tool`, with nothing observed yet.
    pub fn new(tool: String, recorded_at: Option<String>, target: Target) -> Self {
        Self {
            schema_version: EVIDENCE_SCHEMA_VERSION,
            tool,
            recorded_at,
            target,
            resource: None,
            authorization_servers: Vec::new(),
            live: None,
        }
    }

    /// Read the text of an evidence file written by `--save-evidence` or
    /// `matrix --record` (`name` says where it came from, for errors).
    pub fn from_json(name: &str, text: &str) -> Result<Self, String> {
        let ev: Self = serde_json::from_str(text)
            .map_err(|e| format!("{name} is not mcp-auth evidence: {e}"))?;
        if ev.schema_version != EVIDENCE_SCHEMA_VERSION {
            return Err(format!(
                "{name} has evidence schema version {}, this mcp-auth reads {}",
                ev.schema_version, EVIDENCE_SCHEMA_VERSION
            ));
        }
        Ok(ev)
    }
}

impl AsDiscovery {
    /// The exchange of a probe, if it was sent.
    pub fn probe(&self, kind: ProbeKind) -> Option<&Exchange> {
        find_probe(&self.probes, kind)
    }

    /// The [`ProbeKind::AuthzHost`] probes, each with the host it stood in for.
    pub fn host_probes(&self) -> impl Iterator<Item = (&str, &Exchange)> {
        self.probes
            .iter()
            .filter(|p| p.kind == ProbeKind::AuthzHost)
            .map(|p| (p.host.as_deref().unwrap_or("?"), &p.exchange))
    }
}

impl ResourceEvidence {
    pub fn probe(&self, kind: ProbeKind) -> Option<&Exchange> {
        find_probe(&self.probes, kind)
    }
}

fn find_probe(probes: &[Probe], kind: ProbeKind) -> Option<&Exchange> {
    probes.iter().find(|p| p.kind == kind).map(|p| &p.exchange)
}

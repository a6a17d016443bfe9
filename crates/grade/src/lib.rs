//! Grading: pure functions from [`Evidence`] to findings.
//!
//! Nothing in this module does I/O. Each check has a stable id (the ids of
//! `spec-checklist.md` §2, used verbatim), a level, the spec section it comes
//! from, a fix hint, and one function that reads the [`Analysis`] of the
//! evidence. All checks are listed in [`CATALOGUE`].

mod analysis;
mod checks;
pub mod clients;
pub mod providers;
pub mod quirks;
pub mod verdict;

use mcp_auth_evidence as evidence;
use mcp_auth_evidence::{metadata, www_authenticate};
use serde::{Deserialize, Serialize};

pub use analysis::{Analysis, AsAnalysis, AttemptAnalysis, PrmAnalysis, ResourceAnalysis};
pub use checks::authorize;
pub use mcp_auth_evidence::interpret::{body_doc, classify, AttemptOutcome, Doc, Fetched};
pub use verdict::{grade_known, grade_with, Graded, Summary, Verdict};

use crate::evidence::Evidence;

/// How strongly the source requires what the check tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Level {
    Must,
    Should,
    May,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Must => "MUST",
            Self::Should => "SHOULD",
            Self::May => "MAY",
        }
    }
}

/// The verdict of one check.
///
/// `fail` is reserved for MUST-level checks: a SHOULD or MAY that is not met
/// is a `warn` (or `info`), so `fail` always means "a required check failed".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    /// Worth knowing; not a problem.
    Info,
    Warn,
    Fail,
    /// Could not be observed from this evidence.
    Skip,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Info => "info",
            Self::Warn => "warn",
            Self::Fail => "fail",
            Self::Skip => "skip",
        }
    }
}

/// What a check function returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub status: Status,
    pub detail: String,
}

impl Outcome {
    pub fn new(status: Status, detail: impl Into<String>) -> Self {
        Self {
            status,
            detail: detail.into(),
        }
    }
    pub fn pass(detail: impl Into<String>) -> Self {
        Self::new(Status::Pass, detail)
    }
    pub fn info(detail: impl Into<String>) -> Self {
        Self::new(Status::Info, detail)
    }
    pub fn warn(detail: impl Into<String>) -> Self {
        Self::new(Status::Warn, detail)
    }
    pub fn fail(detail: impl Into<String>) -> Self {
        Self::new(Status::Fail, detail)
    }
    pub fn skip(detail: impl Into<String>) -> Self {
        Self::new(Status::Skip, detail)
    }
}

/// What a check looks at.
#[derive(Clone, Copy)]
pub enum Grade {
    /// The MCP server side (run once, only for MCP servers).
    Resource(fn(&ResourceAnalysis<'_>) -> Outcome),
    /// One authorization server (run for each).
    Server(fn(&AsAnalysis<'_>) -> Outcome),
}

/// One entry of the catalogue.
pub struct CheckDef {
    pub id: &'static str,
    pub level: Level,
    pub title: &'static str,
    pub spec: &'static str,
    pub hint: &'static str,
    pub grade: Grade,
}

impl CheckDef {
    /// Whether the check is about the MCP server rather than an authorization server.
    pub fn is_resource_check(&self) -> bool {
        matches!(self.grade, Grade::Resource(_))
    }
}

impl std::fmt::Debug for CheckDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CheckDef").field("id", &self.id).finish()
    }
}

/// A graded check, as reports show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub id: String,
    /// Which authorization server the finding is about (MCP server mode).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    pub level: Level,
    pub status: Status,
    pub title: String,
    pub detail: String,
    pub spec: String,
    pub hint: String,
    /// A provider-specific fix, when the target is a known provider with a
    /// documented quirk for this check (see [`quirks`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_hint: Option<String>,
}

/// Every check, in report order: the MCP server's, then each authorization server's.
pub static CATALOGUE: &[CheckDef] = &[
    checks::challenge::SEC_HTTPS_RS,
    checks::challenge::CH_401,
    checks::challenge::CH_WWW_AUTH,
    checks::challenge::CH_BEARER_SCHEME,
    checks::challenge::CH_RESOURCE_METADATA,
    checks::challenge::CH_PARAM_SYNTAX,
    checks::challenge::CH_SCOPE,
    checks::challenge::CH_NO_ERROR_WITHOUT_CREDS,
    checks::challenge::CH_INVALID_TOKEN,
    checks::challenge::CH_QUERY_TOKEN,
    checks::prm::PRM_DISCOVERABLE,
    checks::prm::PRM_HTTP,
    checks::prm::PRM_LOCATION,
    checks::prm::PRM_RESOURCE_PRESENT,
    checks::prm::PRM_RESOURCE_MATCH,
    checks::prm::PRM_RESOURCE_FORMAT,
    checks::prm::PRM_AS_PRESENT,
    checks::prm::PRM_AS_FIRST,
    checks::prm::PRM_AS_ISSUER_FORMAT,
    checks::prm::PRM_SCOPES,
    checks::prm::PRM_NO_OFFLINE_ACCESS,
    checks::prm::PRM_BEARER_METHODS,
    checks::prm::PRM_JWKS_HTTPS,
    checks::prm::PRM_ZERO_VALUES,
    checks::prm::PRM_NAME,
    checks::cors::CORS_MCP_PREFLIGHT,
    checks::cors::CORS_MCP_EXPOSE,
    checks::cors::CORS_PRM_GET,
    checks::cors::CORS_PRM_PREFLIGHT,
    checks::discovery::SEC_HTTPS_AS,
    checks::discovery::DISC_AS_FOUND,
    checks::discovery::DISC_AS_RFC8414,
    checks::discovery::DISC_AS_ERROR_STATUS,
    checks::discovery::DISC_AS_CONTENT_TYPE,
    checks::discovery::DISC_AS_ISSUER_MATCH,
    checks::discovery::DISC_AS_ISSUER_EQ_PRM,
    checks::discovery::DISC_AS_ISSUER_FORMAT,
    checks::discovery::DISC_AS_CONSISTENT,
    checks::as_metadata::AS_AUTHZ_ENDPOINT,
    checks::as_metadata::AS_TOKEN_ENDPOINT,
    checks::as_metadata::AS_RESPONSE_TYPES,
    checks::as_metadata::AS_PKCE_PRESENT,
    checks::as_metadata::AS_PKCE_S256,
    checks::as_metadata::AS_PKCE_PLAIN,
    checks::as_metadata::AS_GRANT_AUTHCODE,
    checks::as_metadata::AS_GRANT_REFRESH,
    checks::as_metadata::AS_TOKEN_AUTH_NONE,
    checks::as_metadata::AS_REGISTRATION_ENDPOINT,
    checks::as_metadata::AS_CIMD_SUPPORTED,
    checks::as_metadata::AS_REG_PATH,
    checks::as_metadata::AS_SCOPES_SUPPORTED,
    checks::as_metadata::AS_JWKS_URI,
    checks::as_metadata::AS_OIDC_REQUIRED,
    checks::as_metadata::AS_MEMBER_TYPES,
    checks::as_metadata::AS_ZERO_VALUES,
    checks::as_metadata::AS_ISS_PARAM,
    checks::as_metadata::AS_USERINFO,
    checks::cors::CORS_AS_GET,
    checks::cors::CORS_AS_PREFLIGHT,
    checks::cors::CORS_JWKS,
    checks::cors::CORS_REG_PREFLIGHT,
    checks::cors::CORS_TOKEN,
    checks::cors::CORS_USERINFO,
    checks::registration::DCR_STATUS,
    checks::registration::DCR_CLIENT_ID,
    checks::registration::DCR_ECHO_METADATA,
    checks::registration::DCR_AUTH_METHOD,
    checks::registration::DCR_LOOPBACK_IP,
    checks::registration::DCR_LOOPBACK_LOCALHOST,
    checks::registration::DCR_APP_TYPE,
    checks::registration::DCR_ERROR_FORMAT,
    checks::authorize::AUTHZ_REDIRECT_EXACT,
    checks::authorize::AUTHZ_LOOPBACK_PORT,
    checks::authorize::AUTHZ_PKCE_ENFORCED,
    checks::authorize::AUTHZ_RESOURCE_ACCEPTED,
    checks::authorize::AUTHZ_ERROR_ISS,
];

/// Look a check up by id.
pub fn find(id: &str) -> Option<&'static CheckDef> {
    CATALOGUE.iter().find(|c| c.id == id)
}

/// Grade evidence: for an MCP server, its checks and then every
/// authorization server's (each finding naming its server); for an issuer,
/// the authorization-server checks.
pub fn grade(evidence: &Evidence) -> (Analysis<'_>, Vec<Finding>) {
    let analysis = Analysis::new(evidence);
    let mut findings = Vec::new();
    if let Some(resource) = &analysis.resource {
        for check in CATALOGUE {
            if let Grade::Resource(f) = check.grade {
                findings.push(finding(check, f(resource), None));
            }
        }
    }
    let name_servers = analysis.resource.is_some();
    for server in analysis.all_servers() {
        let subject = name_servers.then(|| server_subject(server));
        for check in CATALOGUE {
            if let Grade::Server(f) = check.grade {
                findings.push(finding(check, f(server), subject.clone()));
            }
        }
    }
    (analysis, findings)
}

/// How findings name an authorization server.
pub fn server_subject(server: &AsAnalysis<'_>) -> String {
    let issuer = server.expected_issuer().unwrap_or("?");
    match server.role() {
        crate::evidence::AsRole::Legacy => format!("{issuer} (legacy, no PRM)"),
        _ => issuer.to_owned(),
    }
}

fn finding(check: &CheckDef, mut outcome: Outcome, subject: Option<String>) -> Finding {
    if outcome.status == Status::Fail && check.level != Level::Must {
        // Only a MUST can fail (see `Status`).
        outcome.status = Status::Warn;
    }
    Finding {
        id: check.id.to_owned(),
        subject,
        level: check.level,
        status: outcome.status,
        title: check.title.to_owned(),
        detail: outcome.detail,
        spec: check.spec.to_owned(),
        hint: check.hint.to_owned(),
        provider_hint: None,
    }
}

/// Shared helpers for check functions.
pub(crate) mod util {
    #[cfg(test)]
    pub use crate::evidence::urls::is_loopback;
    pub use crate::evidence::urls::{absolute_url, transport, Transport};

    /// `a, b and c`.
    pub fn join_list<S: AsRef<str>>(items: &[S]) -> String {
        match items {
            [] => String::new(),
            [one] => one.as_ref().to_owned(),
            [rest @ .., last] => format!(
                "{} and {}",
                rest.iter()
                    .map(AsRef::as_ref)
                    .collect::<Vec<_>>()
                    .join(", "),
                last.as_ref()
            ),
        }
    }
}

#[cfg(any(test, feature = "test-support"))]
pub mod test_support;

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_are_unique_and_documented() {
        let mut seen = HashSet::new();
        for c in CATALOGUE {
            assert!(seen.insert(c.id), "duplicate id {}", c.id);
            assert!(
                c.id.chars()
                    .all(|ch| ch.is_ascii_uppercase() || ch.is_ascii_digit() || ch == '-'),
                "id {} is not in the checklist's form",
                c.id
            );
            assert!(
                !c.spec.is_empty() && !c.hint.is_empty() && !c.title.is_empty(),
                "{}",
                c.id
            );
        }
    }

    #[test]
    fn issue_two_ids_are_all_present() {
        let required = "SEC-HTTPS-AS DISC-AS-FOUND DISC-AS-RFC8414 DISC-AS-ERROR-STATUS \
            DISC-AS-CONTENT-TYPE DISC-AS-ISSUER-MATCH DISC-AS-ISSUER-FORMAT DISC-AS-CONSISTENT \
            AS-AUTHZ-ENDPOINT AS-TOKEN-ENDPOINT AS-RESPONSE-TYPES AS-PKCE-PRESENT AS-PKCE-S256 \
            AS-PKCE-PLAIN AS-GRANT-AUTHCODE AS-GRANT-REFRESH AS-TOKEN-AUTH-NONE \
            AS-REGISTRATION-ENDPOINT AS-CIMD-SUPPORTED AS-REG-PATH AS-SCOPES-SUPPORTED \
            AS-JWKS-URI AS-OIDC-REQUIRED AS-MEMBER-TYPES AS-ZERO-VALUES AS-ISS-PARAM AS-USERINFO";
        for id in required.split_whitespace() {
            assert!(find(id).is_some(), "missing {id}");
        }
    }

    #[test]
    fn a_compliant_document_passes_every_required_check() {
        let ev = test_support::served_at_oauth(&test_support::good_doc());
        let (_, findings) = grade(&ev);
        let bad: Vec<_> = findings
            .iter()
            .filter(|f| matches!(f.status, Status::Fail | Status::Warn))
            .map(|f| format!("{} {:?}: {}", f.id, f.status, f.detail))
            .collect();
        assert!(bad.is_empty(), "{bad:#?}");
    }

    #[test]
    fn a_compliant_mcp_server_passes_every_resource_check() {
        let ev = test_support::good_mcp();
        let (_, findings) = grade(&ev);
        let resource: Vec<_> = findings.iter().filter(|f| f.subject.is_none()).collect();
        assert!(resource.len() >= 25, "{}", resource.len());
        let bad: Vec<_> = resource
            .iter()
            .filter(|f| !matches!(f.status, Status::Pass | Status::Skip))
            .map(|f| format!("{} {:?}: {}", f.id, f.status, f.detail))
            .collect();
        assert!(bad.is_empty(), "{bad:#?}");
        // Server findings name their server.
        assert!(findings
            .iter()
            .any(|f| f.subject.as_deref() == Some(test_support::ISSUER) && f.id == "AS-PKCE-S256"));
    }

    #[test]
    fn only_must_checks_can_fail() {
        // Every check on a document that breaks almost everything.
        let ev = test_support::served_at_oauth(&serde_json::json!({
            "issuer": "http://evil.example/?q#f", "scopes_supported": [],
            "grant_types_supported": ["implicit"], "code_challenge_methods_supported": ["plain"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
        }));
        let (_, findings) = grade(&ev);
        for f in findings {
            if f.status == Status::Fail {
                assert_eq!(
                    f.level,
                    Level::Must,
                    "{} failed at level {:?}",
                    f.id,
                    f.level
                );
            }
        }
    }

    #[test]
    fn loopback_hosts() {
        for (u, lb) in [
            ("http://localhost:8080/x", true),
            ("http://127.0.0.1/x", true),
            ("http://127.5.6.7/x", true),
            ("http://[::1]:9/x", true),
            ("http://app.localhost/x", true),
            ("http://example.com/x", false),
            ("http://10.0.0.1/x", false),
        ] {
            assert_eq!(util::is_loopback(&url::Url::parse(u).unwrap()), lb, "{u}");
        }
    }
}

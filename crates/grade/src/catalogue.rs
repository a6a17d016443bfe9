//! The catalogue: what a check is (id, level, spec, hint and the function
//! that grades it), what grading it yields, and every check in report order.

use serde::{Deserialize, Serialize};

use crate::checks::{
    as_metadata, authorize, challenge, cimd, cors, discovery, enforcement, extensions, live, prm,
    reachability, registration, session, token,
};
use crate::{AsAnalysis, ResourceAnalysis};

/// How strongly the source requires what the check tests.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
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
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
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
    /// A fix for this case, when the check's general hint would point at
    /// the wrong party (DISC-AS-ISSUER-MATCH when the PRM entry differs).
    pub hint: Option<String>,
}

impl Outcome {
    pub fn new(status: Status, detail: impl Into<String>) -> Self {
        Self {
            status,
            detail: detail.into(),
            hint: None,
        }
    }
    /// This outcome with its own fix instead of the check's hint.
    #[must_use]
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
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

/// One outcome of a [`Grade::Hosts`] check: the host it is about (its id,
/// the finding's subject), or `None` for the server as a whole.
pub type HostOutcome = (Option<String>, Outcome);

/// What a check looks at.
#[derive(Clone, Copy)]
pub enum Grade {
    /// The MCP server side (run once, only for MCP servers).
    Resource(fn(&ResourceAnalysis<'_>) -> Outcome),
    /// One authorization server (run for each).
    Server(fn(&AsAnalysis<'_>) -> Outcome),
    /// One authorization server, one outcome per host it was probed for
    /// (`check --probe-hosts`): each with its host's id as the finding's
    /// subject, or with `None` (the server's subject) for one outcome about
    /// the server as a whole.
    Hosts(fn(&AsAnalysis<'_>) -> Vec<HostOutcome>),
    /// A presented access token (`token inspect`, `whoami`); `None` when the
    /// check does not apply to this token.
    Token(fn(&token::TokenAnalysis<'_>) -> Option<Outcome>),
    /// What using a token showed (userinfo, the MCP server); `None` when
    /// the check does not apply.
    Session(fn(session::Session<'_>) -> Option<Outcome>),
    /// The live flow of `check --login` (skips without it).
    Live(fn(&live::LiveAnalysis<'_>) -> Outcome),
    /// A Client ID Metadata Document (`cimd validate`).
    Cimd(fn(&cimd::CimdAnalysis<'_>) -> Outcome),
}

/// One entry of the catalogue.
pub struct CheckDef {
    pub id: &'static str,
    /// Where the check is defined, `file:line` (`concat!(file!(), ":", line!())`
    /// in the definition), so the check's code can be found from its id.
    pub at: &'static str,
    pub level: Level,
    pub title: &'static str,
    pub spec: &'static str,
    pub hint: &'static str,
    /// The long explanation (`mcp-auth checks <ID>`): what exactly is
    /// checked, including when it skips, warns or informs; which clients
    /// break and how; and the source.
    pub doc: &'static str,
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Finding {
    pub id: String,
    /// Which authorization server the finding is about (MCP server mode), or
    /// which host (`AUTHZ-HOST-ACCEPTED`: `claude`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    pub level: Level,
    pub status: Status,
    pub title: String,
    pub detail: String,
    pub spec: String,
    pub hint: String,
    /// A provider-specific fix, when the target is a known provider with a
    /// documented quirk for this check (see [`quirks`](crate::quirks)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_hint: Option<String>,
}

/// Every check, in report order: the MCP server's, then each authorization server's.
pub static CATALOGUE: &[CheckDef] = &[
    challenge::SEC_HTTPS_RS,
    challenge::CH_401,
    challenge::CH_WWW_AUTH,
    challenge::CH_BEARER_SCHEME,
    challenge::CH_RESOURCE_METADATA,
    challenge::CH_PARAM_SYNTAX,
    challenge::CH_SCOPE,
    challenge::CH_NO_ERROR_WITHOUT_CREDS,
    challenge::CH_INVALID_TOKEN,
    challenge::CH_QUERY_TOKEN,
    enforcement::CH_STATELESS_DISCOVER,
    enforcement::RS_UNAUTHENTICATED_REFUSED,
    enforcement::RS_EXPIRED_TOKEN_REFUSED,
    enforcement::RS_FORGED_TOKEN_REFUSED,
    prm::PRM_DISCOVERABLE,
    prm::PRM_HTTP,
    prm::PRM_LOCATION,
    prm::PRM_RESOURCE_PRESENT,
    prm::PRM_RESOURCE_MATCH,
    prm::PRM_RESOURCE_FORMAT,
    prm::PRM_AS_PRESENT,
    prm::PRM_AS_FIRST,
    prm::PRM_AS_ISSUER_FORMAT,
    prm::PRM_SCOPES,
    prm::PRM_NO_OFFLINE_ACCESS,
    prm::PRM_BEARER_METHODS,
    prm::PRM_JWKS_HTTPS,
    prm::PRM_ZERO_VALUES,
    prm::PRM_NAME,
    cors::CORS_MCP_PREFLIGHT,
    cors::CORS_MCP_EXPOSE,
    cors::CORS_PRM_GET,
    cors::CORS_PRM_PREFLIGHT,
    discovery::SEC_HTTPS_AS,
    discovery::SEC_TLS_VALID,
    discovery::DISC_AS_FOUND,
    discovery::DISC_AS_RFC8414,
    discovery::DISC_AS_ERROR_STATUS,
    discovery::DISC_AS_CONTENT_TYPE,
    discovery::DISC_AS_ISSUER_MATCH,
    discovery::DISC_AS_ISSUER_EQ_PRM,
    discovery::DISC_AS_ISSUER_FORMAT,
    discovery::DISC_AS_CONSISTENT,
    discovery::DISC_PROTOCOL_HEADER,
    as_metadata::AS_AUTHZ_ENDPOINT,
    as_metadata::AS_TOKEN_ENDPOINT,
    as_metadata::AS_RESPONSE_TYPES,
    as_metadata::AS_RESPONSE_MODES,
    as_metadata::AS_AUTHZ_AUDIENCE_PINNED,
    as_metadata::AS_PKCE_PRESENT,
    as_metadata::AS_PKCE_S256,
    as_metadata::AS_PKCE_PLAIN,
    as_metadata::AS_GRANT_AUTHCODE,
    as_metadata::AS_GRANT_REFRESH,
    as_metadata::AS_TOKEN_AUTH_NONE,
    as_metadata::AS_REGISTRATION_ENDPOINT,
    as_metadata::AS_CIMD_SUPPORTED,
    as_metadata::AS_REG_PATH,
    as_metadata::AS_SCOPES_SUPPORTED,
    as_metadata::AS_OFFLINE_ACCESS,
    as_metadata::AS_JWKS_URI,
    as_metadata::AS_OIDC_REQUIRED,
    as_metadata::AS_MEMBER_TYPES,
    as_metadata::AS_ZERO_VALUES,
    as_metadata::AS_ISS_PARAM,
    as_metadata::AS_USERINFO,
    as_metadata::AS_PROTECTED_RESOURCES,
    reachability::AS_TOKEN_ENDPOINT_REACHABLE,
    reachability::AS_JWKS_REACHABLE,
    cors::CORS_AS_GET,
    cors::CORS_AS_PREFLIGHT,
    cors::CORS_JWKS,
    cors::CORS_REG_PREFLIGHT,
    cors::CORS_TOKEN,
    cors::CORS_USERINFO,
    registration::DCR_STATUS,
    registration::DCR_CLIENT_ID,
    registration::DCR_ECHO_METADATA,
    registration::DCR_AUTH_METHOD,
    registration::DCR_LOOPBACK_IP,
    registration::DCR_LOOPBACK_LOCALHOST,
    registration::DCR_APP_TYPE,
    registration::DCR_ERROR_FORMAT,
    registration::DCR_HTTPS,
    registration::CIMD_AUTH_METHODS,
    cimd::CIMD_DOC_URL,
    cimd::CIMD_DOC_SERVED,
    cimd::CIMD_DOC_CLIENT_ID,
    cimd::CIMD_DOC_REDIRECT_URIS,
    cimd::CIMD_DOC_NO_SECRET,
    cimd::CIMD_DOC_KEYS,
    cimd::CIMD_DOC_AS_METHOD,
    cimd::CIMD_DOC_AS_CIMD,
    cimd::CIMD_DOC_CACHE,
    cimd::CIMD_DOC_CLIENT_NAME,
    extensions::EXT_ENTERPRISE_AUTH,
    extensions::EXT_CLIENT_CREDENTIALS,
    extensions::EXT_DPOP,
    authorize::AUTHZ_REDIRECT_EXACT,
    authorize::AUTHZ_LOOPBACK_PORT,
    authorize::AUTHZ_PKCE_ENFORCED,
    authorize::AUTHZ_RESOURCE_ACCEPTED,
    authorize::AUTHZ_ERROR_ISS,
    authorize::AUTHZ_HOST_ACCEPTED,
    token::TOKEN_SIGNATURE,
    token::TOKEN_TYP,
    token::TOKEN_ISS,
    token::TOKEN_AUD,
    token::TOKEN_EXP,
    token::TOKEN_NBF,
    token::TOKEN_SCOPE,
    token::TOKEN_INTROSPECTION,
    session::UI_CALL,
    session::UI_AUDIENCE,
    session::RS_ACCEPTS_TOKEN,
    session::CH_403_SCOPE,
    live::TOK_RESPONSE,
    live::TOK_RESOURCE_ACCEPTED,
    live::TOK_AUDIENCE,
    live::TOK_REFRESH_ROTATION,
    live::TOK_REFRESH_LIFECYCLE,
    live::TOK_PKCE_VERIFIED,
    live::RS_AUDIENCE_ENFORCED,
    live::ISS_RESPONSE,
    live::STATE_ECHO,
    live::CIMD_LIVE,
];

/// Look a check up by id.
pub fn find(id: &str) -> Option<&'static CheckDef> {
    CATALOGUE.iter().find(|c| c.id == id)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::path::Path;

    use super::*;

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

    /// Every check explains itself: a `doc` of at least 80 characters beyond
    /// its title, one paragraph of whole sentences (a `\` continuation that
    /// went wrong shows up as a line break or a doubled space).
    #[test]
    fn every_check_has_a_long_doc() {
        for c in CATALOGUE {
            let doc = c.doc.trim();
            assert!(
                doc.len() >= 80,
                "{}: doc has {} characters",
                c.id,
                doc.len()
            );
            let rest = doc.to_lowercase().replace(&c.title.to_lowercase(), "");
            assert!(
                rest.trim().len() >= 80,
                "{}: doc does little more than repeat the title",
                c.id
            );
            assert_ne!(doc, c.hint, "{}: doc repeats the hint", c.id);
            assert!(
                !doc.contains('\n') && !doc.contains("  "),
                "{}: doc has a line break or a doubled space",
                c.id
            );
            assert!(doc.ends_with('.'), "{}: doc does not end a sentence", c.id);
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

    /// `at` names the file and line of the definition: a file of the check's
    /// family folder (`checks::FAMILIES`), with its id on the line before.
    #[test]
    fn every_check_says_where_it_is_defined() {
        let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
        let checks_dir = crate_dir.join("src/checks").canonicalize().unwrap();
        // file!() is relative to the workspace root, two levels up.
        let workspace = crate_dir.join("../..");
        for c in CATALOGUE {
            let (file, line) = c.at.rsplit_once(':').expect("file:line");
            let line: usize = line.parse().expect("a line number");
            let path = workspace.join(file).canonicalize().unwrap_or_else(|e| {
                panic!("{}: {} does not exist: {e}", c.id, c.at);
            });
            assert!(
                path.starts_with(&checks_dir),
                "{}: {} is not under crates/grade/src/checks/",
                c.id,
                c.at
            );
            let (_, family) = crate::checks::FAMILIES
                .iter()
                .find(|(prefix, _)| c.id.starts_with(prefix))
                .unwrap_or_else(|| panic!("{}: no family in checks::FAMILIES", c.id));
            assert_eq!(
                path.parent().and_then(Path::file_name),
                Some(std::ffi::OsStr::new(family)),
                "{}: {} is not in checks/{family}/",
                c.id,
                c.at
            );
            let text = std::fs::read_to_string(&path).unwrap();
            let id = format!("\"{}\"", c.id);
            assert!(text.contains(&id), "{}: {} does not name it", c.id, c.at);
            let before = text.lines().nth(line.saturating_sub(2)).unwrap_or_default();
            assert!(
                line >= 2 && before.trim() == format!("id: {id},"),
                "{}: line {line} of {file} is not its definition",
                c.id
            );
        }
    }

    /// The names of this crate's unit tests, read from its sources.
    fn unit_test_names(dir: &Path, names: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                unit_test_names(&path, names);
                continue;
            }
            if !path.extension().is_some_and(|e| e == "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let mut lines = text.lines().map(str::trim);
            while let Some(line) = lines.next() {
                if line != "#[test]" {
                    continue;
                }
                let name = lines
                    .by_ref()
                    .find(|l| !l.starts_with("#["))
                    .and_then(|l| l.strip_prefix("fn "))
                    .and_then(|l| l.split('(').next());
                names.extend(name.map(str::to_owned));
            }
        }
    }

    /// Each check has a unit test whose name starts with its id in snake
    /// case (`prm_resource_match_…` for PRM-RESOURCE-MATCH).
    #[test]
    fn every_check_has_a_unit_test_named_after_it() {
        let mut names = Vec::new();
        unit_test_names(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut names,
        );
        assert!(names.len() > CATALOGUE.len(), "found only {names:?}");
        let missing: Vec<&str> = CATALOGUE
            .iter()
            .map(|c| c.id)
            .filter(|id| {
                let snake = id.to_ascii_lowercase().replace('-', "_");
                !names
                    .iter()
                    .any(|n| *n == snake || n.starts_with(&format!("{snake}_")))
            })
            .collect();
        assert!(missing.is_empty(), "no unit test named after {missing:?}");
    }
}

//! Grading: pure functions from [`Evidence`] to findings.
//!
//! Nothing in this module does I/O. Each check has a stable id (the ids of
//! `spec-checklist.md` §2, used verbatim), a level, the spec section it comes
//! from, a fix hint, and one function that reads the [`Analysis`] of the
//! evidence. All checks are listed in [`CATALOGUE`].

mod analysis;
mod as_metadata;
pub mod clients;
mod discovery;

use serde::{Deserialize, Serialize};

pub use analysis::{Analysis, AttemptAnalysis, AttemptOutcome, Doc};

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

/// One entry of the catalogue.
pub struct CheckDef {
    pub id: &'static str,
    pub level: Level,
    pub title: &'static str,
    pub spec: &'static str,
    pub hint: &'static str,
    pub grade: fn(&Analysis<'_>) -> Outcome,
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
    pub level: Level,
    pub status: Status,
    pub title: String,
    pub detail: String,
    pub spec: String,
    pub hint: String,
}

/// Every check, in report order.
pub static CATALOGUE: &[CheckDef] = &[
    discovery::SEC_HTTPS_AS,
    discovery::DISC_AS_FOUND,
    discovery::DISC_AS_RFC8414,
    discovery::DISC_AS_ERROR_STATUS,
    discovery::DISC_AS_CONTENT_TYPE,
    discovery::DISC_AS_ISSUER_MATCH,
    discovery::DISC_AS_ISSUER_FORMAT,
    discovery::DISC_AS_CONSISTENT,
    as_metadata::AS_AUTHZ_ENDPOINT,
    as_metadata::AS_TOKEN_ENDPOINT,
    as_metadata::AS_RESPONSE_TYPES,
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
    as_metadata::AS_JWKS_URI,
    as_metadata::AS_OIDC_REQUIRED,
    as_metadata::AS_MEMBER_TYPES,
    as_metadata::AS_ZERO_VALUES,
    as_metadata::AS_ISS_PARAM,
    as_metadata::AS_USERINFO,
];

/// Look a check up by id.
pub fn find(id: &str) -> Option<&'static CheckDef> {
    CATALOGUE.iter().find(|c| c.id == id)
}

/// Grade evidence: every check in catalogue order.
pub fn grade(evidence: &Evidence) -> (Analysis<'_>, Vec<Finding>) {
    let analysis = Analysis::new(evidence);
    let findings = CATALOGUE.iter().map(|c| run(c, &analysis)).collect();
    (analysis, findings)
}

fn run(check: &CheckDef, analysis: &Analysis<'_>) -> Finding {
    let mut outcome = (check.grade)(analysis);
    if outcome.status == Status::Fail && check.level != Level::Must {
        // Only a MUST can fail (see `Status`).
        outcome.status = Status::Warn;
    }
    Finding {
        id: check.id.to_owned(),
        level: check.level,
        status: outcome.status,
        title: check.title.to_owned(),
        detail: outcome.detail,
        spec: check.spec.to_owned(),
        hint: check.hint.to_owned(),
    }
}

/// Shared helpers for check functions.
pub(crate) mod util {
    use url::{Host, Url};

    /// `localhost`, `*.localhost`, 127.0.0.0/8 or ::1.
    pub fn is_loopback(url: &Url) -> bool {
        match url.host() {
            Some(Host::Domain(d)) => {
                let d = d.trim_end_matches('.').to_ascii_lowercase();
                d == "localhost" || d.ends_with(".localhost")
            }
            Some(Host::Ipv4(ip)) => ip.is_loopback(),
            Some(Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        }
    }

    /// How a URL fares against "MUST be served over HTTPS".
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Transport {
        Https,
        LoopbackHttp,
        Insecure,
        NotAUrl,
    }

    pub fn transport(value: &str) -> Transport {
        match Url::parse(value) {
            Ok(u) if u.scheme() == "https" => Transport::Https,
            Ok(u) if u.scheme() == "http" && is_loopback(&u) => Transport::LoopbackHttp,
            Ok(_) => Transport::Insecure,
            Err(_) => Transport::NotAUrl,
        }
    }

    /// An absolute http(s) URL, or why not.
    pub fn absolute_url(value: &str) -> Result<Url, String> {
        match Url::parse(value) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Ok(u),
            Ok(u) => Err(format!(
                "'{value}' is not an http(s) URL (scheme '{}')",
                u.scheme()
            )),
            Err(e) => Err(format!("'{value}' is not an absolute URL ({e})")),
        }
    }

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

#[cfg(test)]
pub(crate) mod test_support {
    //! Build evidence from small JSON documents for unit tests.
    use serde_json::Value;

    use crate::evidence::*;

    pub const ISSUER: &str = "https://auth.example.com/tenant1";

    pub fn response(status: u16, content_type: &str, body: &str) -> Exchange {
        Exchange {
            request: RequestRecord {
                method: "GET".into(),
                url: String::new(),
                headers: vec![],
            },
            response: Some(ResponseRecord {
                status,
                headers: vec![Header {
                    name: "content-type".into(),
                    value: content_type.into(),
                }],
                body: body.into(),
                body_not_utf8: false,
                body_truncated: false,
            }),
            error: None,
            elapsed_ms: 1,
        }
    }

    pub fn not_found() -> Exchange {
        response(404, "text/plain", "not found")
    }

    pub fn json(doc: &Value) -> Exchange {
        response(200, "application/json", &doc.to_string())
    }

    /// Evidence for the path issuer `ISSUER` with one exchange per candidate
    /// (RFC 8414, OIDC insert, OIDC append), diagnostics answering 404.
    pub fn issuer_evidence(
        oauth: Exchange,
        oidc_insert: Exchange,
        oidc_append: Exchange,
    ) -> Evidence {
        let url = url::Url::parse(ISSUER).unwrap();
        let candidates = crate::discovery::as_candidates(&url);
        let mut exchanges = vec![oauth, oidc_insert, oidc_append, not_found()].into_iter();
        Evidence {
            schema_version: EVIDENCE_SCHEMA_VERSION,
            tool: "test".into(),
            target: Target {
                input: ISSUER.into(),
                kind: TargetKind::Issuer,
                issuer: Some(ISSUER.into()),
                server_type: None,
            },
            authorization_server: AsDiscovery {
                issuer: Some(ISSUER.into()),
                attempts: candidates
                    .into_iter()
                    .map(|(kind, url)| {
                        let mut ex = exchanges.next().unwrap();
                        ex.request.url = url.clone();
                        Attempt {
                            kind,
                            url,
                            exchange: Some(ex),
                            file_body: None,
                        }
                    })
                    .collect(),
            },
        }
    }

    /// A complete, compliant RFC 8414 document for `ISSUER`.
    pub fn good_doc() -> Value {
        serde_json::json!({
            "issuer": ISSUER,
            "authorization_endpoint": "https://auth.example.com/tenant1/authorize",
            "token_endpoint": "https://auth.example.com/tenant1/token",
            "registration_endpoint": "https://auth.example.com/tenant1/register",
            "jwks_uri": "https://auth.example.com/tenant1/jwks",
            "userinfo_endpoint": "https://auth.example.com/tenant1/userinfo",
            "scopes_supported": ["openid", "profile", "mcp:tools"],
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "token_endpoint_auth_methods_supported": ["none", "private_key_jwt"],
            "code_challenge_methods_supported": ["S256"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "authorization_response_iss_parameter_supported": true,
            "client_id_metadata_document_supported": true
        })
    }

    /// Evidence where the RFC 8414 URL serves `doc` and the others 404.
    pub fn served_at_oauth(doc: &Value) -> Evidence {
        issuer_evidence(json(doc), not_found(), not_found())
    }

    /// Evidence where only the OIDC appended URL serves `doc`.
    pub fn served_at_oidc_append(doc: &Value) -> Evidence {
        issuer_evidence(not_found(), not_found(), json(doc))
    }

    /// The status of one check on the evidence.
    pub fn status_of(ev: &Evidence, id: &str) -> crate::checks::Status {
        finding(ev, id).status
    }

    pub fn finding(ev: &Evidence, id: &str) -> crate::checks::Finding {
        let (_, findings) = crate::checks::grade(ev);
        findings.into_iter().find(|f| f.id == id).expect("check id")
    }

    /// Grade `good_doc()` with one member changed (`Value::Null` removes it).
    pub fn with(member: &str, value: Value) -> Evidence {
        let mut doc = good_doc();
        let obj = doc.as_object_mut().unwrap();
        if value.is_null() {
            obj.remove(member);
        } else {
            obj.insert(member.into(), value);
        }
        served_at_oauth(&doc)
    }
}

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

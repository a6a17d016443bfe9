//! Grading: pure functions from [`Evidence`] to findings.
//!
//! Nothing in this module does I/O. Each check has a stable id (the ids of
//! `spec-checklist.md` §2, used verbatim), a level, the spec section it comes
//! from, a fix hint, and one function that reads the [`Analysis`] of the
//! evidence. All checks are listed in [`CATALOGUE`].

mod analysis;
pub mod baseline;
mod catalogue;
mod checks;
pub mod clients;
pub mod ecosystem;
pub mod headline;
pub mod ids;
pub mod login_gate;
pub mod providers;
pub mod quirks;
pub mod story;
pub mod verdict;

use mcp_auth_evidence as evidence;
use mcp_auth_evidence::{metadata, www_authenticate};

pub use analysis::{Analysis, AsAnalysis, AttemptAnalysis, PrmAnalysis, ResourceAnalysis};
pub use catalogue::{
    find, CheckDef, Finding, Grade, HostOutcome, Level, Outcome, Status, CATALOGUE,
};
pub use checks::{authorize, cimd, live, session, token};
pub use headline::{Answer, Headline};
pub use mcp_auth_evidence::interpret::{body_doc, classify, AttemptOutcome, Doc, Fetched};
pub use verdict::{grade_known, grade_with, Graded, Summary, Verdict};

use crate::evidence::Evidence;

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
            match check.grade {
                Grade::Server(f) => findings.push(finding(check, f(server), subject.clone())),
                Grade::Hosts(f) => findings.extend(
                    f(server)
                        .into_iter()
                        .map(|(host, o)| finding(check, o, host.or_else(|| subject.clone()))),
                ),
                _ => {}
            }
        }
    }
    if let Some(resource) = &analysis.resource {
        // The live flow (`check --login`), or its skips.
        let live = live::LiveAnalysis::new(evidence.live.as_ref(), resource);
        findings.extend(live::run(&live));
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

pub(crate) fn finding(check: &CheckDef, mut outcome: Outcome, subject: Option<String>) -> Finding {
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
        hint: outcome.hint.unwrap_or_else(|| check.hint.to_owned()),
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

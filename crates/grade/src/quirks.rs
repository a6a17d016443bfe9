//! A recognised provider's documented quirks: which were seen in this run, and
//! the provider-specific fix added to the findings a quirk explains.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::providers::Provider;
use crate::{Finding, Status};

/// A recognised provider and its documented quirks.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ProviderMatch {
    pub id: String,
    pub name: String,
    pub docs: String,
    pub quirks: Vec<QuirkReport>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct QuirkReport {
    pub id: String,
    pub summary: String,
    pub hint: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    pub checks: Vec<String>,
    /// Whether one of its checks did not pass in this report (and every
    /// `only_if_passing` check passed).
    pub seen: bool,
}

impl ProviderMatch {
    /// The provider's quirks, each marked seen when one of its checks did
    /// not pass (warn, fail or info).
    pub fn new(p: &Provider, findings: &[Finding]) -> Self {
        let passing = |check: &str| {
            findings
                .iter()
                .any(|f| f.id == check && f.status == Status::Pass)
        };
        let not_passing = |check: &str| {
            findings.iter().any(|f| {
                f.id == check && matches!(f.status, Status::Warn | Status::Fail | Status::Info)
            })
        };
        Self {
            id: p.id.clone(),
            name: p.def.name.clone(),
            docs: p.docs_url(),
            quirks: p
                .def
                .quirks
                .iter()
                .map(|q| QuirkReport {
                    id: q.id.clone(),
                    summary: q.summary.clone(),
                    hint: q.hint.clone(),
                    link: q.link.clone(),
                    checks: q.checks.clone(),
                    seen: q.only_if_passing.iter().all(|c| passing(c))
                        && q.checks.iter().any(|c| not_passing(c)),
                })
                .collect(),
        }
    }

    /// Add the provider's fix to every finding that did not pass and that
    /// one of its quirks (seen in this report) names.
    pub fn add_hints(&self, findings: &mut [Finding]) {
        for f in findings {
            if matches!(f.status, Status::Pass | Status::Skip) {
                continue;
            }
            let hints: Vec<&str> = self
                .quirks
                .iter()
                .filter(|q| q.seen && q.checks.contains(&f.id))
                .map(|q| q.hint.as_str())
                .collect();
            if !hints.is_empty() {
                f.provider_hint = Some(format!("{}: {}", self.name, hints.join(" ")));
            }
        }
    }
}

/// What one run says of a provider's documented quirks, for the matrix: which
/// still show, which no longer do, and which failures none of them explains.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct QuirkLedger {
    /// Quirks one of whose checks did not pass: still there.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fired: Vec<String>,
    /// Quirks whose checks were graded and all passed: the provider may have
    /// fixed it, and the quirk may be out of date.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stale: Vec<String>,
    /// Quirks none of whose checks this run could grade (all skipped or not
    /// run, e.g. probes the matrix does not send), or whose `only_if_passing`
    /// conditions do not hold: neither seen nor stale.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unobserved: Vec<String>,
    /// Failed checks that no quirk names (`ID` or `ID [subject]`): new
    /// breakage, or a quirk nobody has written down yet.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub new: Vec<String>,
}

impl QuirkLedger {
    /// Sort `p`'s quirks by what `findings` show of their checks.
    pub fn new(p: &Provider, findings: &[Finding]) -> Self {
        let mut ledger = Self::default();
        for q in &p.def.quirks {
            let graded: Vec<Status> = findings
                .iter()
                .filter(|f| q.checks.contains(&f.id) && f.status != Status::Skip)
                .map(|f| f.status)
                .collect();
            // A quirk whose conditions do not hold here is not judged.
            let applies = q.only_if_passing.iter().all(|c| {
                findings
                    .iter()
                    .any(|f| f.id == *c && f.status == Status::Pass)
            });
            let list = if !applies {
                &mut ledger.unobserved
            } else if graded.iter().any(|s| *s != Status::Pass) {
                &mut ledger.fired
            } else if graded.is_empty() {
                &mut ledger.unobserved
            } else {
                &mut ledger.stale
            };
            list.push(q.id.clone());
        }
        let explained: BTreeSet<&str> = p
            .def
            .quirks
            .iter()
            .flat_map(|q| q.checks.iter().map(String::as_str))
            .collect();
        let mut new = BTreeSet::new();
        for f in findings {
            if f.status == Status::Fail && !explained.contains(f.id.as_str()) {
                new.insert(match &f.subject {
                    Some(s) => format!("{} [{s}]", f.id),
                    None => f.id.clone(),
                });
            }
        }
        ledger.new = new.into_iter().collect();
        ledger
    }

    /// Whether there is anything for a maintainer to look at.
    pub fn needs_review(&self) -> bool {
        !self.stale.is_empty() || !self.new.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use crate::grade_with;
    use crate::providers::Provider;
    use crate::test_support::*;

    fn provider() -> Provider {
        Provider::parse(
            "providers/example-idp.toml",
            r#"
name = "Example IdP"
homepage = "https://auth.example.com"
docs = "https://auth.example.com/docs"
kind = "issuer"
url = "https://auth.example.com/tenant1"
updated = "2026-11-23"
sources = ["https://auth.example.com/docs"]
verified = { date = "2026-11-23", source = "https://auth.example.com/docs" }
[fingerprint]
issuer_hosts = ["auth.example.com"]
[[quirks]]
id = "no-cimd"
summary = "No CIMD."
checks = ["AS-CIMD-SUPPORTED"]
hint = "Ask for the CIMD beta flag."
verified = { date = "2026-11-23", source = "https://auth.example.com/docs" }
"#,
        )
        .unwrap()
    }

    #[test]
    fn a_known_provider_adds_its_fix_to_failing_checks_only() {
        let ev = with(
            "client_id_metadata_document_supported",
            serde_json::Value::Null,
        );
        let r = grade_with(&ev, &[provider()]);
        let p = r.provider.as_ref().expect("recognised");
        assert_eq!(p.id, "example-idp");
        assert!(p.quirks[0].seen);
        let f = r
            .findings
            .iter()
            .find(|f| f.id == "AS-CIMD-SUPPORTED")
            .unwrap();
        assert_eq!(
            f.provider_hint.as_deref(),
            Some("Example IdP: Ask for the CIMD beta flag.")
        );
        // Passing: no hint, quirk not seen.
        let ev = served_at_oauth(&good_doc());
        let r = grade_with(&ev, &[provider()]);
        assert!(!r.provider.as_ref().unwrap().quirks[0].seen);
        assert!(r.findings.iter().all(|f| f.provider_hint.is_none()));
        // Unknown host: not recognised.
        let ev = good_mcp();
        assert!(grade_with(&ev, &[]).provider.is_none());
    }

    fn found(id: &str, subject: Option<&str>, status: crate::Status) -> crate::Finding {
        crate::test_support::bare_finding(id, subject, status)
    }

    fn three_quirks() -> Provider {
        let text = r#"
name = "Example IdP"
homepage = "https://auth.example.com"
docs = "https://auth.example.com/docs"
kind = "issuer"
url = "https://auth.example.com/tenant1"
updated = "2026-11-23"
sources = ["https://auth.example.com/docs"]
verified = { date = "2026-11-23", source = "https://auth.example.com/docs" }
[[quirks]]
id = "no-cimd"
summary = "No CIMD."
checks = ["AS-CIMD-SUPPORTED"]
hint = "Ask for the CIMD beta flag."
verified = { date = "2026-11-23", source = "https://auth.example.com/docs" }
[[quirks]]
id = "no-pkce"
summary = "No PKCE in metadata."
checks = ["AS-PKCE-PRESENT", "AS-PKCE-S256"]
hint = "Upgrade."
verified = { date = "2026-11-23", source = "https://auth.example.com/docs" }
[[quirks]]
id = "dcr-no-cors"
summary = "Registration sends no CORS headers."
checks = ["CORS-REG-PREFLIGHT"]
hint = "Add a proxy."
verified = { date = "2026-11-23", source = "https://auth.example.com/docs" }
[[quirks]]
id = "dcr-opt-in"
summary = "DCR is off until enabled; shows only on the RFC 8414 document."
checks = ["AS-REGISTRATION-ENDPOINT"]
only_if_passing = ["DISC-AS-RFC8414"]
hint = "Enable DCR."
verified = { date = "2026-11-23", source = "https://auth.example.com/docs" }
"#;
        Provider::parse("providers/example-idp.toml", text).unwrap()
    }

    #[test]
    fn the_ledger_sorts_quirks_into_fired_stale_unobserved_and_names_new_failures() {
        use super::QuirkLedger;
        use crate::Status::{Fail, Pass, Skip, Warn};
        let findings = [
            found("AS-CIMD-SUPPORTED", None, Warn),
            // One check passes, the other is not graded: fixed, so stale.
            found("AS-PKCE-PRESENT", None, Pass),
            found("AS-PKCE-S256", None, Skip),
            found("CORS-REG-PREFLIGHT", None, Skip),
            // Failures no quirk names, once each, with their subject.
            found("AS-TOKEN-ENDPOINT", Some("https://auth.example.com"), Fail),
            found("AS-TOKEN-ENDPOINT", Some("https://auth.example.com"), Fail),
            found("DISC-AS-FOUND", None, Fail),
            // A warning no quirk names is not "new": only failures are.
            found("AS-USERINFO", None, Warn),
        ];
        let l = QuirkLedger::new(&three_quirks(), &findings);
        assert_eq!(l.fired, ["no-cimd"]);
        assert_eq!(l.stale, ["no-pkce"]);
        // dcr-opt-in: its condition (DISC-AS-RFC8414 passing) is not met.
        assert_eq!(l.unobserved, ["dcr-no-cors", "dcr-opt-in"]);
        assert_eq!(
            l.new,
            [
                "AS-TOKEN-ENDPOINT [https://auth.example.com]",
                "DISC-AS-FOUND"
            ]
        );
        assert!(l.needs_review());
        // A failure a quirk explains is fired, not new.
        let l = QuirkLedger::new(&three_quirks(), &[found("AS-PKCE-S256", None, Fail)]);
        assert_eq!(l.fired, ["no-pkce"]);
        assert!(l.new.is_empty() && l.stale.is_empty());
        assert_eq!(l.unobserved, ["no-cimd", "dcr-no-cors", "dcr-opt-in"]);
        assert!(!l.needs_review());
        // With its condition met, a quirk is judged like any other.
        let l = QuirkLedger::new(
            &three_quirks(),
            &[
                found("DISC-AS-RFC8414", None, Pass),
                found("AS-REGISTRATION-ENDPOINT", None, Warn),
            ],
        );
        assert_eq!(l.fired, ["dcr-opt-in"]);
    }
}

//! A recognised provider's documented quirks: which were seen in this run, and
//! the provider-specific fix added to the findings a quirk explains.

use serde::Serialize;

use crate::providers::Provider;
use crate::{Finding, Status};

/// A recognised provider and its documented quirks.
#[derive(Debug, Clone, Serialize)]
pub struct ProviderMatch {
    pub id: String,
    pub name: String,
    pub docs: String,
    pub quirks: Vec<QuirkReport>,
}

#[derive(Debug, Clone, Serialize)]
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
            docs: p.def.docs.clone(),
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
}

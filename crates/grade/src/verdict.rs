//! What a graded run means: the counts, the verdict (and so the exit code of
//! `check` and the matrix cells), the `--strict` rule, and the one line that
//! says why nothing was found.

use serde::{Deserialize, Serialize};

use crate::clients::ClientPath;
use crate::headline::Headline;
use crate::providers::Provider;
use crate::quirks::ProviderMatch;
use crate::story::{Context, StoryStep};
use crate::{Analysis, Finding, Level, Status};
use mcp_auth_evidence::metadata::ClientInformation;
use mcp_auth_evidence::{Evidence, ProbeKind};

#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
pub struct Summary {
    pub pass: usize,
    pub info: usize,
    pub warn: usize,
    pub fail: usize,
    pub skip: usize,
    /// Some metadata document (resource or authorization server) was found.
    pub metadata_found: bool,
}

impl Summary {
    /// Count the findings.
    pub fn of(findings: &[Finding], metadata_found: bool) -> Self {
        let mut summary = Self {
            metadata_found,
            ..Self::default()
        };
        for f in findings {
            match f.status {
                Status::Pass => summary.pass += 1,
                Status::Info => summary.info += 1,
                Status::Warn => summary.warn += 1,
                Status::Fail => summary.fail += 1,
                Status::Skip => summary.skip += 1,
            }
        }
        summary
    }
}

/// What the run means for the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Ok,
    RequiredFailed,
    /// Nothing to judge: the target could not be reached or served no
    /// metadata, or (`token inspect`) an opaque token was not introspected.
    NotFound,
}

/// Evidence graded: the classified evidence, the findings (with provider
/// hints), the provider it was recognised as, and the counts.
#[derive(Debug)]
pub struct Graded<'a> {
    pub evidence: &'a Evidence,
    pub analysis: Analysis<'a>,
    pub findings: Vec<Finding>,
    /// The known provider the target was recognised as (`providers/`).
    pub provider: Option<ProviderMatch>,
    /// The client registered by `--register`, for reuse with `login`.
    pub registered_client_id: Option<String>,
    pub summary: Summary,
    /// The steps of the flow, each with its verdict ([`crate::story`]).
    pub story: Vec<StoryStep>,
    /// The clients end to end (through the MCP server, or the target
    /// authorization server), each stopped by a failed check on its path.
    pub clients: Vec<ClientPath>,
    /// Each authorization server's own client paths, in `all_servers` order.
    pub server_clients: Vec<Vec<ClientPath>>,
    /// The answer the report opens with.
    pub headline: Headline,
}

/// Grade evidence, naming the quirks of a known provider among `providers`.
pub fn grade_with<'a>(evidence: &'a Evidence, providers: &[Provider]) -> Graded<'a> {
    let (analysis, mut findings) = crate::grade(evidence);
    let provider =
        crate::providers::identify(providers, evidence).map(|p| ProviderMatch::new(p, &findings));
    if let Some(p) = &provider {
        p.add_hints(&mut findings);
    }
    let summary = Summary::of(&findings, analysis.anything_found());
    let story = crate::story::story(&Context::new(evidence, &analysis), &findings);
    let clients = crate::clients::end_to_end(&analysis, &findings);
    let server_clients = crate::clients::per_server(&analysis, &findings);
    let mut graded = Graded {
        evidence,
        analysis,
        findings,
        provider,
        registered_client_id: registered_client_id(evidence),
        summary,
        story,
        clients,
        server_clients,
        headline: Headline::new(&[], &[], None),
    };
    let nothing_found =
        (graded.verdict(false) == Verdict::NotFound).then(|| graded.nothing_found());
    graded.headline = Headline::new(&graded.clients, &graded.findings, nothing_found);
    graded
}

/// Grade evidence against the providers built into the binary.
pub fn grade_known(evidence: &Evidence) -> Graded<'_> {
    grade_with(evidence, crate::providers::embedded())
}

/// The client id of the loopback-IP registration probe, when it succeeded.
fn registered_client_id(evidence: &Evidence) -> Option<String> {
    evidence.authorization_servers.iter().find_map(|d| {
        let ex = d.probe(ProbeKind::RegisterLoopbackIp)?;
        if !ex
            .response
            .as_ref()
            .is_some_and(|r| (200..300).contains(&r.status))
        {
            return None;
        }
        crate::body_doc::<ClientInformation>(ex)?.md.client_id
    })
}

impl Graded<'_> {
    /// Why there is nothing to judge, in a few words (the headline's reason).
    fn nothing_found(&self) -> String {
        let unreachable = match &self.analysis.resource {
            Some(r) => r.status.is_none(),
            None => self
                .analysis
                .all_servers()
                .iter()
                .flat_map(|s| &s.attempts)
                .all(|a| a.status.is_none()),
        };
        if unreachable {
            "the target is unreachable".to_owned()
        } else {
            "no authorization metadata found".to_owned()
        }
    }

    /// The verdict: unreachable or nothing found, a MUST failed (or, strictly,
    /// a MUST or SHOULD warned), or fine.
    pub fn verdict(&self, strict: bool) -> Verdict {
        let unreachable = self
            .analysis
            .resource
            .as_ref()
            .is_some_and(|r| r.status.is_none());
        if unreachable || !self.summary.metadata_found {
            Verdict::NotFound
        } else if self.findings.iter().any(|f| {
            f.status == Status::Fail
                || (strict && f.status == Status::Warn && f.level <= Level::Should)
        }) {
            Verdict::RequiredFailed
        } else {
            Verdict::Ok
        }
    }

    /// One line saying why nothing was found, for stderr.
    pub fn not_found_message(&self) -> String {
        if let Some(r) = &self.analysis.resource {
            let Some(status) = r.status else {
                return format!(
                    "target unreachable: POST {} → {}",
                    r.url(),
                    r.evidence.unauthenticated.failure()
                );
            };
            let mut tried: Vec<(&str, String)> = Vec::new();
            for p in &r.prm {
                if !tried.iter().any(|(u, _)| *u == p.url) {
                    tried.push((&p.url, p.outcome.summary()));
                }
            }
            return format!(
                "no protected resource or authorization server metadata found for {} (POST → {}; {})",
                r.url(),
                status,
                tried
                    .iter()
                    .map(|(u, o)| format!("{u} → {o}"))
                    .collect::<Vec<_>>()
                    .join("; ")
            );
        }
        let attempts = self
            .analysis
            .all_servers()
            .first()
            .map(|s| s.attempts.as_slice())
            .unwrap_or_default();
        let tried: Vec<String> = attempts
            .iter()
            .filter(|a| a.kind.is_spec_candidate())
            .map(|a| format!("{} → {}", a.url, a.outcome.summary()))
            .collect();
        // Unreachable: no attempt got as far as a response status.
        let unreachable = attempts.iter().all(|a| a.status.is_none());
        format!(
            "{} for {}: {}",
            if unreachable {
                "target unreachable"
            } else {
                "no authorization server metadata found"
            },
            self.evidence.target.input,
            tried.join("; ")
        )
    }
}

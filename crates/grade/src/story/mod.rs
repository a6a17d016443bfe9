//! The story of a run: the steps of the MCP authorization flow in order
//! (401 → protected resource metadata → authorization server metadata →
//! registration → authorize → token → MCP call → refresh), each with one
//! verdict and the id of the check that decided it, or why it did not run.
//! Reports open with it: a summary a user can paste into a ticket.
//!
//! Which step a check belongs to follows from its id ([`STEP_OF`], prefixes
//! and the exceptions before them); checks that are about no single step
//! (CORS, HTTPS) are "other" and stay out of the story.

use serde::Serialize;

use crate::evidence::{AsRole, Evidence, ProbeKind};
use crate::{Analysis, Finding, Status};

/// One step of the flow, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub enum Step {
    /// The unauthenticated MCP request and its challenge.
    #[serde(rename = "401")]
    Challenge,
    #[serde(rename = "protected resource metadata")]
    ResourceMetadata,
    #[serde(rename = "authorization server metadata")]
    ServerMetadata,
    /// Dynamic client registration, a client ID metadata document, or a
    /// pre-registered client.
    #[serde(rename = "registration")]
    Registration,
    #[serde(rename = "authorize")]
    Authorize,
    #[serde(rename = "token")]
    Token,
    /// Calling the MCP server with the token.
    #[serde(rename = "MCP call")]
    McpCall,
    #[serde(rename = "refresh")]
    Refresh,
}

impl Step {
    /// Every step, in the order of the flow.
    pub const ALL: [Self; 8] = [
        Self::Challenge,
        Self::ResourceMetadata,
        Self::ServerMetadata,
        Self::Registration,
        Self::Authorize,
        Self::Token,
        Self::McpCall,
        Self::Refresh,
    ];

    /// Its stable id for scripts (`step` is the label people read).
    pub fn id(self) -> &'static str {
        match self {
            Self::Challenge => "challenge",
            Self::ResourceMetadata => "resource-metadata",
            Self::ServerMetadata => "server-metadata",
            Self::Registration => "registration",
            Self::Authorize => "authorize",
            Self::Token => "token",
            Self::McpCall => "mcp-call",
            Self::Refresh => "refresh",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Challenge => "401",
            Self::ResourceMetadata => "protected resource metadata",
            Self::ServerMetadata => "authorization server metadata",
            Self::Registration => "registration",
            Self::Authorize => "authorize",
            Self::Token => "token",
            Self::McpCall => "MCP call",
            Self::Refresh => "refresh",
        }
    }

    /// The step a check id belongs to; `None` for the "other" checks (and
    /// for an id [`STEP_OF`] does not know: a unit test holds every
    /// catalogue id to the table).
    pub fn of(id: &str) -> Option<Self> {
        step_entry(id).and_then(|(_, step)| *step)
    }
}

/// Which step the checks whose id starts with what belong to (first match):
/// the exceptions first, then one entry per family. `None` is "other".
/// Ids that `check --login` adds (TOK-*, RS-*, ISS-RESPONSE, STATE-ECHO,
/// CIMD-LIVE, TOK-REFRESH-ROTATION) are mapped here before they exist.
pub const STEP_OF: &[(&str, Option<Step>)] = &[
    // A token lacking a scope, presented to the MCP server.
    ("CH-403-SCOPE", Some(Step::McpCall)),
    // Plain `check`'s enforcement probes: requests the server must refuse
    // before any login (no token, an expired or a forged one).
    ("RS-UNAUTHENTICATED-REFUSED", Some(Step::Challenge)),
    ("RS-EXPIRED-TOKEN-REFUSED", Some(Step::Challenge)),
    ("RS-FORGED-TOKEN-REFUSED", Some(Step::Challenge)),
    ("CH-", Some(Step::Challenge)),
    ("PRM-", Some(Step::ResourceMetadata)),
    ("DISC-", Some(Step::ServerMetadata)),
    // Including the advertised registration paths and the reachability of
    // the advertised endpoints: all read from the metadata.
    ("AS-", Some(Step::ServerMetadata)),
    // What the metadata says of registration (an https endpoint, CIMD's
    // auth methods) and of extensions; the registration step itself is what
    // registering (or the login's client) showed.
    ("DCR-HTTPS", Some(Step::ServerMetadata)),
    ("CIMD-AUTH-METHODS", Some(Step::ServerMetadata)),
    // `cimd validate`: the client's own document, what registration by CIMD uses.
    ("CIMD-DOC-", Some(Step::Registration)),
    ("EXT-", Some(Step::ServerMetadata)),
    ("DCR-", Some(Step::Registration)),
    ("CIMD-", Some(Step::Registration)),
    ("AUTHZ-", Some(Step::Authorize)),
    // The authorization response, checked by the client.
    ("ISS-RESPONSE", Some(Step::Authorize)),
    ("STATE-ECHO", Some(Step::Authorize)),
    ("TOK-REFRESH-", Some(Step::Refresh)),
    ("TOK-", Some(Step::Token)),
    // The access token's claims (`token inspect`, `whoami`).
    ("TOKEN-", Some(Step::Token)),
    ("RS-", Some(Step::McpCall)),
    // Userinfo is not a step of the MCP flow (`whoami` uses it).
    ("UI-", None),
    ("CORS-", None),
    ("SEC-", None),
];

fn step_entry(id: &str) -> Option<&'static (&'static str, Option<Step>)> {
    STEP_OF.iter().find(|(prefix, _)| id.starts_with(prefix))
}

/// A step's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StepVerdict {
    Pass,
    Warn,
    Fail,
    NotRun,
}

impl StepVerdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Warn => "warn",
            Self::Fail => "fail",
            Self::NotRun => "not run",
        }
    }
}

/// One line of the story.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct StoryStep {
    /// The step's stable id (`challenge`, `resource-metadata`, …, `refresh`).
    pub id: &'static str,
    /// The step, as people read it (`401`, `protected resource metadata`, …).
    pub step: Step,
    pub verdict: StepVerdict,
    /// The first failing check (or, for `warn`, the first warning), in
    /// report order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check: Option<String>,
    /// The authorization server of that check, when several are listed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Why the step did not run, or what else is worth saying about it
    /// (the legacy 2025-03-26 chain).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// What the story needs to know about the run besides the findings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    /// The target was an MCP server (otherwise: what was checked directly,
    /// e.g. "issuer").
    pub checked_directly: Option<&'static str>,
    /// How many authorization servers were examined.
    pub servers: usize,
    /// Some authorization server's metadata document was found.
    pub server_metadata_found: bool,
    /// The authorization server is the MCP origin's (2025-03-26, no PRM).
    pub legacy: bool,
    /// `--register` ran its probes.
    pub registration_probed: bool,
    /// `--probe-authorize` ran its probes.
    pub authorize_probed: bool,
    /// `--login` ran the live flow.
    pub logged_in: bool,
}

impl Context {
    pub fn new(evidence: &Evidence, analysis: &Analysis<'_>) -> Self {
        let servers = analysis.all_servers();
        let probed = |kinds: &[ProbeKind]| {
            evidence
                .authorization_servers
                .iter()
                .any(|d| d.probes.iter().any(|p| kinds.contains(&p.kind)))
        };
        Self {
            checked_directly: analysis
                .resource
                .is_none()
                .then(|| evidence.target.kind.label()),
            servers: servers.len(),
            server_metadata_found: servers.iter().any(|s| s.selected.is_some()),
            legacy: analysis.resource.is_some()
                && servers.iter().any(|s| s.role() == AsRole::Legacy),
            registration_probed: probed(&[
                ProbeKind::RegisterLoopbackIp,
                ProbeKind::RegisterLocalhost,
                ProbeKind::RegisterNoAppType,
                ProbeKind::RegisterInvalid,
            ]),
            authorize_probed: probed(&[ProbeKind::AuthzBaseline]),
            logged_in: evidence.live.is_some(),
        }
    }
}

/// The story of graded findings.
pub fn story(ctx: &Context, findings: &[Finding]) -> Vec<StoryStep> {
    Step::ALL
        .iter()
        .map(|&step| {
            let of_step: Vec<&Finding> = findings
                .iter()
                .filter(|f| Step::of(&f.id) == Some(step))
                .collect();
            let mut line = judge(ctx, step, &of_step);
            if step == Step::ResourceMetadata && ctx.legacy && line.note.is_none() {
                line.note = Some("legacy 2025-03-26 chain: no PRM".to_owned());
            }
            line
        })
        .collect()
}

/// One step from its findings (in report order).
fn judge(ctx: &Context, step: Step, findings: &[&Finding]) -> StoryStep {
    let first = |status: Status| findings.iter().find(|f| f.status == status);
    let decided = first(Status::Fail)
        .map(|f| (StepVerdict::Fail, f))
        .or_else(|| first(Status::Warn).map(|f| (StepVerdict::Warn, f)));
    let line = |verdict, check: Option<&Finding>, note: Option<String>| StoryStep {
        id: step.id(),
        step,
        verdict,
        check: check.map(|f| f.id.clone()),
        subject: check
            .filter(|_| ctx.servers > 1)
            .and_then(|f| f.subject.clone()),
        note,
    };
    match decided {
        Some((verdict, f)) => line(verdict, Some(f), None),
        None if findings.iter().any(|f| f.status != Status::Skip) => {
            line(StepVerdict::Pass, None, None)
        }
        None => line(
            StepVerdict::NotRun,
            None,
            Some(why_not_run(ctx, step, findings)),
        ),
    }
}

/// The live flow's verdict in one cell (the matrix): the worst of the
/// token, MCP call and refresh steps with the check that decided it, or
/// `None` when none of them ran.
pub fn live_verdict(story: &[StoryStep]) -> Option<&StoryStep> {
    let rank = |v: StepVerdict| match v {
        StepVerdict::Fail => 3,
        StepVerdict::Warn => 2,
        StepVerdict::Pass => 1,
        StepVerdict::NotRun => 0,
    };
    story
        .iter()
        .filter(|s| matches!(s.step, Step::Token | Step::McpCall | Step::Refresh))
        .filter(|s| s.verdict != StepVerdict::NotRun)
        .max_by_key(|s| (rank(s.verdict), std::cmp::Reverse(s.step as u8)))
}

/// Why a step has no finding, or only skipped ones.
fn why_not_run(ctx: &Context, step: Step, findings: &[&Finding]) -> String {
    let as_step = matches!(
        step,
        Step::ServerMetadata | Step::Registration | Step::Authorize
    );
    match (step, ctx.checked_directly) {
        (Step::Challenge | Step::ResourceMetadata, Some(what)) => {
            return format!("{what} checked directly")
        }
        (Step::McpCall, Some(what)) => return format!("no MCP server ({what} target)"),
        _ => {}
    }
    if as_step && !ctx.server_metadata_found {
        return "no authorization server metadata".to_owned();
    }
    match step {
        Step::Registration if !ctx.registration_probed && ctx.logged_in => {
            "--login's client; --register probes".to_owned()
        }
        Step::Registration if !ctx.registration_probed => {
            "needs --register (creates a client)".to_owned()
        }
        Step::Authorize if !ctx.authorize_probed => "needs --probe-authorize".to_owned(),
        Step::Token | Step::McpCall | Step::Refresh if !ctx.logged_in => "needs --login".to_owned(),
        _ => match findings.first() {
            Some(f) => format!("every check skipped (see {})", f.id),
            None => "no check ran".to_owned(),
        },
    }
}

#[cfg(test)]
mod tests;

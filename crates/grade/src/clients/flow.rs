//! The client paths through the whole flow: discovery (modelled per client
//! in `mod.rs` and `resource.rs`), then the steps every client takes after
//! it (registration, authorize, token, the MCP call, refresh). A client works
//! only if no check on its path fails: a failed check of a later step stops
//! every client that got through discovery to that server.

use super::profile::{RedirectKind, RegistrationMethod};
use super::{client_paths, profile, profiles, resource_client_paths, ClientPath};
use crate::story::Step;
use crate::{server_subject, Analysis, AsAnalysis, Finding, Status};

/// The steps after discovery: every client passes through them.
const AFTER_DISCOVERY: [Step; 5] = [
    Step::Registration,
    Step::Authorize,
    Step::Token,
    Step::McpCall,
    Step::Refresh,
];

/// Checks of discovery that no client model can get past: read from the
/// metadata, but about an endpoint every client then uses.
const ON_EVERY_PATH: &[&str] = &["AS-TOKEN-ENDPOINT-REACHABLE"];

/// Whether `f` is a failed check of a step after discovery (or one on
/// every path).
fn stops_clients(f: &Finding) -> bool {
    f.status == Status::Fail
        && (ON_EVERY_PATH.contains(&f.id.as_str())
            || Step::of(&f.id).is_some_and(|s| AFTER_DISCOVERY.contains(&s)))
}

/// The findings subject of the server a path uses (found by its metadata URL).
fn subject_of(servers: &[AsAnalysis<'_>], path: &ClientPath) -> Option<String> {
    let url = path.url.as_deref()?;
    servers
        .iter()
        .find(|s| s.attempts.iter().any(|t| t.url == url))
        .map(server_subject)
}

/// Whether a failed check `f` stops `p`: a check about one client (its
/// subject is a profile id, as with the host probes) stops that client
/// only, and a check of a behaviour the profile does not have does not
/// stop it (a refused `resource` a client never sends, a loopback port a
/// client with a fixed callback never changes, an `iss` it never reads).
fn applies_to(f: &Finding, p: &ClientPath, server: Option<&str>) -> bool {
    let about_a_client = |s: &str| profiles().iter().any(|q| q.id == s);
    match f.subject.as_deref() {
        Some(s) if about_a_client(s) => {
            return s == p.id
                && (f.id != "AUTHZ-HOST-ACCEPTED"
                    || p.registers_with == Some(RegistrationMethod::Cimd))
        }
        Some(s) if server.is_some_and(|m| m != s) => return false,
        _ => {}
    }
    let Some(q) = profile(&p.id) else {
        return true;
    };
    let requests = q.def.requests.as_ref();
    match f.id.as_str() {
        crate::ids::AUTHZ_RESOURCE_ACCEPTED => requests.and_then(|r| r.resource) != Some(false),
        "ISS-RESPONSE" => requests.and_then(|r| r.iss) != Some(false),
        "AUTHZ-LOOPBACK-PORT" => q
            .def
            .redirect
            .as_ref()
            .map_or(true, |r| r.kind == RedirectKind::LoopbackAnyPort),
        _ => true,
    }
}

/// Stop each path that got through discovery at the first failed check of a
/// later step on its server (findings without a subject apply to every
/// server). Logto's library runs in the MCP server and only fetches the
/// configuration: its paths stay as discovery left them.
pub fn through_flow(
    paths: Vec<ClientPath>,
    findings: &[Finding],
    subject: impl Fn(&ClientPath) -> Option<String>,
) -> Vec<ClientPath> {
    paths
        .into_iter()
        .map(|mut p| {
            if !p.works || !p.is_mcp_client() {
                return p;
            }
            let mine = subject(&p);
            // A refused host probe stops the host that would use its
            // CIMD document here: it is that client's answer, warn or fail.
            let cimd = p.registers_with == Some(RegistrationMethod::Cimd);
            let about_me = |f: &&Finding| {
                cimd && f.status == Status::Warn && f.subject.as_deref() == Some(p.id.as_str())
            };
            let failed = findings
                .iter()
                .filter(|f| stops_clients(f) || about_me(f))
                .find(|f| applies_to(f, &p, mine.as_deref()));
            if let Some(f) = failed {
                let step = Step::of(&f.id);
                p.stop(
                    step.map_or("", Step::id),
                    &format!(
                        "then {} {} ({})",
                        f.id,
                        if f.status == Status::Warn {
                            "warns"
                        } else {
                            "fails"
                        },
                        step.map_or("", Step::label)
                    ),
                );
            }
            p
        })
        .collect()
}

/// The clients a user meets, end to end: through the MCP server, or (an
/// issuer) through the target authorization server.
pub fn end_to_end(analysis: &Analysis<'_>, findings: &[Finding]) -> Vec<ClientPath> {
    let servers = analysis.all_servers();
    let paths = match &analysis.resource {
        Some(r) => resource_client_paths(r),
        None => servers.first().map(client_paths).unwrap_or_default(),
    };
    through_flow(paths, findings, |p| subject_of(servers, p))
}

/// Each authorization server's own client paths, in `all_servers` order.
pub fn per_server(analysis: &Analysis<'_>, findings: &[Finding]) -> Vec<Vec<ClientPath>> {
    let named = analysis.resource.is_some();
    analysis
        .all_servers()
        .iter()
        .map(|s| {
            let subject = named.then(|| server_subject(s));
            through_flow(client_paths(s), findings, |_| subject.clone())
        })
        .collect()
}

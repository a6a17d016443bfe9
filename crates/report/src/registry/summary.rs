//! The figures over many registry rows (`matrix merge`): how the servers
//! answered, which clients can sign in to the servers that ask for it, the
//! checks that fail most often, and the same by authorization server. Pure
//! counting: every renderer shows these numbers, none computes its own.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::RegistryRow;
use crate::checks::clients::{id::SPEC_2025_11_25, ProfileKind};
use crate::checks::ecosystem::Access;
use crate::checks::Status;

/// How many failing checks the summary lists.
pub const TOP_CHECKS: usize = 15;
/// How many authorization servers the breakdown lists.
pub const TOP_SERVERS: usize = 20;
/// The group of sign-in rows that name no authorization server.
pub const NO_SERVER: &str = "(none found)";

/// The summary of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Summary {
    /// Every row.
    pub servers: usize,
    /// Rows by how they answered without a token, every class listed.
    pub access: Vec<AccessCount>,
    /// Rows that ask for sign-in (the denominator of the client shares).
    pub sign_in: usize,
    /// Each client profile seen in the rows, in the rows' order.
    pub clients: Vec<ClientShare>,
    /// The checks that fail on most servers (at most [`TOP_CHECKS`]).
    pub failing_checks: Vec<CheckCount>,
    /// Sign-in rows by authorization server host (at most [`TOP_SERVERS`]).
    pub authorization_servers: Vec<ServerGroup>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AccessCount {
    pub access: Access,
    pub servers: usize,
}

/// How many sign-in servers one client profile gets through.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ClientShare {
    pub id: String,
    pub kind: ProfileKind,
    pub works: usize,
    /// `works / sign_in` (0 when no server asks for sign-in).
    pub share: f64,
}

/// A check id and on how many servers it fails.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CheckCount {
    pub id: String,
    pub servers: usize,
}

/// The sign-in servers that use one authorization server (by host).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ServerGroup {
    /// The authorization server's host (with its port), or [`NO_SERVER`].
    pub host: String,
    pub servers: usize,
    /// How many of them the `spec-2025-11-25` client signs in to.
    pub spec_works: usize,
    /// The check that fails on most of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_failing: Option<CheckCount>,
}

impl Summary {
    /// The summary of `rows`.
    pub fn of(rows: &[RegistryRow]) -> Summary {
        let signing_in: Vec<&RegistryRow> =
            rows.iter().filter(|r| r.access == Access::SignIn).collect();
        let mut groups: BTreeMap<String, Vec<&RegistryRow>> = BTreeMap::new();
        for r in &signing_in {
            let host = r.authorization_server.as_deref().map_or(NO_SERVER, host);
            groups.entry(host.to_owned()).or_default().push(r);
        }
        let mut authorization_servers: Vec<ServerGroup> = groups
            .into_iter()
            .map(|(host, rows)| ServerGroup {
                servers: rows.len(),
                spec_works: rows.iter().filter(|r| works(r, SPEC_2025_11_25)).count(),
                top_failing: failing_checks(rows.iter().copied()).into_iter().next(),
                host,
            })
            .collect();
        // Stable: equal counts keep the hosts' alphabetical order.
        authorization_servers.sort_by_key(|g| std::cmp::Reverse(g.servers));
        authorization_servers.truncate(TOP_SERVERS);
        let mut failing = failing_checks(rows.iter());
        failing.truncate(TOP_CHECKS);
        Summary {
            servers: rows.len(),
            access: Access::ALL
                .iter()
                .map(|&access| AccessCount {
                    access,
                    servers: rows.iter().filter(|r| r.access == access).count(),
                })
                .collect(),
            sign_in: signing_in.len(),
            clients: clients(&signing_in, rows),
            failing_checks: failing,
            authorization_servers,
        }
    }

    /// How many rows answered as `access`.
    pub fn count(&self, access: Access) -> usize {
        self.access
            .iter()
            .find(|a| a.access == access)
            .map_or(0, |a| a.servers)
    }
}

/// Whether `client` signs in to the server of `row`.
pub fn works(row: &RegistryRow, client: &str) -> bool {
    row.clients.iter().any(|c| c.id == client && c.works)
}

/// The id of the first check that fails for `row` (in the row's order).
pub fn first_failing(row: &RegistryRow) -> Option<&str> {
    row.findings
        .iter()
        .find(|f| f.status == Status::Fail)
        .map(|f| f.id.as_str())
}

/// The host (and port) of a URL, without user information; the
/// text itself when it has no `scheme://`.
pub fn host(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    authority.rsplit_once('@').map_or(authority, |(_, h)| h)
}

fn clients(signing_in: &[&RegistryRow], rows: &[RegistryRow]) -> Vec<ClientShare> {
    let mut seen: Vec<(String, ProfileKind)> = Vec::new();
    for c in rows.iter().flat_map(|r| &r.clients) {
        if !seen.iter().any(|(id, _)| *id == c.id) {
            seen.push((c.id.clone(), c.kind));
        }
    }
    seen.into_iter()
        .map(|(id, kind)| {
            let works = signing_in.iter().filter(|r| works(r, &id)).count();
            ClientShare {
                share: share(works, signing_in.len()),
                id,
                kind,
                works,
            }
        })
        .collect()
}

fn share(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// Failing check ids by how many rows they fail on (each id once per row),
/// most first, ties by id.
fn failing_checks<'a>(rows: impl Iterator<Item = &'a RegistryRow>) -> Vec<CheckCount> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for row in rows {
        let mut ids: Vec<&str> = row
            .findings
            .iter()
            .filter(|f| f.status == Status::Fail)
            .map(|f| f.id.as_str())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        for id in ids {
            *counts.entry(id).or_default() += 1;
        }
    }
    let mut list: Vec<CheckCount> = counts
        .into_iter()
        .map(|(id, servers)| CheckCount {
            id: id.to_owned(),
            servers,
        })
        .collect();
    list.sort_by_key(|c| std::cmp::Reverse(c.servers));
    list
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::registry::{ClientCell, FindingCell, StoryCell, REGISTRY_SCHEMA_VERSION};

    /// A row: `clients` as (id, kind, works), `fails` as failing check ids.
    pub(crate) fn row(
        name: &str,
        access: Access,
        server: Option<&str>,
        clients: &[(&str, ProfileKind, bool)],
        fails: &[&str],
    ) -> RegistryRow {
        RegistryRow {
            schema_version: REGISTRY_SCHEMA_VERSION,
            url: format!("https://{name}.example/mcp"),
            name: format!("io.github.test/{name}"),
            access,
            checked_at: None,
            elapsed_ms: 10,
            headline: format!("headline of {name}"),
            authorization_server: server.map(str::to_owned),
            clients: clients
                .iter()
                .map(|&(id, kind, works)| ClientCell {
                    id: id.to_owned(),
                    kind,
                    works,
                    stops_at: (!works).then(|| "discovery".to_owned()),
                })
                .collect(),
            story: vec![StoryCell {
                step: "401".to_owned(),
                verdict: if fails.is_empty() { "pass" } else { "fail" }.to_owned(),
                check: fails.first().map(|f| (*f).to_owned()),
                note: None,
            }],
            findings: fails
                .iter()
                .map(|id| FindingCell {
                    id: (*id).to_owned(),
                    subject: None,
                    status: Status::Fail,
                    detail: format!("{id} failed on {name}"),
                })
                .collect(),
        }
    }

    const SPEC: &str = SPEC_2025_11_25;

    pub(crate) fn sample() -> Vec<RegistryRow> {
        use Access::*;
        use ProfileKind::*;
        let all = |s: bool, c: bool| vec![(SPEC, Spec, s), ("sdk-ts", Sdk, s), ("claude", Host, c)];
        vec![
            row(
                "a",
                SignIn,
                Some("https://auth.one.example"),
                &all(true, true),
                &[],
            ),
            row(
                "b",
                SignIn,
                Some("https://auth.one.example/tenant"),
                &all(false, false),
                &["PRM-DISCOVERABLE", "AS-PKCE-S256"],
            ),
            row(
                "c",
                SignIn,
                Some("https://user@auth.two.example:8443/x"),
                &all(true, false),
                &["AS-PKCE-S256"],
            ),
            row("d", SignIn, None, &all(false, false), &["PRM-DISCOVERABLE"]),
            row("e", Open, None, &[], &[]),
            row("f", Unreachable, None, &[], &[]),
            row("g", Skipped, None, &[], &[]),
        ]
    }

    #[test]
    fn counts_rows_by_access_every_class_listed() {
        let s = Summary::of(&sample());
        assert_eq!(s.servers, 7);
        assert_eq!(s.sign_in, 4);
        let counts: Vec<(Access, usize)> = s.access.iter().map(|a| (a.access, a.servers)).collect();
        assert_eq!(
            counts,
            [
                (Access::SignIn, 4),
                (Access::Open, 1),
                (Access::Unavailable, 0),
                (Access::Unreachable, 1),
                (Access::Skipped, 1),
            ]
        );
        assert_eq!(s.count(Access::Open), 1);
    }

    #[test]
    fn client_shares_are_of_sign_in_servers_in_first_seen_order() {
        let s = Summary::of(&sample());
        let got: Vec<(&str, usize, f64)> = s
            .clients
            .iter()
            .map(|c| (c.id.as_str(), c.works, c.share))
            .collect();
        assert_eq!(
            got,
            [(SPEC, 2, 0.5), ("sdk-ts", 2, 0.5), ("claude", 1, 0.25)]
        );
        assert_eq!(s.clients[2].kind, ProfileKind::Host);
    }

    #[test]
    fn failing_checks_count_servers_not_findings_ties_by_id() {
        let mut rows = sample();
        // The same check failing twice on one server counts once.
        let again = rows[1].findings[0].clone();
        rows[1].findings.push(again);
        // A warning is not a failure.
        rows[0].findings.push(FindingCell {
            id: "CORS-MCP-PREFLIGHT".to_owned(),
            subject: None,
            status: Status::Warn,
            detail: String::new(),
        });
        let s = Summary::of(&rows);
        let got: Vec<(&str, usize)> = s
            .failing_checks
            .iter()
            .map(|c| (c.id.as_str(), c.servers))
            .collect();
        assert_eq!(got, [("AS-PKCE-S256", 2), ("PRM-DISCOVERABLE", 2)]);
    }

    #[test]
    fn failing_checks_keep_the_top_fifteen() {
        let ids: Vec<String> = (0..20).map(|i| format!("CHECK-{i:02}")).collect();
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        let rows = vec![
            row("a", Access::SignIn, None, &[], &refs),
            row("b", Access::SignIn, None, &[], &refs[19..]),
        ];
        let s = Summary::of(&rows);
        assert_eq!(s.failing_checks.len(), TOP_CHECKS);
        assert_eq!(s.failing_checks[0].id, "CHECK-19");
        assert_eq!(s.failing_checks[0].servers, 2);
        assert_eq!(s.failing_checks[1].id, "CHECK-00");
        assert_eq!(s.failing_checks[14].id, "CHECK-13");
    }

    #[test]
    fn sign_in_servers_are_grouped_by_authorization_server_host() {
        let s = Summary::of(&sample());
        type Group<'a> = (&'a str, usize, usize, Option<(&'a str, usize)>);
        let got: Vec<Group> = s
            .authorization_servers
            .iter()
            .map(|g| {
                let top = g.top_failing.as_ref().map(|c| (c.id.as_str(), c.servers));
                (g.host.as_str(), g.servers, g.spec_works, top)
            })
            .collect();
        assert_eq!(
            got,
            [
                ("auth.one.example", 2, 1, Some(("AS-PKCE-S256", 1))),
                ("(none found)", 1, 0, Some(("PRM-DISCOVERABLE", 1))),
                ("auth.two.example:8443", 1, 1, Some(("AS-PKCE-S256", 1))),
            ]
        );
    }

    #[test]
    fn the_breakdown_keeps_the_twenty_largest_groups() {
        let names: Vec<String> = (0..25).map(|i| format!("s{i:02}")).collect();
        let mut rows: Vec<RegistryRow> = names
            .iter()
            .map(|n| {
                let server = format!("https://{n}.example");
                row(n, Access::SignIn, Some(&server), &[], &[])
            })
            .collect();
        rows.push(row(
            "x",
            Access::SignIn,
            Some("https://s24.example"),
            &[],
            &[],
        ));
        let s = Summary::of(&rows);
        assert_eq!(s.authorization_servers.len(), TOP_SERVERS);
        assert_eq!(s.authorization_servers[0].host, "s24.example");
        assert_eq!(s.authorization_servers[0].servers, 2);
        assert_eq!(s.authorization_servers[0].top_failing, None);
        assert_eq!(s.authorization_servers[1].host, "s00.example");
        assert_eq!(s.authorization_servers[19].host, "s18.example");
    }

    #[test]
    fn no_rows_no_division_by_zero() {
        let s = Summary::of(&[]);
        assert_eq!(s.servers, 0);
        assert!(s.clients.is_empty() && s.failing_checks.is_empty());
        let open = vec![row(
            "o",
            Access::Open,
            None,
            &[(SPEC, ProfileKind::Spec, true)],
            &[],
        )];
        assert_eq!(Summary::of(&open).clients[0].share, 0.0);
    }

    #[test]
    fn hosts_of_urls() {
        assert_eq!(host("https://auth.example/tenant?x#y"), "auth.example");
        assert_eq!(host("https://u:p@auth.example:8443"), "auth.example:8443");
        assert_eq!(host("auth.example"), "auth.example");
    }
}

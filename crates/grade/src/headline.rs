//! The answer a report opens with: will MCP clients work? One line, from the
//! end-to-end client paths (each stopped by a failed check on its path) and
//! the failed required checks, so it cannot contradict the client rows.

use serde::Serialize;

use crate::clients::ClientPath;
use crate::{Finding, Status};

/// The answer in one word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    /// Every client gets through and no required check fails.
    WillWork,
    /// Some clients get through, or all do while a required check fails.
    Partly,
    /// No client gets through (or nothing was found to use).
    WillFail,
}

/// The headline verdict of a `check` report (`verdict` in its JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Headline {
    pub answer: Answer,
    /// MCP clients that get through the whole flow checked (Logto's library,
    /// which runs in the MCP server, is not one).
    pub clients_working: usize,
    pub clients: usize,
    /// The ids of the required checks that failed, in report order.
    pub failed_checks: Vec<String>,
    pub warnings: usize,
    /// Why nothing could be judged (unreachable, no metadata).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nothing_found: Option<String>,
    /// The line itself: "MCP clients: 2 of 4 will work — 1 required check fails: X".
    pub text: String,
}

impl Headline {
    /// The headline of `clients` (as shown) and the findings; `nothing_found`
    /// is the reason when the target gave nothing to judge.
    pub fn new(
        clients: &[ClientPath],
        findings: &[Finding],
        nothing_found: Option<String>,
    ) -> Self {
        let mut failed_checks: Vec<String> = Vec::new();
        for f in findings.iter().filter(|f| f.status == Status::Fail) {
            if !failed_checks.contains(&f.id) {
                failed_checks.push(f.id.clone());
            }
        }
        let warnings = findings.iter().filter(|f| f.status == Status::Warn).count();
        Self {
            answer: Answer::WillFail,
            clients_working: 0,
            clients: 0,
            failed_checks,
            warnings,
            nothing_found,
            text: String::new(),
        }
        .for_clients(clients)
    }

    /// The same headline for another selection of clients (`check --client`).
    pub fn for_clients(mut self, clients: &[ClientPath]) -> Self {
        let mcp: Vec<&ClientPath> = clients.iter().filter(|c| c.is_mcp_client()).collect();
        self.clients = mcp.len();
        self.clients_working = mcp.iter().filter(|c| c.works).count();
        let all = self.clients_working == self.clients;
        self.answer =
            if self.nothing_found.is_some() || (self.clients > 0 && self.clients_working == 0) {
                Answer::WillFail
            } else if all && self.failed_checks.is_empty() {
                Answer::WillWork
            } else if self.clients == 0 {
                Answer::WillFail
            } else {
                Answer::Partly
            };
        self.text = self.sentence();
        self
    }

    fn sentence(&self) -> String {
        let failed = match self.failed_checks.as_slice() {
            [] => None,
            [one] => Some(format!("1 required check fails: {one}")),
            many => Some(format!(
                "{} required checks fail: {}",
                many.len(),
                many.join(", ")
            )),
        };
        let answer = match (self.answer, &self.nothing_found, &failed) {
            (_, Some(why), _) => format!("will fail — {why}"),
            (Answer::WillWork, ..) if self.warnings > 0 => format!(
                "will work ({} warning{})",
                self.warnings,
                if self.warnings == 1 { "" } else { "s" }
            ),
            (Answer::WillWork, ..) => "will work".to_owned(),
            (Answer::WillFail, _, Some(failed)) => format!("will fail — {failed}"),
            (Answer::WillFail, _, None) => {
                "will fail — no client gets through discovery".to_owned()
            }
            (Answer::Partly, _, Some(failed)) => format!(
                "{} of {} will work — {failed}",
                self.clients_working, self.clients
            ),
            (Answer::Partly, _, None) => {
                format!("{} of {} will work", self.clients_working, self.clients)
            }
        };
        format!("MCP clients: {answer}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clients::id::{LOGTO_OIDC, PYTHON_SDK, TS_SDK};

    fn path(id: &str, works: bool) -> ClientPath {
        crate::clients::test_path(id, works, None)
    }

    fn finding(id: &str, status: Status) -> Finding {
        crate::test_support::bare_finding(id, None, status)
    }

    #[test]
    fn every_client_working_and_nothing_failed_will_work() {
        let h = Headline::new(
            &[path(TS_SDK, true), path(LOGTO_OIDC, false)],
            &[finding("A", Status::Pass)],
            None,
        );
        assert_eq!(h.answer, Answer::WillWork);
        assert_eq!(h.text, "MCP clients: will work");
        assert_eq!(
            (h.clients_working, h.clients),
            (1, 1),
            "Logto is no MCP client"
        );
        let warned = Headline::new(&[path(TS_SDK, true)], &[finding("W", Status::Warn)], None);
        assert_eq!(warned.text, "MCP clients: will work (1 warning)");
    }

    #[test]
    fn some_clients_working_counts_them_and_names_the_failures() {
        let clients = [path(TS_SDK, true), path(PYTHON_SDK, false)];
        let h = Headline::new(&clients, &[], None);
        assert_eq!(h.text, "MCP clients: 1 of 2 will work");
        let h = Headline::new(
            &clients,
            &[finding("PRM-RESOURCE-MATCH", Status::Fail)],
            None,
        );
        assert_eq!(h.answer, Answer::Partly);
        assert_eq!(
            h.text,
            "MCP clients: 1 of 2 will work — 1 required check fails: PRM-RESOURCE-MATCH"
        );
    }

    #[test]
    fn no_client_working_will_fail_naming_each_failed_check_once() {
        let findings = [
            finding("AS-PKCE-S256", Status::Fail),
            finding("AUTHZ-RESOURCE-ACCEPTED", Status::Fail),
            finding("AS-PKCE-S256", Status::Fail),
        ];
        let h = Headline::new(&[path(TS_SDK, false)], &findings, None);
        assert_eq!(h.answer, Answer::WillFail);
        assert_eq!(
            h.text,
            "MCP clients: will fail — 2 required checks fail: AS-PKCE-S256, AUTHZ-RESOURCE-ACCEPTED"
        );
        let none = Headline::new(&[path(TS_SDK, false)], &[], None);
        assert_eq!(
            none.text,
            "MCP clients: will fail — no client gets through discovery"
        );
    }

    #[test]
    fn nothing_found_will_fail_with_the_reason_and_a_selection_recounts() {
        let h = Headline::new(&[], &[], Some("the target is unreachable".to_owned()));
        assert_eq!(h.text, "MCP clients: will fail — the target is unreachable");
        let all = [path(TS_SDK, true), path(PYTHON_SDK, false)];
        let h = Headline::new(&all, &[], None).for_clients(&all[..1]);
        assert_eq!(h.text, "MCP clients: will work");
    }
}

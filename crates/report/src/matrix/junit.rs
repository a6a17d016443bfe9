//! The matrix as JUnit XML: a test suite per provider, a test case per
//! check. Formats only.

use std::io::{self, Write};

use quick_junit::{NonSuccessKind, TestCase, TestCaseStatus, TestSuite};

use super::{CheckCell, HostCell, LiveCell, MatrixReport, Row};
use crate::checks::Status;

pub fn render(r: &MatrixReport, out: &mut dyn Write) -> io::Result<()> {
    let mut report = quick_junit::Report::new("mcp-auth matrix");
    for row in &r.rows {
        report.add_test_suite(suite(row));
    }
    let xml = report
        .to_string()
        .map_err(|e| io::Error::other(e.to_string()))?;
    writeln!(out, "{xml}")
}

fn suite(row: &Row) -> TestSuite {
    let mut suite = TestSuite::new(row.id.clone());
    if let Some(e) = &row.error {
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
        status.set_message(e.clone());
        suite.add_test_case(TestCase::new("reachable", status));
    }
    for c in &row.checks {
        suite.add_test_case(case(row, c));
    }
    if let Some(live) = &row.live {
        suite.add_test_case(live_case(row, live));
    }
    for h in &row.hosts {
        suite.add_test_case(host_case(row, h));
    }
    if let Some(q) = row.quirks.as_ref().filter(|q| q.needs_review()) {
        let lines: Vec<String> = [
            ("stale quirks (no longer show)", &q.stale),
            ("new failures (no known quirk explains)", &q.new),
        ]
        .into_iter()
        .filter(|(_, ids)| !ids.is_empty())
        .map(|(what, ids)| format!("{what}: {}", ids.join(", ")))
        .collect();
        suite.set_system_out(lines.join("\n"));
    }
    suite
}

fn case(row: &Row, c: &CheckCell) -> TestCase {
    let name = match &c.subject {
        Some(s) => format!("{} [{s}]", c.id),
        None => c.id.clone(),
    };
    let status = match c.status {
        Status::Fail => {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
            s.set_message(c.detail.clone());
            s
        }
        Status::Skip => {
            let mut s = TestCaseStatus::skipped();
            s.set_message(c.detail.clone());
            s
        }
        Status::Pass | Status::Info | Status::Warn => TestCaseStatus::success(),
    };
    let mut case = TestCase::new(name, status);
    case.set_classname(row.id.clone());
    if c.status == Status::Warn {
        case.set_system_out(format!("warn: {}", c.detail));
    }
    case
}

/// The live flow as one test case: a failure names the deciding check, a
/// flow that did not run is skipped with why.
fn live_case(row: &Row, live: &LiveCell) -> TestCase {
    let status = match (live.verdict.as_str(), &live.note) {
        ("fail", _) => {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
            s.set_message(live.text());
            s
        }
        (_, Some(why)) => {
            let mut s = TestCaseStatus::skipped();
            s.set_message(why.clone());
            s
        }
        _ => TestCaseStatus::success(),
    };
    let mut case = TestCase::new("live flow (check --login)", status);
    case.set_classname(row.id.clone());
    case
}

/// One host's end-to-end path: a failure says where it stops and why.
fn host_case(row: &Row, h: &HostCell) -> TestCase {
    let status = if h.works {
        TestCaseStatus::success()
    } else {
        let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
        s.set_message(h.detail.clone());
        s
    };
    let mut case = TestCase::new(format!("host {}", h.id), status);
    case.set_classname(format!("{}.hosts", row.id));
    case
}

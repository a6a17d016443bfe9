//! Loading an evidence file (`--from-evidence`, `matrix --replay`) and
//! grading whatever it holds: never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcp_auth_evidence::Evidence;
use mcp_auth_report::{self as report, table::Style, Report};

fuzz_target!(|data: &[u8]| {
    let Ok(ev) = serde_json::from_slice::<Evidence>(data) else { return };
    let graded = mcp_auth_grade::grade_known(&ev);
    let _ = graded.verdict(false);
    let r = Report::new(&graded);
    let mut sink = Vec::new();
    report::table::render(&r, Style::plain(100), true, &mut sink).unwrap();
    report::markdown::render(&r, true, &mut sink).unwrap();
    report::json(&r, &mut sink).unwrap();
});

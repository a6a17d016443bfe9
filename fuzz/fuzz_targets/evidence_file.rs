//! Loading an evidence file (`--from-evidence`, `matrix --replay`) and
//! grading whatever it holds: never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcp_auth::evidence::Evidence;
use mcp_auth::report::{self, table::Style, Report};

fuzz_target!(|data: &[u8]| {
    let Ok(ev) = serde_json::from_slice::<Evidence>(data) else { return };
    let r = Report::build(&ev);
    let _ = r.verdict(false);
    let mut sink = Vec::new();
    report::table::render(&r, Style { color: false, tty: false }, &mut sink).unwrap();
    report::markdown::render(&r, &mut sink).unwrap();
    report::json(&r, &mut sink).unwrap();
});

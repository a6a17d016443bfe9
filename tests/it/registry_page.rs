//! The `matrix merge --format html` page in a real browser
//! (tests/peers/report-page.mjs): rows, filters, sorting, the detail view and
//! its link, from a file:// URL with every other request refused.
//!
//! The page is rendered by the report crate's renderer from the committed
//! rows (tests/fixtures/registry/rows.jsonl), as `matrix merge` does.

use std::process::Command;

use mcp_auth_report::registry::{html, RegistryRow, Summary};

use super::support::root;

fn rows() -> Vec<RegistryRow> {
    super::support::fixture("registry/rows.jsonl")
        .lines()
        .map(|l| serde_json::from_str(l).expect("a registry row"))
        .collect()
}

/// Render `rows` to a page and use it in the browser: what the script saw.
fn browse(rows: &[RegistryRow], filter: &str) -> serde_json::Value {
    let peers = root().join("tests/peers");
    assert!(
        peers.join("node_modules/playwright-core").exists(),
        "the Node peers are not installed: run `npm ci --prefix tests/peers`"
    );
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("page.html");
    let shot = dir.path().join("page.png");
    let mut out = Vec::new();
    html::render(rows, &Summary::of(rows), "mcp-auth test", &mut out).unwrap();
    std::fs::write(&page, out).unwrap();
    let run = Command::new("node")
        .arg(peers.join("report-page.mjs"))
        .arg(&page)
        .arg(&shot)
        .args(["--filter", filter, "--timeout-ms", "60000"])
        .output()
        .expect("run node report-page.mjs");
    assert!(
        run.status.success(),
        "report-page failed: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let png = std::fs::read(&shot).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    serde_json::from_slice(&run.stdout).expect("one JSON line")
}

#[test]
fn the_page_works_in_a_browser() {
    let seen = browse(&rows(), "shared");
    let hostile = "</script><img src=x onerror=alert(1)>";
    assert_eq!(seen["rows"], 6);
    assert_eq!(
        seen["filtered"],
        serde_json::json!(["io.github.bravo/tasks", "io.github.delta/search"]),
        "the filter matches the authorization server"
    );
    assert_eq!(seen["sign_in"], 4);
    assert_eq!(
        seen["spec_works"],
        serde_json::json!(["io.github.alpha/notes", "io.github.delta/search"])
    );
    assert_eq!(seen["first_before"], "io.github.alpha/notes");
    assert_eq!(seen["first_asc"], hostile, "`<` sorts first, shown as text");
    assert_eq!(seen["first_desc"], "io.github.echo/weather");
    assert_eq!(seen["sort_header"], "descending");
    let detail = &seen["detail"];
    assert_eq!(detail["name"], "io.github.bravo/tasks");
    assert_eq!(detail["headline"], "MCP clients: will fail — no PKCE S256");
    assert_eq!(detail["story"].as_array().unwrap().len(), 3);
    assert!(
        detail["story"][2]
            .as_str()
            .unwrap()
            .starts_with("authorization server metadata → fail AS-PKCE-S256"),
        "{detail}"
    );
    let hint = mcp_auth_grade::find("AS-PKCE-S256").unwrap().hint;
    assert!(
        detail["hints"][0].as_str().unwrap().contains(hint),
        "{detail}"
    );
    assert!(
        seen["hash"].as_str().unwrap().contains("row=https"),
        "{seen}"
    );
    assert_eq!(seen["reloaded_detail"], "io.github.bravo/tasks");
    assert_eq!(
        seen["reloaded_first"], "io.github.bravo/tasks",
        "the search is in the link"
    );
    assert_eq!(seen["more"], false);
    assert!(seen["screenshot_bytes"].as_u64().unwrap() > 1000);
    assert_eq!(seen["blocked"], 0);
}

/// 10,000 rows: 500 in the table, 500 more per click, and searching or
/// sorting them stays quick.
#[test]
fn ten_thousand_rows_stay_usable() {
    let base = rows();
    let mut rows: Vec<RegistryRow> = (0..10_000)
        .map(|i| {
            let mut r = base[i % base.len()].clone();
            r.url = format!("https://s{i:05}.example/mcp");
            r.name = format!("io.github.n{i:05}/{}", r.name);
            r
        })
        .collect();
    rows.sort_by(|a, b| a.url.cmp(&b.url));
    let seen = browse(&rows, "n0012");
    assert_eq!(seen["rows"], 500);
    assert_eq!(seen["more"], true);
    assert_eq!(seen["after_more"], 1000);
    assert_eq!(seen["filtered"].as_array().unwrap().len(), 10);
    assert_eq!(seen["blocked"], 0);
    for t in ["more_ms", "filter_ms", "sort_ms"] {
        assert!(seen[t].as_u64().unwrap() < 5000, "{t}: {seen}");
    }
}

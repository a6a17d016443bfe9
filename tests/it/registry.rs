//! `matrix --registry` against a loopback registry listing real peers (the
//! MCP TypeScript SDK server behind node-oidc-provider), an open server, a
//! dead URL, a closed port and the remotes it must skip; sharding, merging,
//! resuming, politeness, and bad registry input.

use std::time::Duration;

use crate::support::peer::{McpServer, OidcProvider};
use crate::support::registry::{entry, open_server, page, Page, Registry};
use crate::support::replay::ReplayServer;
use crate::support::{self, ClosedPort};

fn rows(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

fn by_url<'a>(rows: &'a [serde_json::Value], url: &str) -> &'a serde_json::Value {
    rows.iter()
        .find(|r| r["url"] == url)
        .unwrap_or_else(|| panic!("no row for {url}: {rows:#?}"))
}

/// Run mcp-auth in a scratch home, two minutes at most; (code, stdout, stderr).
fn run(args: &[&str]) -> (i32, String, String) {
    support::run_for(Duration::from_secs(120), args)
}

/// Drop what differs between runs of the same servers.
fn timeless(mut rows: Vec<serde_json::Value>) -> Vec<serde_json::Value> {
    for r in &mut rows {
        let o = r.as_object_mut().unwrap();
        o.remove("checked_at");
        o.remove("elapsed_ms");
    }
    rows.sort_by(|a, b| a["url"].as_str().cmp(&b["url"].as_str()));
    rows
}

#[test]
fn a_registry_run_grades_every_listed_remote_and_shards_merge_into_the_same_rows() {
    let oidc = OidcProvider::for_mcp();
    let mcp = McpServer::typescript(&oidc.issuer, &[]);
    let open = open_server();
    let dead = ReplayServer::start(|_| Vec::new());
    let closed = ClosedPort::bind();
    let urls = [
        mcp.url.clone(),
        format!("{}/mcp", open.origin),
        format!("{}/mcp", dead.origin),
        format!("{}/mcp", closed.origin()),
    ];
    let registry = Registry::start(
        vec![
            (
                "",
                page(
                    vec![
                        entry("io.test/ts-sdk", "streamable-http", &urls[0]),
                        entry("io.test/open", "streamable-http", &urls[1]),
                        entry("io.test/sse", "sse", "https://sse.example.com/sse"),
                    ],
                    Some("p2"),
                ),
            ),
            (
                "p2",
                page(
                    vec![
                        entry("io.test/dead", "streamable-http", &urls[2]),
                        entry("io.test/closed", "streamable-http", &urls[3]),
                        entry("io.test/again", "streamable-http", &urls[0]),
                    ],
                    None,
                ),
            ),
        ],
        Duration::ZERO,
    );
    let (code, out, err) = run(&["matrix", "--registry", &registry.url, "--timeout", "5"]);
    assert_eq!(code, 0, "{err}");
    let all = rows(&out);
    // Four servers and the sse remote; the duplicate is not a row.
    assert_eq!(all.len(), 5, "{out}");
    let ts = by_url(&all, &urls[0]);
    assert_eq!(ts["access"], "sign-in");
    assert_eq!(ts["name"], "io.test/ts-sdk");
    assert_eq!(ts["authorization_server"], oidc.issuer.as_str());
    let spec = ts["clients"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "spec-2025-11-25")
        .unwrap();
    assert_eq!(spec["works"], true, "{ts:#}");
    assert!(ts["story"].as_array().is_some_and(|s| !s.is_empty()));
    assert_eq!(by_url(&all, &urls[1])["access"], "open");
    assert_eq!(by_url(&all, &urls[2])["access"], "unavailable");
    assert_eq!(by_url(&all, &urls[3])["access"], "unreachable");
    let sse = by_url(&all, "https://sse.example.com/sse");
    assert_eq!(sse["access"], "skipped");
    assert!(sse["headline"]
        .as_str()
        .unwrap()
        .contains("not streamable-http"));
    assert!(err.contains("registry: 5 rows"), "{err}");
    // Every request names the project.
    let agents = registry.agents();
    assert!(!agents.is_empty());
    assert!(
        agents
            .iter()
            .all(|a| a.starts_with("mcp-auth/") && a.contains("(+https://github.com/")),
        "{agents:?}"
    );

    assert_shards_merge_into(&registry.url, &all);
}

#[test]
fn requests_to_one_host_never_exceed_the_per_host_cap() {
    let slow = Registry::start(Vec::new(), Duration::from_millis(50));
    let entries = (0..12)
        .map(|i| {
            entry(
                &format!("io.test/s{i}"),
                "streamable-http",
                &format!("{}/slow/{i}", slow.url),
            )
        })
        .collect();
    let registry = Registry::start(vec![("", page(entries, None))], Duration::ZERO);
    let (code, out, err) = run(&[
        "matrix",
        "--registry",
        &registry.url,
        "--per-host",
        "2",
        "--concurrency",
        "12",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(rows(&out).len(), 12);
    let most = slow
        .most_in_flight
        .load(std::sync::atomic::Ordering::SeqCst);
    assert!(
        (1..=2).contains(&most),
        "{most} requests in flight at once to one host"
    );
}

#[test]
fn resume_skips_the_rows_a_file_has_cuts_a_torn_line_and_appends_the_rest() {
    let slow = Registry::start(Vec::new(), Duration::ZERO);
    let urls: Vec<String> = (0..6).map(|i| format!("{}/slow/{i}", slow.url)).collect();
    let entries = urls
        .iter()
        .enumerate()
        .map(|(i, u)| entry(&format!("io.test/s{i}"), "streamable-http", u))
        .collect();
    let registry = Registry::start(vec![("", page(entries, None))], Duration::ZERO);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("run.jsonl");
    // A first run that checked two servers and was killed mid-row.
    let (code, _, err) = run(&[
        "matrix",
        "--registry",
        &registry.url,
        "--max-servers",
        "2",
        "--concurrency",
        "1",
        // A file that does not exist yet: the run starts from scratch.
        "--resume",
        file.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let first = rows(&std::fs::read_to_string(&file).unwrap());
    assert_eq!(first.len(), 2);
    let mut text = std::fs::read_to_string(&file).unwrap();
    text.push_str("{\"schema_version\":1,\"url\":\"http://torn");
    std::fs::write(&file, text).unwrap();
    let (code, out, err) = run(&[
        "matrix",
        "--registry",
        &registry.url,
        "--resume",
        file.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.is_empty(), "the rows go to the file: {out}");
    assert!(
        err.contains("registry: 4 rows") && err.contains("2 already in the --resume file"),
        "{err}"
    );
    let all = rows(&std::fs::read_to_string(&file).unwrap());
    let mut got: Vec<&str> = all.iter().map(|r| r["url"].as_str().unwrap()).collect();
    got.sort();
    let mut want: Vec<&str> = urls.iter().map(String::as_str).collect();
    want.sort();
    assert_eq!(got, want, "each server once, the torn line gone");
}

/// `--shard 1/2` and `2/2`, merged, are `all` row for row, in URL order.
fn assert_shards_merge_into(registry: &str, all: &[serde_json::Value]) {
    // Two shards, merged, are the same rows.
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for shard in ["1/2", "2/2"] {
        let path = dir.path().join(format!("shard-{}.jsonl", &shard[..1]));
        let (code, _, err) = run(&[
            "matrix",
            "--registry",
            registry,
            "--timeout",
            "5",
            "--shard",
            shard,
            "--output",
            path.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{err}");
        files.push(path.to_str().unwrap().to_owned());
    }
    let shard_rows: Vec<usize> = files
        .iter()
        .map(|f| rows(&std::fs::read_to_string(f).unwrap()).len())
        .collect();
    assert_eq!(shard_rows.iter().sum::<usize>(), 5, "{shard_rows:?}");
    let mut merge = vec!["matrix", "merge"];
    merge.extend(files.iter().map(String::as_str));
    let (code, merged, err) = run(&merge);
    assert_eq!(code, 0, "{err}");
    assert_eq!(timeless(rows(&merged)), timeless(all.to_vec()));
    let order: Vec<String> = rows(&merged)
        .iter()
        .map(|r| r["url"].as_str().unwrap().to_owned())
        .collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted, "merge writes URL order");
}

#[test]
fn a_hanging_server_costs_its_own_row_its_budget_and_nothing_else() {
    use crate::support::hostile::{HostileServer, Script};
    // Another loopback address: another host, so its hung requests hold
    // none of the dead servers' per-host slots.
    let hang = HostileServer::start_on("127.0.0.2:0", Script::Hang);
    let dead = ReplayServer::start(|_| Vec::new());
    let mut entries = vec![entry(
        "io.test/hang",
        "streamable-http",
        &format!("{}/mcp", hang.origin),
    )];
    entries.extend((0..3).map(|i| {
        entry(
            &format!("io.test/d{i}"),
            "streamable-http",
            &format!("{}/d{i}", dead.origin),
        )
    }));
    let registry = Registry::start(vec![("", page(entries, None))], Duration::ZERO);
    let (code, out, err) = run(&[
        "matrix",
        "--registry",
        &registry.url,
        "--timeout",
        "30",
        "--server-timeout",
        "1",
    ]);
    assert_eq!(code, 0, "{err}");
    let all = rows(&out);
    assert_eq!(all.len(), 4);
    let hung = by_url(&all, &format!("{}/mcp", hang.origin));
    assert_eq!(hung["access"], "unreachable");
    assert!(
        hung["headline"]
            .as_str()
            .unwrap()
            .contains("no verdict within 1 s (--server-timeout)"),
        "{hung}"
    );
    // Ended by the budget, not by the 30 s request timeout.
    assert!(hung["elapsed_ms"].as_u64().unwrap() < 30_000, "{hung}");
    let done = all.iter().filter(|r| r["access"] == "unavailable").count();
    assert_eq!(done, 3, "the other servers got their verdicts: {all:#?}");
}

/// Run against `pages`; (code, rows, stderr).
fn walk(pages: Vec<(&'static str, Page)>) -> (i32, Vec<serde_json::Value>, String) {
    let registry = Registry::start(pages, Duration::ZERO);
    let (code, out, err) = run(&["matrix", "--registry", &registry.url, "--timeout", "5"]);
    (code, rows(&out), err)
}

#[test]
fn bad_registry_input_is_one_line_exit_3_and_keeps_the_rows_of_the_pages_before() {
    let dead = ReplayServer::start(|_| Vec::new());
    let first = || {
        page(
            vec![entry(
                "io.test/dead",
                "streamable-http",
                &format!("{}/mcp", dead.origin),
            )],
            Some("p2"),
        )
    };
    let cases: Vec<(Page, &str)> = vec![
        (
            Page::Raw("application/json", b"{\"servers\": [".to_vec()),
            "not a list of servers",
        ),
        (
            Page::Json(serde_json::json!({"servers": 3})),
            "not a list of servers",
        ),
        (
            Page::Raw("text/html", b"<html>maintenance</html>".to_vec()),
            "not a list of servers",
        ),
        // 100 MB: cut off at the page cap, never read whole.
        (
            Page::Raw("application/json", vec![b' '; 100 * 1024 * 1024]),
            "larger than the body cap",
        ),
        // The cursor of the first page again: a loop.
        (page(Vec::new(), Some("p2")), "pages in a loop"),
    ];
    for (second, needle) in cases {
        let (code, got, err) = walk(vec![("", first()), ("p2", second)]);
        assert_eq!(code, 3, "{needle}: {err}");
        assert_eq!(got.len(), 1, "the first page's row is kept ({needle})");
        crate::support::one_error(&err, needle);
        assert!(err.contains("the 1 rows above are kept"), "{err}");
    }
    // The first page missing: nothing checked, the same one line.
    let (code, got, err) = walk(Vec::new());
    assert_eq!((code, got.len()), (3, 0));
    crate::support::one_error(&err, "HTTP 404");
}

#[test]
fn registry_mode_refuses_other_formats_and_bad_shards_in_one_line() {
    let (code, _, err) = run(&[
        "matrix",
        "--registry",
        "http://127.0.0.1:9",
        "--format",
        "markdown",
    ]);
    assert_eq!(code, 2);
    crate::support::one_error(&err, "matrix --registry writes JSON Lines only");
    let (code, _, err) = run(&[
        "matrix",
        "--registry",
        "http://127.0.0.1:9",
        "--shard",
        "5/4",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--shard"), "{err}");
    let (code, _, err) = run(&["matrix", "--shard", "1/4"]);
    assert_eq!(code, 2, "--shard needs --registry: {err}");
    let (code, _, err) = run(&["matrix", "merge", "/nonexistent.jsonl"]);
    assert_eq!(code, 2);
    crate::support::one_error(&err, "cannot read /nonexistent.jsonl");
}

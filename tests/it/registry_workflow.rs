//! The weekly ecosystem workflow (.github/workflows/registry.yml) as it is
//! committed: its shard and publish scripts, run by bash against a loopback
//! registry (the only change: `--registry` gets that registry's URL, so no
//! request leaves the machine), four shards then the merge into the site.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::support::registry::{entry, open_server, page, Registry};
use crate::support::replay::{ReplayServer, Route};
use crate::support::{root, ClosedPort};

/// The `run: |` script of the step whose name starts with `step`.
fn script(workflow: &str, step: &str) -> String {
    let lines: Vec<&str> = workflow.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.trim_start().starts_with(&format!("- name: {step}")))
        .unwrap_or_else(|| panic!("no step named {step:?} in the workflow"));
    let run = (at..lines.len())
        .find(|&i| lines[i].trim_start() == "run: |")
        .unwrap_or_else(|| panic!("step {step:?} has no `run: |` script"));
    let indent = |l: &str| l.len() - l.trim_start().len();
    let key = indent(lines[run]);
    let body: Vec<&str> = lines[run + 1..]
        .iter()
        .take_while(|l| l.trim().is_empty() || indent(l) > key)
        .map(|l| l.get(key + 2..).unwrap_or("").trim_end())
        .collect();
    body.join("\n") + "\n"
}

/// Run a workflow script in `dir` with `./mcp-auth` there; its exit code.
fn bash(dir: &Path, text: &str, env: &[(&str, &str)]) -> i32 {
    let mut cmd = Command::new("bash");
    cmd.arg("-eo")
        .arg("pipefail")
        .arg("-c")
        .arg(text)
        .current_dir(dir)
        .env_clear()
        .env("HOME", dir)
        .env("PATH", std::env::var_os("PATH").unwrap_or_default());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = assert_cmd::Command::from_std(cmd)
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    assert!(
        out.status.code().is_some(),
        "the script was killed:\n{text}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    if !out.status.success() {
        eprintln!("{}", String::from_utf8_lossy(&out.stderr));
    }
    out.status.code().unwrap()
}

/// Four servers, one of each answer, listed by a loopback registry; the
/// servers live as long as the returned value.
struct Listing {
    registry: Registry,
    urls: Vec<String>,
    _servers: (ReplayServer, ReplayServer, ReplayServer, ClosedPort),
}

fn listing() -> Listing {
    let challenge = ReplayServer::start(|_| {
        vec![(
            "POST /mcp".to_owned(),
            Route::raw(401, Some("text/plain"), "no")
                .header("www-authenticate", "Bearer realm=\"mcp\""),
        )]
    });
    let open = open_server();
    let dead = ReplayServer::start(|_| Vec::new());
    let closed = ClosedPort::bind();
    let urls = vec![
        format!("{}/mcp", challenge.origin),
        format!("{}/mcp", open.origin),
        format!("{}/mcp", dead.origin),
        format!("{}/mcp", closed.origin()),
    ];
    let registry = Registry::start(
        vec![(
            "",
            page(
                vec![
                    entry("io.test/sign-in", "streamable-http", &urls[0]),
                    entry("io.test/open", "streamable-http", &urls[1]),
                    entry("io.test/dead", "streamable-http", &urls[2]),
                    entry("io.test/closed", "streamable-http", &urls[3]),
                ],
                None,
            ),
        )],
        Duration::ZERO,
    );
    Listing {
        registry,
        urls,
        _servers: (challenge, open, dead, closed),
    }
}

#[test]
fn the_ecosystem_workflow_shards_merge_and_build_the_site() {
    let Listing { registry, urls, .. } = &listing();
    let workflow = std::fs::read_to_string(root().join(".github/workflows/registry.yml")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(
        assert_cmd::cargo::cargo_bin("mcp-auth"),
        dir.path().join("mcp-auth"),
    )
    .unwrap();

    let shard = script(&workflow, "Check shard");
    assert!(shard.contains("matrix --registry --shard"), "{shard}");
    let local = format!("matrix --registry {} --timeout 5 --shard", registry.url);
    for i in 1..=4 {
        let text = shard
            .replace("matrix --registry --shard", &local)
            .replace("${{ matrix.shard }}", &i.to_string());
        assert!(
            !text.contains("${{"),
            "an expression left unfilled:\n{text}"
        );
        assert_eq!(
            bash(dir.path(), &text, &[("MAX_SERVERS", "")]),
            0,
            "shard {i}:\n{text}"
        );
        assert!(
            dir.path().join(format!("shard-{i}.jsonl")).exists(),
            "shard {i} wrote no file"
        );
    }

    let merge = script(&workflow, "Merge the shards");
    let summary = dir.path().join("summary.md");
    let code = bash(
        dir.path(),
        &merge,
        &[("GITHUB_STEP_SUMMARY", summary.to_str().unwrap())],
    );
    assert_eq!(code, 0, "{merge}");
    site_is_complete(&dir.path().join("site"), urls, &summary);
}

/// The site the merge step made: every row once, each answer class, the page and the summary.
fn site_is_complete(site: &Path, urls: &[String], summary: &Path) {
    let rows = std::fs::read_to_string(site.join("ecosystem.jsonl")).unwrap();
    let mut seen: Vec<String> = rows
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["url"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    seen.sort();
    let mut want = urls.to_vec();
    want.sort();
    assert_eq!(seen, want, "every listed server once, over the four shards");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(site.join("ecosystem.json")).unwrap())
            .unwrap();
    let access: Vec<&str> = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["access"].as_str().unwrap())
        .collect();
    for class in ["sign-in", "open", "unavailable", "unreachable"] {
        assert!(access.contains(&class), "no {class} row: {access:?}");
    }
    let html = std::fs::read_to_string(site.join("index.html")).unwrap();
    assert!(html.contains("io.test/sign-in") && html.contains("Content-Security-Policy"));
    let md = std::fs::read_to_string(site.join("ECOSYSTEM.md")).unwrap();
    assert_eq!(
        std::fs::read_to_string(summary).unwrap(),
        md,
        "the job summary is the Markdown"
    );
    assert!(md.starts_with("# MCP Registry: 4 remote servers"), "{md}");
}

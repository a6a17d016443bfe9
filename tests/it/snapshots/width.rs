//! Every table laid out for 80 columns (`COLUMNS=80`, output piped): no line
//! is wider, except one that holds a single URL too long to fit, and no URL is
//! ever split: each appears whole on one line, so it can be copied.

use std::collections::BTreeSet;

use super::*;

const WIDTH: usize = 80;
const COLUMNS: &[(&str, &str)] = &[("COLUMNS", "80")];

/// The URLs in `text`: from `http://` or `https://` up to whitespace, a quote
/// or a bracket, without trailing punctuation.
fn urls_in(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(at) = ["http://", "https://"]
        .iter()
        .filter_map(|p| rest.find(p))
        .min()
    {
        let tail = &rest[at..];
        let end = tail
            .find(|c: char| c.is_whitespace() || "\"'`<>()[]{}|".contains(c))
            .unwrap_or(tail.len());
        let url = tail[..end].trim_end_matches(['.', ',', ';', ':']);
        found.push(url.to_owned());
        rest = &tail[end..];
    }
    found
}

/// Every URL in the JSON report's string values.
fn urls_of_json(json: &str) -> BTreeSet<String> {
    fn walk(v: &Value, out: &mut BTreeSet<String>) {
        match v {
            Value::String(s) => out.extend(urls_in(s)),
            Value::Array(a) => a.iter().for_each(|v| walk(v, out)),
            Value::Object(o) => o.values().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = BTreeSet::new();
    walk(&serde_json::from_str(json).expect("JSON report"), &mut out);
    out
}

/// The width rule: every line fits, or is one URL on its own.
fn assert_fits(what: &str, text: &str) {
    for line in text.lines() {
        let width = line.chars().count();
        let lone_url = urls_in(line).len() == 1 && line.split_whitespace().count() <= 2;
        assert!(
            width <= WIDTH || lone_url,
            "{what}: a line of {width} columns at COLUMNS=80:\n{line}\n\n{text}"
        );
    }
}

/// Each URL printed is one the report knows whole (a split one would be a
/// prefix of it), and each URL the report fetched is printed on one line.
fn assert_urls_whole(what: &str, text: &str, known: &BTreeSet<String>, fetched: &[String]) {
    for url in urls_in(text) {
        assert!(
            known.contains(&url),
            "{what}: {url:?} is not a URL of the report: split across lines?\n{text}"
        );
    }
    for url in fetched {
        assert!(
            text.lines().any(|l| l.contains(url.as_str())),
            "{what}: {url} does not appear whole on one line:\n{text}"
        );
    }
}

/// The metadata URLs a report fetched (its discovery attempts and the
/// protected resource's), from the JSON report.
fn fetched_urls(json: &Value) -> Vec<String> {
    let mut urls = Vec::new();
    let mut collect = |attempts: &Value| {
        for a in attempts.as_array().into_iter().flatten() {
            if let Some(u) = a["url"].as_str() {
                urls.push(u.to_owned());
            }
        }
    };
    collect(&json["discovery"]["attempts"]);
    collect(&json["resource"]["attempts"]);
    for s in json["servers"].as_array().into_iter().flatten() {
        collect(&s["discovery"]["attempts"]);
    }
    urls
}

#[test]
fn check_reports_fit_80_columns_and_keep_urls_whole() {
    let dir = root().join("tests/fixtures/evidence");
    let mut fixtures: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    fixtures.sort();
    assert!(fixtures.len() >= 10, "fixtures in {}", dir.display());
    for path in fixtures {
        let file = format!(
            "tests/fixtures/evidence/{}",
            path.file_name().unwrap().to_str().unwrap()
        );
        let json = run_in(
            &root(),
            COLUMNS,
            &["check", "--from-evidence", &file, "--format", "json"],
            None,
        );
        let report: Value = serde_json::from_str(&json.stdout).expect("JSON report");
        let mut known = urls_of_json(&json.stdout);
        // The origin the CORS probes send, named in the table's heading.
        known.insert("http://localhost:6274".into());
        let fetched = fetched_urls(&report);
        assert!(
            !fetched.is_empty(),
            "{file}: no metadata URL in the JSON report"
        );
        for view in [&[][..], &["--all"][..]] {
            let args = [
                &[
                    "check",
                    "--from-evidence",
                    file.as_str(),
                    "--color",
                    "never",
                ][..],
                view,
            ]
            .concat();
            let run = run_in(&root(), COLUMNS, &args, None);
            let what = format!("{file} {view:?}");
            assert_fits(&what, &run.stdout);
            if !run.stdout.is_empty() {
                // The unreachable target prints one line on stderr and nothing else.
                assert_urls_whole(&what, &run.stdout, &known, &fetched);
            }
        }
    }
}

#[test]
fn matrix_and_tokens_fit_80_columns() {
    let matrix = super::matrix::MATRIX_REPLAY;
    let table = run_in(&root(), COLUMNS, &matrix, None);
    assert_eq!(table.code, 0, "{}", table.stderr);
    assert_fits("matrix", &table.stdout);
    let json = run_in(
        &root(),
        COLUMNS,
        &[&matrix[..], &["--format", "json"]].concat(),
        None,
    );
    let known = urls_of_json(&json.stdout);
    assert!(!known.is_empty(), "the matrix names its targets");
    assert_urls_whole("matrix", &table.stdout, &known, &[]);

    let mut mcp = token_entry(
        "https://login.example-identity-provider.com/tenants/acme-production/oidc",
        "mcp-client",
    );
    mcp.mcp_url =
        Some("https://mcp.example-company.com/api/v2/mcp/streamable-http-endpoint".into());
    mcp.resource = mcp.mcp_url.clone();
    mcp.scope = Some("openid profile email offline_access mcp:tools mcp:resources".into());
    mcp.expires_at = Some(YEAR_2100);
    let (_home, dir) = home_with(&[mcp, token_entry("https://id.example", "cli")]);
    let tokens = run_in(
        &dir,
        &[HOME_ENV, COLUMNS].concat(),
        &["tokens", "--color", "never"],
        None,
    );
    assert_eq!(tokens.code, 0, "{}", tokens.stderr);
    assert_fits("tokens", &tokens.stdout);
    let known: BTreeSet<String> = [
        "https://login.example-identity-provider.com/tenants/acme-production/oidc",
        "https://mcp.example-company.com/api/v2/mcp/streamable-http-endpoint",
        "https://id.example",
    ]
    .map(String::from)
    .into();
    let all: Vec<String> = known.iter().cloned().collect();
    assert_urls_whole("tokens", &tokens.stdout, &known, &all);
}

#[test]
fn cimd_validate_fits_80_columns() {
    let args = ["cimd", "validate", "docs/client-metadata.json"];
    let run = run_in(&root(), COLUMNS, &args, None);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(run.stdout.contains("CIMD-DOC-CLIENT-ID"), "{}", run.stdout);
    assert_fits("cimd validate", &run.stdout);
}

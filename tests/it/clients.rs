//! `mcp-auth clients` and `check --client`: the profiles by id, their
//! sources, and the rows they select, over committed evidence.

use serde_json::Value;

use crate::schemas::assert_valid;
use crate::support::*;

const HOSTS: &[&str] = &[
    "claude",
    "claude-code",
    "chatgpt",
    "vscode",
    "cursor",
    "codex-cli",
    "gemini-cli",
    "inspector",
    "mcp-remote",
    "mcpjam",
];

#[test]
fn clients_lists_every_profile_and_json_matches_its_schema() {
    let (code, table, _) = run(&["clients"]);
    assert_eq!(code, 0);
    for id in HOSTS
        .iter()
        .chain(&["spec-2025-11-25", "ts-sdk", "python-sdk", "logto-oidc"])
    {
        assert!(table.contains(id), "{id} missing:\n{table}");
    }
    let (code, json, _) = run(&["clients", "--format", "json"]);
    assert_eq!(code, 0);
    let doc: Value = serde_json::from_str(&json).unwrap();
    assert_valid("clients", "clients --format json", &doc);
    assert_eq!(doc["schema_version"], 1);
    let hosts = doc["clients"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "host")
        .count();
    assert_eq!(hosts, HOSTS.len());
}

#[test]
fn one_profile_shows_each_behaviour_with_its_sources() {
    let (code, out, _) = run(&["clients", "claude"]);
    assert_eq!(code, 0);
    for section in ["[prm]", "[metadata]", "[registration]", "[redirect]"] {
        assert!(out.contains(section), "{section}:\n{out}");
    }
    assert!(out.contains("seen in: "), "{out}");
    assert!(out.contains("source: https://"), "{out}");
}

#[test]
fn an_unknown_profile_is_one_usage_line() {
    let (code, out, err) = run(&["clients", "clippy"]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("invalid value 'clippy'"), "{err}");
    let (code, _, err) = run(&["check", "https://auth.example.com", "--client", "clippy"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("invalid value 'clippy' for '--client"),
        "{err}"
    );
}

fn client_ids(args: &[&str]) -> Vec<String> {
    let fixture = root().join("tests/fixtures/evidence/ts-sdk-mcp.json");
    let mut all = vec![
        "check",
        "--from-evidence",
        fixture.to_str().unwrap(),
        "--format",
        "json",
    ];
    all.extend(args);
    let (_, json, err) = run(&all);
    let doc: Value = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {err}"));
    doc["resource"]["clients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn client_selects_by_kind_or_id() {
    let all = client_ids(&[]);
    for id in HOSTS {
        assert!(all.iter().any(|c| c == id), "{id} not in {all:?}");
    }
    assert_eq!(
        client_ids(&["--client", "claude,ts-sdk"]),
        ["ts-sdk", "claude"]
    );
    let hosts = client_ids(&["--client", "host"]);
    assert_eq!(hosts.len(), HOSTS.len(), "{hosts:?}");
    assert!(client_ids(&["--client", "strict"])
        .iter()
        .all(|c| c.starts_with("spec-")));
}

//! Contracts: help, completions, the check catalogue and the JSON report's shape
//! (README and docs/: docs.rs; the JSON Schemas: schemas.rs).

use crate::support::*;

#[test]
fn help_documents_exit_codes_and_examples() {
    let (code, stdout, _) = run(&["check", "--help"]);
    assert_eq!(code, 0);
    for needle in [
        "Examples:",
        "Exit codes:",
        "--well-known-url",
        "--save-evidence",
        "--from-evidence",
    ] {
        assert!(stdout.contains(needle), "missing {needle}");
    }
    let (_, top, _) = run(&["--help"]);
    assert!(top.contains("3  target unreachable"), "{top}");
}

#[test]
fn completions_render() {
    for shell in ["bash", "zsh", "fish"] {
        let (code, stdout, _) = run(&["completions", shell]);
        assert_eq!(code, 0);
        assert!(stdout.contains("mcp-auth"), "{shell}");
        assert!(stdout.contains("well-known-url"), "{shell}");
    }
}

#[test]
fn catalogue_lists_every_check() {
    let (code, stdout, _) = run(&["checks", "--format", "json"]);
    assert_eq!(code, 0);
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(doc["schema_version"], 1, "{doc}");
    let list = doc["checks"].as_array().expect("checks[]");
    assert!(list.len() >= 27, "{}", list.len());
    for c in list {
        for key in ["id", "level", "title", "spec", "hint"] {
            assert!(c[key].is_string(), "{c}");
        }
    }
}

/// Every check id the README documents exists, and the JSON report keys it documents are real.
#[test]
fn json_report_has_the_documented_shape() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("m.json");
    std::fs::write(&file, fixture("recorded/oidc-provider-9.13.3-root.json")).unwrap();
    let (_, report, _) = check_json(&[file.to_str().unwrap(), "--issuer", "http://127.0.0.1:4444"]);
    for key in [
        "schema_version",
        "tool",
        "target",
        "discovery",
        "checks",
        "summary",
    ] {
        assert!(!report[key].is_null(), "missing {key}");
    }
    for key in ["attempts", "clients"] {
        assert!(
            report["discovery"][key].is_array(),
            "missing discovery.{key}"
        );
    }
    for key in ["id", "level", "status", "title", "detail", "spec", "hint"] {
        assert!(
            report["checks"][0][key].is_string(),
            "missing checks[].{key}"
        );
    }
    for key in ["pass", "info", "warn", "fail", "skip"] {
        assert!(report["summary"][key].is_u64(), "missing summary.{key}");
    }
}

/// `mcp-auth checks ID` explains one check and says where its code lives.
#[test]
fn one_check_is_explained_with_its_location() {
    let (code, text, err) = run(&["checks", "PRM-RESOURCE-MATCH"]);
    assert_eq!(code, 0, "{err}");
    assert!(text.starts_with("PRM-RESOURCE-MATCH (MUST): "), "{text}");
    assert!(
        text.contains("code: crates/grade/src/checks/prm/mod.rs:"),
        "{text}"
    );
    let (code, json, _) = run(&["checks", "prm-resource-match", "--format", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["schema_version"], 1);
    assert!(v["explanation"].as_str().unwrap().len() >= 80, "{v}");
    let at = v["at"].as_str().unwrap();
    let (file, line) = at.rsplit_once(':').unwrap();
    let source = std::fs::read_to_string(root().join(file)).unwrap();
    let line: usize = line.parse().unwrap();
    assert!(
        source
            .lines()
            .nth(line - 2)
            .unwrap()
            .contains("\"PRM-RESOURCE-MATCH\""),
        "{at} is not the definition"
    );
    let (code, _, err) = run(&["checks", "NOPE-1"]);
    assert_eq!(code, 2);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("no check 'NOPE-1'"), "{err}");
}

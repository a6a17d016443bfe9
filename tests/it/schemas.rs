//! Every JSON output validates against its committed schema
//! (docs/schemas/, generated from the models; docs.rs keeps them current):
//! the JSON snapshots (each the real output of a command, asserted by the
//! snapshot tests), the catalogue's output, the evidence fixtures and a fresh
//! evidence file, `logout`, the parsed provider files, and the registry rows
//! with their merge.

use serde_json::Value;

use crate::support::*;

/// The committed schema of document `name` (`check-report`, `whoami`, …).
fn validator(name: &str) -> jsonschema::Validator {
    let kind = mcp_auth_report::schema::DOCUMENTS
        .iter()
        .find(|d| d.name == name)
        .unwrap_or_else(|| panic!("no document kind {name}"));
    let path = root().join("docs/schemas").join(kind.file_name());
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Panic, naming every violation, unless `doc` is a valid `name` document.
pub fn assert_valid(name: &str, what: &str, doc: &Value) {
    let v = validator(name);
    let errors: Vec<String> = v
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} is not a valid {name} document:\n  {}",
        errors.join("\n  ")
    );
}

/// Which schema a JSON snapshot's output follows, by its name.
fn kind_of_snapshot(name: &str) -> Option<&'static str> {
    [
        ("token_inspect_", "token-inspect"),
        ("check_", "check-report"),
        ("matrix_", "matrix"),
        ("whoami_", "whoami"),
        ("tokens", "tokens"),
        ("call_", "call"),
    ]
    .into_iter()
    .find(|(prefix, _)| name.starts_with(prefix))
    .map(|(_, kind)| kind)
}

#[test]
fn json_snapshots_match_their_schemas() {
    let dir = root().join("tests/it/snapshots");
    let mut seen = std::collections::BTreeMap::<&str, usize>::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let Some(name) = file
            .strip_prefix("it__snapshots__")
            .and_then(|f| f.strip_suffix("_json.snap"))
        else {
            continue;
        };
        let kind = kind_of_snapshot(name).unwrap_or_else(|| panic!("{file}: which schema?"));
        let text = std::fs::read_to_string(&path).unwrap();
        let stdout = text
            .split_once("--- stdout\n")
            .and_then(|(_, rest)| rest.split_once("--- stderr\n"))
            .map(|(out, _)| out)
            .unwrap_or_else(|| panic!("{file}: not a transcript"));
        // The snapshots filter the seconds to expiry, which are a number.
        let stdout = stdout.replace(r#""expires_in": "[N]""#, r#""expires_in": 0"#);
        let doc: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_valid(kind, &file, &doc);
        *seen.entry(kind).or_default() += 1;
    }
    for kind in [
        "check-report",
        "matrix",
        "token-inspect",
        "whoami",
        "tokens",
        "call",
    ] {
        assert!(
            seen.get(kind).is_some_and(|n| *n > 0),
            "no {kind} snapshot: {seen:?}"
        );
    }
}

#[test]
fn catalogue_outputs_match_their_schemas() {
    let (code, list, _) = run(&["checks", "--format", "json"]);
    assert_eq!(code, 0);
    let list: Value = serde_json::from_str(&list).unwrap();
    assert_valid("checks", "checks --format json", &list);
    for id in mcp_auth_grade::CATALOGUE.iter().map(|c| c.id) {
        let (code, one, _) = run(&["checks", id, "--format", "json"]);
        assert_eq!(code, 0, "{id}");
        let one: Value = serde_json::from_str(&one).unwrap();
        assert_valid("check-detail", id, &one);
    }
}

#[test]
fn evidence_files_match_their_schema() {
    let mut files = Vec::new();
    for dir in [
        "tests/fixtures/evidence",
        "tests/fixtures/matrix-record/evidence",
    ] {
        for e in std::fs::read_dir(root().join(dir)).unwrap() {
            let path = e.unwrap().path();
            if path.extension().is_some_and(|x| x == "json") {
                files.push(path);
            }
        }
    }
    assert!(files.len() >= 10, "{files:?}");
    // And one written now, offline, from a recorded document.
    let tmp = tempfile::tempdir().unwrap();
    let doc = tmp.path().join("metadata.json");
    std::fs::write(&doc, fixture("recorded/oidc-provider-9.13.3-root.json")).unwrap();
    let saved = tmp.path().join("ev.json");
    let (code, _, err) = run(&[
        "check",
        doc.to_str().unwrap(),
        "--issuer",
        "http://127.0.0.1:4444",
        "--save-evidence",
        saved.to_str().unwrap(),
    ]);
    assert!(saved.is_file(), "exit {code}: {err}");
    files.push(saved);
    for path in files {
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_valid("evidence", &path.display().to_string(), &doc);
    }
}

#[test]
fn logout_and_empty_tokens_match_their_schemas() {
    let (code, out, err) = run(&["logout", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_valid("logout", "logout --format json", &doc);
    let (code, out, err) = run(&["tokens", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_valid("tokens", "tokens --format json", &doc);
}

#[test]
fn provider_files_match_their_schema() {
    let providers = mcp_auth::commands::load_providers(&root().join("providers")).unwrap();
    assert!(providers.len() >= 10);
    for p in providers {
        let doc = serde_json::to_value(&p.def).unwrap();
        assert_valid("provider-file", &p.id, &doc);
    }
}

#[test]
fn registry_rows_and_their_merge_match_their_schemas() {
    let path = root().join("tests/fixtures/registry/rows.jsonl");
    let text = fixture("registry/rows.jsonl");
    let mut rows = 0;
    for line in text.lines() {
        let row: Value = serde_json::from_str(line).unwrap();
        assert_valid("registry-row", line, &row);
        rows += 1;
    }
    assert!(rows >= 5, "{rows} rows");
    let (code, out, err) = run(&[
        "matrix",
        "merge",
        path.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["rows"].as_array().map(Vec::len), Some(rows));
    assert_valid("registry-report", "matrix merge --format json", &doc);
    let mut broken = doc.clone();
    broken["rows"][0]["access"] = "maybe".into();
    assert!(
        !validator("registry-report").is_valid(&broken),
        "an unknown access class must not validate"
    );
}

/// A document that breaks its schema is refused (the validation can fail).
#[test]
fn a_wrong_document_is_refused() {
    let v = validator("check-report");
    assert!(!v.is_valid(&serde_json::json!({"schema_version": 2})));
    let (_, report, _) = {
        let (code, out, err) = run(&[
            "check",
            "--from-evidence",
            root()
                .join("tests/fixtures/evidence/seed-issuer.json")
                .to_str()
                .unwrap(),
            "--format",
            "json",
        ]);
        (code, serde_json::from_str::<Value>(&out).unwrap(), err)
    };
    assert!(v.is_valid(&report));
    let mut broken = report.clone();
    broken["checks"][0]["status"] = "maybe".into();
    assert!(!v.is_valid(&broken), "an unknown status must not validate");
}

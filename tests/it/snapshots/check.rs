//! `check --from-evidence` over every recorded evidence file, in every format.

use super::*;

const EVIDENCE_DIR: &str = "tests/fixtures/evidence";

/// Every recorded evidence file has its snapshot test below.
const EVIDENCE: &[&str] = &[
    "broken-keycloak-issuer-mismatch",
    "broken-prm-resource-other-server",
    "broken-stripe-no-response-types",
    "mcp-2025-03-26-no-prm",
    "mcpauth-mcp",
    "oidc-provider-path-register",
    "oidc-provider-root",
    "python-sdk-mcp",
    "seed-issuer",
    "seed-mcp",
    "ts-sdk-mcp",
    "ts-sdk-mcp-login",
    "unreachable",
];

#[test]
fn every_evidence_file_has_a_snapshot_test() {
    let mut found: Vec<String> = std::fs::read_dir(root().join(EVIDENCE_DIR))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    found.sort();
    assert_eq!(found, EVIDENCE);
}

/// `check --from-evidence FILE` in each format, each run twice to show that the
/// output does not depend on the run.
fn check_from_evidence(name: &str) {
    let file = format!("{EVIDENCE_DIR}/{name}.json");
    for format in ["table", "markdown", "json"] {
        let args = [
            "check",
            "--from-evidence",
            &file,
            "--format",
            format,
            "--color",
            "never",
        ];
        let run = run_at_root(&args);
        // An unreachable target is one error line (stderr), not a report,
        // except in JSON.
        let one_line = name == "unreachable" && format != "json";
        assert_eq!(
            run.stdout.is_empty(),
            one_line,
            "{name} {format}: output: {}",
            run.stdout
        );
        if format == "json" {
            let report: Value = serde_json::from_str(&run.stdout).expect("JSON report");
            assert!(report["checks"].as_array().is_some_and(|c| !c.is_empty()));
        }
        assert_eq!(
            run.transcript(),
            run_at_root(&args).transcript(),
            "{name} {format}: two runs differ"
        );
        assert_run(&format!("check_{name}_{format}"), &run);
    }
}

macro_rules! evidence_snapshots {
    ($($test:ident => $name:literal,)*) => {
        $(
            #[test]
            fn $test() {
                check_from_evidence($name);
            }
        )*
    };
}

evidence_snapshots! {
    check_broken_keycloak_issuer_mismatch => "broken-keycloak-issuer-mismatch",
    check_broken_prm_resource_other_server => "broken-prm-resource-other-server",
    check_broken_stripe_no_response_types => "broken-stripe-no-response-types",
    check_mcp_2025_03_26_no_prm => "mcp-2025-03-26-no-prm",
    check_mcpauth_mcp => "mcpauth-mcp",
    check_oidc_provider_path_register => "oidc-provider-path-register",
    check_oidc_provider_root => "oidc-provider-root",
    check_python_sdk_mcp => "python-sdk-mcp",
    check_seed_issuer => "seed-issuer",
    check_seed_mcp => "seed-mcp",
    check_ts_sdk_mcp => "ts-sdk-mcp",
    check_ts_sdk_mcp_login => "ts-sdk-mcp-login",
    check_unreachable => "unreachable",
}

/// The flow's lines in a table report: after the "Flow" heading, up to the
/// blank line.
fn flow_block(stdout: &str) -> Vec<&str> {
    stdout
        .lines()
        .skip_while(|l| *l != "Flow")
        .skip(1)
        .take_while(|l| !l.is_empty())
        .collect()
}

/// Every table report opens with the answer, then the eight steps, each line within 80
/// columns, before the first section.
#[test]
fn every_report_opens_with_the_flow_in_80_columns() {
    for name in EVIDENCE {
        let file = format!("{EVIDENCE_DIR}/{name}.json");
        let run = run_at_root(&["check", "--from-evidence", &file, "--color", "never"]);
        if *name == "unreachable" {
            // One error line, no report.
            assert!(run.stdout.is_empty(), "{}", run.stdout);
            continue;
        }
        let flow = flow_block(&run.stdout);
        let numbered = flow.iter().filter(|l| !l.starts_with(' ')).count();
        assert_eq!(numbered, 8, "{name}: {flow:#?}");
        for line in &flow {
            assert!(line.chars().count() <= 80, "{name}: {line:?}");
        }
        // The answer first, then the title.
        let first = run.stdout.lines().next().unwrap_or_default();
        assert!(first.starts_with("MCP clients: "), "{name}: {first}");
        let first_section = run
            .stdout
            .lines()
            .skip_while(|l| !l.starts_with("mcp-auth check "))
            .skip(1)
            .find(|l| !l.is_empty() && !l.starts_with("provider: "));
        assert_eq!(first_section, Some("Flow"), "{name}");
    }
}

/// A broken document: the story names the first failing check of its step,
/// in every format.
#[test]
fn the_flow_names_the_first_failing_check() {
    let file = format!("{EVIDENCE_DIR}/broken-stripe-no-response-types.json");
    let table = run_at_root(&["check", "--from-evidence", &file, "--color", "never"]);
    assert_eq!(table.code, 1);
    let flow = flow_block(&table.stdout);
    assert_eq!(
        flow[2],
        "3. authorization server metadata  FAIL     AS-RESPONSE-TYPES"
    );
    assert_eq!(
        flow[0],
        "1. 401                            NOT RUN  issuer checked directly"
    );
    let md = run_at_root(&["check", "--from-evidence", &file, "--format", "markdown"]);
    assert!(
        md.stdout
            .contains("\n3. authorization server metadata: **fail** `AS-RESPONSE-TYPES`\n"),
        "{}",
        md.stdout
    );
    let json = run_at_root(&["check", "--from-evidence", &file, "--format", "json"]);
    let report: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(
        report["story"][2],
        json!({"id": "server-metadata", "step": "authorization server metadata", "verdict": "fail", "check": "AS-RESPONSE-TYPES"})
    );
    assert_eq!(report["story"][4]["note"], "needs --probe-authorize");
}

/// The 2025-03-26 chain (no protected resource metadata) says so on its step.
#[test]
fn the_flow_of_a_legacy_server_says_it_has_no_prm() {
    let file = format!("{EVIDENCE_DIR}/mcp-2025-03-26-no-prm.json");
    let json = run_at_root(&["check", "--from-evidence", &file, "--format", "json"]);
    let report: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(
        report["story"][1],
        json!({
            "id": "resource-metadata",
            "step": "protected resource metadata",
            "verdict": "fail",
            "check": "PRM-DISCOVERABLE",
            "note": "legacy 2025-03-26 chain: no PRM"
        })
    );
}

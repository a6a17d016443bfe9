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
        assert!(!run.stdout.is_empty(), "{name} {format}: no output");
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

//! `check` against a real node-oidc-provider.

use crate::support::peer::OidcProvider;
use crate::support::*;

/// Issuer with a path, dynamic registration on: only the OIDC appended URL
/// serves metadata, so 2025-06-18 clients and Logto's `oauth` type miss it.
#[test]
fn path_issuer_with_registration() {
    let peer = OidcProvider::start(&["--path", "/oidc", "--registration"]);
    let (code, report, stderr) = check_json(&[&peer.issuer]);
    assert_eq!(code, 0, "stderr: {stderr}");
    assert_eq!(report["schema_version"], 1);
    assert_statuses(
        &report,
        &[
            ("SEC-HTTPS-AS", "warn"),
            ("DISC-AS-FOUND", "pass"),
            ("DISC-AS-RFC8414", "warn"),
            ("DISC-AS-ERROR-STATUS", "pass"),
            ("DISC-AS-CONTENT-TYPE", "pass"),
            ("DISC-AS-ISSUER-MATCH", "pass"),
            ("DISC-AS-ISSUER-FORMAT", "warn"),
            ("AS-PKCE-PRESENT", "pass"),
            ("AS-PKCE-S256", "pass"),
            ("AS-PKCE-PLAIN", "pass"),
            ("AS-TOKEN-AUTH-NONE", "pass"),
            ("AS-REGISTRATION-ENDPOINT", "pass"),
            ("AS-CIMD-SUPPORTED", "warn"),
            ("AS-REG-PATH", "pass"),
            ("AS-OIDC-REQUIRED", "pass"),
            ("AS-JWKS-URI", "pass"),
            ("AS-ISS-PARAM", "pass"),
            ("AS-USERINFO", "pass"),
            ("AS-MEMBER-TYPES", "pass"),
            ("AS-TOKEN-ENDPOINT-REACHABLE", "pass"),
            ("AS-JWKS-REACHABLE", "pass"),
            // The header is accepted; the comparison GET agrees.
            ("DISC-PROTOCOL-HEADER", "pass"),
            // Plain http on loopback: no certificate; registration as SEC-HTTPS-AS.
            ("SEC-TLS-VALID", "skip"),
            ("DCR-HTTPS", "warn"),
            ("CIMD-AUTH-METHODS", "skip"),
            ("EXT-DPOP", "info"),
        ],
    );
    let attempts = report["discovery"]["attempts"].as_array().unwrap();
    let statuses: Vec<_> = attempts
        .iter()
        .map(|a| a["status"].as_u64().unwrap())
        .collect();
    // RFC 8414 insert, OIDC insert, OIDC append. The non-standard appended RFC 8414
    // form is only fetched (as a diagnostic) when none of these serves a document.
    assert_eq!(statuses, [404, 404, 200]);
    assert_eq!(
        report["discovery"]["metadata_url"],
        format!("{}/.well-known/openid-configuration", peer.issuer)
    );
    assert!(client_works(&report, "MCP 2025-11-25"));
    assert!(!client_works(&report, "MCP 2025-06-18"));
    assert!(client_works(&report, "TypeScript SDK"));
    assert!(client_works(&report, "Python SDK"));
    assert!(!client_works(&report, "Logto mcp-auth, type 'oauth'"));
    assert!(client_works(&report, "Logto mcp-auth, type 'oidc'"));

    // Warnings on SHOULD checks fail the run under --strict.
    let (code, _, _) = run(&["check", &peer.issuer, "--strict"]);
    assert_eq!(code, 1);
}

/// Issuer without a path, no registration: both well-known URLs serve the
/// same document; nothing lets a generic client register.
#[test]
fn root_issuer_without_registration() {
    let peer = OidcProvider::start(&[]);
    let (code, report, _) = check_json(&[&peer.issuer]);
    assert_eq!(code, 0);
    assert_statuses(
        &report,
        &[
            ("DISC-AS-FOUND", "pass"),
            ("DISC-AS-RFC8414", "pass"),
            ("DISC-AS-CONSISTENT", "pass"),
            ("DISC-AS-ISSUER-MATCH", "pass"),
            ("AS-REGISTRATION-ENDPOINT", "warn"),
            ("AS-REG-PATH", "warn"),
            // Found at the RFC 8414 URL: OIDC-only requirements do not apply.
            ("AS-OIDC-REQUIRED", "skip"),
        ],
    );
    assert_eq!(report["discovery"]["attempts"].as_array().unwrap().len(), 2);
    assert!(client_works(&report, "MCP 2025-06-18"));
}

/// The human table names the chain, the verdicts and the summary line.
#[test]
fn table_output_against_the_peer() {
    let peer = OidcProvider::start(&["--path", "/oidc"]);
    let (code, stdout, _) = run(&["check", &peer.issuer]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("Discovery") && stdout.contains("Clients") && stdout.contains("Checks")
    );
    assert!(stdout.contains("DISC-AS-RFC8414"));
    assert!(stdout.contains("← graded"));
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("Summary: ") && l.contains(" pass, ") && l.contains(" fail")),
        "{stdout}"
    );
    // Not a terminal and no --color: no escape sequences.
    assert!(
        !stdout.contains('\u{1b}'),
        "colour leaked into piped output"
    );
    let (_, coloured, _) = run(&["check", &peer.issuer, "--color", "always"]);
    assert!(coloured.contains('\u{1b}'), "--color always gives colour");
}

/// A metadata URL given directly: the issuer is inferred from the URL's form.
#[test]
fn well_known_url_and_type() {
    let peer = OidcProvider::start(&["--path", "/oidc"]);
    let url = format!("{}/.well-known/openid-configuration", peer.issuer);
    let (code, report, _) = check_json(&["--well-known-url", &url]);
    assert_eq!(code, 0);
    assert_eq!(report["target"]["kind"], "well_known_url");
    assert_eq!(report["discovery"]["expected_issuer"], peer.issuer.as_str());
    assert_statuses(
        &report,
        &[
            ("DISC-AS-ISSUER-MATCH", "pass"),
            ("DISC-AS-RFC8414", "skip"),
        ],
    );

    // A URL containing /.well-known/ is treated the same way without the flag.
    let (_, report2, _) = check_json(&[&url]);
    assert_eq!(report2["target"]["kind"], "well_known_url");

    // --type keeps only that Logto row.
    let (_, report3, _) = check_json(&[&peer.issuer, "--type", "oidc"]);
    let clients: Vec<String> = report3["discovery"]["clients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["client"].as_str().unwrap().to_owned())
        .collect();
    assert!(clients.iter().any(|c| c.contains("'oidc'")));
    assert!(!clients.iter().any(|c| c.contains("'oauth'")));
}

/// Recorded evidence re-grades offline to the same report.
#[test]
fn evidence_round_trip() {
    let peer = OidcProvider::start(&["--path", "/oidc", "--registration"]);
    let dir = tempfile::tempdir().unwrap();
    let ev = dir.path().join("ev.json");
    let ev = ev.to_str().unwrap();
    let (code, live, _) = check_json(&[&peer.issuer, "--save-evidence", ev]);
    assert_eq!(code, 0);
    drop(peer); // offline from here on
    let (code2, replayed, _) = check_json(&["--from-evidence", ev]);
    assert_eq!(code2, code);
    assert_eq!(
        live, replayed,
        "re-grading saved evidence changed the report"
    );
    assert_eq!(live["story"].as_array().map(Vec::len), Some(8));
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(ev).unwrap()).unwrap();
    assert_eq!(saved["schema_version"], 1);
    assert_eq!(
        saved["authorization_servers"][0]["attempts"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

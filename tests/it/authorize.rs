//! `check --probe-authorize` against a real node-oidc-provider: crafted
//! authorization requests whose answers are read, not followed.

use crate::support::peer::{McpServer, OidcProvider};
use crate::support::*;

fn authz(report: &serde_json::Value) -> Vec<(String, String, String)> {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["id"].as_str().unwrap().starts_with("AUTHZ-"))
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_owned(),
                c["status"].as_str().unwrap().to_owned(),
                c["detail"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// The lines of a table report's section, from its heading to the blank line.
fn section(report: &str, heading: &str) -> String {
    report
        .lines()
        .skip_while(|l| *l != heading)
        .take_while(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

fn get<'a>(list: &'a [(String, String, String)], id: &str) -> &'a (String, String, String) {
    list.iter()
        .find(|(i, _, _)| i == id)
        .unwrap_or_else(|| panic!("no {id}"))
}

#[test]
fn a_compliant_provider_with_a_registered_client() {
    let provider = OidcProvider::for_mcp();
    let server = McpServer::typescript(&provider.issuer, &[]);
    let (code, report, stderr) = check_json(&[&server.url, "--register", "--probe-authorize"]);
    assert_eq!(code, 0, "{stderr}");
    let list = authz(&report);
    for id in [
        "AUTHZ-REDIRECT-EXACT",
        "AUTHZ-LOOPBACK-PORT",
        "AUTHZ-PKCE-ENFORCED",
        "AUTHZ-RESOURCE-ACCEPTED",
        "AUTHZ-ERROR-ISS",
    ] {
        assert_eq!(get(&list, id).1, "pass", "{id}: {}", get(&list, id).2);
    }
    // The details say how each verdict was inferred.
    assert!(get(&list, "AUTHZ-REDIRECT-EXACT")
        .2
        .contains("400 error page"));
    assert!(get(&list, "AUTHZ-PKCE-ENFORCED")
        .2
        .contains("error=invalid_request"));
    assert!(get(&list, "AUTHZ-LOOPBACK-PORT").2.contains("accepted"));
}

#[test]
fn a_provider_that_rejects_the_resource_parameter() {
    // Without resource indicators configured, oidc-provider answers invalid_target.
    let provider = OidcProvider::start(&["--path", "/oidc", "--registration"]);
    let server = McpServer::typescript(&provider.issuer, &[]);
    let (code, report, _) = check_json(&[&server.url, "--register", "--probe-authorize"]);
    assert_eq!(code, 1);
    let list = authz(&report);
    let (_, status, detail) = get(&list, "AUTHZ-RESOURCE-ACCEPTED");
    assert_eq!(status, "fail");
    assert!(detail.contains("invalid_target"), "{detail}");
}

#[test]
fn a_failed_authorize_probe_stops_every_client_and_the_headline_agrees() {
    // The contradiction of issue 16: a MUST of the authorize step failed
    // (invalid_target), yet "Clients, end to end" said yes.
    let provider = OidcProvider::start(&["--path", "/oidc", "--registration"]);
    let server = McpServer::typescript(&provider.issuer, &[]);
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("evidence.json");
    let saved = saved.to_str().unwrap();
    let (code, report, stderr) = check_json(&[
        &server.url,
        "--register",
        "--probe-authorize",
        "--save-evidence",
        saved,
    ]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(status(&report, "AUTHZ-RESOURCE-ACCEPTED"), "fail");
    let clients = report["resource"]["clients"].as_array().unwrap();
    assert!(!clients.is_empty());
    for c in clients {
        assert_eq!(c["works"], false, "{c}");
    }
    let verdict = &report["verdict"];
    assert_eq!(verdict["answer"], "will_fail", "{verdict}");
    assert_eq!(verdict["clients_working"], 0);
    let text = verdict["text"].as_str().unwrap();
    assert!(
        text.starts_with("MCP clients: will fail — ") && text.contains("AUTHZ-RESOURCE-ACCEPTED"),
        "{text}"
    );
    // The table says the same: the answer first, and no client row says yes.
    let (code, table, _) = run(&["check", "--from-evidence", saved]);
    assert_eq!(code, 1);
    assert_eq!(table.lines().next(), Some(text), "{table}");
    let rows = section(&table, "Clients, end to end");
    assert!(rows.contains("AUTHZ-RESOURCE-ACCEPTED"), "{rows}");
    assert!(
        !rows.lines().any(|l| l.contains(" yes ")),
        "a client row says yes:\n{rows}"
    );
}

#[test]
fn an_issuer_with_a_given_client_and_without_one() {
    let provider = OidcProvider::start(&[]);
    let (code, report, _) = check_json(&[
        &provider.issuer,
        "--probe-authorize",
        "--client-id",
        "mcp-auth-test",
        "--redirect-uri",
        "http://127.0.0.1/callback",
    ]);
    assert_eq!(code, 0);
    let list = authz(&report);
    assert_eq!(get(&list, "AUTHZ-PKCE-ENFORCED").1, "pass");
    assert_eq!(
        get(&list, "AUTHZ-RESOURCE-ACCEPTED").1,
        "skip",
        "no MCP resource to send"
    );
    // No client: nothing is sent, and the report says why.
    let (_, report, _) = check_json(&[&provider.issuer, "--probe-authorize"]);
    let (_, status, detail) = get(&authz(&report), "AUTHZ-REDIRECT-EXACT").clone();
    assert_eq!(status, "skip");
    assert!(detail.contains("--client-id"), "{detail}");
    // An unknown client: the baseline is refused, so nothing is inferred.
    let (_, report, _) = check_json(&[
        &provider.issuer,
        "--probe-authorize",
        "--client-id",
        "nobody",
    ]);
    let (_, status, detail) = get(&authz(&report), "AUTHZ-PKCE-ENFORCED").clone();
    assert_eq!(status, "skip");
    assert!(detail.contains("baseline"), "{detail}");
}

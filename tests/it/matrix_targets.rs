//! Your own providers: a provider file with only `name`, `kind` and `url`,
//! and ad-hoc targets on `matrix`'s command line, against real peers
//! (node-oidc-provider, the MCP TypeScript SDK server).

use crate::support::peer::{McpServer, OidcProvider};
use crate::support::*;

fn rows(json: &str) -> Vec<serde_json::Value> {
    let report: serde_json::Value = serde_json::from_str(json).unwrap();
    report["rows"].as_array().unwrap().clone()
}

#[test]
fn a_minimal_provider_file_and_ad_hoc_targets_are_checked_together() {
    let idp = OidcProvider::start(&[]);
    let for_mcp = OidcProvider::for_mcp();
    let mcp = McpServer::typescript(&for_mcp.issuer, &[]);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("internal-idp.toml"),
        format!(
            "name = \"Internal IdP\"\nkind = \"issuer\"\nurl = \"{}\"\n",
            idp.issuer
        ),
    )
    .unwrap();
    let (code, json, stderr) = run(&[
        "matrix",
        "--providers",
        dir.path().to_str().unwrap(),
        &mcp.url,
        "--target",
        &for_mcp.issuer,
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let rows = rows(&json);
    assert_eq!(rows.len(), 3, "{json}");
    for r in &rows {
        assert!(r["error"].is_null(), "{r}");
        assert!(!r["checks"].as_array().unwrap().is_empty(), "{r}");
    }
    let file = rows
        .iter()
        .find(|r| r["id"] == "internal-idp")
        .expect("the file's row");
    assert_eq!(file["name"], "Internal IdP");
    assert_eq!(file["url"], idp.issuer.as_str());
    // Ad-hoc rows: named by their URL, their kind detected.
    let mcp_row = rows
        .iter()
        .find(|r| r["url"] == mcp.url.as_str())
        .expect("the MCP URL's row");
    assert_eq!(mcp_row["kind"], "mcp", "{mcp_row}");
    assert_eq!(mcp_row["name"], mcp.url.as_str());
    let issuer_row = rows
        .iter()
        .find(|r| r["url"] == for_mcp.issuer.as_str())
        .expect("the issuer URL's row");
    assert_eq!(issuer_row["kind"], "issuer", "{issuer_row}");
    assert!(
        issuer_row["id"].as_str().unwrap().starts_with("127-0-0-1"),
        "{issuer_row}"
    );
}

/// URLs alone: only they are checked, not the repository's providers/.
#[test]
fn urls_alone_check_only_the_urls() {
    let dead = ClosedPort::bind();
    let (code, json, stderr) = run(&["matrix", &dead.origin(), "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let rows = rows(&json);
    assert_eq!(rows.len(), 1, "{json}");
    assert!(
        rows[0]["error"]
            .as_str()
            .unwrap()
            .contains("target unreachable"),
        "{}",
        rows[0]
    );
    let (code, _, stderr) = run(&["matrix", "id.example.com"]);
    assert_eq!(code, 2);
    one_error(&stderr, "id.example.com");
}

/// Strict still: an unknown field is an error naming the file and the field.
#[test]
fn a_minimal_file_with_an_unknown_field_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("internal-idp.toml");
    std::fs::write(
        &file,
        "name = \"Internal IdP\"\nkind = \"issuer\"\nurl = \"https://id.internal.example\"\nhomepge = \"https://x.example\"\n",
    )
    .unwrap();
    let (code, _, stderr) = run(&["matrix", "--providers", dir.path().to_str().unwrap()]);
    assert_eq!(code, 2, "{stderr}");
    one_error(
        &stderr,
        "internal-idp.toml: line 4: unknown field `homepge`",
    );
}

//! Which client a login is: a reused registration, a Client ID Metadata
//! Document's redirect.

use std::path::Path;

use serde_json::json;

use crate::support::login::{browser_login, LoginRun};
use crate::support::peer::{McpServer, OidcProvider};

use super::login::{cli, log_in_to_the_mcp_server, token_files};

/// A second login to the same MCP server reuses the client registered by
/// the first (no second registration), and replaces the cached login: the
/// URL still names one, so `call` needs no choice.
#[test]
fn a_second_login_reuses_the_registration_and_keeps_the_cache_unambiguous() {
    let provider = OidcProvider::for_mcp();
    let server = McpServer::typescript(&provider.issuer, &[]);
    let home = tempfile::tempdir().unwrap();
    log_in_to_the_mcp_server(home.path(), &server.url);
    let first = cached_client_id(home.path());
    let run = LoginRun::start(home.path(), &[&server.url]);
    assert!(
        run.stderr_head.contains(&format!("Reusing client {first}"))
            && !run.stderr_head.contains("Registered client"),
        "{}",
        run.stderr_head
    );
    assert_eq!(run.param("client_id"), first);
    browser_login(&run.url, "bob");
    let (code, _, err) = run.finish();
    assert_eq!(code, 0, "{err}");
    assert_eq!(token_files(home.path()).len(), 1);
    let (code, tools, err) = cli(home.path(), &["call", &server.url, "--no-login"]);
    assert_eq!(code, 0, "{err}");
    assert!(tools.contains("whoami"), "{tools}");
}

/// The client id of the one cached login.
fn cached_client_id(home: &Path) -> String {
    let files = token_files(home);
    assert_eq!(files.len(), 1, "{files:?}");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&files[0]).unwrap()).unwrap();
    v["client_id"].as_str().unwrap().to_owned()
}

/// A provider supporting Client ID Metadata Documents that serves `doc` at
/// `/client.json`: (server, document URL).
fn cimd_provider(
    doc: impl FnOnce(&str) -> serde_json::Value,
) -> (crate::support::replay::ReplayServer, String) {
    use crate::support::replay::{recorded, ReplayServer, Route};
    let server = ReplayServer::start(|origin| {
        let mut md = recorded("oidc-provider-9.13.3-root.json", origin);
        md["client_id_metadata_document_supported"] = json!(true);
        vec![
            (
                "/.well-known/openid-configuration".to_owned(),
                Route::json(&md),
            ),
            ("/client.json".to_owned(), Route::json(&doc(origin))),
        ]
    });
    let url = format!("{}/client.json", server.origin);
    (server, url)
}

/// A CIMD login listens where the document's redirect URI says: on its
/// fixed port when free, and when that port is taken it fails at once,
/// saying why, instead of waiting out the login timeout.
#[test]
fn a_cimd_login_uses_the_documents_redirect_or_fails_at_once() {
    let home = tempfile::tempdir().unwrap();
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port();
    let (server, doc_url) = cimd_provider(|origin| {
        json!({"client_id": format!("{origin}/client.json"),
               "redirect_uris": [format!("http://127.0.0.1:{port}/cb")]})
    });
    let started = std::time::Instant::now();
    let (code, _, err) = cli(
        home.path(),
        &[
            "login",
            &server.origin,
            "--client-metadata-url",
            &doc_url,
            "--no-browser",
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("names the fixed redirect") && err.contains(&port.to_string()),
        "{err}"
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(60),
        "it failed at once"
    );

    // Freed, the port is where the login listens; the document URL is the client id.
    drop(busy);
    let run = LoginRun::start(
        home.path(),
        &[
            &server.origin,
            "--client-metadata-url",
            &doc_url,
            "--login-timeout",
            "1",
        ],
    );
    assert_eq!(run.param("client_id"), doc_url);
    assert_eq!(
        run.param("redirect_uri"),
        format!("http://127.0.0.1:{port}/cb")
    );
    let (code, _, err) = run.finish();
    assert_ne!(code, 0, "no callback came: {err}");
}

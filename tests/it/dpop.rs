//! DPoP (RFC 9449) end to end: node-oidc-provider issuing DPoP-bound tokens
//! (with and without server nonces), the MCP TypeScript SDK server behind a
//! DPoP proof check (`mcp-ts-server.mjs --dpop-nonce`), and hostile servers:
//! nonce loops, nonces with control characters, a Bearer answer to a proof.

use std::path::Path;

use mcp_auth_net::dpop::DpopKey;
use mcp_auth_net::token_store::{Secret, TokenEntry, TokenStore};
use serde_json::json;

use crate::support::hostile::{response, HostileServer, Script};
use crate::support::login::{browser_login, raw_get, LoginRun};
use crate::support::peer::{McpServer, OidcProvider};
use crate::support::replay::{recorded, ReplayServer, Route};
use crate::support::*;

/// `mcp-auth` with MCP_AUTH_HOME set: (exit code, stdout, stderr).
fn cli(home: &Path, args: &[&str]) -> (i32, String, String) {
    let out = mcp_auth(home)
        .env("MCP_AUTH_HOME", home)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// The only cached login, as its JSON file says.
fn cached(home: &Path) -> serde_json::Value {
    let files: Vec<_> = std::fs::read_dir(home.join("tokens"))
        .map(|rd| rd.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    assert_eq!(files.len(), 1, "{files:?}");
    serde_json::from_str(&std::fs::read_to_string(&files[0]).unwrap()).unwrap()
}

fn no_token_cached(home: &Path) -> bool {
    std::fs::read_dir(home.join("tokens")).map_or(true, |mut rd| rd.next().is_none())
}

/// The claims of a JWT, unverified.
fn claims(jwt: &str) -> serde_json::Value {
    use base64::Engine;
    let part = jwt.split('.').nth(1).expect("a JWT");
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(part)
            .unwrap(),
    )
    .unwrap()
}

// --- real peers ------------------------------------------------------------------------

#[test]
fn an_issuer_login_with_server_nonces_binds_whoami_and_refresh_to_the_key() {
    // oidc-provider demands a nonce in every proof: the token endpoint (400
    // use_dpop_nonce) and userinfo (401 DPoP error="use_dpop_nonce").
    let provider = OidcProvider::start(&["--dpop-nonce"]);
    let home = tempfile::tempdir().unwrap();
    let run = LoginRun::start(
        home.path(),
        &[&provider.issuer, "--client-id", "mcp-auth-test"],
    );
    browser_login(&run.url, "dora");
    let (code, out, err) = run.finish();
    assert_eq!(code, 0, "{err}");
    let entry = cached(home.path());
    assert_eq!(entry["token_type"], "DPoP", "{entry}");
    let key = entry["dpop_key"]
        .as_str()
        .expect("the key is cached")
        .to_owned();

    // whoami presents the token with a proof (and the userinfo nonce).
    let (code, who, who_err) = cli(home.path(), &["whoami", "--format", "json"]);
    assert_eq!(code, 0, "{who_err}");
    let w: serde_json::Value = serde_json::from_str(&who).unwrap();
    assert_eq!(w["userinfo"]["sub"], "dora", "{who}");

    // The refresh token is bound to the same key: refresh proves it.
    let (code, refreshed, refresh_err) =
        cli(home.path(), &["login", &provider.issuer, "--refresh"]);
    assert_eq!(code, 0, "{refresh_err}");
    let again = cached(home.path());
    assert_eq!(again["dpop_key"], key.as_str(), "refresh keeps the key");
    assert_eq!(again["token_type"], "DPoP");
    assert_ne!(again["access_token"], entry["access_token"]);

    // Neither the key nor a token reached an output.
    let all = [out, err, who, who_err, refreshed, refresh_err].concat();
    for secret in [key.as_str(), entry["access_token"].as_str().unwrap()] {
        assert!(!all.contains(secret), "a secret leaked");
    }
}

#[test]
fn dpop_never_gets_a_bearer_token_from_a_dpop_capable_server() {
    let provider = OidcProvider::start(&[]);
    let home = tempfile::tempdir().unwrap();
    let run = LoginRun::start(
        home.path(),
        &[
            &provider.issuer,
            "--client-id",
            "mcp-auth-test",
            "--dpop",
            "never",
        ],
    );
    browser_login(&run.url, "erin");
    let (code, _, err) = run.finish();
    assert_eq!(code, 0, "{err}");
    let entry = cached(home.path());
    assert_eq!(entry["token_type"], "Bearer", "{entry}");
    assert!(entry.get("dpop_key").is_none(), "{entry}");
    let (code, _, err) = cli(home.path(), &["whoami"]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn call_presents_a_dpop_bound_token_with_a_fresh_proof_and_the_servers_nonce() {
    let provider = OidcProvider::for_mcp();
    let server = McpServer::typescript(&provider.issuer, &["--dpop-nonce", "rs-nonce-1"]);
    let home = tempfile::tempdir().unwrap();
    // auto: the PRM says dpop_bound_access_tokens_required, the AS lists ES256.
    let run = LoginRun::start(home.path(), &[&server.url]);
    browser_login(&run.url, "finn");
    let (code, _, err) = run.finish();
    assert_eq!(code, 0, "{err}");
    let entry = cached(home.path());
    assert_eq!(entry["token_type"], "DPoP", "{entry}");
    let key = DpopKey::from_stored(&Secret::new(entry["dpop_key"].as_str().unwrap())).unwrap();
    let token = entry["access_token"].as_str().unwrap();
    assert_eq!(
        claims(token)["cnf"]["jkt"],
        key.thumbprint(),
        "the token is bound to the cached key"
    );

    // Every request of the session is proven (the server checks the jti is new).
    let (code, tools, err) = cli(home.path(), &["call", &server.url]);
    assert_eq!(code, 0, "{err}");
    assert!(tools.contains("whoami"), "{tools}");
    let (code, who, err) = cli(
        home.path(),
        &["call", &server.url, "whoami", "--format", "json"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(who.contains("finn"), "{who}");

    // The same token as a Bearer token is refused: the check above was real.
    let (code, _, err) = cli(home.path(), &["logout", &server.url]);
    assert_eq!(code, 0, "{err}");
    let bearer = TokenEntry {
        token_type: "Bearer".into(),
        dpop_key: None,
        ..serde_json::from_value(entry).unwrap()
    };
    TokenStore::at(home.path().join("tokens"))
        .save(&bearer)
        .unwrap();
    let (code, _, err) = cli(home.path(), &["call", &server.url, "--no-login"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("error: 401"), "{err}");
}

// --- hostile servers ---------------------------------------------------------------------

/// The recorded oidc-provider metadata (it lists DPoP ES256) on a replay
/// server whose token endpoint answers `token`.
fn authorization_server(token: Route) -> ReplayServer {
    ReplayServer::start(|origin| {
        vec![
            (
                "/.well-known/openid-configuration".to_owned(),
                Route::json(&recorded("oidc-provider-9.13.3-root.json", origin)),
            ),
            ("POST /token".to_owned(), token),
        ]
    })
}

/// A login to `server` whose callback is forged (the token endpoint is what
/// is under test): (exit code, stdout, stderr).
fn log_in_forging_the_callback(
    home: &Path,
    server: &ReplayServer,
    extra: &[&str],
) -> (i32, String, String) {
    let mut args = vec![
        server.origin.as_str(),
        "--as",
        "issuer",
        "--client-id",
        "c1",
    ];
    args.extend_from_slice(extra);
    let run = LoginRun::start(home, &args);
    let iss: String = url::form_urlencoded::byte_serialize(server.origin.as_bytes()).collect();
    let callback = format!(
        "{}?code=c&state={}&iss={iss}",
        run.param("redirect_uri"),
        run.param("state")
    );
    assert!(raw_get(&callback).is_some(), "the callback is answered");
    run.finish()
}

#[test]
fn a_token_endpoint_that_keeps_demanding_a_new_nonce_ends_in_one_line() {
    let server = authorization_server(
        Route::raw(
            400,
            Some("application/json"),
            r#"{"error":"use_dpop_nonce","error_description":"Authorization server requires nonce in DPoP proof"}"#,
        )
        .header("dpop-nonce", "always-a-new-one"),
    );
    let home = tempfile::tempdir().unwrap();
    let (code, _, err) = log_in_forging_the_callback(home.path(), &server, &[]);
    assert_eq!(code, 1, "{err}");
    one_error(&err, "demanded a new DPoP nonce again after the retry");
    assert_eq!(server.hits("POST /token"), 2, "one retry, no loop");
    assert!(no_token_cached(home.path()));
}

#[test]
fn a_bearer_answer_to_a_dpop_proof_is_refused_with_always_and_kept_unbound_with_auto() {
    let bearer = || {
        Route::json(
            &json!({"access_token": "unbound-at", "token_type": "Bearer", "expires_in": 60}),
        )
    };
    let server = authorization_server(bearer());
    let home = tempfile::tempdir().unwrap();
    let (code, _, err) = log_in_forging_the_callback(home.path(), &server, &["--dpop", "always"]);
    assert_eq!(code, 1, "{err}");
    one_error(
        &err,
        "answered token_type Bearer to a request with a DPoP proof",
    );
    assert!(no_token_cached(home.path()));

    let server = authorization_server(bearer());
    let (code, out, err) = log_in_forging_the_callback(home.path(), &server, &[]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Logged in"), "{out}");
    assert!(
        err.contains("warning: ") && err.contains("it is not bound to a key"),
        "{err}"
    );
    let entry = cached(home.path());
    assert_eq!(entry["token_type"], "Bearer");
    assert!(
        entry.get("dpop_key").is_none(),
        "an unbound token keeps no key: {entry}"
    );
}

/// A cached DPoP-bound login to the MCP server `url`, its token endpoint `token_endpoint`.
fn cache_dpop_login(home: &Path, url: &str, token_endpoint: &str) {
    let entry = TokenEntry {
        issuer: "http://127.0.0.1:9/".into(),
        client_id: "c1".into(),
        client_secret: None,
        token_endpoint_auth_method: None,
        registered: false,
        redirect_uri: None,
        grant: None,
        resource: Some(url.into()),
        mcp_url: Some(url.into()),
        token_type: "DPoP".into(),
        access_token: Secret::new("bound-at"),
        dpop_key: Some(DpopKey::generate().unwrap().to_stored()),
        refresh_token: Some(Secret::new("bound-rt")),
        id_token: None,
        scope: None,
        obtained_at: 1,
        expires_at: None,
        token_endpoint: token_endpoint.into(),
        userinfo_endpoint: None,
        revocation_endpoint: None,
        jwks_uri: None,
    };
    TokenStore::at(home.join("tokens")).save(&entry).unwrap();
}

#[test]
fn an_mcp_server_that_keeps_demanding_a_new_nonce_ends_in_one_line() {
    let server = ReplayServer::start(|_| {
        vec![(
            "POST /mcp".to_owned(),
            Route::raw(401, Some("application/json"), r#"{"error":"use_dpop_nonce"}"#)
                .header("www-authenticate", r#"DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof""#)
                .header("dpop-nonce", "n-again"),
        )]
    });
    let url = format!("{}/mcp", server.origin);
    let home = tempfile::tempdir().unwrap();
    cache_dpop_login(home.path(), &url, &format!("{}/token", server.origin));
    let (code, _, err) = cli(home.path(), &["call", &url]);
    assert_eq!(code, 1, "{err}");
    one_error(&err, "demanded a new DPoP nonce again after the retry");
    assert_eq!(server.hits("POST /mcp"), 2, "one retry, no loop");
}

#[test]
fn a_nonce_with_control_characters_is_never_used() {
    // A tab and U+0085 (NEL, a C1 control): what HTTP lets through.
    let server = HostileServer::start(Script::Bytes(response(
        "401 Unauthorized",
        &[
            ("content-type", "application/json"),
            ("www-authenticate", r#"DPoP error="use_dpop_nonce""#),
            ("dpop-nonce", "n\t\u{85}1"),
        ],
        br#"{"error":"use_dpop_nonce"}"#,
    )));
    let url = format!("{}/mcp", server.origin);
    let home = tempfile::tempdir().unwrap();
    cache_dpop_login(home.path(), &url, &format!("{}/token", server.origin));
    let (code, _, err) = cli(home.path(), &["call", &url, "--timeout", "2"]);
    assert_eq!(code, 1, "{err}");
    one_error(
        &err,
        "its DPoP-Nonce header has a control character (U+0009) at character 2",
    );
    // Refreshing at a token endpoint that does the same (400 use_dpop_nonce) fails alike.
    let server = HostileServer::start(Script::Bytes(response(
        "400 Bad Request",
        &[
            ("content-type", "application/json"),
            ("dpop-nonce", "\u{85}"),
        ],
        br#"{"error":"use_dpop_nonce"}"#,
    )));
    let home = tempfile::tempdir().unwrap();
    let url = format!("{}/mcp", server.origin);
    cache_dpop_login(home.path(), &url, &format!("{}/token", server.origin));
    let (code, _, err) = cli(home.path(), &["login", &url, "--refresh", "--timeout", "2"]);
    assert_eq!(code, 1, "{err}");
    one_error(&err, "has a control character (U+0085)");
}

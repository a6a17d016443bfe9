//! `login --grant client-credentials` end to end: a real node-oidc-provider
//! (its confidential client `mcp-auth-service`) and the MCP TypeScript SDK
//! server, which must accept the token.

use std::path::{Path, PathBuf};

use crate::support::peer::{McpServer, OidcProvider};
use crate::support::*;

const CLIENT: &str = "mcp-auth-service";
const SECRET: &str = "mcp-auth-service-secret";

/// `mcp-auth` with MCP_AUTH_HOME set and `env` added: (exit code, stdout, stderr).
fn cli(home: &Path, env: &[(&str, &str)], args: &[&str]) -> (i32, String, String) {
    // mcp_auth clears the environment: only what is set here reaches it.
    let mut cmd = mcp_auth(home);
    cmd.env("MCP_AUTH_HOME", home);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.args(args).output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn token_files(home: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(home.join("tokens"))
        .map(|rd| rd.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default()
}

/// The one cached login, as its JSON file holds it.
fn the_cached_login(home: &Path) -> serde_json::Value {
    let files = token_files(home);
    assert_eq!(files.len(), 1, "{files:?}");
    serde_json::from_str(&std::fs::read_to_string(&files[0]).unwrap()).unwrap()
}

/// The secret in a file outside the cache (with the trailing newline editors add).
fn secret_file(dir: &Path, secret: &str) -> String {
    let path = dir.join("client.secret");
    std::fs::write(&path, format!("{secret}\n")).unwrap();
    path.display().to_string()
}

#[test]
fn client_credentials_with_a_secret_file_reach_the_mcp_server() {
    let provider = OidcProvider::start(&[
        "--path",
        "/oidc",
        "--resource-any-loopback",
        "--client-credentials",
    ]);
    let server = McpServer::typescript(&provider.issuer, &[]);
    let (home, secrets) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let file = secret_file(secrets.path(), SECRET);
    let (code, out, err) = cli(
        home.path(),
        &[],
        &[
            "login",
            &server.url,
            "--grant",
            "client-credentials",
            "--client-id",
            CLIENT,
            "--client-secret-file",
            &file,
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with(&format!(
            "Logged in to {} as client {CLIENT} for {}; scope \"mcp:tools\"",
            provider.issuer, server.url
        )),
        "{out}"
    );
    assert!(!err.contains("Open this URL"), "no browser: {err}");
    let cached = the_cached_login(home.path());
    assert_eq!(cached["grant"], "client-credentials");
    assert_eq!(cached["token_endpoint_auth_method"], "client_secret_basic");
    assert!(cached.get("refresh_token").is_none(), "{cached}");
    let token = cached["access_token"].as_str().unwrap().to_owned();

    // The SDK's bearer check accepts it: a JWT for this server, of this client.
    let (code, who, call_err) = cli(
        home.path(),
        &[],
        &["call", &server.url, "whoami", "--format", "json"],
    );
    assert_eq!(code, 0, "{call_err}");
    let v: serde_json::Value = serde_json::from_str(&who).unwrap();
    let claims = &v["result"]["structuredContent"]["claims"];
    assert_eq!(claims["client_id"], CLIENT, "{who}");
    assert_eq!(claims["aud"], server.url.as_str(), "{who}");
    for shown in [&out, &err, &who, &call_err] {
        assert!(!shown.contains(SECRET), "the secret leaked");
        assert!(!shown.contains(&token), "the token leaked");
    }
}

#[test]
fn client_credentials_read_the_secret_from_the_environment_and_report_a_wrong_one() {
    let provider = OidcProvider::start(&["--client-credentials"]);
    let home = tempfile::tempdir().unwrap();
    let login = [
        "login",
        provider.issuer.as_str(),
        "--grant",
        "client-credentials",
        "--client-id",
        CLIENT,
    ];
    let wrong = "not-the-service-secret";
    let (code, out, err) = cli(home.path(), &[("MCP_AUTH_CLIENT_SECRET", wrong)], &login);
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("refused: invalid_client"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(!err.contains(wrong), "{err}");
    assert!(token_files(home.path()).is_empty());

    // The right one: an issuer login, no resource, no scope asked for.
    let (code, out, err) = cli(home.path(), &[("MCP_AUTH_CLIENT_SECRET", SECRET)], &login);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains(&format!("as client {CLIENT}; no scope")),
        "{out}"
    );
    let cached = the_cached_login(home.path());
    assert_eq!(cached["grant"], "client-credentials");
    assert!(cached.get("resource").is_none(), "{cached}");
}

#[test]
fn client_credentials_refuse_a_public_client_before_sending_anything() {
    let provider = OidcProvider::start(&["--client-credentials"]);
    let home = tempfile::tempdir().unwrap();
    let (code, _, err) = cli(
        home.path(),
        &[],
        &[
            "login",
            &provider.issuer,
            "--grant",
            "client-credentials",
            "--client-id",
            "mcp-auth-test",
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("needs a confidential client"), "{err}");
    // A flag of another grant is a usage error too.
    let (code, _, err) = cli(
        home.path(),
        &[],
        &[
            "login",
            &provider.issuer,
            "--grant",
            "client-credentials",
            "--assertion-file",
            "a.jwt",
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("--assertion-file is for --grant jwt-bearer"),
        "{err}"
    );
    assert!(token_files(home.path()).is_empty());
}

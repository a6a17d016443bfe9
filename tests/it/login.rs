//! `login`, `whoami`, `tokens`, `logout` end to end: a real node-oidc-provider,
//! the user's part played by headless Chromium, and forged callbacks.

use std::path::Path;

use crate::introspect;
use crate::support::login::{browser_login, raw_get, LoginRun};
use crate::support::peer::{McpServer, OidcProvider};
use crate::support::*;
use serde_json::json;

/// `mcp-auth` with MCP_AUTH_HOME set.
pub(crate) fn cli(home: &Path, args: &[&str]) -> (i32, String, String) {
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

pub(crate) fn token_files(home: &Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(home.join("tokens"))
        .map(|rd| rd.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default()
}

// --- login, whoami, tokens, logout against an issuer -----------------------------------

/// `login <issuer>` completed in the browser as alice: (stdout, stderr).
fn log_in_with_the_browser(home: &Path, issuer: &str) -> (String, String) {
    let run = LoginRun::start(home, &[issuer, "--client-id", "mcp-auth-test"]);
    assert_eq!(run.param("code_challenge_method"), "S256");
    assert!(run.param("redirect_uri").starts_with("http://127.0.0.1:"));
    let page = browser_login(&run.url, "alice");
    assert!(
        page["text"].as_str().unwrap().contains("close this tab"),
        "{page}"
    );
    let (code, login_out, login_err) = run.finish();
    assert_eq!(code, 0, "{login_err}");
    assert!(login_out.contains("Logged in to"), "{login_out}");
    (login_out, login_err)
}

/// One token file, mode 0600, in a 0700 directory: the tokens it holds.
pub(crate) fn the_one_private_token_file(home: &Path) -> Vec<String> {
    let files = token_files(home);
    assert_eq!(files.len(), 1);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&files[0]), 0o600);
        assert_eq!(mode(&home.join("tokens")), 0o700);
    }
    let cached: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&files[0]).unwrap()).unwrap();
    let secrets: Vec<String> = ["access_token", "refresh_token", "id_token", "dpop_key"]
        .iter()
        .filter_map(|k| cached[k].as_str().map(str::to_owned))
        .collect();
    assert!(
        secrets.len() >= 2,
        "expected access and refresh/id tokens: {cached}"
    );
    secrets
}

/// `whoami` (the table, then JSON for `issuer`), `login --refresh` and
/// `tokens` with the cached login: everything they printed.
fn whoami_refresh_and_tokens(home: &Path, issuer: &str) -> Vec<String> {
    let (code, who, who_err) = cli(home, &["whoami"]);
    assert_eq!(code, 0, "{who_err}");
    assert!(who.contains("alice"), "{who}");
    let (code, who_json, _) = cli(home, &["whoami", issuer, "--format", "json", "-vv"]);
    assert_eq!(code, 0);
    let w: serde_json::Value = serde_json::from_str(&who_json).unwrap();
    assert_eq!(w["userinfo"]["sub"], "alice");
    let (code, refreshed, refresh_err) = cli(home, &["login", issuer, "--refresh", "-vv"]);
    assert_eq!(code, 0, "{refresh_err}");
    let (_, tokens, _) = cli(home, &["tokens"]);
    assert!(
        tokens.contains("mcp-auth-test") && tokens.contains("1 cached login"),
        "{tokens}"
    );
    vec![who, who_err, who_json, refreshed, refresh_err, tokens]
}

/// `logout <issuer>` revokes and forgets the login: `whoami` finds none.
fn log_out(home: &Path, issuer: &str) {
    let (code, bye, _) = cli(home, &["logout", issuer]);
    assert_eq!(code, 0);
    assert!(
        bye.contains("Revoked") && bye.contains("Logged out"),
        "{bye}"
    );
    assert!(token_files(home).is_empty());
    let (code, _, err) = cli(home, &["whoami"]);
    assert_ne!(code, 0);
    assert!(err.contains("no cached login"), "{err}");
}

#[test]
fn browser_login_whoami_tokens_logout() {
    let provider = OidcProvider::start(&[]);
    let home = tempfile::tempdir().unwrap();
    let (login_out, login_err) = log_in_with_the_browser(home.path(), &provider.issuer);
    let secrets = the_one_private_token_file(home.path());
    let outputs = whoami_refresh_and_tokens(home.path(), &provider.issuer);
    let inspected = introspect::introspect_the_opaque_token(home.path(), &provider.issuer);
    // No token value or client secret ever reached an output.
    let all = [login_out, login_err, outputs.concat(), inspected.concat()].concat();
    assert!(
        !all.contains(introspect::RS_SECRET),
        "the client secret leaked"
    );
    for s in &secrets {
        assert!(!all.contains(s.as_str()), "a token leaked into the output");
    }
    log_out(home.path(), &provider.issuer);
}

// --- login to an MCP server, token inspect -------------------------------------------------

/// `login <mcp url>`: registers a client, asks for the resource and the
/// PRM's scope, and is completed in the browser as bob.
pub(crate) fn log_in_to_the_mcp_server(home: &Path, url: &str) {
    let run = LoginRun::start(home, &[url]);
    assert_eq!(run.param("resource"), url, "RFC 8707 resource is sent");
    assert!(
        run.param("scope").contains("mcp:tools"),
        "scope from the PRM"
    );
    assert!(
        run.stderr_head.contains("Registered client"),
        "{}",
        run.stderr_head
    );
    browser_login(&run.url, "bob");
    let (code, out, err) = run.finish();
    assert_eq!(code, 0, "{err}");
    assert!(out.contains(&format!("for {url}")), "{out}");
}

/// oidc-provider refuses audience-bound tokens at userinfo: `whoami`
/// explains. What it printed.
fn whoami_explains_the_audience_bound_token(home: &Path, url: &str) -> String {
    let (code, who, err) = cli(home, &["whoami", url]);
    assert_eq!(code, 1);
    assert!(err.contains("--no-resource"), "{err}");
    assert!(who.contains("contains the resource"), "{who}");
    assert!(
        who.contains("claims NOT verified") || who.contains("(unverified)"),
        "{who}"
    );
    who
}

/// `token inspect --cached <url>`: the real provider's JWT verifies against
/// its JWKS, and is bound to the MCP server, not to another resource. What it
/// printed, and its JSON report.
fn inspect_the_cached_token(home: &Path, url: &str) -> (Vec<String>, serde_json::Value) {
    let inspect = |args: &[&str]| {
        let all = [&["token", "inspect", "--cached", url][..], args].concat();
        cli(home, &all)
    };
    let (code, out, err) = inspect(&["--require-scope", "mcp:tools"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("signature verified") && out.contains("would accept"),
        "{out}"
    );
    let (code, other, _) = inspect(&["--resource", "http://127.0.0.1:1/other"]);
    assert_eq!(code, 1);
    assert!(
        other.contains("does not contain http://127.0.0.1:1/other"),
        "{other}"
    );
    let (code, json, _) = inspect(&["--format", "json"]);
    assert_eq!(code, 0);
    let j: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(j["signature_verified"], true);
    (vec![out, other, json], j)
}

/// The cached login's access token.
fn cached_access_token(home: &Path) -> String {
    let file = token_files(home).pop().unwrap();
    let cached: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    cached["access_token"].as_str().unwrap().to_owned()
}

/// `token inspect - --resource <url>` on `token` from stdin: (exit code, stdout).
fn inspect_stdin(home: &Path, url: &str, token: String) -> (i32, String) {
    let out = mcp_auth(home)
        .env("MCP_AUTH_HOME", home)
        .args(["token", "inspect", "-", "--resource", url])
        .write_stdin(token)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
    )
}

/// The same real token: expired (judged an hour after `exp`), with a broken
/// signature, and re-headed as alg=none, read from stdin.
fn inspect_the_token_altered(home: &Path, url: &str, token: &str, exp: u64) {
    let at = (exp + 3600).to_string();
    let (code, out, _) = cli(home, &["token", "inspect", "--cached", url, "--at", &at]);
    assert_eq!(code, 1);
    assert!(out.contains("expired 3600 s ago"), "{out}");
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let sig = parts[2].clone();
    parts[2] = format!(
        "{}{}",
        if sig.starts_with('A') { "B" } else { "A" },
        &sig[1..]
    );
    let (code, out) = inspect_stdin(home, url, parts.join("."));
    assert_eq!(code, 1);
    assert!(out.contains("signature does not verify"), "{out}");
    parts[0] = "eyJhbGciOiJub25lIn0".to_owned(); // {"alg":"none"}
    parts[2] = String::new();
    let (code, out) = inspect_stdin(home, url, parts.join("."));
    assert_eq!(code, 1);
    assert!(out.contains("unsigned token is never accepted"), "{out}");
    let (code, out) = inspect_stdin(home, url, token.to_owned());
    assert_eq!(code, 0, "{out}");
}

#[test]
fn mcp_login_registers_and_binds_the_token_to_the_resource() {
    let provider = OidcProvider::for_mcp();
    let server = McpServer::typescript(&provider.issuer, &[]);
    let home = tempfile::tempdir().unwrap();
    log_in_to_the_mcp_server(home.path(), &server.url);
    let who = whoami_explains_the_audience_bound_token(home.path(), &server.url);
    let (inspected, j) = inspect_the_cached_token(home.path(), &server.url);
    // No output carries the token itself.
    let token = cached_access_token(home.path());
    for o in inspected.iter().chain([&who]) {
        assert!(!o.contains(&token), "the token leaked");
    }
    let exp = j["claims"]["exp"].as_u64().unwrap();
    inspect_the_token_altered(home.path(), &server.url, &token, exp);
}

/// Start a login whose callback is then forged.
fn forged(
    callback_query: impl FnOnce(&LoginRun) -> String,
) -> (
    i32,
    String,
    Option<(u16, String)>,
    tempfile::TempDir,
    String,
) {
    let provider = OidcProvider::start(&[]);
    let home = tempfile::tempdir().unwrap();
    let run = LoginRun::start(
        home.path(),
        &[&provider.issuer, "--client-id", "mcp-auth-test"],
    );
    let callback = format!("{}?{}", run.param("redirect_uri"), callback_query(&run));
    let answer = raw_get(&callback);
    let (code, _, err) = run.finish();
    (code, err, answer, home, callback)
}

#[test]
fn a_wrong_state_is_refused_and_nothing_is_stored() {
    let (code, err, answer, home, callback) =
        forged(|r| format!("code=abc&state=forged&iss={}", urlencode(&issuer_of(r))));
    assert_eq!(code, 1);
    assert!(err.contains("state does not match"), "{err}");
    assert_eq!(answer.unwrap().0, 400, "the browser page says it failed");
    assert!(token_files(home.path()).is_empty());
    // The callback server is gone: a replay finds nobody.
    assert!(
        raw_get(&callback).is_none(),
        "a second callback was accepted"
    );
}

#[test]
fn a_wrong_iss_is_refused() {
    let (code, err, _, home, _) = forged(|r| {
        format!(
            "code=abc&state={}&iss=https%3A%2F%2Fevil.example",
            r.param("state")
        )
    });
    assert_eq!(code, 1);
    assert!(err.contains("mix-up"), "{err}");
    assert!(token_files(home.path()).is_empty());
}

#[test]
fn a_missing_iss_is_refused_when_advertised() {
    let (code, err, _, _, _) = forged(|r| format!("code=abc&state={}", r.param("state")));
    assert_eq!(code, 1);
    assert!(err.contains("advertises RFC 9207"), "{err}");
}

#[test]
fn an_error_callback_is_reported() {
    let (code, err, _, home, _) = forged(|r| {
        format!(
            "error=access_denied&error_description=the+user+said+no&state={}&iss={}",
            r.param("state"),
            urlencode(&issuer_of(r))
        )
    });
    assert_eq!(code, 1);
    assert!(
        err.contains("refused: access_denied (the user said no)"),
        "{err}"
    );
    assert!(token_files(home.path()).is_empty());
}

#[test]
fn code_and_error_together_or_no_code_are_refused() {
    let (code, err, _, _, _) = forged(|r| {
        format!(
            "code=abc&error=server_error&state={}&iss={}",
            r.param("state"),
            urlencode(&issuer_of(r))
        )
    });
    assert_eq!(code, 1);
    assert!(err.contains("both a code and an error"), "{err}");
    let (code, err, _, _, _) = forged(|r| {
        format!(
            "state={}&iss={}",
            r.param("state"),
            urlencode(&issuer_of(r))
        )
    });
    assert_eq!(code, 1);
    assert!(err.contains("no code"), "{err}");
}

#[test]
fn a_forged_code_fails_at_the_token_endpoint() {
    // Right state and iss, but a code the server never issued.
    let (code, err, answer, home, _) = forged(|r| {
        format!(
            "code=forged&state={}&iss={}",
            r.param("state"),
            urlencode(&issuer_of(r))
        )
    });
    assert_eq!(answer.unwrap().0, 200);
    assert_eq!(code, 1);
    assert!(err.contains("invalid_grant"), "{err}");
    assert!(token_files(home.path()).is_empty());
}

#[test]
fn login_times_out() {
    let provider = OidcProvider::start(&[]);
    let home = tempfile::tempdir().unwrap();
    let run = LoginRun::start(
        home.path(),
        &[
            &provider.issuer,
            "--client-id",
            "mcp-auth-test",
            "--login-timeout",
            "1",
        ],
    );
    let (code, _, err) = run.finish();
    assert_eq!(code, 1);
    assert!(err.contains("no callback within 1 s"), "{err}");
}

#[test]
fn login_refuses_what_it_cannot_do() {
    let provider = OidcProvider::start(&[]);
    let home = tempfile::tempdir().unwrap();
    // No registration endpoint and no client id: say what the provider needs.
    let (code, _, err) = cli(home.path(), &["login", &provider.issuer, "--no-browser"]);
    assert_eq!(code, 2);
    assert!(err.contains("register a public client"), "{err}");
    // A redirect URI that is not ours.
    let (code, _, err) = cli(
        home.path(),
        &[
            "login",
            &provider.issuer,
            "--client-id",
            "x",
            "--redirect-port",
            "0",
            "--redirect-uri",
            "https://evil.example/cb",
            "--no-browser",
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--redirect-uri must be"), "{err}");
    // Nothing listening: unreachable.
    let dead = ClosedPort::bind();
    let (code, _, err) = cli(
        home.path(),
        &["login", &dead.origin(), "--client-id", "x", "--no-browser"],
    );
    assert_eq!(code, 3, "{err}");
    assert!(token_files(home.path()).is_empty());
}

fn issuer_of(r: &LoginRun) -> String {
    r.url.origin().ascii_serialization()
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[test]
fn call_lists_and_calls_tools_and_explains_step_up() {
    let provider = OidcProvider::for_mcp();
    let server = McpServer::typescript(&provider.issuer, &["--required-scopes", "mcp:tools"]);
    let home = tempfile::tempdir().unwrap();

    // First a token without the scope the server requires: with --no-step-up,
    // 403 and the step-up advice.
    let run = LoginRun::start(home.path(), &[&server.url, "--scope", "openid"]);
    browser_login(&run.url, "carol");
    let (code, _, err) = run.finish();
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = cli(home.path(), &["call", &server.url, "--no-step-up"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("403 insufficient_scope") && err.contains("mcp:tools"),
        "{err}"
    );
    assert!(
        err.contains(&format!("mcp-auth login {} --scope", server.url)),
        "{err}"
    );

    // Without it, `call` authorizes again with the union of the scopes
    // (SEP-2350), then lists the tools with the new token.
    let run = LoginRun::start_command(home.path(), "call", &[&server.url]);
    assert!(
        run.stderr_head.contains("asks for more scope")
            && run.stderr_head.contains("openid mcp:tools"),
        "{}",
        run.stderr_head
    );
    let scope: Vec<_> = run
        .url
        .query_pairs()
        .filter(|(k, _)| k == "scope")
        .map(|(_, v)| v.into_owned())
        .collect();
    assert_eq!(scope, ["openid mcp:tools"], "{}", run.url);
    browser_login(&run.url, "carol");
    let (code, tools, err) = run.finish();
    assert_eq!(code, 0, "{err}");
    assert!(tools.contains("whoami"), "{tools}");
    // The new login replaced the old one: one cached entry, no ambiguity.
    assert_eq!(token_files(home.path()).len(), 1);

    let (code, who, err) = cli(
        home.path(),
        &["call", &server.url, "whoami", "--format", "json"],
    );
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&who).unwrap();
    assert!(v["result"].to_string().contains("carol"), "{who}");
    assert!(v["protocol_version"].is_string());
}

/// The recorded oidc-provider document with one member changed, served at
/// the root issuer's OIDC location.
fn provider_with(
    patch: impl FnOnce(&mut serde_json::Value),
) -> crate::support::replay::ReplayServer {
    use crate::support::replay::{recorded, ReplayServer, Route};
    ReplayServer::start(|origin| {
        let mut doc = recorded("oidc-provider-9.13.3-root.json", origin);
        patch(&mut doc);
        vec![(
            "/.well-known/openid-configuration".to_owned(),
            Route::json(&doc),
        )]
    })
}

#[test]
fn login_refuses_by_naming_the_failing_check() {
    let home = tempfile::tempdir().unwrap();
    // No S256: refused by AS-PKCE-S256 unless --force.
    let server = provider_with(|d| d["code_challenge_methods_supported"] = json!(["plain"]));
    let issuer = server.origin.clone();
    let args = [
        "login",
        issuer.as_str(),
        "--as",
        "issuer",
        "--client-id",
        "x",
        "--no-browser",
    ];
    let (code, _, err) = cli(home.path(), &args);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("AS-PKCE-S256 failed") && err.contains("--force"),
        "{err}"
    );
    let mut forced = args.to_vec();
    forced.extend(["--force", "--redirect-port", "0", "--login-timeout", "1"]);
    let (_, _, err) = cli(home.path(), &forced);
    assert!(
        !err.contains("AS-PKCE-S256"),
        "--force goes past the check: {err}"
    );
    // An issuer mix-up is refused by DISC-AS-ISSUER-MATCH, even with --force.
    let server = provider_with(|d| d["issuer"] = json!("https://evil.example"));
    let issuer = server.origin.clone();
    let (code, _, err) = cli(
        home.path(),
        &[
            "login",
            &issuer,
            "--as",
            "issuer",
            "--client-id",
            "x",
            "--no-browser",
            "--force",
        ],
    );
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("DISC-AS-ISSUER-MATCH failed"), "{err}");
    assert!(token_files(home.path()).is_empty());
}

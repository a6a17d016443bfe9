//! The renderers of cached logins: `tokens`, `whoami` (against loopback
//! userinfo endpoints) and `call` (against the MCP TypeScript SDK server).

use crate::support::peer::McpServer;

use super::*;

// --- tokens --------------------------------------------------------------------------------

#[test]
fn tokens_lists_cached_logins() {
    let mut mcp = token_entry("https://as.example/oidc", "mcp-client");
    mcp.mcp_url = Some("https://mcp.example/mcp".into());
    mcp.resource = Some("https://mcp.example/mcp".into());
    mcp.scope = Some("openid mcp:tools".into());
    mcp.refresh_token = Some(Secret::new("refresh-value"));
    mcp.expires_at = Some(YEAR_2100);
    let issuer = token_entry("https://id.example", "cli");
    let mut expired = token_entry("https://old.example", "old-client");
    expired.scope = Some("openid".into());
    expired.expires_at = Some(1);
    let (_home, dir) = home_with(&[mcp, issuer, expired]);
    // A file that is not an entry, and one that others can read.
    let corrupt = dir.join("tokens/000000000000000000000000.json");
    std::fs::write(&corrupt, "not json").unwrap();
    let readable = TokenStore::at(dir.join("tokens"))
        .save(&token_entry("https://shared.example", "shared"))
        .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&readable, std::fs::Permissions::from_mode(0o644)).unwrap();
        std::fs::set_permissions(&corrupt, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    for format in ["table", "json"] {
        let run = run_in(
            &dir,
            HOME_ENV,
            &["tokens", "--format", format, "--color", "never"],
            None,
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(
            !run.stdout.contains("opaque-access-token") && !run.stdout.contains("refresh-value")
        );
        clock_settings().bind(|| {
            assert_run(&format!("tokens_{format}"), &run);
        });
    }
    let (_empty, dir) = home_with(&[]);
    let run = run_in(&dir, HOME_ENV, &["tokens", "--color", "never"], None);
    assert_eq!(run.code, 0);
    assert_run("tokens_empty_table", &run);
}

// --- whoami --------------------------------------------------------------------------------

/// An unverifiable JWT from https://as.example for `aud`.
fn who_jwt(aud: &str) -> String {
    format!(
        "{}.{}.c2lnbmF0dXJl",
        b64(&json!({"alg": "ES256", "typ": "at+jwt", "kid": "k1"})),
        b64(
            &json!({"iss": "https://as.example", "sub": "alice", "aud": aud, "exp": YEAR_2100, "iat": 1_700_000_000, "scope": "openid mcp:tools", "client_id": "who-client"})
        )
    )
}

/// (name, cached login): `userinfo`, `refusing` and `dead` are the userinfo
/// endpoints that answer, refuse the token, and do not answer.
fn whoami_cases(userinfo: &str, refusing: &str, dead: &str) -> Vec<(&'static str, TokenEntry)> {
    let mut cases: Vec<(&str, TokenEntry)> = Vec::new();
    let mut ok = token_entry("https://as.example", "who-client");
    ok.resource = Some("https://mcp.example/mcp".into());
    ok.access_token = Secret::new(who_jwt("https://mcp.example/mcp"));
    ok.userinfo_endpoint = Some(userinfo.to_owned());
    cases.push(("jwt_userinfo", ok.clone()));
    let mut other_aud = ok.clone();
    other_aud.access_token = Secret::new(who_jwt("https://other.example/mcp"));
    cases.push(("jwt_other_audience", other_aud));
    let mut no_resource = ok.clone();
    no_resource.resource = None;
    cases.push(("jwt_no_resource", no_resource));
    let mut refused = ok.clone();
    refused.userinfo_endpoint = Some(refusing.to_owned());
    cases.push(("userinfo_refused_for_resource", refused));
    let opaque = token_entry("https://as.example", "who-client");
    cases.push(("opaque_no_userinfo_endpoint", opaque));
    let mut unreachable = ok.clone();
    unreachable.userinfo_endpoint = Some(dead.to_owned());
    cases.push(("userinfo_unreachable", unreachable));
    cases
}

#[test]
fn whoami_renders_userinfo_and_token_claims() {
    let server = authorization_server(
        json!({"keys": []}),
        Route::json(
            &json!({"sub": "alice", "name": "Alice Example", "email": "alice@example.com", "email_verified": true}),
        ),
    );
    let refusing = authorization_server(
        json!({"keys": []}),
        Route::raw(401, Some("application/json"), r#"{"error":"invalid_token"}"#).header(
            "www-authenticate",
            r#"Bearer realm="userinfo", error="invalid_token", error_description="invalid token provided""#,
        ),
    );
    let dead = ClosedPort::bind();
    let cases = whoami_cases(
        &format!("{}/userinfo", server.origin),
        &format!("{}/userinfo", refusing.origin),
        &format!("{}/userinfo", dead.origin()),
    );
    for (name, entry) in &cases {
        let (_home, dir) = home_with(std::slice::from_ref(entry));
        for format in ["table", "json"] {
            let run = run_in(
                &dir,
                HOME_ENV,
                &["whoami", "--format", format, "--color", "never"],
                None,
            );
            assert_eq!(
                run.code == 0,
                name.starts_with("jwt_"),
                "{name}: {}",
                run.stderr
            );
            assert!(
                !run.stdout.contains(entry.access_token.expose()),
                "the token was printed"
            );
            clock_settings().bind(|| {
                assert_run(&format!("whoami_{name}_{format}"), &run);
            });
        }
    }
}

/// No login, and two logins with no target.
#[test]
fn whoami_needs_one_cached_login_or_a_target() {
    let (_empty, dir) = home_with(&[]);
    let run = run_in(&dir, HOME_ENV, &["whoami", "--color", "never"], None);
    assert_eq!(run.code, 2);
    assert_run("whoami_no_cached_login", &run);
    let (_two, dir) = home_with(&[
        token_entry("https://a.example", "a"),
        token_entry("https://b.example", "b"),
    ]);
    let run = run_in(&dir, HOME_ENV, &["whoami", "--color", "never"], None);
    assert_eq!(run.code, 2);
    assert_run("whoami_two_cached_logins", &run);
}

// --- call ----------------------------------------------------------------------------------

/// The real MCP TypeScript SDK server, which verifies the cached JWT against
/// a loopback issuer's JWKS and requires `mcp:tools`.
struct CallPeers {
    server: McpServer,
    issuer: ReplayServer,
    key: Key,
}

impl CallPeers {
    fn start() -> Self {
        let key = Key::new();
        let issuer = authorization_server(key.jwks("k1"), Route::raw(404, None, ""));
        let server = McpServer::typescript(&issuer.origin, &["--required-scopes", "mcp:tools"]);
        Self {
            server,
            issuer,
            key,
        }
    }

    /// A cached login for the server, its token a JWT for `aud` with `scope`.
    fn entry(&self, aud: &str, scope: &str) -> TokenEntry {
        let (issuer, server) = (&self.issuer, &self.server);
        let mut e = token_entry(&issuer.origin, "call-client");
        e.mcp_url = Some(server.url.clone());
        e.resource = Some(server.url.clone());
        e.scope = Some(scope.into());
        e.expires_at = Some(YEAR_2100);
        e.access_token = Secret::new(self.key.sign(
            "k1",
            &json!({"iss": issuer.origin, "sub": "alice", "aud": aud, "exp": YEAR_2100, "iat": 1_700_000_000, "scope": scope, "client_id": "call-client"}),
        ));
        e
    }

    /// A cached login the server accepts.
    fn good(&self) -> TokenEntry {
        self.entry(&self.server.url, "openid mcp:tools")
    }
}

/// (name, cached login, arguments, exit code with the table, with JSON)
type CallCase = (&'static str, TokenEntry, Vec<&'static str>, i32, i32);

fn call_cases(peers: &CallPeers) -> Vec<CallCase> {
    let good = peers.good();
    vec![
        ("list_tools", good.clone(), vec![], 0, 0),
        ("tool_whoami", good.clone(), vec!["whoami"], 0, 0),
        (
            "unknown_tool",
            good.clone(),
            vec!["no-such-tool", "--arg", "n=1"],
            // A tool error fails every format (JSON used to exit 0).
            1,
            1,
        ),
        (
            "insufficient_scope",
            peers.entry(&peers.server.url, "openid"),
            vec![],
            1,
            1,
        ),
        (
            "wrong_audience",
            peers.entry("https://other.example/mcp", "openid mcp:tools"),
            vec![],
            1,
            1,
        ),
    ]
}

#[test]
fn call_renders_tools_results_and_refusals() {
    let peers = CallPeers::start();
    let server = &peers.server;
    for (name, e, extra, want_table, want_json) in &call_cases(&peers) {
        let (_home, dir) = home_with(std::slice::from_ref(e));
        for format in ["table", "json"] {
            // --no-login: how a refusal renders (re-authorizing is tested with a browser).
            let mut args = vec!["call", server.url.as_str(), "--no-login"];
            args.extend_from_slice(extra);
            args.extend_from_slice(&["--format", format, "--color", "never"]);
            let run = run_in(&dir, HOME_ENV, &args, None);
            let want = if format == "json" {
                want_json
            } else {
                want_table
            };
            assert_eq!(
                run.code, *want,
                "{name} {format}: {}{}",
                run.stdout, run.stderr
            );
            assert!(
                !run.stdout.contains(e.access_token.expose())
                    && !run.stderr.contains(e.access_token.expose())
            );
            loopback_settings().bind(|| {
                assert_run(&format!("call_{name}_{format}"), &run);
            });
        }
    }
}

/// Usage errors and an unreachable server.
#[test]
fn call_refuses_usage_errors_and_an_unreachable_server() {
    let peers = CallPeers::start();
    let server = &peers.server;
    let good = peers.good();
    let (_home, dir) = home_with(std::slice::from_ref(&good));
    let run = run_in(
        &dir,
        HOME_ENV,
        &["call", "http://127.0.0.1:1/mcp", "--color", "never"],
        None,
    );
    assert_eq!(run.code, 2);
    loopback_settings().bind(|| assert_run("call_no_cached_login", &run));
    let run = run_in(
        &dir,
        HOME_ENV,
        &[
            "call",
            &server.url,
            "whoami",
            "--arg",
            "novalue",
            "--color",
            "never",
        ],
        None,
    );
    assert_eq!(run.code, 2);
    loopback_settings().bind(|| assert_run("call_bad_arg", &run));
    let closed = ClosedPort::bind();
    let dead = format!("{}/mcp", closed.origin());
    let mut gone = good.clone();
    gone.mcp_url = Some(dead.clone());
    gone.resource = Some(dead.clone());
    let (_home, dir) = home_with(&[gone]);
    let run = run_in(&dir, HOME_ENV, &["call", &dead, "--color", "never"], None);
    assert_eq!(run.code, 3, "{}", run.stderr);
    loopback_settings().bind(|| assert_run("call_unreachable", &run));
}

/// Without a terminal, `$BROWSER` or `--no-browser`, nobody could finish a
/// browser login: a token the server refuses fails the call at once (no
/// wait for a redirect that cannot come), as with `--no-login`.
#[test]
fn call_without_anyone_to_log_in_fails_at_once_on_a_refused_token() {
    let peers = CallPeers::start();
    let refused = peers.entry("https://other.example/mcp", "openid mcp:tools");
    let (_home, dir) = home_with(std::slice::from_ref(&refused));
    let started = std::time::Instant::now();
    let run = run_in(
        &dir,
        HOME_ENV,
        &["call", &peers.server.url, "--color", "never"],
        None,
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(!run.stderr.contains("logging in again"), "{}", run.stderr);
    assert!(run.stderr.contains("401"), "{}", run.stderr);
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
}

/// `call --protocol-version`: a stateful revision is asked for in
/// `initialize`; 2026-07-28 goes straight to the stateless `server/discover`,
/// which this 2025-era SDK server (sessions, no stateless transport) refuses
/// with 400 instead of answering.
#[test]
fn call_protocol_version_forces_the_lifecycle() {
    let peers = CallPeers::start();
    let good = peers.good();
    let (_home, dir) = home_with(std::slice::from_ref(&good));
    let call = |rev: &str| {
        let args = [
            "call",
            peers.server.url.as_str(),
            "--no-login",
            "--protocol-version",
            rev,
            "--format",
            "json",
        ];
        run_in(&dir, HOME_ENV, &args, None)
    };
    let run = call("2025-06-18");
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["protocol_version"], "2025-06-18", "{report}");
    let run = call("2026-07-28");
    assert_ne!(run.code, 0, "{}", run.stdout);
    assert!(
        run.stdout.contains("400") || run.stderr.contains("400"),
        "{}{}",
        run.stdout,
        run.stderr
    );
}

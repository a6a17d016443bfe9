//! Snapshots (insta) of what the binary prints today, as a safety net for
//! refactors: `check --from-evidence` over recorded evidence in every format,
//! `matrix --replay` over a recorded matrix, `token inspect` on signed test
//! vectors, and the `whoami`, `tokens` and `call` renderers over hand-written
//! token caches (and, for `call`, the real MCP TypeScript SDK peer, so these
//! need `npm ci --prefix tests/peers` like the other peer tests).
//!
//! Every snapshot is a transcript: the exit code, stdout, stderr. Recorded
//! evidence is graded as is (its ports and times are part of the files); the
//! live snapshots filter what changes between runs: loopback ports, and the
//! seconds to a cached token's expiry (counted from now). `token inspect`
//! judges expiry `--at` a fixed time, so its seconds are not filtered.
//!
//! Regenerate: `INSTA_UPDATE=always cargo test --test it snapshots`, then
//! review the diff of tests/it/snapshots/.

use std::path::{Path, PathBuf};

use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use mcp_auth_net::token_store::{Secret, TokenEntry, TokenStore};
use serde_json::{json, Value};

use crate::support::peer::McpServer;
use crate::support::replay::{ReplayServer, Route};
use crate::support::*;

/// What one run printed.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    /// The snapshot text: exit code, stdout, stderr.
    fn transcript(&self) -> String {
        format!(
            "exit: {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// `mcp-auth <args>` in `dir` (also HOME), with extra environment and stdin.
fn run_in(dir: &Path, env: &[(&str, &str)], args: &[&str], stdin: Option<&str>) -> Run {
    let mut cmd = mcp_auth(dir);
    cmd.current_dir(dir).args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    if let Some(s) = stdin {
        cmd.write_stdin(s.to_owned());
    }
    let out = cmd.output().expect("ran");
    Run {
        code: out.status.code().expect("exited normally"),
        stdout: String::from_utf8(out.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("utf-8 stderr"),
    }
}

/// `mcp-auth <args>` from the repository root (paths in outputs stay relative).
fn run_at_root(args: &[&str]) -> Run {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = mcp_auth(home.path());
    let out = cmd.current_dir(root()).args(args).output().expect("ran");
    Run {
        code: out.status.code().expect("exited normally"),
        stdout: String::from_utf8(out.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("utf-8 stderr"),
    }
}

/// The filter for runs against live loopback servers: their ports. (Linux
/// ephemeral ports have five digits, so tables keep their layout.)
fn loopback_settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.add_filter(r"127\.0\.0\.1:\d+", "[LOCALHOST]");
    s
}

/// Also the seconds to a cached token's expiry, counted from now.
fn clock_settings() -> insta::Settings {
    let mut s = loopback_settings();
    s.add_filter(
        r"\b(expires in|expired|exp: in|exp: expired) \d+ s",
        "$1 [N] s",
    );
    s.add_filter(r#""expires_in": -?\d+"#, r#""expires_in": "[N]""#);
    s
}

// --- check --from-evidence ----------------------------------------------------

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
        insta::assert_snapshot!(format!("check_{name}_{format}"), run.transcript());
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
    check_unreachable => "unreachable",
}

// --- matrix --replay ---------------------------------------------------------------

#[test]
fn matrix_replay_in_every_format() {
    let base = [
        "matrix",
        "--providers",
        "tests/fixtures/matrix-record/providers",
        "--replay",
        "tests/fixtures/matrix-record/evidence",
        "--color",
        "never",
    ];
    for format in ["json", "markdown", "junit", "table"] {
        let mut args = base.to_vec();
        args.extend_from_slice(&["--format", format]);
        let run = run_at_root(&args);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(run.stdout.contains("node-oidc-root"), "{}", run.stdout);
        assert_eq!(run.transcript(), run_at_root(&args).transcript());
        insta::assert_snapshot!(format!("matrix_replay_{format}"), run.transcript());
    }
    // One provider without a recording, and a baseline equal to the replay
    // (a copy of the recording in a scratch directory, so paths stay relative).
    let dir = tempfile::tempdir().unwrap();
    for sub in ["providers", "evidence"] {
        let to = dir.path().join(sub);
        std::fs::create_dir(&to).unwrap();
        let from = root().join("tests/fixtures/matrix-record").join(sub);
        for e in std::fs::read_dir(from).unwrap() {
            let p = e.unwrap().path();
            std::fs::copy(&p, to.join(p.file_name().unwrap())).unwrap();
        }
    }
    std::fs::write(
        dir.path().join("providers/not-recorded.toml"),
        "name = \"not recorded\"\nhomepage = \"https://example.com/x\"\ndocs = \"https://example.com/x/docs\"\nkind = \"issuer\"\nurl = \"https://as.example\"\nupdated = \"2026-12-01\"\nsources = [\"tests/it/snapshots.rs\"]\n",
    )
    .unwrap();
    let args = ["matrix", "--providers", "providers", "--replay", "evidence"];
    let json = run_in(
        dir.path(),
        &[],
        &[&args[..], &["--format", "json"]].concat(),
        None,
    );
    assert_eq!(json.code, 0, "{}", json.stderr);
    std::fs::write(dir.path().join("base.json"), &json.stdout).unwrap();
    let run = run_in(
        dir.path(),
        &[],
        &[
            &args[..],
            &["--format", "markdown", "--baseline", "base.json"],
        ]
        .concat(),
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("cannot read"), "{}", run.stdout);
    insta::assert_snapshot!("matrix_replay_unrecorded_and_baseline", run.transcript());
}

// --- signed test tokens ----------------------------------------------------------------

/// An ES256 key (fresh each run: signatures are never shown, only verified).
struct Key {
    pair: rcgen::KeyPair,
}

impl Key {
    fn new() -> Self {
        Self {
            pair: rcgen::KeyPair::generate().unwrap(),
        }
    }

    fn jwks(&self, kid: &str) -> Value {
        let raw = self.pair.public_key_raw();
        let b = |s: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        json!({"keys": [{
            "kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig", "kid": kid,
            "x": b(&raw[1..33]), "y": b(&raw[33..65]),
        }]})
    }

    fn sign(&self, kid: &str, claims: &Value) -> String {
        let mut h = Header::new(Algorithm::ES256);
        h.kid = Some(kid.into());
        h.typ = Some("at+jwt".into());
        jsonwebtoken::encode(
            &h,
            claims,
            &EncodingKey::from_ec_pem(self.pair.serialize_pem().as_bytes()).unwrap(),
        )
        .unwrap()
    }
}

fn b64(v: &Value) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
}

/// A loopback authorization server: RFC 8414 and OIDC metadata, a JWKS, and
/// a userinfo endpoint that answers `userinfo`.
fn authorization_server(jwks: Value, userinfo: Route) -> ReplayServer {
    ReplayServer::start(|origin| {
        let md = json!({
            "issuer": origin,
            "authorization_endpoint": format!("{origin}/authorize"),
            "token_endpoint": format!("{origin}/token"),
            "jwks_uri": format!("{origin}/jwks"),
            "userinfo_endpoint": format!("{origin}/userinfo"),
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["none"],
            "scopes_supported": ["openid", "mcp:tools"],
        });
        vec![
            (
                "/.well-known/oauth-authorization-server".to_owned(),
                Route::json(&md),
            ),
            (
                "/.well-known/openid-configuration".to_owned(),
                Route::json(&md),
            ),
            ("/jwks".to_owned(), Route::json(&jwks)),
            ("/userinfo".to_owned(), userinfo),
        ]
    })
}

// --- token inspect ------------------------------------------------------------------

/// The vectors of src/inspect.rs's unit tests, through the binary: the JWKS
/// comes from a loopback issuer, exp/nbf are judged `--at` a fixed time.
#[test]
fn token_inspect_vectors() {
    const RES: &str = "https://mcp.example/mcp";
    const NOW: u64 = 1_800_000_000;
    let key = Key::new();
    let other = Key::new();
    let server = authorization_server(key.jwks("k1"), Route::raw(404, None, ""));
    let iss = server.origin.clone();
    let claims = |aud: &str, exp: u64| json!({"iss": iss, "aud": aud, "exp": exp, "sub": "alice", "scope": "openid mcp:tools"});
    let good = key.sign("k1", &claims(RES, NOW + 600));
    let mut tampered: Vec<String> = good.split('.').map(str::to_owned).collect();
    tampered[1] = b64(&claims(RES, NOW + 999_999));
    let dead = ClosedPort::bind();
    let dead_iss = dead.origin();
    let mut no_issuer = claims(RES, NOW + 600);
    no_issuer["iss"] = dead_iss.clone().into();
    let mut with_nbf = claims(RES, NOW + 600);
    with_nbf["nbf"] = (NOW + 3600).into();
    let vectors: Vec<(&str, String, Vec<&str>)> = vec![
        ("good", good.clone(), vec!["--require-scope", "mcp:tools"]),
        ("good_no_resource", good.clone(), vec!["--resource", ""]),
        ("expired", key.sign("k1", &claims(RES, NOW - 3600)), vec![]),
        (
            "within_leeway",
            key.sign("k1", &claims(RES, NOW - 30)),
            vec![],
        ),
        (
            "wrong_audience",
            key.sign("k1", &claims("https://other.example", NOW + 600)),
            vec![],
        ),
        ("forged", other.sign("k1", &claims(RES, NOW + 600)), vec![]),
        (
            "unknown_kid",
            key.sign("k2", &claims(RES, NOW + 600)),
            vec![],
        ),
        (
            "missing_scope",
            good.clone(),
            vec!["--require-scope", "admin"],
        ),
        ("not_yet_valid", key.sign("k1", &with_nbf), vec![]),
        (
            "alg_none",
            format!(
                "{}.{}.",
                b64(&json!({"alg": "none"})),
                b64(&claims(RES, NOW + 600))
            ),
            vec![],
        ),
        ("tampered", tampered.join("."), vec![]),
        ("issuer_unreachable", key.sign("k1", &no_issuer), vec![]),
        ("opaque", "opaque-value".to_owned(), vec![]),
    ];
    let dir = tempfile::tempdir().unwrap();
    let at = NOW.to_string();
    for (name, token, extra) in &vectors {
        for format in ["table", "json"] {
            let mut args = vec![
                "token", "inspect", "-", "--at", &at, "--format", format, "--color", "never",
            ];
            if !extra.contains(&"--resource") {
                args.extend_from_slice(&["--resource", RES]);
            }
            args.extend_from_slice(extra);
            let run = run_in(dir.path(), &[], &args, Some(token));
            assert!(
                !run.stdout.contains(token.as_str()),
                "the token was printed"
            );
            let accepted = run.code == 0;
            assert_eq!(
                accepted,
                matches!(*name, "good" | "good_no_resource" | "within_leeway"),
                "{name}: {}{}",
                run.stdout,
                run.stderr
            );
            loopback_settings().bind(|| {
                insta::assert_snapshot!(format!("token_inspect_{name}_{format}"), run.transcript());
            });
        }
    }
    // The cached login's token, when no token is given.
    let home = tempfile::tempdir().unwrap();
    let mut entry = token_entry(&iss, "inspect-client");
    entry.resource = Some(RES.into());
    entry.access_token = Secret::new(good.clone());
    TokenStore::at(home.path().join("tokens"))
        .save(&entry)
        .unwrap();
    let run = run_in(
        home.path(),
        &[("MCP_AUTH_HOME", ".")],
        &["token", "inspect", "--at", &at, "--color", "never"],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stdout.contains(good.as_str()));
    loopback_settings().bind(|| {
        insta::assert_snapshot!("token_inspect_cached_table", run.transcript());
    });
}

// --- token caches: tokens, whoami, call ---------------------------------------------------

/// A cached login with nothing optional set.
fn token_entry(issuer: &str, client_id: &str) -> TokenEntry {
    TokenEntry {
        issuer: issuer.into(),
        client_id: client_id.into(),
        resource: None,
        mcp_url: None,
        token_type: "Bearer".into(),
        access_token: Secret::new("opaque-access-token"),
        refresh_token: None,
        id_token: None,
        scope: None,
        obtained_at: 1_700_000_000,
        expires_at: None,
        token_endpoint: format!("{issuer}/token"),
        userinfo_endpoint: None,
        revocation_endpoint: None,
        jwks_uri: None,
    }
}

/// Far enough ahead that "expires in N s" keeps its number of digits.
const YEAR_2100: u64 = 4_102_444_800;

/// A home directory with `entries` cached; MCP_AUTH_HOME is `.` (relative,
/// so the paths printed are the same on every machine).
fn home_with(entries: &[TokenEntry]) -> (tempfile::TempDir, PathBuf) {
    let home = tempfile::tempdir().unwrap();
    let store = TokenStore::at(home.path().join("tokens"));
    for e in entries {
        store.save(e).unwrap();
    }
    let dir = home.path().to_owned();
    (home, dir)
}

const HOME_ENV: &[(&str, &str)] = &[("MCP_AUTH_HOME", ".")];

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
            insta::assert_snapshot!(format!("tokens_{format}"), run.transcript());
        });
    }
    let (_empty, dir) = home_with(&[]);
    let run = run_in(&dir, HOME_ENV, &["tokens", "--color", "never"], None);
    assert_eq!(run.code, 0);
    insta::assert_snapshot!("tokens_empty_table", run.transcript());
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
    let jwt = |aud: &str| {
        format!(
            "{}.{}.c2lnbmF0dXJl",
            b64(&json!({"alg": "ES256", "typ": "at+jwt", "kid": "k1"})),
            b64(
                &json!({"iss": "https://as.example", "sub": "alice", "aud": aud, "exp": YEAR_2100, "iat": 1_700_000_000, "scope": "openid mcp:tools", "client_id": "who-client"})
            )
        )
    };
    let mut cases: Vec<(&str, TokenEntry)> = Vec::new();
    let mut ok = token_entry("https://as.example", "who-client");
    ok.resource = Some("https://mcp.example/mcp".into());
    ok.access_token = Secret::new(jwt("https://mcp.example/mcp"));
    ok.userinfo_endpoint = Some(format!("{}/userinfo", server.origin));
    cases.push(("jwt_userinfo", ok.clone()));
    let mut other_aud = ok.clone();
    other_aud.access_token = Secret::new(jwt("https://other.example/mcp"));
    cases.push(("jwt_other_audience", other_aud));
    let mut no_resource = ok.clone();
    no_resource.resource = None;
    cases.push(("jwt_no_resource", no_resource));
    let mut refused = ok.clone();
    refused.userinfo_endpoint = Some(format!("{}/userinfo", refusing.origin));
    cases.push(("userinfo_refused_for_resource", refused));
    let opaque = token_entry("https://as.example", "who-client");
    cases.push(("opaque_no_userinfo_endpoint", opaque));
    let mut unreachable = ok.clone();
    let dead = ClosedPort::bind();
    unreachable.userinfo_endpoint = Some(format!("{}/userinfo", dead.origin()));
    cases.push(("userinfo_unreachable", unreachable));
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
                insta::assert_snapshot!(format!("whoami_{name}_{format}"), run.transcript());
            });
        }
    }
    // No login, and two logins with no target.
    let (_empty, dir) = home_with(&[]);
    let run = run_in(&dir, HOME_ENV, &["whoami", "--color", "never"], None);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!("whoami_no_cached_login", run.transcript());
    let (_two, dir) = home_with(&[
        token_entry("https://a.example", "a"),
        token_entry("https://b.example", "b"),
    ]);
    let run = run_in(&dir, HOME_ENV, &["whoami", "--color", "never"], None);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!("whoami_two_cached_logins", run.transcript());
}

/// `call` against the real MCP TypeScript SDK server, which verifies the
/// cached JWT against a loopback issuer's JWKS and requires `mcp:tools`.
#[test]
fn call_renders_tools_results_and_refusals() {
    let key = Key::new();
    let issuer = authorization_server(key.jwks("k1"), Route::raw(404, None, ""));
    let server = McpServer::typescript(&issuer.origin, &["--required-scopes", "mcp:tools"]);
    let entry = |aud: &str, scope: &str| {
        let mut e = token_entry(&issuer.origin, "call-client");
        e.mcp_url = Some(server.url.clone());
        e.resource = Some(server.url.clone());
        e.scope = Some(scope.into());
        e.expires_at = Some(YEAR_2100);
        e.access_token = Secret::new(key.sign(
            "k1",
            &json!({"iss": issuer.origin, "sub": "alice", "aud": aud, "exp": YEAR_2100, "iat": 1_700_000_000, "scope": scope, "client_id": "call-client"}),
        ));
        e
    };
    let good = entry(&server.url, "openid mcp:tools");
    // (name, cached login, arguments, exit code with the table, with JSON)
    let cases: Vec<(&str, TokenEntry, Vec<&str>, i32, i32)> = vec![
        ("list_tools", good.clone(), vec![], 0, 0),
        ("tool_whoami", good.clone(), vec!["whoami"], 0, 0),
        // Today a tool's isError result exits 1 with the table but 0 with JSON.
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
            entry(&server.url, "openid"),
            vec![],
            1,
            1,
        ),
        (
            "wrong_audience",
            entry("https://other.example/mcp", "openid mcp:tools"),
            vec![],
            1,
            1,
        ),
    ];
    for (name, e, extra, want_table, want_json) in &cases {
        let (_home, dir) = home_with(std::slice::from_ref(e));
        for format in ["table", "json"] {
            let mut args = vec!["call", server.url.as_str()];
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
                insta::assert_snapshot!(format!("call_{name}_{format}"), run.transcript());
            });
        }
    }
    // Usage errors and an unreachable server.
    let (_home, dir) = home_with(std::slice::from_ref(&good));
    let run = run_in(
        &dir,
        HOME_ENV,
        &["call", "http://127.0.0.1:1/mcp", "--color", "never"],
        None,
    );
    assert_eq!(run.code, 2);
    loopback_settings().bind(|| insta::assert_snapshot!("call_no_cached_login", run.transcript()));
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
    loopback_settings().bind(|| insta::assert_snapshot!("call_bad_arg", run.transcript()));
    let closed = ClosedPort::bind();
    let dead = format!("{}/mcp", closed.origin());
    let mut gone = good.clone();
    gone.mcp_url = Some(dead.clone());
    gone.resource = Some(dead.clone());
    let (_home, dir) = home_with(&[gone]);
    let run = run_in(&dir, HOME_ENV, &["call", &dead, "--color", "never"], None);
    assert_eq!(run.code, 3, "{}", run.stderr);
    loopback_settings().bind(|| insta::assert_snapshot!("call_unreachable", run.transcript()));
}

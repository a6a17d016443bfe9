//! `token inspect` on signed test vectors and on the cached login's token.

use super::*;

/// The resource the tokens are for.
const RES: &str = "https://mcp.example/mcp";
/// The time exp and nbf are judged at (`--at`).
const NOW: u64 = 1_800_000_000;

/// The claims of a token from `iss` for `aud` that expires at `exp`.
fn claims(iss: &str, aud: &str, exp: u64) -> Value {
    json!({"iss": iss, "aud": aud, "exp": exp, "sub": "alice", "scope": "openid mcp:tools"})
}

/// (name, token, extra arguments): the vectors of src/inspect.rs's unit
/// tests. `key` signs as `k1` for the issuer `iss`; `other` is not its key;
/// `dead_iss` is an issuer that does not answer.
fn vectors(
    key: &Key,
    other: &Key,
    iss: &str,
    dead_iss: &str,
) -> Vec<(&'static str, String, Vec<&'static str>)> {
    let claims = |aud: &str, exp: u64| claims(iss, aud, exp);
    let good = key.sign("k1", &claims(RES, NOW + 600));
    let mut tampered: Vec<String> = good.split('.').map(str::to_owned).collect();
    tampered[1] = b64(&claims(RES, NOW + 999_999));
    let mut no_issuer = claims(RES, NOW + 600);
    no_issuer["iss"] = dead_iss.into();
    let mut with_nbf = claims(RES, NOW + 600);
    with_nbf["nbf"] = (NOW + 3600).into();
    vec![
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
    ]
}

/// The vectors through the binary: the JWKS comes from a loopback issuer,
/// exp/nbf are judged `--at` a fixed time.
#[test]
fn token_inspect_vectors() {
    let key = Key::new();
    let other = Key::new();
    let server = authorization_server(key.jwks("k1"), Route::raw(404, None, ""));
    let dead = ClosedPort::bind();
    let vectors = vectors(&key, &other, &server.origin, &dead.origin());
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
                assert_run(&format!("token_inspect_{name}_{format}"), &run);
            });
        }
    }
}

/// The cached login's token, when no token is given.
#[test]
fn token_inspect_cached_login() {
    let key = Key::new();
    let server = authorization_server(key.jwks("k1"), Route::raw(404, None, ""));
    let iss = server.origin.clone();
    let good = key.sign("k1", &claims(&iss, RES, NOW + 600));
    let at = NOW.to_string();
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
        assert_run("token_inspect_cached_table", &run);
    });
}

/// An opaque token at an issuer without an introspection endpoint: it
/// cannot be judged (exit 3), and the reason is named.
#[test]
fn token_inspect_opaque_without_introspection_endpoint() {
    let key = Key::new();
    let server = authorization_server(key.jwks("k1"), Route::raw(404, None, ""));
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "token",
        "inspect",
        "-",
        "--issuer",
        &server.origin,
        "--client-id",
        "rs",
        "--color",
        "never",
    ];
    let run = run_in(dir.path(), &[], &args, Some("opaque-value"));
    assert_eq!(run.code, 3, "{}{}", run.stdout, run.stderr);
    // Words, whatever the wrapping.
    let words = run.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains("publishes no introspection_endpoint"),
        "{}",
        run.stdout
    );
    assert_eq!(server.hits("POST /introspect"), 0);
    loopback_settings().bind(|| {
        assert_run("token_inspect_opaque_no_introspection_endpoint_table", &run);
    });
}

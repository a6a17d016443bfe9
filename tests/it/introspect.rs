//! `token inspect` of a real provider's opaque token: RFC 7662 introspection
//! by the cached public client and by a confidential client whose secret
//! comes from a file, stdin or the environment (never the command line).
//! Called by `login::browser_login_whoami_tokens_logout`, which logs in first.

use std::path::Path;

use crate::login::the_one_private_token_file;
use crate::support::*;

/// The provider's confidential client that may introspect any token.
pub const RS_CLIENT: &str = "mcp-auth-rs";
pub const RS_SECRET: &str = "rs-secret-for-tests-only";

/// `mcp-auth token inspect <args>` with `stdin` and extra environment.
fn inspect_with(
    home: &Path,
    args: &[&str],
    stdin: &str,
    env: &[(&str, &str)],
) -> (i32, String, String) {
    let mut cmd = mcp_auth(home);
    cmd.env("MCP_AUTH_HOME", home)
        .args([&["token", "inspect"][..], args].concat())
        .write_stdin(stdin.to_owned());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let text = |b: Vec<u8>| String::from_utf8(b).unwrap();
    (
        out.status.code().unwrap(),
        text(out.stdout),
        text(out.stderr),
    )
}

type Run = (i32, String, String);

/// Exit 0, the opaque token introspected as active.
fn accepted((code, out, err): &Run) {
    assert_eq!(*code, 0, "{out}{err}");
    assert!(
        out.contains("Opaque token") && out.contains("active=true") && out.contains("would accept"),
        "{out}"
    );
}

/// The issuer's opaque access token, introspected (RFC 7662) by the cached
/// public client, then by the confidential one with its secret from a file,
/// stdin and the environment; a wrong secret leaves it unknown (exit 3).
/// Everything printed.
pub fn introspect_the_opaque_token(home: &Path, issuer: &str) -> Vec<String> {
    let cached = inspect_with(home, &["--cached", issuer], "", &[]);
    accepted(&cached);
    assert!(
        cached.1.contains("alice"),
        "the introspected claims are shown: {}",
        cached.1
    );
    let token = the_one_private_token_file(home)[0].clone();
    let mut runs = vec![cached];
    runs.extend(with_the_confidential_client(home, issuer, &token));
    runs.extend(refused_and_argv(home, issuer, &token));
    runs.into_iter().flat_map(|(_, o, e)| [o, e]).collect()
}

/// The confidential client's secret from a file, stdin and the environment.
fn with_the_confidential_client(home: &Path, issuer: &str, token: &str) -> Vec<Run> {
    let secret_file = home.join("rs.secret");
    std::fs::write(&secret_file, format!("{RS_SECRET}\n")).unwrap();
    let file = secret_file.to_str().unwrap();
    let rs = ["--issuer", issuer, "--client-id", RS_CLIENT];
    let from_file = inspect_with(
        home,
        &[&["-"][..], &rs, &["--client-secret-file", file]].concat(),
        token,
        &[],
    );
    accepted(&from_file);
    let from_stdin = inspect_with(
        home,
        &[
            &["--cached", issuer][..],
            &rs[2..],
            &["--client-secret-file", "-"],
        ]
        .concat(),
        RS_SECRET,
        &[],
    );
    accepted(&from_stdin);
    let from_env = inspect_with(
        home,
        &[&["-"][..], &rs].concat(),
        token,
        &[("MCP_AUTH_CLIENT_SECRET", RS_SECRET)],
    );
    accepted(&from_env);
    vec![from_file, from_stdin, from_env]
}

/// A wrong secret (unknown, exit 3), stdin asked for twice (exit 2), and the
/// token as an argument (read, with a one-line warning).
fn refused_and_argv(home: &Path, issuer: &str, token: &str) -> Vec<Run> {
    let rs = ["-", "--issuer", issuer, "--client-id", RS_CLIENT];
    let wrong = inspect_with(home, &rs, token, &[("MCP_AUTH_CLIENT_SECRET", "wrong")]);
    assert_eq!(
        wrong.0, 3,
        "a refused introspection says nothing about the token: {}{}",
        wrong.1, wrong.2
    );
    assert!(
        wrong.1.contains("could not introspect")
            && wrong.1.contains("401")
            && wrong.1.contains("cannot be checked offline"),
        "{}",
        wrong.1
    );
    let both = inspect_with(home, &["-", "--client-secret-file", "-"], token, &[]);
    assert_eq!(both.0, 2, "{}", both.2);
    assert!(both.2.contains("both come from stdin"), "{}", both.2);
    // After `--`: an opaque token may start with `-` (base64url), which
    // would otherwise read as a flag.
    let argv = inspect_with(
        home,
        &[
            "--issuer",
            issuer,
            "--client-id",
            "mcp-auth-test",
            "--",
            token,
        ],
        "",
        &[],
    );
    accepted(&argv);
    assert!(
        argv.2.contains("visible to other users") && argv.2.lines().count() == 1,
        "{}",
        argv.2
    );
    vec![wrong, both, argv]
}

//! The token cache under stress: a writer killed mid-write, a permissive
//! umask, and files others can read.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use mcp_auth_net::token_store::{Secret, TokenEntry, TokenStore};

use crate::support::*;

fn entry(n: u64) -> TokenEntry {
    TokenEntry {
        issuer: "https://as.example".into(),
        client_id: "c".into(),
        client_secret: None,
        token_endpoint_auth_method: None,
        registered: false,
        redirect_uri: None,
        resource: None,
        mcp_url: None,
        token_type: "Bearer".into(),
        // A large value makes a torn write likely if writes were not atomic.
        access_token: Secret::new(format!("v{n}-{}", "x".repeat(200_000))),
        dpop_key: None,
        refresh_token: None,
        id_token: None,
        scope: None,
        obtained_at: n,
        expires_at: None,
        token_endpoint: "https://as.example/token".into(),
        userinfo_endpoint: None,
        revocation_endpoint: None,
        jwks_uri: None,
    }
}

/// Run in a child process (see the tests below): save entries in a loop,
/// printing each number, until killed; or once, with WRITER_ONCE.
#[test]
#[ignore = "helper process for the tests in this file"]
fn token_writer_child() {
    let Some(dir) = std::env::var_os("WRITER_DIR") else {
        return;
    };
    let store = TokenStore::at(Path::new(&dir));
    let once = std::env::var_os("WRITER_ONCE").is_some();
    for n in 0.. {
        store.save(&entry(n)).unwrap();
        println!("saved {n}");
        if once {
            return;
        }
    }
}

fn child(dir: &Path, once: bool, umask: Option<&str>) -> Command {
    let exe = std::env::current_exe().unwrap();
    let mut cmd = match umask {
        Some(m) => {
            let mut c = Command::new("sh");
            c.arg("-c")
                .arg(format!("umask {m} && exec \"$0\" \"$@\""))
                .arg(exe);
            c
        }
        None => Command::new(exe),
    };
    cmd.args([
        "--exact",
        "token_cache::token_writer_child",
        "--ignored",
        "--nocapture",
        "--test-threads=1",
    ])
    .env("WRITER_DIR", dir)
    .stdout(Stdio::piped());
    if once {
        cmd.env("WRITER_ONCE", "1");
    }
    cmd
}

#[test]
fn a_writer_killed_mid_write_leaves_a_whole_file() {
    let dir = tempfile::tempdir().unwrap();
    let tokens = dir.path().join("tokens");
    let mut writer = child(&tokens, false, None).spawn().unwrap();
    let mut lines = BufReader::new(writer.stdout.take().unwrap()).lines();
    // Let it write a few dozen times, then kill it without warning.
    let mut last = 0;
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(n) = line.strip_prefix("saved ") {
            last = n.parse().unwrap();
            if last >= 40 {
                break;
            }
        }
    }
    writer.kill().unwrap();
    writer.wait().unwrap();
    let store = TokenStore::at(&tokens);
    let listed = store.list();
    assert_eq!(
        listed.len(),
        1,
        "one cache file, temporary files are not entries"
    );
    let e = listed[0].1.as_ref().expect("the file is whole and valid");
    assert!(
        e.obtained_at >= last,
        "the newest completed write (or a later one) is there"
    );
    assert_eq!(
        e.access_token.expose().len(),
        entry(e.obtained_at).access_token.expose().len()
    );
}

#[cfg(unix)]
#[test]
fn a_permissive_umask_still_gives_0600() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let tokens = dir.path().join("tokens");
    let out = child(&tokens, true, Some("000")).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let files: Vec<_> = std::fs::read_dir(&tokens)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1);
    assert_eq!(
        std::fs::metadata(&files[0]).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert_eq!(
        std::fs::metadata(&tokens).unwrap().permissions().mode() & 0o777,
        0o700
    );
}

#[cfg(unix)]
#[test]
fn a_cache_file_others_can_read_is_reported_not_used() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().unwrap();
    let store = TokenStore::at(home.path().join("tokens"));
    let path = store.save(&entry(1)).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = mcp_auth(home.path())
        .env("MCP_AUTH_HOME", home.path())
        .arg("tokens")
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("readable by others"), "{stdout}");
    assert!(!stdout.contains("v1-xxx"), "no token value");
    let out = mcp_auth(home.path())
        .env("MCP_AUTH_HOME", home.path())
        .arg("whoami")
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("readable by others") && stderr.contains("chmod 600"),
        "{stderr}"
    );
}

#[test]
fn refresh_shows_the_token_only_when_asked_and_logout_of_nothing_is_fine() {
    use crate::support::replay::{ReplayServer, Route};
    let server = ReplayServer::start(|_| {
        let tokens = serde_json::json!({
            "access_token": "at-refreshed", "token_type": "Bearer", "expires_in": 3600
        });
        vec![("POST /token".to_owned(), Route::json(&tokens))]
    });
    let home = tempfile::tempdir().unwrap();
    let store = TokenStore::at(home.path().join("tokens"));
    let mut e = entry(1);
    e.issuer = server.origin.clone();
    e.token_endpoint = format!("{}/token", server.origin);
    e.refresh_token = Some(Secret::new("rt-1"));
    store.save(&e).unwrap();
    let run = |args: &[&str]| {
        let out = mcp_auth(home.path())
            .env("MCP_AUTH_HOME", home.path())
            .args(args)
            .output()
            .unwrap();
        let text = |b: Vec<u8>| String::from_utf8(b).unwrap();
        (
            out.status.code().unwrap(),
            text(out.stdout),
            text(out.stderr),
        )
    };
    let (code, out, err) = run(&["login", &server.origin, "--refresh"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("Refreshed the token") && !out.contains("at-refreshed"),
        "{out}"
    );
    let (code, out, err) = run(&["login", &server.origin, "--refresh", "--show-token"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("at-refreshed"),
        "--show-token prints it: {out}"
    );
    let (code, out, _) = run(&[
        "login",
        &server.origin,
        "--refresh",
        "--show-token",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["access_token"], "at-refreshed");
    assert_eq!(doc["schema_version"], 1);
    // Logging out twice: the second has nothing to do, and that is not an error.
    assert_eq!(run(&["logout", &server.origin]).0, 0);
    let (code, _, err) = run(&["logout", &server.origin]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("nothing to log out of"), "{err}");
}

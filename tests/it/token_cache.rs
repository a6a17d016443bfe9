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
        grant: None,
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
    // The report wraps at the terminal width: compare words, not lines.
    let words = stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains("is readable by others (mode 644)"),
        "{stdout}"
    );
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
    crate::schemas::assert_valid("login", "login --refresh --format json", &doc);
    // Logging out twice: the second has nothing to do, and that is not an error.
    assert_eq!(run(&["logout", &server.origin]).0, 0);
    let (code, _, err) = run(&["logout", &server.origin]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("nothing to log out of"), "{err}");
}

// --- the entry lock across processes ----------------------------------------------------

/// Run in a child process: LOCK_ROUNDS times lock the entry, read its
/// counter (`obtained_at`), save it incremented; or, with LOCK_HOLD, lock it,
/// say "locked" and hold it until killed.
#[test]
#[ignore = "helper process for the tests in this file"]
fn token_locker_child() {
    let Some(dir) = std::env::var_os("LOCK_DIR") else {
        return;
    };
    let store = TokenStore::at(Path::new(&dir));
    let e = entry(0);
    let path = store.path_for(&e.issuer, &e.client_id, None);
    if std::env::var_os("LOCK_HOLD").is_some() {
        let _lock = store.lock(&path).unwrap();
        println!("locked");
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).unwrap();
        return;
    }
    let rounds: u64 = std::env::var("LOCK_ROUNDS").unwrap().parse().unwrap();
    for _ in 0..rounds {
        let lock = store.lock(&path).unwrap();
        let n = lock.load().unwrap().expect("saved first").obtained_at;
        lock.save(&entry(n + 1)).unwrap();
    }
}

fn locker(dir: &Path) -> Command {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([
        "--exact",
        "token_cache::token_locker_child",
        "--ignored",
        "--nocapture",
        "--test-threads=1",
    ])
    .env("LOCK_DIR", dir);
    cmd
}

#[test]
fn processes_updating_one_entry_under_its_lock_lose_no_update() {
    const PROCESSES: u64 = 4;
    const ROUNDS: u64 = 15;
    let dir = tempfile::tempdir().unwrap();
    let tokens = dir.path().join("tokens");
    let store = TokenStore::at(&tokens);
    let path = store.save(&entry(0)).unwrap();
    let children: Vec<_> = (0..PROCESSES)
        .map(|_| {
            locker(&tokens)
                .env("LOCK_ROUNDS", ROUNDS.to_string())
                .stdout(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    let last = TokenStore::load(&path).expect("a whole, valid file");
    assert_eq!(last.obtained_at, PROCESSES * ROUNDS, "an update was lost");
    assert_eq!(last, entry(PROCESSES * ROUNDS));
    assert_eq!(store.list().len(), 1);
}

#[test]
fn a_lock_holder_that_dies_releases_the_lock() {
    let dir = tempfile::tempdir().unwrap();
    let tokens = dir.path().join("tokens");
    let mut holder = locker(&tokens)
        .env("LOCK_HOLD", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(holder.stdout.take().unwrap()).lines();
    // (libtest may print its own "test … " before the line.)
    assert!(lines.any(|l| l.unwrap().ends_with("locked")));
    let store = TokenStore::at(&tokens);
    let path = store.path_for("https://as.example", "c", None);
    let busy = store.lock_waiting(&path, std::time::Duration::ZERO);
    assert!(busy.is_err(), "the child holds the lock");
    holder.kill().unwrap();
    holder.wait().unwrap();
    // Killed without cleaning up: the OS released the lock.
    let lock = store
        .lock_waiting(&path, std::time::Duration::from_secs(5))
        .expect("the lock of a dead process is free");
    lock.save(&entry(1)).unwrap();
    drop(lock);
    assert_eq!(store.list().len(), 1);
}

#[test]
fn two_refreshes_at_once_wait_for_each_other_and_refresh_once() {
    use crate::support::replay::{ReplayServer, Route};
    let server = ReplayServer::start(|_| {
        let tokens = serde_json::json!({
            "access_token": "at-refreshed", "refresh_token": "rt-2",
            "token_type": "Bearer", "expires_in": 3600
        });
        vec![("POST /token".to_owned(), Route::json(&tokens))]
    });
    let home = tempfile::tempdir().unwrap();
    let store = TokenStore::at(home.path().join("tokens"));
    let mut e = entry(1);
    e.issuer = server.origin.clone();
    e.token_endpoint = format!("{}/token", server.origin);
    e.refresh_token = Some(Secret::new("rt-1"));
    e.expires_at = Some(1);
    let path = store.save(&e).unwrap();
    // Both commands read the expired entry, then wait for the lock held here.
    let held = store.lock(&path).unwrap();
    let (tx, waiting) = std::sync::mpsc::channel();
    let refreshes: Vec<_> = (0..2)
        .map(|_| {
            let mut child = Command::new(assert_cmd::cargo::cargo_bin("mcp-auth"))
                .env_clear()
                .env("HOME", home.path())
                .env("MCP_AUTH_HOME", home.path())
                .args(["login", &server.origin, "--refresh", "-v"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            let stderr = BufReader::new(child.stderr.take().unwrap());
            let tx = tx.clone();
            let log = std::thread::spawn(move || {
                let mut all = String::new();
                for line in stderr.lines() {
                    let line = line.unwrap();
                    if line.contains("waiting for the lock") {
                        tx.send(()).unwrap();
                    }
                    all.push_str(&line);
                    all.push('\n');
                }
                all
            });
            (child, log)
        })
        .collect();
    for _ in 0..2 {
        waiting
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("each refresh waits for the lock");
    }
    drop(held);
    for (child, log) in refreshes {
        let out = child.wait_with_output().unwrap();
        let err = log.join().unwrap();
        assert!(out.status.success(), "{err}");
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert!(stdout.contains("Refreshed the token"), "{stdout}");
    }
    assert_eq!(
        server.hits("POST /token"),
        1,
        "the second command used the first's new token"
    );
    let saved = TokenStore::load(&path).unwrap();
    assert_eq!(saved.access_token.expose(), "at-refreshed");
    assert_eq!(
        saved.refresh_token.as_ref().map(Secret::expose),
        Some("rt-2")
    );
}

//! Progress on stderr: a spinner saying what is being waited for when stderr
//! is a terminal (a pseudo-terminal from `script`), nothing when it is piped.

use std::process::Command;

use crate::support::drip::{Slow, SlowServer};
use crate::support::*;

#[test]
fn piped_stderr_has_no_spinner() {
    for mode in [Slow::Drip, Slow::Hang] {
        let server = SlowServer::start(mode);
        let url = format!("{}/mcp", server.origin());
        let (code, stdout, stderr) = run(&["check", &url, "--timeout", "1"]);
        assert_eq!(code, 3, "{mode:?}: {stdout}\n{stderr}");
        assert!(!stderr.contains('\u{1b}'), "escape codes in {stderr:?}");
        assert!(!stderr.contains('\r'), "carriage returns in {stderr:?}");
        assert!(!stderr.contains("discovering"), "{stderr:?}");
        assert!(!stderr.contains("waiting for"), "{stderr:?}");
        assert!(!stdout.contains('\u{1b}'), "escape codes in {stdout:?}");
    }
}

#[test]
fn a_terminal_sees_what_is_waited_for() {
    let server = SlowServer::start(Slow::Drip);
    let url = format!("{}/mcp", server.origin());
    let bin = assert_cmd::cargo::cargo_bin("mcp-auth");
    let home = tempfile::tempdir().unwrap();
    let command = format!("'{}' check '{url}' --timeout 1", bin.display());
    // `script` runs the command on a pseudo-terminal and copies what it
    // printed (stdout and stderr) to our stdout.
    let out = match Command::new("script")
        .args(["-q", "-e", "-c", &command, "/dev/null"])
        .env_clear()
        .env("HOME", home.path())
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("TERM", "xterm")
        .env("COLUMNS", "200")
        .output()
    {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            eprintln!("`script` (util-linux) is not installed: the terminal side is not tested");
            return;
        }
        Err(e) => panic!("script: {e}"),
    };
    let seen = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(3), "{seen}");
    assert!(
        seen.contains(&format!("discovering {}/.well-known/", server.origin())),
        "{seen}"
    );
}

//! Test support: the binary under test, real peers and the replay server.
//! Everything listens on 127.0.0.1 with an ephemeral port.

pub mod drip;
pub mod hostile;
pub mod login;
pub mod peer;
pub mod registry;
pub mod replay;
pub mod tls;

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A recorded fixture, as text.
pub fn fixture(name: &str) -> String {
    let path = root().join("tests/fixtures").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `mcp-auth` with a clean environment: no colour variables, no RUST_LOG,
/// HOME in a scratch directory.
pub fn mcp_auth(home: &Path) -> Command {
    let mut cmd = Command::cargo_bin("mcp-auth").expect("binary built");
    cmd.env_clear()
        .env("HOME", home)
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .timeout(std::time::Duration::from_secs(60));
    cmd
}

/// Run `mcp-auth`, returning (exit code, stdout, stderr).
pub fn run(args: &[&str]) -> (i32, String, String) {
    run_for(std::time::Duration::from_secs(60), args)
}

/// [`run`] with a longer (or shorter) limit than the default minute.
pub fn run_for(limit: std::time::Duration, args: &[&str]) -> (i32, String, String) {
    let home = tempfile::tempdir().expect("tempdir");
    let out = mcp_auth(home.path())
        .args(args)
        .timeout(limit)
        .output()
        .expect("ran");
    (
        out.status.code().expect("exited normally"),
        String::from_utf8(out.stdout).expect("utf-8 stdout"),
        String::from_utf8(out.stderr).expect("utf-8 stderr"),
    )
}

/// Run `check … --format json` and parse the report.
pub fn check_json(args: &[&str]) -> (i32, serde_json::Value, String) {
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    let (code, stdout, stderr) = run(&all);
    let report: serde_json::Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{stdout}\nstderr:\n{stderr}"));
    (code, report, stderr)
}

/// The status of a check id in a JSON report.
pub fn status(report: &serde_json::Value, id: &str) -> String {
    report["checks"]
        .as_array()
        .expect("checks array")
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no check {id} in report"))["status"]
        .as_str()
        .expect("status string")
        .to_owned()
}

/// The detail of a check id in a JSON report (its first finding).
pub fn detail_of(report: &serde_json::Value, id: &str) -> String {
    report["checks"]
        .as_array()
        .expect("checks array")
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no check {id} in report"))["detail"]
        .as_str()
        .expect("detail string")
        .to_owned()
}

/// Assert several statuses at once, showing the whole report on failure.
pub fn assert_statuses(report: &serde_json::Value, expected: &[(&str, &str)]) {
    let wrong: Vec<String> = expected
        .iter()
        .filter(|(id, st)| status(report, id) != *st)
        .map(|(id, st)| format!("{id}: expected {st}, got {}", status(report, id)))
        .collect();
    assert!(
        wrong.is_empty(),
        "{wrong:#?}\nreport: {}",
        serde_json::to_string_pretty(&report["checks"]).unwrap()
    );
}

/// Whether a named client works, from a JSON report.
pub fn client_works(report: &serde_json::Value, prefix: &str) -> bool {
    report["discovery"]["clients"]
        .as_array()
        .expect("clients")
        .iter()
        .find(|c| c["client"].as_str().unwrap().starts_with(prefix))
        .unwrap_or_else(|| panic!("no client {prefix}"))["works"]
        .as_bool()
        .unwrap()
}

/// Whether a named client gets through end to end, from an MCP server's JSON report.
pub fn resource_client_works(report: &serde_json::Value, prefix: &str) -> bool {
    report["resource"]["clients"]
        .as_array()
        .expect("resource clients")
        .iter()
        .find(|c| c["client"].as_str().unwrap().starts_with(prefix))
        .unwrap_or_else(|| panic!("no client {prefix}"))["works"]
        .as_bool()
        .unwrap()
}

/// A loopback port that refuses connections for as long as this lives: bound,
/// so no other server in the test binary can be given it, but never listening.
/// (Binding a listener and dropping it frees the port for the next peer.)
pub struct ClosedPort {
    _socket: socket2::Socket,
    pub port: u16,
}

impl ClosedPort {
    pub fn bind() -> Self {
        use socket2::{Domain, Protocol, Socket, Type};
        let socket = Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP)).unwrap();
        let any: std::net::SocketAddr = "127.0.0.1:0".parse().unwrap();
        socket.bind(&any.into()).unwrap();
        let port = socket.local_addr().unwrap().as_socket().unwrap().port();
        Self {
            _socket: socket,
            port,
        }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

/// Exactly one `error:` line on stderr, containing `needle`; no panic.
pub fn one_error(stderr: &str, needle: &str) {
    assert!(!stderr.contains("panicked"), "{stderr}");
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("error: "))
        .collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(
        errors[0].contains(needle),
        "{:?} lacks {needle:?}",
        errors[0]
    );
}

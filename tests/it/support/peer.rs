//! Real peers on 127.0.0.1, each a child process that prints one JSON line
//! when it listens and exits when its stdin closes: node-oidc-provider, the
//! MCP TypeScript SDK servers (v1, and v2's 2026-07-28 one), and the Python
//! SDK / mcpauth servers.
//!
//! A peer's stderr, and its stdout after the ready line, go to a log file
//! under the target directory (`target/tmp/peer-logs/`), not to the test
//! output: the log is printed only when the test using the peer fails (the
//! peer is dropped while the test panics) or when the peer does not start.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

pub struct Peer {
    child: Child,
    /// Held open: the peer exits when its stdin closes.
    _stdin: ChildStdin,
    /// The line it printed when ready.
    pub ready: serde_json::Value,
    /// Its stderr and the rest of its stdout.
    log: PeerLog,
}

/// A peer's log file; [`PeerLog::dump`] prints it on stderr (captured by
/// the test harness and shown with the failing test).
struct PeerLog {
    path: PathBuf,
}

impl PeerLog {
    fn create(script: &Path) -> (Self, File) {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("peer-logs");
        std::fs::create_dir_all(&dir).expect("create the peer log directory");
        let stem = script
            .file_stem()
            .map_or_else(|| "peer".to_owned(), |s| s.to_string_lossy().into_owned());
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = dir.join(format!("{stem}-{}-{n}.log", std::process::id()));
        let file = OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(true)
            .open(&path)
            .unwrap_or_else(|e| panic!("create {}: {e}", path.display()));
        (Self { path }, file)
    }

    /// The log's text, with a header naming the file.
    fn text(&self) -> String {
        let body = std::fs::read_to_string(&self.path).unwrap_or_default();
        format!(
            "--- peer log {} ---\n{body}--- end of peer log ---",
            self.path.display()
        )
    }

    fn dump(&self) {
        eprintln!("{}", self.text());
    }
}

impl Peer {
    /// Start a peer and read its first stdout line (a JSON object). A peer
    /// that has not said it is ready within 60 s is killed and started once
    /// more (Node 20 can deadlock in key generation at start-up); a second
    /// silence fails the test, naming the script, instead of hanging it.
    fn start(program: PathBuf, script: PathBuf, args: &[&str]) -> Self {
        for attempt in 1..=2 {
            if let Some(peer) = Self::try_start(&program, &script, args) {
                return peer;
            }
            eprintln!(
                "{} did not start within 60 s (attempt {attempt}); killed",
                script.display()
            );
        }
        panic!("{} did not start within 60 s, twice", script.display());
    }

    fn try_start(program: &PathBuf, script: &PathBuf, args: &[&str]) -> Option<Self> {
        let (log, file) = PeerLog::create(script);
        let mut rest = file.try_clone().expect("clone the peer log handle");
        let mut child = Command::new(program)
            .arg(script)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(file)
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", program.display()));
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let read = reader.read_line(&mut line);
            let _ = tx.send(read.map(|_| line));
            // Whatever it prints later goes to the log (and never fills the pipe).
            let _ = std::io::copy(&mut reader, &mut rest);
        });
        let Ok(read) = rx.recv_timeout(std::time::Duration::from_secs(60)) else {
            let _ = child.kill();
            let _ = child.wait();
            log.dump();
            return None;
        };
        let line = read.expect("read the peer's first line");
        let ready: serde_json::Value = serde_json::from_str(&line).unwrap_or_else(|e| {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{} did not start ({e}); it printed {line:?}\n{}",
                script.display(),
                log.text()
            )
        });
        Some(Self {
            child,
            _stdin: stdin,
            ready,
            log,
        })
    }

    fn field(&self, name: &str) -> String {
        self.ready[name].as_str().expect(name).to_owned()
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            self.log.dump();
        }
    }
}

fn peers_dir() -> PathBuf {
    super::root().join("tests/peers")
}

fn node_script(name: &str) -> (PathBuf, PathBuf) {
    let dir = peers_dir();
    assert!(
        dir.join("node_modules/oidc-provider").exists(),
        "the Node peers are not installed: run `npm ci --prefix tests/peers`"
    );
    (PathBuf::from("node"), dir.join(name))
}

/// node-oidc-provider (npm `oidc-provider`).
pub struct OidcProvider {
    _peer: Peer,
    pub issuer: String,
}

impl OidcProvider {
    pub fn start(args: &[&str]) -> Self {
        let (node, script) = node_script("oidc-provider.mjs");
        let peer = Peer::start(node, script, args);
        Self {
            issuer: peer.field("issuer"),
            _peer: peer,
        }
    }

    /// With dynamic registration, under `/oidc`, accepting any loopback MCP
    /// server as a resource.
    pub fn for_mcp() -> Self {
        Self::start(&[
            "--path",
            "/oidc",
            "--registration",
            "--resource-any-loopback",
        ])
    }
}

/// An MCP server protected by OAuth.
pub struct McpServer {
    _peer: Peer,
    pub url: String,
}

impl McpServer {
    /// The MCP TypeScript SDK's server (`tests/peers/mcp-ts-server.mjs`).
    pub fn typescript(issuer: &str, args: &[&str]) -> Self {
        let (node, script) = node_script("mcp-ts-server.mjs");
        let mut all = vec!["--issuer", issuer];
        all.extend_from_slice(args);
        Self::from(Peer::start(node, script, &all))
    }

    /// The MCP TypeScript SDK v2's 2026-07-28 server
    /// (`tests/peers/mcp-ts-v2-server.mjs`: `createMcpHandler`, stateless).
    pub fn typescript_v2(issuer: &str, args: &[&str]) -> Self {
        let (node, script) = node_script("mcp-ts-v2-server.mjs");
        let mut all = vec!["--issuer", issuer];
        all.extend_from_slice(args);
        Self::from(Peer::start(node, script, &all))
    }

    /// A Python server (`tests/peers/python/<script>`): `fastmcp_server.py`
    /// (the `mcp` SDK) or `mcpauth_server.py` (Logto's mcpauth).
    pub fn python(script: &str, issuer: &str) -> Self {
        let dir = peers_dir().join("python");
        let python = dir.join(".venv/bin/python");
        assert!(
            python.exists(),
            "the Python peers are not installed: run `bash tests/peers/python/install.sh`"
        );
        Self::from(Peer::start(python, dir.join(script), &["--issuer", issuer]))
    }

    fn from(peer: Peer) -> Self {
        Self {
            url: peer.field("url"),
            _peer: peer,
        }
    }
}

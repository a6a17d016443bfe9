//! node-oidc-provider (npm `oidc-provider`, pinned in tests/peers) as a real
//! authorization server on 127.0.0.1.

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdin, Command, Stdio};

pub struct OidcProvider {
    child: Child,
    /// Held open: the peer exits when its stdin closes.
    _stdin: ChildStdin,
    pub issuer: String,
}

impl OidcProvider {
    /// Start the peer with the given flags and wait for its "listening" line.
    pub fn start(args: &[&str]) -> Self {
        let dir = super::root().join("tests/peers");
        assert!(
            dir.join("node_modules/oidc-provider").exists(),
            "oidc-provider is not installed: run `npm ci --prefix tests/peers`"
        );
        let mut child = Command::new("node")
            .arg(dir.join("oidc-provider.mjs"))
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start node (is Node.js installed?)");
        let stdin = child.stdin.take().expect("stdin");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("read the peer's first line");
        let ready: serde_json::Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("peer did not start ({e}); it printed {line:?}"));
        Self {
            issuer: ready["issuer"].as_str().expect("issuer").to_owned(),
            child,
            _stdin: stdin,
        }
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

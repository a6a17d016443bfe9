//! Driving `mcp-auth login --no-browser`: read the authorization URL it
//! prints, then complete the login in headless Chromium or send a forged
//! callback.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;

/// A running `mcp-auth login`.
pub struct LoginRun {
    child: Child,
    /// stderr lines after the URL (collected on a thread).
    rest: mpsc::Receiver<String>,
    pub url: url::Url,
    pub stderr_head: String,
}

impl LoginRun {
    /// Start `mcp-auth login <args> --no-browser` with `MCP_AUTH_HOME=home`
    /// and wait for the authorization URL.
    pub fn start(home: &Path, args: &[&str]) -> Self {
        Self::start_command(home, "login", args)
    }

    /// The same for another command that may authorize (`call`).
    pub fn start_command(home: &Path, command: &str, args: &[&str]) -> Self {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("mcp-auth"))
            .arg(command)
            .args(args)
            .arg("--no-browser")
            .env_clear()
            .env("HOME", home)
            .env("MCP_AUTH_HOME", home)
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start mcp-auth login");
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let mut head = String::new();
        let url = loop {
            let line = lines
                .next()
                .unwrap_or_else(|| panic!("login ended before printing a URL:\n{head}"))
                .unwrap();
            head.push_str(&line);
            head.push('\n');
            if let Some(u) = line
                .trim()
                .strip_prefix("http")
                .filter(|u| u.contains("response_type=code"))
            {
                break url::Url::parse(&format!("http{u}")).unwrap();
            }
        };
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        Self {
            child,
            rest: rx,
            url,
            stderr_head: head,
        }
    }

    /// The next authorization URL the command prints (a second authorization).
    pub fn next_url(&mut self) -> url::Url {
        loop {
            let line = self
                .rest
                .recv_timeout(std::time::Duration::from_secs(60))
                .unwrap_or_else(|_| panic!("no second URL:\n{}", self.stderr_head));
            self.stderr_head.push_str(&line);
            self.stderr_head.push('\n');
            if let Some(u) = line
                .trim()
                .strip_prefix("http")
                .filter(|u| u.contains("response_type=code"))
            {
                return url::Url::parse(&format!("http{u}")).unwrap();
            }
        }
    }

    /// A query parameter of the authorization URL.
    pub fn param(&self, name: &str) -> String {
        self.url
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
            .unwrap_or_else(|| panic!("no {name} in {}", self.url))
    }

    /// Wait for the process: (exit code, stdout, all of stderr).
    pub fn finish(mut self) -> (i32, String, String) {
        let mut stdout = String::new();
        self.child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut stdout)
            .unwrap();
        let status = self.child.wait().unwrap();
        let mut stderr = self.stderr_head;
        for line in self.rest.iter() {
            stderr.push_str(&line);
            stderr.push('\n');
        }
        (status.code().unwrap_or(-1), stdout, stderr)
    }
}

/// Complete the login in headless Chromium (tests/peers/browser-login.mjs).
pub fn browser_login(url: &url::Url, login: &str) -> serde_json::Value {
    browser(url, &["--login", login])
}

/// Open the authorization URL in headless Chromium, expecting the
/// provider's error page instead of the redirect (`--expect-error`): the
/// page's JSON (`final_url`, `status`, `text`, `error_page`).
pub fn browser_error_page(url: &url::Url) -> serde_json::Value {
    browser(url, &["--expect-error"])
}

fn browser(url: &url::Url, args: &[&str]) -> serde_json::Value {
    let out = Command::new("node")
        .arg(super::root().join("tests/peers/browser-login.mjs"))
        .arg(url.as_str())
        .args(args)
        .output()
        .expect("run node browser-login.mjs");
    assert!(
        out.status.success(),
        "browser login failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("browser-login prints JSON")
}

/// GET a URL on loopback with a raw HTTP/1.1 request: (status, body), or
/// None when nothing listens.
pub fn raw_get(url: &str) -> Option<(u16, String)> {
    let u = url::Url::parse(url).unwrap();
    let mut stream =
        std::net::TcpStream::connect((u.host_str().unwrap(), u.port().unwrap())).ok()?;
    let target = match u.query() {
        Some(q) => format!("{}?{q}", u.path()),
        None => u.path().to_owned(),
    };
    write!(
        stream,
        "GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut resp = String::new();
    stream.read_to_string(&mut resp).ok()?;
    let status = resp.split(' ').nth(1)?.parse().ok()?;
    let body = resp
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    Some((status, body))
}

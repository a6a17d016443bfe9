//! The live checks CIMD-LIVE, ISS-RESPONSE, STATE-ECHO and TOK-PKCE-VERIFIED
//! against a real authorization server that passes or fails each:
//! node-oidc-provider in its opt-in modes (`--cimd`, `--ignore-pkce`,
//! `--response-iss`, `--response-state`), the MCP TypeScript SDK server, and
//! headless Chromium. A refused authorization response gets no token and
//! exits 1, and no evidence holds a code, state or verifier.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::check_live::{assert_no_secrets, provider};
use crate::support::login::{browser_error_page, browser_login, LoginRun};
use crate::support::peer::{McpServer, OidcProvider};
use crate::support::tls::TlsServer;
use crate::support::*;

/// A finished `check --login` run.
struct Checked {
    code: i32,
    report: Value,
    stderr: String,
    evidence: String,
    /// The client id of the (first) authorization URL.
    client_id: String,
    /// What the browser saw at the end of each authorization.
    pages: Vec<Value>,
    /// What the evidence must not hold: each state sent, each code delivered.
    secrets: Vec<String>,
    took: Duration,
}

fn param(url: &url::Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

fn alice(url: &url::Url) -> Value {
    browser_login(url, "alice")
}

/// `check <url> --login --format json --save-evidence` with `args`, each
/// authorization (two with `--intrusive`) completed by `browse`.
fn check(dir: &Path, url: &str, args: &[&str], browse: fn(&url::Url) -> Value) -> Checked {
    let started = Instant::now();
    let evidence = dir.join("evidence.json");
    let ev = evidence.display().to_string();
    let mut all = vec![url, "--login", "--format", "json", "--save-evidence", &ev];
    all.extend_from_slice(args);
    let mut run = LoginRun::start_command(dir, "check", &all);
    let mut urls = vec![run.url.clone()];
    let mut pages = vec![browse(&run.url)];
    if args.contains(&"--intrusive") {
        urls.push(run.next_url());
        pages.push(browse(&urls[1]));
    }
    let client_id = run.param("client_id");
    let (code, stdout, stderr) = run.finish();
    let report: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}\n{stderr}"));
    let mut secrets: Vec<String> = urls.iter().filter_map(|u| param(u, "state")).collect();
    secrets.extend(pages.iter().filter_map(|p| {
        let landed = url::Url::parse(p["final_url"].as_str()?).ok()?;
        param(&landed, "code")
    }));
    Checked {
        code,
        report,
        stderr,
        evidence: std::fs::read_to_string(&evidence).unwrap(),
        client_id,
        pages,
        secrets,
        took: started.elapsed(),
    }
}

impl Checked {
    fn assert_no_secrets(&self, token_log: &Path) {
        let extra: Vec<&str> = self.secrets.iter().map(String::as_str).collect();
        assert!(!extra.is_empty());
        assert_no_secrets(&self.evidence, token_log, &extra);
    }

    /// The story's step `name`: (verdict, deciding check).
    fn step(&self, name: &str) -> (String, String) {
        let s = self.report["story"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["step"] == name)
            .unwrap_or_else(|| panic!("no step {name}"));
        let text = |k: &str| s[k].as_str().unwrap_or_default().to_owned();
        (text("verdict"), text("check"))
    }
}

/// The `client_id` of mcp-auth's own published document (its URL).
fn own_document_url() -> String {
    let doc: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("docs/client-metadata.json")).unwrap(),
    )
    .unwrap();
    doc["client_id"].as_str().unwrap().to_owned()
}

/// A document served at a URL it does not name (its client_id differs).
const BROKEN: &str = r#"{"client_id":"https://127.0.0.1/not-this-url.json","client_name":"broken","redirect_uris":["http://127.0.0.1/callback"],"grant_types":["authorization_code"],"response_types":["code"],"token_endpoint_auth_method":"none","application_type":"native"}"#;

/// The provider's port (its issuer is http://127.0.0.1:PORT/oidc).
fn port_of(issuer: &str) -> u16 {
    url::Url::parse(issuer).unwrap().port().unwrap()
}

#[test]
fn cimd_live_passes_with_mcp_auths_own_document() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("tokens.log");
    let docs = tempfile::tempdir().unwrap();
    let provider = provider(&log, &["--cimd", docs.path().to_str().unwrap()]);
    let server = McpServer::typescript(&provider.issuer, &[]);
    let c = check(dir.path(), &server.url, &[], alice);
    assert_statuses(
        &c.report,
        &[
            ("CIMD-LIVE", "pass"),
            ("ISS-RESPONSE", "pass"),
            ("STATE-ECHO", "pass"),
            ("RS-ACCEPTS-TOKEN", "pass"),
            ("TOK-PKCE-VERIFIED", "skip"),
        ],
    );
    let own = own_document_url();
    // No --client-id: the document URL was the login's client id.
    assert_eq!(c.client_id, own);
    let cimd = detail_of(&c.report, "CIMD-LIVE");
    assert!(cimd.contains(&own), "{cimd}");
    let ev: Value = serde_json::from_str(&c.evidence).unwrap();
    assert_eq!(ev["live"]["client_id"], own.as_str());
    c.assert_no_secrets(&log);
}

#[test]
fn cimd_live_fails_when_the_provider_refuses_the_document() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("tokens.log");
    let docs = tempfile::tempdir().unwrap();
    std::fs::write(docs.path().join("broken.json"), BROKEN).unwrap();
    let provider = provider(&log, &["--cimd", docs.path().to_str().unwrap()]);
    let server = McpServer::typescript(&provider.issuer, &[]);
    // On the provider's own (plain http) port: mcp-auth's own GET of it
    // fails TLS, on loopback, and leaves the check to the provider.
    let id = format!(
        "https://127.0.0.1:{}/broken.json",
        port_of(&provider.issuer)
    );
    let args = ["--client-metadata-url", &id, "--login-timeout", "2"];
    let c = check(dir.path(), &server.url, &args, browser_error_page);
    assert_eq!(c.client_id, id);
    let page = &c.pages[0];
    assert_eq!(page["error_page"], true, "{page}");
    let text = page["text"].as_str().unwrap();
    assert!(
        text.contains("invalid_client_metadata") && text.contains("does not match"),
        "{text}"
    );
    assert_statuses(
        &c.report,
        &[
            ("CIMD-LIVE", "fail"),
            ("ISS-RESPONSE", "skip"),
            ("STATE-ECHO", "skip"),
            ("RS-ACCEPTS-TOKEN", "skip"),
        ],
    );
    let cimd = detail_of(&c.report, "CIMD-LIVE");
    for part in [
        id.as_str(),
        "no callback within 2 s",
        "client_id must be exactly",
    ] {
        assert!(cimd.contains(part), "{part}: {cimd}");
    }
    let iss = detail_of(&c.report, "ISS-RESPONSE");
    assert!(iss.contains("no authorization response arrived"), "{iss}");
    assert_eq!(c.step("registration"), ("fail".into(), "CIMD-LIVE".into()));
    assert_eq!(c.code, 1, "{}", c.stderr);
    assert!(c.took < Duration::from_secs(30), "{:?}", c.took);
    c.assert_no_secrets(&log);
}

/// node-oidc-provider with `--cimd`, the TS SDK server, and [`BROKEN`]
/// served over TLS at `id` (its CA in `cert`); the peers live as long as it.
struct BrokenDocument {
    dir: tempfile::TempDir,
    _docs: tempfile::TempDir,
    _provider: OidcProvider,
    server: McpServer,
    _tls: TlsServer,
    cert: std::path::PathBuf,
    id: String,
}

impl BrokenDocument {
    fn serve() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let docs = tempfile::tempdir().unwrap();
        let provider = provider(
            &dir.path().join("tokens.log"),
            &["--cimd", docs.path().to_str().unwrap()],
        );
        let server = McpServer::typescript(&provider.issuer, &[]);
        let tls = TlsServer::start(|_| {
            [("/broken.json".to_owned(), (200, BROKEN.to_owned()))]
                .into_iter()
                .collect()
        });
        let cert = dir.path().join("ca.pem");
        std::fs::write(&cert, &tls.cert_pem).unwrap();
        let id = format!("{}/broken.json", tls.origin);
        BrokenDocument {
            dir,
            _docs: docs,
            _provider: provider,
            server,
            _tls: tls,
            cert,
            id,
        }
    }
}

/// When mcp-auth can read the document itself and it names another
/// client_id, the login stops before the browser (the provider would only
/// show an error page), and CIMD-LIVE says why at once.
#[test]
fn a_document_naming_another_client_id_stops_the_login_before_the_browser() {
    // Bound whole: the peers must outlive the run.
    let doc = BrokenDocument::serve();
    let (dir, server, cert, id) = (&doc.dir, &doc.server, &doc.cert, doc.id.as_str());
    let started = Instant::now();
    let out = mcp_auth(dir.path())
        .args(["check", &server.url, "--login", "--no-browser"])
        .args(["--client-metadata-url", id, "--cacert"])
        .arg(cert)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let took = started.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let report: Value = serde_json::from_slice(&out.stdout).expect("a JSON report");
    assert_statuses(&report, &[("CIMD-LIVE", "fail"), ("STATE-ECHO", "skip")]);
    let cimd = detail_of(&report, "CIMD-LIVE");
    assert!(
        cimd.contains(id)
            && cimd.contains("names the client_id https://127.0.0.1/not-this-url.json"),
        "{cimd}"
    );
    assert!(!stderr.contains("Open this URL"), "{stderr}");
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    // The login timeout (300 s) was not waited out.
    assert!(took < Duration::from_secs(20), "{took:?}");
}

#[test]
fn tok_pkce_verified_fails_when_the_provider_ignores_pkce() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("tokens.log");
    let provider = provider(&log, &["--ignore-pkce"]);
    let server = McpServer::typescript(&provider.issuer, &[]);
    let args = ["--client-id", "mcp-auth-test", "--intrusive"];
    let c = check(dir.path(), &server.url, &args, alice);
    // mcp-auth's own login works: nothing in it shows the verifier is ignored.
    assert_statuses(
        &c.report,
        &[
            ("TOK-PKCE-VERIFIED", "fail"),
            ("STATE-ECHO", "pass"),
            ("ISS-RESPONSE", "pass"),
            ("TOK-RESPONSE", "pass"),
            ("RS-ACCEPTS-TOKEN", "pass"),
            ("CIMD-LIVE", "skip"),
        ],
    );
    let pkce = detail_of(&c.report, "TOK-PKCE-VERIFIED");
    assert!(pkce.contains("a wrong code_verifier got tokens"), "{pkce}");
    assert_eq!(c.step("token"), ("fail".into(), "TOK-PKCE-VERIFIED".into()));
    assert_eq!(c.code, 1, "{}", c.stderr);
    assert_eq!(c.secrets.len(), 4, "two states, two codes");
    c.assert_no_secrets(&log);
}

/// A browser login against a provider whose authorization responses are
/// rewritten by `mode`: mcp-auth refuses the callback (its page says so),
/// gets no token, exits 1, and the story's authorize step names `check`.
fn refused(mode: &[&str], check_id: &str) -> Checked {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("tokens.log");
    let provider = provider(&log, mode);
    let server = McpServer::typescript(&provider.issuer, &[]);
    let c = check(
        dir.path(),
        &server.url,
        &["--client-id", "mcp-auth-test"],
        alice,
    );
    let page = &c.pages[0];
    assert_eq!(page["status"], 400, "{page}");
    assert!(
        page["text"].as_str().unwrap().contains("Login failed"),
        "{page}"
    );
    assert_statuses(
        &c.report,
        &[
            (check_id, "fail"),
            ("RS-ACCEPTS-TOKEN", "skip"),
            ("TOK-RESPONSE", "skip"),
            ("CIMD-LIVE", "skip"),
        ],
    );
    let ev: Value = serde_json::from_str(&c.evidence).unwrap();
    assert!(ev["live"].get("token").is_none(), "{}", ev["live"]);
    assert_eq!(c.step("authorize"), ("fail".into(), check_id.into()));
    assert_eq!(c.code, 1, "{}", c.stderr);
    assert!(c.took < Duration::from_secs(60), "{:?}", c.took);
    c.assert_no_secrets(&log);
    c
}

#[test]
fn iss_response_fails_and_the_login_refuses_another_iss() {
    let c = refused(&["--response-iss", "wrong"], "ISS-RESPONSE");
    assert_statuses(&c.report, &[("STATE-ECHO", "pass")]);
    let iss = detail_of(&c.report, "ISS-RESPONSE");
    assert!(iss.contains("/another-issuer is not the issuer"), "{iss}");
    // mcp-auth's own refusal, on its callback page and in the report.
    assert!(c.pages[0]["text"]
        .as_str()
        .unwrap()
        .contains("possible mix-up attack"));
    let stopped = detail_of(&c.report, "RS-ACCEPTS-TOKEN");
    assert!(stopped.contains("possible mix-up attack"), "{stopped}");
}

#[test]
fn iss_response_fails_and_the_login_refuses_a_missing_iss() {
    let c = refused(&["--response-iss", "omit"], "ISS-RESPONSE");
    assert_statuses(&c.report, &[("STATE-ECHO", "pass")]);
    let iss = detail_of(&c.report, "ISS-RESPONSE");
    assert!(iss.contains("has no iss"), "{iss}");
    let stopped = detail_of(&c.report, "RS-ACCEPTS-TOKEN");
    assert!(
        stopped.contains("has none; the response was ignored"),
        "{stopped}"
    );
}

#[test]
fn state_echo_fails_and_the_login_refuses_another_state() {
    let c = refused(&["--response-state", "wrong"], "STATE-ECHO");
    assert_statuses(&c.report, &[("ISS-RESPONSE", "pass")]);
    let state = detail_of(&c.report, "STATE-ECHO");
    assert!(state.contains("not the one sent"), "{state}");
    assert!(c.pages[0]["text"]
        .as_str()
        .unwrap()
        .contains("possible CSRF"));
    let stopped = detail_of(&c.report, "RS-ACCEPTS-TOKEN");
    assert!(stopped.contains("possible CSRF"), "{stopped}");
}

/// `login` with a Client ID Metadata Document naming another client_id is a
/// usage error (exit 2): one line naming the document and its client_id,
/// before the browser, and nothing cached.
#[test]
fn login_refuses_a_document_naming_another_client_id() {
    // Bound whole: the peers must outlive the run.
    let doc = BrokenDocument::serve();
    let (dir, server, cert, id) = (&doc.dir, &doc.server, &doc.cert, doc.id.as_str());
    let out = mcp_auth(dir.path())
        .args(["login", &server.url, "--no-browser"])
        .args(["--client-metadata-url", id, "--cacert"])
        .arg(cert)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(id)
            && stderr.contains("names the client_id https://127.0.0.1/not-this-url.json"),
        "{stderr}"
    );
    assert!(!stderr.contains("Open this URL"), "{stderr}");
    assert!(
        crate::login::token_files(dir.path()).is_empty(),
        "a refused login cached a token"
    );
}

//! Snapshots (insta) of what the binary prints today, as a safety net for
//! refactors: `check --from-evidence` over recorded evidence in every format,
//! `matrix --replay` over a recorded matrix, `token inspect` on signed test
//! vectors, and the `whoami`, `tokens` and `call` renderers over hand-written
//! token caches (and, for `call`, the real MCP TypeScript SDK peer, so these
//! need `npm ci --prefix tests/peers` like the other peer tests).
//!
//! Every snapshot is a transcript: the exit code, stdout, stderr. Recorded
//! evidence is graded as is (its ports and times are part of the files); the
//! live snapshots filter what changes between runs: loopback ports, and the
//! seconds to a cached token's expiry (counted from now). `token inspect`
//! judges expiry `--at` a fixed time, so its seconds are not filtered.
//!
//! Regenerate: `INSTA_UPDATE=always cargo test --test it snapshots`, then
//! review the diff of tests/it/snapshots/.
//!
//! The tests are in the submodules, by command; every snapshot is asserted
//! here, by [`assert_run`], so that it keeps its file
//! (`snapshots/it__snapshots__<name>.snap`) and its metadata.

mod check;
mod cimd;
mod matrix;
mod session;
mod token;
mod width;

use std::path::{Path, PathBuf};

use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use mcp_auth_net::token_store::{Secret, TokenEntry, TokenStore};
use serde_json::{json, Value};

use crate::support::replay::{ReplayServer, Route};
use crate::support::*;

/// What one run printed.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    /// The snapshot text: exit code, stdout, stderr.
    fn transcript(&self) -> String {
        format!(
            "exit: {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// `mcp-auth <args>` in `dir` (also HOME), with extra environment and stdin.
fn run_in(dir: &Path, env: &[(&str, &str)], args: &[&str], stdin: Option<&str>) -> Run {
    let mut cmd = mcp_auth(dir);
    cmd.current_dir(dir).args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    if let Some(s) = stdin {
        cmd.write_stdin(s.to_owned());
    }
    let out = cmd.output().expect("ran");
    Run {
        code: out.status.code().expect("exited normally"),
        stdout: String::from_utf8(out.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("utf-8 stderr"),
    }
}

/// `mcp-auth <args>` from the repository root (paths in outputs stay relative).
fn run_at_root(args: &[&str]) -> Run {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = mcp_auth(home.path());
    let out = cmd.current_dir(root()).args(args).output().expect("ran");
    Run {
        code: out.status.code().expect("exited normally"),
        stdout: String::from_utf8(out.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("utf-8 stderr"),
    }
}

/// The filter for runs against live loopback servers: their ports. (Linux
/// ephemeral ports have five digits, so tables keep their layout.)
fn loopback_settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.add_filter(r"127\.0\.0\.1:\d+", "[LOCALHOST]");
    s
}

/// Also the seconds to a cached token's expiry, counted from now.
fn clock_settings() -> insta::Settings {
    let mut s = loopback_settings();
    s.add_filter(
        r"\b(expires in|expired|exp: in|exp: expired) \d+ s",
        "$1 [N] s",
    );
    s.add_filter(r#""expires_in": -?\d+"#, r#""expires_in": "[N]""#);
    s
}

/// Assert `run`'s transcript against the snapshot `name`. The one call to
/// insta: its module (`it::snapshots`) and file (tests/it/snapshots.rs) name
/// the snapshot file and its folder.
fn assert_run(name: &str, run: &Run) {
    insta::assert_snapshot!(name, run.transcript());
}

// --- signed test tokens, a loopback issuer ---------------------------------------------

/// An ES256 key (fresh each run: signatures are never shown, only verified).
struct Key {
    pair: rcgen::KeyPair,
}

impl Key {
    fn new() -> Self {
        Self {
            pair: rcgen::KeyPair::generate().unwrap(),
        }
    }

    fn jwks(&self, kid: &str) -> Value {
        let raw = self.pair.public_key_raw();
        let b = |s: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        json!({"keys": [{
            "kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig", "kid": kid,
            "x": b(&raw[1..33]), "y": b(&raw[33..65]),
        }]})
    }

    fn sign(&self, kid: &str, claims: &Value) -> String {
        let mut h = Header::new(Algorithm::ES256);
        h.kid = Some(kid.into());
        h.typ = Some("at+jwt".into());
        jsonwebtoken::encode(
            &h,
            claims,
            &EncodingKey::from_ec_pem(self.pair.serialize_pem().as_bytes()).unwrap(),
        )
        .unwrap()
    }
}

fn b64(v: &Value) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
}

/// A loopback authorization server: RFC 8414 and OIDC metadata, a JWKS, and
/// a userinfo endpoint that answers `userinfo`.
fn authorization_server(jwks: Value, userinfo: Route) -> ReplayServer {
    ReplayServer::start(|origin| {
        let md = json!({
            "issuer": origin,
            "authorization_endpoint": format!("{origin}/authorize"),
            "token_endpoint": format!("{origin}/token"),
            "jwks_uri": format!("{origin}/jwks"),
            "userinfo_endpoint": format!("{origin}/userinfo"),
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["none"],
            "scopes_supported": ["openid", "mcp:tools"],
        });
        vec![
            (
                "/.well-known/oauth-authorization-server".to_owned(),
                Route::json(&md),
            ),
            (
                "/.well-known/openid-configuration".to_owned(),
                Route::json(&md),
            ),
            ("/jwks".to_owned(), Route::json(&jwks)),
            ("/userinfo".to_owned(), userinfo),
        ]
    })
}

// --- token caches -----------------------------------------------------------------------

/// A cached login with nothing optional set.
fn token_entry(issuer: &str, client_id: &str) -> TokenEntry {
    TokenEntry {
        issuer: issuer.into(),
        client_id: client_id.into(),
        client_secret: None,
        token_endpoint_auth_method: None,
        registered: false,
        redirect_uri: None,
        resource: None,
        mcp_url: None,
        token_type: "Bearer".into(),
        access_token: Secret::new("opaque-access-token"),
        dpop_key: None,
        refresh_token: None,
        id_token: None,
        scope: None,
        obtained_at: 1_700_000_000,
        expires_at: None,
        token_endpoint: format!("{issuer}/token"),
        userinfo_endpoint: None,
        revocation_endpoint: None,
        jwks_uri: None,
        grant: None,
    }
}

/// Far enough ahead that "expires in N s" keeps its number of digits.
const YEAR_2100: u64 = 4_102_444_800;

/// A home directory with `entries` cached; MCP_AUTH_HOME is `.` (relative,
/// so the paths printed are the same on every machine).
fn home_with(entries: &[TokenEntry]) -> (tempfile::TempDir, PathBuf) {
    let home = tempfile::tempdir().unwrap();
    let store = TokenStore::at(home.path().join("tokens"));
    for e in entries {
        store.save(e).unwrap();
    }
    let dir = home.path().to_owned();
    (home, dir)
}

const HOME_ENV: &[(&str, &str)] = &[("MCP_AUTH_HOME", ".")];

//! The grants against a small token endpoint on 127.0.0.1: what each sends,
//! and what hostile answers become (one line each, no panic, no hang).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;

use super::*;
use crate::probe::ProbeSettings;

mod client_credentials;
mod jwt_bearer;
mod refresh_token;
mod token_exchange;

/// One request the test server received.
#[derive(Debug, Clone)]
struct Seen {
    path: String,
    authorization: Option<String>,
    form: Vec<(String, String)>,
}

impl Seen {
    fn get(&self, name: &str) -> Option<&str> {
        self.form
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// What the test server answers: `(status, body)` per POST path; the IdP's
/// metadata at `/idp/.well-known/openid-configuration`.
#[derive(Clone)]
struct Server {
    origin: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    async fn start(answers: Vec<(&'static str, u16, String)>) -> Self {
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        let (record, idp_origin) = (seen.clone(), origin.clone());
        let app = axum::Router::new()
            .route(
                "/idp/.well-known/openid-configuration",
                axum::routing::get(move || async move {
                    let doc = serde_json::json!({
                        "issuer": format!("{idp_origin}/idp"),
                        "token_endpoint": format!("{idp_origin}/idp/token"),
                    });
                    ([("content-type", "application/json")], doc.to_string())
                }),
            )
            .fallback(
                move |uri: axum::http::Uri, headers: axum::http::HeaderMap, body: String| {
                    let (record, answers) = (record.clone(), answers.clone());
                    async move {
                        record.lock().unwrap().push(Seen {
                            path: uri.path().to_owned(),
                            authorization: headers
                                .get("authorization")
                                .and_then(|v| v.to_str().ok())
                                .map(str::to_owned),
                            form: url::form_urlencoded::parse(body.as_bytes())
                                .into_owned()
                                .collect(),
                        });
                        let (status, body) = answers
                            .iter()
                            .find(|(p, _, _)| *p == uri.path())
                            .map_or((404, String::new()), |(_, s, b)| (*s, b.clone()));
                        (
                            axum::http::StatusCode::from_u16(status).unwrap(),
                            [("content-type", "application/json")],
                            body,
                        )
                    }
                },
            );
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { origin, seen }
    }

    fn seen(&self, path: &str) -> Vec<Seen> {
        let all = self.seen.lock().unwrap().clone();
        all.into_iter().filter(|s| s.path == path).collect()
    }

    /// The authorization server at this origin, for the MCP server `mcp`.
    fn resolved(&self, methods: &[&str]) -> Resolved {
        Resolved {
            resource_dpop: None,
            issuer: self.origin.clone(),
            metadata: AsMetadata {
                issuer: Some(self.origin.clone()),
                token_endpoint: Some(format!("{}/token", self.origin)),
                token_endpoint_auth_methods_supported: Some(
                    methods.iter().map(|m| (*m).to_owned()).collect(),
                ),
                grant_types_supported: Some(vec![JWT_BEARER.to_owned()]),
                ..AsMetadata::default()
            },
            resource: Some("http://127.0.0.1:1/mcp".to_owned()),
            scopes: vec!["mcp:read".to_owned(), "mcp:write".to_owned()],
            mcp_url: Some("http://127.0.0.1:1/mcp".to_owned()),
        }
    }
}

const BEARER: &str = r#"{"access_token":"at-1","token_type":"Bearer","expires_in":60}"#;

/// A JWT-shaped token with these claims (unsigned; only its shape matters here).
fn jwt(claims: &serde_json::Value) -> String {
    let b64 = |v: &serde_json::Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    format!(
        "{}.{}.c2ln",
        b64(&serde_json::json!({"alg": "ES256", "typ": "oauth-id-jag+jwt"})),
        b64(claims)
    )
}

fn settings(grant: Grant) -> LoginSettings {
    LoginSettings {
        dpop: crate::dpop::DpopMode::Never,
        client_id: None,
        client_metadata_url: None,
        scope: None,
        resource: None,
        no_resource: false,
        redirect_port: None,
        redirect_uri: None,
        no_browser: true,
        force: false,
        timeout: Duration::from_secs(5),
        show_token: false,
        client_secret: None,
        client_key: None,
        grant,
        assertion: None,
        subject_token: None,
        refresh_token: None,
        idp: None,
    }
}

fn confidential(grant: Grant) -> LoginSettings {
    LoginSettings {
        client_id: Some("svc".into()),
        client_secret: Some(Secret::new("s3cret")),
        ..settings(grant)
    }
}

fn prober() -> Prober {
    Prober::new(ProbeSettings::default()).unwrap()
}

/// Run a grant to the end against `r` (caching in a temporary store).
async fn run(r: &Resolved, s: &LoginSettings) -> Result<TokenEntry, LoginError> {
    let dir = tempfile::tempdir().unwrap();
    let store = TokenStore::at(dir.path());
    let prober = prober();
    let run = obtain_for(&prober, &store, r, s);
    let (entry, path) = tokio::time::timeout(Duration::from_secs(10), run)
        .await
        .expect("a grant never hangs")?;
    assert_eq!(TokenStore::load(&path).unwrap(), entry);
    Ok(entry)
}

/// The error of a grant, checked to be one line.
async fn error(r: &Resolved, s: &LoginSettings) -> String {
    let e = run(r, s).await.unwrap_err().to_string();
    assert!(!e.contains('\n'), "{e}");
    e
}

fn basic(id: &str, secret: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))
    )
}

#[tokio::test]
async fn a_token_endpoint_off_loopback_over_http_is_refused() {
    let e = checked_token_endpoint(Some("http://as.example/token"), "x").unwrap_err();
    assert!(
        e.to_string().contains("refusing to send credentials"),
        "{e}"
    );
    let e = checked_token_endpoint(None, "https://as.example").unwrap_err();
    assert!(e.to_string().contains("has no token_endpoint"), "{e}");
}

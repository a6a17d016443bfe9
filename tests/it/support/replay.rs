//! A small loopback HTTP server that replays recorded documents (and
//! deliberately broken variants of them) at chosen paths.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Request, Response, StatusCode};

/// What to answer at one path.
#[derive(Clone, Debug)]
pub struct Route {
    pub status: u16,
    pub content_type: Option<String>,
    /// Further response headers.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Wait this long before answering (the client's timeout should fire first).
    pub delay: Option<Duration>,
    /// Answer only once these requests (`"METHOD /path"`) have arrived (at most
    /// 30 s): shows that a client sent them while this one was outstanding.
    pub after: Vec<String>,
    /// Answer a request carrying this header (lower case) with that route
    /// instead, e.g. a server that refuses `MCP-Protocol-Version`.
    pub when_header: Option<(String, Box<Route>)>,
}

impl Route {
    pub fn json(body: &serde_json::Value) -> Self {
        Self::raw(200, Some("application/json"), body.to_string())
    }
    pub fn raw(status: u16, content_type: Option<&str>, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status,
            content_type: content_type.map(str::to_owned),
            headers: Vec::new(),
            body: body.into(),
            delay: None,
            after: Vec::new(),
            when_header: None,
        }
    }
    pub fn after(mut self, requests: &[&str]) -> Self {
        self.after = requests.iter().map(|r| (*r).to_owned()).collect();
        self
    }
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }
    /// Answer requests that carry `name` with `route` instead.
    pub fn when_header(mut self, name: &str, route: Route) -> Self {
        self.when_header = Some((name.to_ascii_lowercase(), Box::new(route)));
        self
    }
    pub fn delayed(mut self, d: Duration) -> Self {
        self.delay = Some(d);
        self
    }
}

pub struct ReplayServer {
    pub origin: String,
    hits: Arc<Mutex<HashMap<String, usize>>>,
    runtime: Option<tokio::runtime::Runtime>,
}

/// Recorded documents name this origin; the server substitutes its own.
pub const RECORDED_ORIGIN: &str = "http://127.0.0.1:4444";

impl ReplayServer {
    /// Serve `routes` (`"/path"` for any method, or `"METHOD /path"`);
    /// anything else is a plain 404.
    /// `build` receives the server's origin so documents can name it.
    pub fn start(build: impl FnOnce(&str) -> Vec<(String, Route)>) -> Self {
        Self::start_on("127.0.0.1:0", build)
    }

    /// The same on another loopback address (e.g. `[::1]:0`).
    pub fn start_on(addr: &str, build: impl FnOnce(&str) -> Vec<(String, Route)>) -> Self {
        let listener = std::net::TcpListener::bind(addr).expect("bind a loopback address");
        listener.set_nonblocking(true).unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        let routes: Arc<HashMap<String, Route>> = Arc::new(build(&origin).into_iter().collect());
        let hits = Arc::new(Mutex::new(HashMap::new()));
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let hits2 = hits.clone();
        let arrived = Arc::new(tokio::sync::Notify::new());
        runtime.spawn(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            let app = axum::Router::new().fallback(move |req: Request<Body>| {
                let routes = routes.clone();
                let hits = hits2.clone();
                let arrived = arrived.clone();
                async move {
                    let path = req.uri().path().to_owned();
                    let keyed = format!("{} {path}", req.method());
                    *hits.lock().unwrap().entry(keyed.clone()).or_default() += 1;
                    arrived.notify_waiters();
                    let found = routes.get(&keyed).or_else(|| routes.get(&path));
                    let found = found.map(|r| match &r.when_header {
                        Some((name, alt)) if req.headers().contains_key(name.as_str()) => &**alt,
                        _ => r,
                    });
                    match found {
                        Some(route) => {
                            let gate = async {
                                loop {
                                    let next = arrived.notified();
                                    let seen = {
                                        let h = hits.lock().unwrap();
                                        route.after.iter().all(|k| h.contains_key(k))
                                    };
                                    if seen {
                                        return;
                                    }
                                    next.await;
                                }
                            };
                            let _ = tokio::time::timeout(Duration::from_secs(30), gate).await;
                            if let Some(d) = route.delay {
                                tokio::time::sleep(d).await;
                            }
                            let mut resp = Response::builder().status(route.status);
                            if let Some(ct) = &route.content_type {
                                resp = resp.header(header::CONTENT_TYPE, ct);
                            }
                            for (n, v) in &route.headers {
                                resp = resp.header(n.as_str(), v.as_str());
                            }
                            resp.body(Body::from(route.body.clone())).unwrap()
                        }
                        None => Response::builder()
                            .status(StatusCode::NOT_FOUND)
                            .header(header::CONTENT_TYPE, "text/plain")
                            .body(Body::from("not found"))
                            .unwrap(),
                    }
                }
            });
            axum::serve(listener, app).await.unwrap();
        });
        Self {
            origin,
            hits,
            runtime: Some(runtime),
        }
    }

    /// How many requests reached `"METHOD /path"`.
    pub fn hits(&self, method_and_path: &str) -> usize {
        self.hits
            .lock()
            .unwrap()
            .get(method_and_path)
            .copied()
            .unwrap_or(0)
    }
}

impl Drop for ReplayServer {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

/// The recorded MCP server's origin (the authorization server's is `RECORDED_ORIGIN`).
pub const RECORDED_MCP_ORIGIN: &str = "http://127.0.0.1:5555";

/// A recorded document with the recorded origins replaced by `origin`.
pub fn recorded(name: &str, origin: &str) -> serde_json::Value {
    let text = super::fixture(&format!("recorded/{name}"))
        .replace(RECORDED_ORIGIN, origin)
        .replace(RECORDED_MCP_ORIGIN, origin);
    serde_json::from_str(&text).expect("fixture is JSON")
}

/// A JWK Set of one (public) key, for replayed `jwks_uri`s.
pub const JWKS: &str = r#"{"keys":[{"kty":"EC","crv":"P-256","use":"sig","kid":"replay","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]}"#;

/// Routes that make `doc`'s `token_endpoint` and `jwks_uri` (those on
/// `origin`) live: the token endpoint refuses the probe's made-up code with
/// 401 invalid_client, as node-oidc-provider did when the documents were
/// recorded, and the JWKS serves [`JWKS`]. Without them a replayed
/// document's endpoints answer 404, which AS-TOKEN-ENDPOINT-REACHABLE fails.
pub fn live_endpoints(origin: &str, doc: &serde_json::Value) -> Vec<(String, Route)> {
    let path = |member: &str| {
        doc[member]
            .as_str()?
            .strip_prefix(origin)
            .map(str::to_owned)
    };
    let mut routes = Vec::new();
    if let Some(p) = path("token_endpoint") {
        let refusal =
            r#"{"error":"invalid_client","error_description":"client authentication failed"}"#;
        routes.push((
            format!("POST {p}"),
            Route::raw(401, Some("application/json"), refusal),
        ));
    }
    if let Some(p) = path("jwks_uri") {
        routes.push((p, Route::raw(200, Some("application/json"), JWKS)));
    }
    routes
}

/// A recorded 401: its status and one header.
pub fn recorded_challenge(name: &str, origin: &str) -> Route {
    let rec = recorded(name, origin);
    let www = rec["headers"]["www-authenticate"]
        .as_str()
        .expect("www-authenticate");
    Route::raw(
        rec["status"].as_u64().unwrap() as u16,
        Some("application/json"),
        r#"{"error":"invalid_token"}"#,
    )
    .header("www-authenticate", www)
}

/// The recorded MCP TypeScript SDK server and its authorization server
/// (node-oidc-provider under /oidc, its token endpoint and JWKS live) on
/// one origin; `patch` changes the routes. Returns the server and its MCP endpoint URL.
pub fn recorded_mcp(patch: impl FnOnce(&str, &mut Vec<(String, Route)>)) -> (ReplayServer, String) {
    let server = ReplayServer::start(|origin| {
        let mut routes = vec![
            (
                "POST /mcp".to_owned(),
                recorded_challenge("ts-sdk-1.32.2-401.json", origin),
            ),
            (
                "/.well-known/oauth-protected-resource/mcp".to_owned(),
                Route::json(&recorded("ts-sdk-1.32.2-prm.json", origin)),
            ),
        ];
        let doc = recorded("oidc-provider-9.13.3-path-registration.json", origin);
        routes.extend(live_endpoints(origin, &doc));
        routes.push((
            "/oidc/.well-known/openid-configuration".to_owned(),
            Route::json(&doc),
        ));
        patch(origin, &mut routes);
        routes
    });
    let url = format!("{}/mcp", server.origin);
    (server, url)
}

/// Replace (or add) the route at `key`.
pub fn set_route(routes: &mut Vec<(String, Route)>, key: &str, route: Route) {
    routes.retain(|(k, _)| k != key);
    routes.push((key.to_owned(), route));
}

//! A loopback MCP Registry: `GET /v0.1/servers` answers by its `cursor`
//! query parameter from a table of pages, records every request's
//! User-Agent, and (for the politeness test) an MCP endpoint that counts how
//! many requests are in flight at once.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::Query;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;

/// A page as the test wants it served.
#[derive(Clone)]
pub enum Page {
    /// A JSON document (a list of servers, or anything else).
    Json(serde_json::Value),
    /// Raw bytes with a content type.
    Raw(&'static str, Vec<u8>),
}

pub struct Registry {
    pub url: String,
    agents: Arc<Mutex<Vec<String>>>,
    pub most_in_flight: Arc<AtomicUsize>,
    runtime: Option<tokio::runtime::Runtime>,
}

/// An entry of a page: a server with one remote.
pub fn entry(name: &str, transport: &str, url: &str) -> serde_json::Value {
    serde_json::json!({
        "server": {"name": name, "version": "1.0.0",
                   "remotes": [{"type": transport, "url": url}]},
        "_meta": {"io.modelcontextprotocol.registry/official": {"status": "active"}}
    })
}

/// A page of `entries`, pointing to `next`.
pub fn page(entries: Vec<serde_json::Value>, next: Option<&str>) -> Page {
    let mut metadata = serde_json::json!({"count": entries.len()});
    if let Some(c) = next {
        metadata["nextCursor"] = c.into();
    }
    Page::Json(serde_json::json!({"servers": entries, "metadata": metadata}))
}

impl Registry {
    /// Serve `pages` (keyed by cursor, "" for the first page). `/slow/*`
    /// answers 404 after `slow` and counts requests in flight.
    pub fn start(pages: Vec<(&'static str, Page)>, slow: Duration) -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let pages: Arc<HashMap<&'static str, Page>> = Arc::new(pages.into_iter().collect());
        let agents = Arc::new(Mutex::new(Vec::new()));
        let most = Arc::new(AtomicUsize::new(0));
        let now = Arc::new(AtomicUsize::new(0));
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let (agents2, most2) = (agents.clone(), most.clone());
        runtime.spawn(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            let list = move |Query(q): Query<HashMap<String, String>>,
                             headers: axum::http::HeaderMap| {
                let pages = pages.clone();
                let agents = agents2.clone();
                async move {
                    let ua = headers
                        .get(header::USER_AGENT)
                        .and_then(|v| v.to_str().ok());
                    agents
                        .lock()
                        .unwrap()
                        .push(ua.unwrap_or_default().to_owned());
                    let key = q.get("cursor").map_or("", String::as_str);
                    match pages.get(key).cloned() {
                        Some(Page::Json(v)) => axum::Json(v).into_response(),
                        Some(Page::Raw(ct, body)) => {
                            ([(header::CONTENT_TYPE, ct)], body).into_response()
                        }
                        None => StatusCode::NOT_FOUND.into_response(),
                    }
                }
            };
            let slow_path = move || {
                let (now, most) = (now.clone(), most2.clone());
                async move {
                    let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(n, Ordering::SeqCst);
                    tokio::time::sleep(slow).await;
                    now.fetch_sub(1, Ordering::SeqCst);
                    StatusCode::NOT_FOUND
                }
            };
            let app = axum::Router::new()
                .route("/v0.1/servers", axum::routing::get(list))
                .route("/slow/{*rest}", axum::routing::any(slow_path));
            axum::serve(listener, app).await.unwrap();
        });
        Self {
            url,
            agents,
            most_in_flight: most,
            runtime: Some(runtime),
        }
    }

    /// The User-Agent of every page request so far.
    pub fn agents(&self) -> Vec<String> {
        self.agents.lock().unwrap().clone()
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

/// An MCP server that answers `initialize` without asking for a token (an
/// `open` row).
pub fn open_server() -> super::replay::ReplayServer {
    super::replay::ReplayServer::start(|_| {
        vec![(
            "POST /mcp".to_owned(),
            super::replay::Route::json(&serde_json::json!({"jsonrpc": "2.0", "id": 1, "result": {
                "protocolVersion": "2025-06-18", "capabilities": {},
                "serverInfo": {"name": "open", "version": "1"}}})),
        )]
    })
}

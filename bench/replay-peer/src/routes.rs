//! Recorded routes for both peers: a routes file (written by bench/harness.mjs) or the
//! exchanges of a `--save-evidence` file, kept once with `{origin}` holes and filled per
//! listener when it answers.

use std::collections::HashMap;

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{HeaderName, HeaderValue};
use hyper::{Response, StatusCode};
use serde::Deserialize;
use serde_json::Value;

/// A replay-peer route (`--routes`), or one made from a recorded exchange.
#[derive(Deserialize)]
pub struct Route {
    method: String,
    path: String,
    #[serde(default)]
    origin_header: bool,
    /// Whether the request carried an `Authorization` header (the probes with a token).
    #[serde(default)]
    auth_header: bool,
    status: u16,
    #[serde(default)]
    headers: Vec<(String, String)>,
    #[serde(default)]
    body: String,
}

/// Text with `{origin}` holes, filled per listener when answering (one copy for all
/// servers, so 10,000 of them cost no more memory than one).
pub struct Template(Vec<String>);

impl Template {
    fn new(s: &str) -> Self {
        Self(s.split("{origin}").map(str::to_owned).collect())
    }
    fn fill(&self, origin: &str) -> String {
        self.0.join(origin)
    }
}

pub struct Canned {
    status: StatusCode,
    headers: Vec<(HeaderName, Template)>,
    body: Template,
}

/// Method, path (with the query when it mattered), Origin header, Authorization header.
pub type Table = HashMap<(String, String, bool, bool), Canned>;

/// What a request carried besides its method and path.
#[derive(Clone, Copy)]
pub struct Flags {
    pub origin: bool,
    pub auth: bool,
}

/// Headers that belong to the recorded connection, not to the document.
const SKIP: &[&str] = &[
    "content-length",
    "connection",
    "keep-alive",
    "transfer-encoding",
    "date",
];

pub fn table(routes: &[Route]) -> Result<Table, String> {
    let mut t = Table::new();
    for r in routes {
        let status =
            StatusCode::from_u16(r.status).map_err(|e| format!("status {}: {e}", r.status))?;
        let mut headers = Vec::new();
        for (name, value) in &r.headers {
            if SKIP.contains(&name.to_ascii_lowercase().as_str()) {
                continue;
            }
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|e| format!("header {name}: {e}"))?;
            HeaderValue::from_str(&value.replace("{origin}", "http://127.1.1.1:1"))
                .map_err(|e| format!("header {name} value: {e}"))?;
            headers.push((name, Template::new(value)));
        }
        let canned = Canned {
            status,
            headers,
            body: Template::new(&r.body),
        };
        // The first recording of a (method, path, origin header) wins.
        t.entry((
            r.method.clone(),
            r.path.clone(),
            r.origin_header,
            r.auth_header,
        ))
        .or_insert(canned);
    }
    Ok(t)
}

/// Routes from a `--save-evidence` file: every recorded exchange, every recorded
/// origin (the MCP server's and the authorization server's) replaced by `{origin}`.
pub fn routes_from_evidence(evidence: &Value) -> Vec<Route> {
    fn exchanges<'a>(v: &'a Value, out: &mut Vec<&'a Value>) {
        match v {
            Value::Array(a) => a.iter().for_each(|x| exchanges(x, out)),
            Value::Object(o) => {
                if o.contains_key("request") && o.contains_key("response") {
                    out.push(v);
                }
                o.values().for_each(|x| exchanges(x, out));
            }
            _ => {}
        }
    }
    let mut found = Vec::new();
    exchanges(evidence, &mut found);
    let url_of = |x: &Value| x["request"]["url"].as_str().unwrap_or("").to_owned();
    let split = |u: &str| -> (String, String) {
        // scheme://authority, then the path with its query.
        let rest = u.find("://").map_or(0, |i| i + 3);
        let end = u[rest..].find('/').map_or(u.len(), |j| rest + j);
        let path = u[end..].split('#').next().unwrap_or("/");
        (
            u[..end].to_owned(),
            if path.is_empty() { "/" } else { path }.to_owned(),
        )
    };
    let mut origins: Vec<String> = found.iter().map(|x| split(&url_of(x)).0).collect();
    origins.sort();
    origins.dedup();
    let sub = |t: &str| {
        origins
            .iter()
            .fold(t.to_owned(), |t, o| t.replace(o.as_str(), "{origin}"))
    };
    let pairs = |v: &Value| -> Vec<(String, String)> {
        v.as_array().map_or_else(Vec::new, |a| {
            a.iter()
                .map(|h| {
                    let s = |k: &str| h[k].as_str().unwrap_or("").to_owned();
                    (s("name"), s("value"))
                })
                .collect()
        })
    };
    found
        .iter()
        .map(|x| {
            let (req, resp) = (&x["request"], &x["response"]);
            let has = |name: &str| {
                pairs(&req["headers"])
                    .iter()
                    .any(|(n, _)| n.eq_ignore_ascii_case(name))
            };
            Route {
                method: req["method"].as_str().unwrap_or("GET").to_owned(),
                path: split(&url_of(x)).1,
                origin_header: has("origin"),
                auth_header: has("authorization"),
                status: resp["status"].as_u64().unwrap_or(500) as u16,
                headers: pairs(&resp["headers"])
                    .into_iter()
                    .map(|(n, v)| (n, sub(&v)))
                    .collect(),
                body: sub(resp["body"].as_str().unwrap_or("")),
            }
        })
        .collect()
}

pub type Resp = Response<Full<Bytes>>;

pub fn plain(status: StatusCode, body: &'static str) -> Resp {
    let mut r = Response::new(Full::new(Bytes::from_static(body.as_bytes())));
    *r.status_mut() = status;
    r
}

/// The recorded answer closest to this request: the same path and query if one was
/// recorded (else the same path), preferring the same Origin, then Authorization, header.
pub fn replay(t: &Table, origin: &str, method: &str, path: &str, query: &str, f: Flags) -> Resp {
    let full = format!("{path}?{query}");
    let paths = [full.as_str(), path];
    let flags = [
        (f.origin, f.auth),
        (!f.origin, f.auth),
        (f.origin, !f.auth),
        (!f.origin, !f.auth),
    ];
    let found = paths
        .iter()
        .filter(|p| !query.is_empty() || **p == path)
        .flat_map(|p| flags.iter().map(move |(o, a)| (*p, *o, *a)))
        .find_map(|(p, o, a)| t.get(&(method.to_owned(), p.to_owned(), o, a)));
    let Some(c) = found else {
        return plain(StatusCode::NOT_FOUND, "not found");
    };
    let mut r = Response::new(Full::new(Bytes::from(c.body.fill(origin))));
    *r.status_mut() = c.status;
    for (n, v) in &c.headers {
        if let Ok(v) = HeaderValue::from_str(&v.fill(origin)) {
            r.headers_mut().append(n.clone(), v);
        }
    }
    r
}

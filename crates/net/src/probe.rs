//! The one place `check` talks to the network.
//!
//! Every request goes through [`Prober::send`], which applies the timeout, the
//! body-size cap and the no-redirect policy, and returns an [`Exchange`]: what
//! was sent and what came back, as data. Nothing here decides a verdict.

use std::time::{Duration, Instant};

use reqwest::redirect::Policy;

pub mod limits;
pub mod progress;
mod transport_error;

pub use limits::{QuietHosts, RequestLimits};
use transport_error::{too_large, transport_error};

use crate::evidence::{
    Exchange, Header, RequestRecord, ResponseRecord, TransportError, TransportErrorKind,
};
use crate::redact::{recorded_value, redact_body, redact_request_body};

use crate::evidence::requests::INITIALIZE_PROTOCOL_VERSION;
pub use crate::evidence::requests::{CORS_ORIGIN, GARBAGE_TOKEN, MCP_PROTOCOL_VERSION};

/// Every request's User-Agent: the tool, and where to read what it is
/// (servers' operators see it in their logs).
pub const USER_AGENT: &str = concat!(
    "mcp-auth/",
    env!("CARGO_PKG_VERSION"),
    " (+",
    env!("CARGO_PKG_REPOSITORY"),
    ")"
);

/// Default cap on a response body.
pub const DEFAULT_BODY_CAP: usize = 1024 * 1024;

/// Settings for the HTTP client.
#[derive(Debug, Clone)]
pub struct ProbeSettings {
    /// Total time allowed for one exchange (connect, headers and body).
    pub timeout: Duration,
    /// Bodies longer than this are not kept.
    pub body_cap: usize,
    /// Extra trusted CA certificates (PEM files), e.g. a corporate CA.
    pub ca_certs: Vec<std::path::PathBuf>,
}

impl Default for ProbeSettings {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(10),
            body_cap: DEFAULT_BODY_CAP,
            ca_certs: Vec::new(),
        }
    }
}

/// A request to make, built by the gathering layer.
#[derive(Debug, Clone)]
pub struct ProbeRequest {
    pub method: reqwest::Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
}

/// The JSON-RPC `initialize` an MCP client sends first.
fn initialize_body() -> String {
    initialize_body_for(INITIALIZE_PROTOCOL_VERSION)
}

/// The same asking for protocol revision `version`.
fn initialize_body_for(version: &str) -> String {
    serde_json::json!({
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": version,
            "capabilities": {},
            "clientInfo": {"name": "mcp-auth", "version": env!("CARGO_PKG_VERSION")}
        }
    })
    .to_string()
}

impl ProbeRequest {
    /// A request with no headers and no body.
    pub fn new(method: reqwest::Method, url: impl Into<String>) -> Self {
        Self {
            method,
            url: url.into(),
            headers: Vec::new(),
            body: None,
        }
    }

    /// Add a header.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Set the body.
    pub fn body(mut self, body: String) -> Self {
        self.body = Some(body);
        self
    }

    /// A metadata GET as an MCP client sends it.
    pub fn metadata_get(url: impl Into<String>) -> Self {
        Self::new(reqwest::Method::GET, url)
            .header("accept", "application/json")
            .header("mcp-protocol-version", MCP_PROTOCOL_VERSION)
    }

    /// The metadata GET without `MCP-Protocol-Version`, to tell whether an
    /// error answer to [`Self::metadata_get`] is the header's doing.
    pub fn metadata_get_without_version(url: impl Into<String>) -> Self {
        Self::new(reqwest::Method::GET, url).header("accept", "application/json")
    }

    /// An unauthenticated MCP `initialize` POST (Streamable HTTP).
    pub fn mcp_initialize(url: impl Into<String>) -> Self {
        Self::mcp_post(url, initialize_body(), None)
    }

    /// An unauthenticated `initialize` asking for revision `version` (a
    /// forced `--protocol-version`).
    pub fn mcp_initialize_version(url: impl Into<String>, version: &str) -> Self {
        Self::mcp_post(url, initialize_body_for(version), None)
    }

    /// A JSON-RPC `body` POSTed to an MCP Streamable HTTP endpoint, with the
    /// negotiated `MCP-Protocol-Version` when there is one.
    pub fn mcp_post(url: impl Into<String>, body: String, protocol: Option<&str>) -> Self {
        let req = Self::new(reqwest::Method::POST, url)
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .body(body);
        match protocol {
            Some(p) => req.header("mcp-protocol-version", p),
            None => req,
        }
    }

    /// A request of the MCP 2026-07-28 stateless transport (no `initialize`):
    /// the version header and `_meta` on every request, `Mcp-Method` (and
    /// `Mcp-Name`, the tool's) headers; `id` 0 makes it a notification.
    pub fn mcp_stateless(
        url: impl Into<String>,
        id: u64,
        method: &str,
        params: &serde_json::Value,
    ) -> Self {
        let mut params = params.as_object().cloned().unwrap_or_default();
        let meta = params
            .entry("_meta")
            .or_insert_with(|| serde_json::json!({}));
        if let Some(m) = meta.as_object_mut() {
            m.insert(
                "io.modelcontextprotocol/protocolVersion".into(),
                MCP_PROTOCOL_VERSION.into(),
            );
            m.insert(
                "io.modelcontextprotocol/clientCapabilities".into(),
                serde_json::json!({}),
            );
        }
        let name = params
            .get("name")
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned);
        let mut body = serde_json::json!({"jsonrpc": "2.0", "method": method, "params": params});
        if id != 0 {
            body["id"] = id.into();
        }
        let mut req = Self::mcp_post(url, body.to_string(), Some(MCP_PROTOCOL_VERSION))
            .header("mcp-method", method);
        if let (Some(n), "tools/call" | "prompts/get") = (name, method) {
            req = req.header("mcp-name", n);
        }
        req
    }

    /// An unauthenticated `initialize` with `?access_token=` in the query string.
    pub fn mcp_initialize_query_token(url: &url::Url) -> Self {
        let mut u = url.clone();
        u.query_pairs_mut()
            .append_pair("access_token", GARBAGE_TOKEN);
        Self::mcp_initialize(u.to_string())
    }

    /// The unauthenticated POST as a browser sends it.
    pub fn mcp_initialize_with_origin(url: impl Into<String>) -> Self {
        Self::mcp_initialize(url).header("origin", CORS_ORIGIN)
    }

    /// A CORS preflight for `method` with `headers`.
    pub fn cors_preflight(url: impl Into<String>, method: &str, headers: &str) -> Self {
        let mut req = Self::new(reqwest::Method::OPTIONS, url)
            .header("origin", CORS_ORIGIN)
            .header("access-control-request-method", method);
        if !headers.is_empty() {
            req = req.header("access-control-request-headers", headers);
        }
        req
    }

    /// A metadata GET with `Origin`, as a browser sends it.
    pub fn cors_get(url: impl Into<String>) -> Self {
        Self::metadata_get(url).header("origin", CORS_ORIGIN)
    }

    /// A token request that cannot succeed, sent with `Origin`: the CORS
    /// headers of the (error) response are what counts.
    pub fn cors_token(url: impl Into<String>) -> Self {
        let form = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("grant_type", "authorization_code")
            .append_pair("code", "mcp-auth-cors-probe")
            .append_pair("redirect_uri", "http://127.0.0.1/callback")
            .append_pair("client_id", "mcp-auth-cors-probe")
            .append_pair(
                "code_verifier",
                "mcp-auth-cors-probe-verifier-0000000000000000",
            )
            .finish();
        Self::new(reqwest::Method::POST, url)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "application/json")
            .header("origin", CORS_ORIGIN)
            .body(form)
    }

    /// A dynamic client registration (RFC 7591).
    pub fn register(url: impl Into<String>, metadata: &serde_json::Value) -> Self {
        Self::new(reqwest::Method::POST, url)
            .header("content-type", "application/json")
            .header("accept", "application/json")
            .body(metadata.to_string())
    }

    /// A form POST (`application/x-www-form-urlencoded`), e.g. RFC 7009 revocation.
    pub fn form_post(url: impl Into<String>, pairs: &[(&str, &str)]) -> Self {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        Self::new(reqwest::Method::POST, url)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "application/json")
            .body(body)
    }

    /// A GET with a bearer token (userinfo, a resource).
    pub fn bearer_get(url: impl Into<String>, token: &str, accept: &str) -> Self {
        Self::new(reqwest::Method::GET, url)
            .header("authorization", format!("Bearer {token}"))
            .header("accept", accept)
    }

    /// An authorization request as a browser sends it (redirects are not followed).
    pub fn authorize(url: impl Into<String>) -> Self {
        Self::new(reqwest::Method::GET, url).header("accept", "text/html")
    }

    /// RFC 7592 deletion of a registered client.
    pub fn unregister(url: impl Into<String>, registration_access_token: &str) -> Self {
        Self::new(reqwest::Method::DELETE, url).header(
            "authorization",
            format!("Bearer {registration_access_token}"),
        )
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    #[error("could not build the HTTP client: {0}")]
    Client(#[source] reqwest::Error),
    #[error("--cacert {path}: {reason}")]
    CaCert { path: String, reason: String },
}

/// The shared HTTP client: one connection pool, one policy.
#[derive(Debug, Clone)]
pub struct Prober {
    client: reqwest::Client,
    settings: ProbeSettings,
    /// The `--cacert` certificates, read once.
    roots: Vec<reqwest::Certificate>,
    /// Where every exchange is also kept, when asked ([`Prober::recording`]).
    journal: Option<Journal>,
    /// Which URLs may be requested at all, when set ([`Prober::within`]).
    policy: Option<crate::evidence::urls::UrlPolicy>,
    /// Who hears what is being waited for ([`Prober::observed`]).
    observer: Option<progress::Observer>,
    /// The caps on requests in flight, when set ([`Prober::limited`]).
    limits: Option<std::sync::Arc<RequestLimits>>,
    /// With `limits`: the hosts of this pool that let a request time out.
    quiet: Option<QuietHosts>,
}

/// The exchanges a [`Prober::recording`] clone has sent, in the order they
/// ended (redacted as evidence is).
#[derive(Debug, Clone, Default)]
pub struct Journal(std::sync::Arc<std::sync::Mutex<Vec<Exchange>>>);

impl Journal {
    /// The exchanges recorded so far, leaving the journal empty.
    pub fn take(&self) -> Vec<Exchange> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }

    fn push(&self, exchange: &Exchange) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(exchange.clone());
    }
}

impl Prober {
    pub fn new(settings: ProbeSettings) -> Result<Self, ProbeError> {
        let mut roots = Vec::new();
        for path in &settings.ca_certs {
            let ca_error = |reason: String| ProbeError::CaCert {
                path: path.display().to_string(),
                reason,
            };
            let pem = std::fs::read(path).map_err(|e| ca_error(e.to_string()))?;
            let certs =
                reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| ca_error(e.to_string()))?;
            if certs.is_empty() {
                return Err(ca_error("no PEM certificate in the file".to_owned()));
            }
            roots.extend(certs);
        }
        Self::with_roots(settings, roots)
    }

    /// A prober with the same policy and its own connection pool (clones
    /// share one).
    pub fn with_new_pool(&self) -> Result<Self, ProbeError> {
        let mut prober = Self::with_roots(self.settings.clone(), self.roots.clone())?;
        prober.observer.clone_from(&self.observer);
        prober.limits.clone_from(&self.limits);
        // A new pool is a new server's check: its own quiet hosts.
        prober.quiet = self.limits.as_ref().map(|_| QuietHosts::default());
        Ok(prober)
    }

    fn with_roots(
        settings: ProbeSettings,
        roots: Vec<reqwest::Certificate>,
    ) -> Result<Self, ProbeError> {
        let mut builder = reqwest::Client::builder();
        for cert in &roots {
            builder = builder.add_root_certificate(cert.clone());
        }
        let client = builder
            .user_agent(USER_AGENT)
            // Redirects are recorded and graded, never followed silently.
            .redirect(Policy::none())
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout)
            .build()
            .map_err(ProbeError::Client)?;
        Ok(Self {
            client,
            settings,
            roots,
            journal: None,
            policy: None,
            observer: None,
            limits: None,
            quiet: None,
        })
    }

    /// A clone that sends only what `policy` allows (the URLs of a command's
    /// target and of the documents it names: https, loopback http or the
    /// target's origin, no private address from a public target); a refused
    /// request is recorded as not sent, like `check`'s.
    pub fn within(&self, policy: crate::evidence::urls::UrlPolicy) -> Self {
        let mut prober = self.clone();
        prober.policy = Some(policy);
        prober
    }

    /// A clone whose requests (and those of the pools made from it) wait
    /// for a slot of `limits`, and are not sent to a host that let one of
    /// the pool's requests time out ([`QuietHosts`]).
    pub fn limited(&self, limits: std::sync::Arc<RequestLimits>) -> Self {
        let mut prober = self.clone();
        prober.limits = Some(limits);
        prober.quiet = Some(QuietHosts::default());
        prober
    }

    /// A clone that also keeps every exchange it sends in the returned journal.
    pub fn recording(&self) -> (Self, Journal) {
        let journal = Journal::default();
        let mut prober = self.clone();
        prober.journal = Some(journal.clone());
        (prober, journal)
    }

    /// Send one request and record the exchange. Never fails: transport problems
    /// are part of the evidence.
    pub async fn send(&self, req: ProbeRequest) -> Exchange {
        self.send_keeping_secrets(req).await.0
    }

    /// [`Self::send`], also returning the unredacted body, for the caller to
    /// use (never to record): e.g. the registration access token needed to
    /// delete a probe client.
    pub async fn send_keeping_secrets(&self, req: ProbeRequest) -> (Exchange, Option<String>) {
        let request = RequestRecord {
            method: req.method.to_string(),
            url: req.url.clone(),
            headers: req
                .headers
                .iter()
                .map(|(n, v)| Header {
                    name: n.clone(),
                    value: recorded_value(n, v),
                })
                .collect(),
            body: req
                .body
                .as_deref()
                .map(|b| redact_request_body(b).into_owned()),
        };
        let quiet = |url: &str| self.quiet.as_ref().and_then(|q| q.refusal(url));
        let mut refused = self.policy.as_ref().and_then(|p| p.check(&req.url).err());
        refused = refused.or_else(|| quiet(&req.url));
        // A refused request is never sent, so it waits for no slot; the
        // time an exchange takes starts once it has one.
        let _slot = match (&self.limits, &refused) {
            (Some(limits), None) => Some(limits.acquire(&req.url).await),
            _ => None,
        };
        // The host may have gone quiet while this request waited.
        refused = refused.or_else(|| quiet(&req.url));
        let started = Instant::now();
        let (mut response, error) = match refused {
            Some(why) => (None, Some(TransportError::not_sent(&why))),
            None => {
                let _watch = self
                    .observer
                    .as_ref()
                    .map(|o| o.watch(req.method.as_str(), &req.url));
                self.exchange(&req).await
            }
        };
        let raw_body = response.as_mut().map(|r| {
            let raw = std::mem::take(&mut r.body);
            r.body = redact_body(&raw).into_owned();
            raw
        });
        if let (Some(q), Some(TransportErrorKind::Timeout)) =
            (&self.quiet, error.as_ref().map(|e| e.kind))
        {
            q.timed_out(&req.url);
        }
        let elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        tracing::debug!(
            method = %request.method,
            url = %request.url,
            status = response.as_ref().map(|r| r.status),
            error = error.as_ref().map(|e| e.message.as_str()),
            elapsed_ms,
            "exchange"
        );
        let exchange = Exchange {
            request,
            response,
            error,
            elapsed_ms,
        };
        if let Some(j) = &self.journal {
            j.push(&exchange);
        }
        (exchange, raw_body)
    }

    async fn exchange(
        &self,
        req: &ProbeRequest,
    ) -> (Option<ResponseRecord>, Option<TransportError>) {
        let mut builder = self.client.request(req.method.clone(), &req.url);
        for (name, value) in &req.headers {
            builder = builder.header(name.as_str(), value);
        }
        if let Some(body) = &req.body {
            builder = builder.body(body.clone());
        }
        let mut resp = match builder.send().await {
            Ok(resp) => resp,
            Err(e) => return (None, Some(transport_error(&e))),
        };
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(n, v)| Header {
                name: n.as_str().to_owned(),
                value: String::from_utf8_lossy(v.as_bytes()).into_owned(),
            })
            .collect();
        let mut record = ResponseRecord {
            status,
            headers,
            body: String::new(),
            body_not_utf8: false,
            body_truncated: false,
        };
        let cap = self.settings.body_cap;
        if resp.content_length().is_some_and(|len| len > cap as u64) {
            record.body_truncated = true;
            return (Some(record), Some(too_large(cap)));
        }
        let mut body = Vec::new();
        loop {
            match resp.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() + chunk.len() > cap {
                        record.body_truncated = true;
                        return (Some(record), Some(too_large(cap)));
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => {
                    record.body = String::from_utf8_lossy(&body).into_owned();
                    return (Some(record), Some(transport_error(&e)));
                }
            }
        }
        match String::from_utf8(body) {
            Ok(text) => record.body = text,
            Err(e) => {
                record.body = String::from_utf8_lossy(e.as_bytes()).into_owned();
                record.body_not_utf8 = true;
            }
        }
        (Some(record), None)
    }
}

#[cfg(test)]
mod tests;

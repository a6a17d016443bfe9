//! A Streamable HTTP MCP session with an access token, through the prober
//! (capped, redacted, recordable). As a dual-era client (MCP 2026-07-28
//! streamable-http §Backward Compatibility) it first sends the stateless
//! `server/discover` and, when the answer is not a modern one, falls back to
//! `initialize`, then keeps `Mcp-Session-Id` and the negotiated version.
//! A DPoP-bound token is sent as `Authorization: DPoP` with a fresh proof per
//! request, and the server's nonce is kept for the next one (RFC 9449 §7, §9).

use serde_json::{json, Value};

use crate::dpop::{self, DpopError, DpopKey, Server};
use crate::evidence::requests::INITIALIZE_PROTOCOL_VERSION;
use crate::probe::{ProbeRequest, Prober};

/// Why a request got no JSON-RPC result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// No HTTP answer.
    Unreachable(String),
    /// An HTTP error status, with its `WWW-Authenticate` and the start of the body.
    Status {
        status: u16,
        challenge: Option<String>,
        detail: String,
    },
    /// A 2xx without a usable JSON-RPC answer, or a JSON-RPC error.
    Unusable(String),
}

/// Which lifecycle to speak (`--protocol-version`): the stateful one with
/// `initialize` (up to 2025-11-25), or 2026-07-28's stateless one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lifecycle {
    /// `initialize` asking for this revision; no `server/discover` first.
    Stateful(String),
    /// `server/discover` and `_meta` on every request, no `initialize`.
    Stateless,
}

/// The revisions `--protocol-version` takes: the stateful ones, then 2026-07-28.
pub const STATEFUL_REVISIONS: [&str; 3] = ["2025-03-26", "2025-06-18", "2025-11-25"];

impl Lifecycle {
    /// The lifecycle of a protocol revision.
    pub fn of_revision(rev: &str) -> Result<Self, String> {
        if rev == crate::probe::MCP_PROTOCOL_VERSION {
            Ok(Self::Stateless)
        } else if STATEFUL_REVISIONS.contains(&rev) {
            Ok(Self::Stateful(rev.to_owned()))
        } else {
            Err(format!(
                "unknown MCP protocol revision '{rev}' (expected one of {}, {})",
                STATEFUL_REVISIONS.join(", "),
                crate::probe::MCP_PROTOCOL_VERSION
            ))
        }
    }
}

pub struct McpSession<'a> {
    prober: &'a Prober,
    url: String,
    token: String,
    /// The DPoP key the token is bound to, and the server's latest nonce.
    dpop: Option<&'a DpopKey>,
    nonce: Option<String>,
    session_id: Option<String>,
    protocol: Option<String>,
    /// The 2026-07-28 stateless transport (no `initialize`; `_meta` on each request).
    stateless: bool,
    /// The lifecycle `--protocol-version` forces (else by what the server supports).
    forced: Option<Lifecycle>,
    /// The JSON-RPC error code of the last non-2xx answer, if its body had one.
    rpc_error: Option<i64>,
    /// The last request failed in DPoP (a proof, or a nonce demanded again).
    dpop_failed: bool,
    next_id: u64,
}

/// The JSON-RPC error codes only a 2026-07-28 server answers with:
/// `HeaderMismatch`, `MissingRequiredClientCapability`,
/// `UnsupportedProtocolVersion` (schema.ts of 2026-07-28).
const MODERN_ERRORS: [i64; 3] = [-32020, -32021, -32022];

/// Whether a failed `server/discover` says the server is of the
/// `initialize` era (streamable-http §Backward Compatibility): not a refused
/// token (401, 403), not unreachable, and no modern JSON-RPC error (nor the
/// 404 `-32601` by which a modern server names an unknown method).
fn legacy_answer(failure: &Failure, rpc_error: Option<i64>) -> bool {
    match failure {
        Failure::Unreachable(_) => false,
        Failure::Unusable(_) => true,
        Failure::Status { status, .. } => {
            let modern = rpc_error
                .is_some_and(|c| MODERN_ERRORS.contains(&c) || (c == -32601 && *status == 404));
            !matches!(status, 401 | 403) && !modern
        }
    }
}

/// A JSON-RPC answer with `id`, from a JSON body or a `text/event-stream` body.
pub fn rpc_result(content_type: &str, body: &str, id: u64) -> Option<Value> {
    let pick = |v: Value| (v.get("id").and_then(Value::as_u64) == Some(id)).then_some(v);
    if crate::evidence::media_type(content_type) == "text/event-stream" {
        let mut data = String::new();
        for line in body.lines().chain(std::iter::once("")) {
            if let Some(d) = line.strip_prefix("data:") {
                data.push_str(d.trim_start());
                data.push('\n');
            } else if line.is_empty() && !data.is_empty() {
                if let Some(v) = serde_json::from_str(&data).ok().and_then(pick) {
                    return Some(v);
                }
                data.clear();
            }
        }
        None
    } else {
        serde_json::from_str(body).ok().and_then(pick)
    }
}

impl<'a> McpSession<'a> {
    pub fn new(prober: &'a Prober, url: &str, token: &str) -> Self {
        Self {
            prober,
            url: url.to_owned(),
            token: token.to_owned(),
            dpop: None,
            nonce: None,
            session_id: None,
            protocol: None,
            stateless: false,
            forced: None,
            rpc_error: None,
            dpop_failed: false,
            next_id: 1,
        }
    }

    /// Speak this lifecycle only (none: `server/discover`, and `initialize`
    /// when the answer is not a modern one).
    pub fn with_lifecycle(mut self, forced: Option<Lifecycle>) -> Self {
        self.forced = forced;
        self
    }

    /// Present the token as DPoP-bound to `key` (when some).
    pub fn with_dpop(mut self, key: Option<&'a DpopKey>) -> Self {
        self.dpop = key;
        self
    }

    /// The protocol version the server chose in `initialize` (2026-07-28
    /// after `server/discover`).
    pub fn protocol(&self) -> Option<&str> {
        self.protocol.as_deref()
    }

    /// Whether the session speaks the 2026-07-28 stateless transport.
    pub fn stateless(&self) -> bool {
        self.stateless
    }

    /// Start the session: `server/discover` (2026-07-28), else or when forced
    /// `initialize` and `notifications/initialized`; the server's info.
    pub async fn initialize(&mut self) -> Result<Value, Failure> {
        let version = match &self.forced {
            Some(Lifecycle::Stateless) => return self.discover().await,
            Some(Lifecycle::Stateful(v)) => v.clone(),
            None => match self.discover().await {
                Err(f) if !self.dpop_failed && legacy_answer(&f, self.rpc_error) => {
                    self.stateless = false;
                    self.protocol = None;
                    self.session_id = None;
                    INITIALIZE_PROTOCOL_VERSION.to_owned()
                }
                found => return found,
            },
        };
        let params = json!({
            "protocolVersion": version,
            "capabilities": {},
            "clientInfo": {"name": "mcp-auth", "version": env!("CARGO_PKG_VERSION")}
        });
        let init = self.request("initialize", params).await?;
        self.protocol = init
            .get("protocolVersion")
            .and_then(Value::as_str)
            .map(str::to_owned);
        self.send("notifications/initialized", json!({}), true)
            .await?;
        Ok(init.get("serverInfo").cloned().unwrap_or_default())
    }

    /// `server/discover` of the stateless transport (MCP 2026-07-28); the
    /// server's info from its `_meta`.
    async fn discover(&mut self) -> Result<Value, Failure> {
        self.stateless = true;
        let found = self.request("server/discover", json!({})).await?;
        self.protocol = Some(crate::probe::MCP_PROTOCOL_VERSION.to_owned());
        Ok(found
            .get("_meta")
            .and_then(|m| m.get("io.modelcontextprotocol/serverInfo"))
            .cloned()
            .unwrap_or_default())
    }

    /// A request; its `result`.
    pub async fn request(&mut self, method: &str, params: Value) -> Result<Value, Failure> {
        Ok(self.send(method, params, false).await?.unwrap_or_default())
    }

    async fn send(
        &mut self,
        method: &str,
        params: Value,
        notify: bool,
    ) -> Result<Option<Value>, Failure> {
        let id = self.next_id;
        if !notify {
            self.next_id += 1;
        }
        let mut req = if self.stateless {
            ProbeRequest::mcp_stateless(
                self.url.as_str(),
                if notify { 0 } else { id },
                method,
                &params,
            )
        } else {
            let mut body = json!({"jsonrpc": "2.0", "method": method, "params": params});
            if !notify {
                body["id"] = id.into();
            }
            ProbeRequest::mcp_post(
                self.url.as_str(),
                body.to_string(),
                self.protocol.as_deref(),
            )
        };
        req = req.header("authorization", dpop::authorization(&self.token, self.dpop));
        if let Some(s) = &self.session_id {
            req = req.header("mcp-session-id", s.as_str());
        }
        let sent = dpop::send(
            self.prober,
            self.dpop,
            Server::Resource,
            Some(&self.token),
            &mut self.nonce,
            || Ok::<_, DpopError>(req.clone()),
        )
        .await;
        self.dpop_failed = sent.is_err();
        let (ex, raw) = sent.map_err(|e| Failure::Unusable(e.to_string()))?;
        let Some(resp) = &ex.response else {
            return Err(Failure::Unreachable(
                ex.error.map(|e| e.message).unwrap_or_default(),
            ));
        };
        if let Some(s) = resp.header("mcp-session-id") {
            self.session_id = Some(s.to_owned());
        }
        let text = raw.unwrap_or_default();
        self.rpc_error = None;
        if !(200..300).contains(&resp.status) {
            self.rpc_error = serde_json::from_str::<Value>(&text)
                .ok()
                .and_then(|v| v.pointer("/error/code").and_then(Value::as_i64));
            return Err(Failure::Status {
                status: resp.status,
                challenge: resp.header("www-authenticate").map(str::to_owned),
                detail: text.chars().take(200).collect(),
            });
        }
        if let Some(e) = &ex.error {
            return Err(Failure::Unusable(e.message.clone()));
        }
        if notify {
            return Ok(None);
        }
        let ct = resp.header("content-type").unwrap_or_default();
        let v = rpc_result(ct, &text, id)
            .ok_or_else(|| Failure::Unusable("no JSON-RPC response in the body".to_owned()))?;
        if let Some(e) = v.get("error") {
            return Err(Failure::Unusable(format!("JSON-RPC error: {e}")));
        }
        Ok(v.get("result").cloned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revisions_choose_the_lifecycle() {
        assert_eq!(
            Lifecycle::of_revision("2026-07-28"),
            Ok(Lifecycle::Stateless)
        );
        assert_eq!(
            Lifecycle::of_revision("2025-06-18"),
            Ok(Lifecycle::Stateful("2025-06-18".into()))
        );
        let e = Lifecycle::of_revision("2024-11-05").unwrap_err();
        assert!(e.contains("2025-11-25, 2026-07-28"), "{e}");
    }

    #[test]
    fn only_an_initialize_era_answer_to_discover_falls_back() {
        let status = |status| Failure::Status {
            status,
            challenge: None,
            detail: String::new(),
        };
        // The v1 TypeScript SDK: no session (400 -32000), or a 2026-07-28
        // version header it does not know (400 -32000).
        assert!(legacy_answer(&status(400), Some(-32000)));
        assert!(legacy_answer(&status(400), None));
        assert!(legacy_answer(&status(405), None));
        assert!(legacy_answer(&status(404), None));
        assert!(legacy_answer(
            &Failure::Unusable("JSON-RPC error".into()),
            None
        ));
        // A modern server refusing the request, or the token: no fallback.
        for code in MODERN_ERRORS {
            assert!(!legacy_answer(&status(400), Some(code)), "{code}");
        }
        assert!(!legacy_answer(&status(404), Some(-32601)));
        assert!(!legacy_answer(&status(401), None));
        assert!(!legacy_answer(&status(403), None));
        assert!(!legacy_answer(
            &Failure::Unreachable("refused".into()),
            None
        ));
    }

    #[test]
    fn json_and_event_stream_answers() {
        let v = rpc_result(
            "application/json",
            r#"{"jsonrpc":"2.0","id":2,"result":{"a":1}}"#,
            2,
        )
        .unwrap();
        assert_eq!(v["result"]["a"], 1);
        let sse = "event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/x\"}\n\nevent: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{}}\n\n";
        assert!(rpc_result("text/event-stream", sse, 3).is_some());
        assert!(rpc_result("text/event-stream", sse, 4).is_none());
        assert!(rpc_result("application/json", "not json", 1).is_none());
    }
}

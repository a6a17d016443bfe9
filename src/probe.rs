//! The one place `check` talks to the network.
//!
//! Every request goes through [`Prober::send`], which applies the timeout, the
//! body-size cap and the no-redirect policy, and returns an [`Exchange`]: what
//! was sent and what came back, as data. Nothing here decides a verdict.

use std::time::{Duration, Instant};

use reqwest::redirect::Policy;

use crate::evidence::{
    Exchange, Header, RequestRecord, ResponseRecord, TransportError, TransportErrorKind,
};

/// The newest MCP protocol revision; sent as `MCP-Protocol-Version` on metadata
/// requests, as the SDK clients do.
pub const MCP_PROTOCOL_VERSION: &str = "2026-07-28";

/// Default cap on a response body.
pub const DEFAULT_BODY_CAP: usize = 1024 * 1024;

/// Settings for the HTTP client.
#[derive(Debug, Clone)]
pub struct ProbeSettings {
    /// Total time allowed for one exchange (connect, headers and body).
    pub timeout: Duration,
    /// Bodies longer than this are not kept.
    pub body_cap: usize,
}

impl Default for ProbeSettings {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(10),
            body_cap: DEFAULT_BODY_CAP,
        }
    }
}

/// A request to make, built by the discovery layer.
#[derive(Debug, Clone)]
pub struct ProbeRequest {
    pub method: reqwest::Method,
    pub url: String,
    pub headers: Vec<(&'static str, String)>,
}

impl ProbeRequest {
    /// A metadata GET as an MCP client sends it.
    pub fn metadata_get(url: impl Into<String>) -> Self {
        Self {
            method: reqwest::Method::GET,
            url: url.into(),
            headers: vec![
                ("accept", "application/json".to_owned()),
                ("mcp-protocol-version", MCP_PROTOCOL_VERSION.to_owned()),
            ],
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    #[error("could not build the HTTP client: {0}")]
    Client(#[source] reqwest::Error),
}

/// The shared HTTP client: one connection pool, one policy.
#[derive(Debug, Clone)]
pub struct Prober {
    client: reqwest::Client,
    settings: ProbeSettings,
}

impl Prober {
    pub fn new(settings: ProbeSettings) -> Result<Self, ProbeError> {
        let client = reqwest::Client::builder()
            .user_agent(concat!("mcp-auth/", env!("CARGO_PKG_VERSION")))
            // Redirects are recorded and graded, never followed silently.
            .redirect(Policy::none())
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout)
            .build()
            .map_err(ProbeError::Client)?;
        Ok(Self { client, settings })
    }

    /// The client, for callers (such as the oauth2 crate) that need one with the same policy.
    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// Send one request and record the exchange. Never fails: transport problems
    /// are part of the evidence.
    pub async fn send(&self, req: ProbeRequest) -> Exchange {
        let request = RequestRecord {
            method: req.method.to_string(),
            url: req.url.clone(),
            headers: req
                .headers
                .iter()
                .map(|(n, v)| Header {
                    name: (*n).to_owned(),
                    value: v.clone(),
                })
                .collect(),
        };
        let started = Instant::now();
        let (response, error) = self.exchange(&req).await;
        let elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        tracing::debug!(
            method = %request.method,
            url = %request.url,
            status = response.as_ref().map(|r| r.status),
            error = error.as_ref().map(|e| e.message.as_str()),
            elapsed_ms,
            "exchange"
        );
        Exchange {
            request,
            response,
            error,
            elapsed_ms,
        }
    }

    async fn exchange(
        &self,
        req: &ProbeRequest,
    ) -> (Option<ResponseRecord>, Option<TransportError>) {
        let mut builder = self.client.request(req.method.clone(), &req.url);
        for (name, value) in &req.headers {
            builder = builder.header(*name, value);
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

fn too_large(cap: usize) -> TransportError {
    TransportError {
        kind: TransportErrorKind::BodyTooLarge,
        message: format!("response body larger than the {} cap", human_bytes(cap)),
    }
}

fn human_bytes(n: usize) -> String {
    if n >= 1024 * 1024 && n % (1024 * 1024) == 0 {
        format!("{} MiB", n / (1024 * 1024))
    } else if n >= 1024 && n % 1024 == 0 {
        format!("{} KiB", n / 1024)
    } else {
        format!("{n} bytes")
    }
}

/// Classify a reqwest error and describe it in one line, innermost cause last.
fn transport_error(e: &reqwest::Error) -> TransportError {
    let kind = if e.is_timeout() {
        TransportErrorKind::Timeout
    } else if e.is_connect() {
        TransportErrorKind::Connect
    } else {
        TransportErrorKind::Other
    };
    if kind == TransportErrorKind::Timeout {
        return TransportError {
            kind,
            message: "no answer within the timeout".to_owned(),
        };
    }
    // The causes, without reqwest's "error sending request for url (…)" and
    // hyper-util's "client error (Connect)" wrappers, which add nothing.
    let mut parts: Vec<String> = Vec::new();
    let mut source = std::error::Error::source(e);
    while let Some(err) = source {
        let text = err.to_string();
        if !text.starts_with("client error (") && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = err.source();
    }
    let message = if parts.is_empty() {
        e.to_string()
    } else {
        parts.join(": ")
    };
    TransportError { kind, message }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_bytes_reads_well() {
        assert_eq!(human_bytes(1024 * 1024), "1 MiB");
        assert_eq!(human_bytes(2048), "2 KiB");
        assert_eq!(human_bytes(1000), "1000 bytes");
    }
}

//! Reading exchanges: what a metadata fetch amounted to, and the JSON object
//! documents in response bodies, read through the lenient typed views of
//! [`crate::metadata`]. Pure; shared by gathering (to decide what to fetch
//! next) and grading.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::metadata::{AsMetadata, Lenient, MemberTypeError};
use crate::{Exchange, TransportError, TransportErrorKind};

/// A JSON object read from a response or file, with its typed view.
#[derive(Debug, Clone, PartialEq)]
pub struct Doc<M = AsMetadata> {
    pub raw: Map<String, Value>,
    pub md: M,
    pub type_errors: Vec<MemberTypeError>,
}

/// What one metadata fetch amounted to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum AttemptOutcome {
    /// 200 with a JSON object.
    Document,
    /// A 4xx: clients move on to the next candidate.
    ClientError { status: u16 },
    /// A 3xx; redirects are not followed.
    Redirect {
        status: u16,
        #[serde(skip_serializing_if = "Option::is_none")]
        location: Option<String>,
    },
    /// A 5xx.
    ServerError { status: u16 },
    /// Any other status (1xx, 2xx other than 200).
    UnexpectedStatus { status: u16 },
    /// 200, but the body is not JSON.
    NotJson { reason: String },
    /// 200 with JSON that is not an object.
    NotObject { found: String },
    /// The body exceeded the size cap.
    TooLarge { message: String },
    /// No usable response.
    Transport {
        kind: TransportErrorKind,
        message: String,
    },
}

impl AttemptOutcome {
    /// A short phrase for tables and error lines.
    pub fn summary(&self) -> String {
        match self {
            Self::Document => "metadata document".to_owned(),
            Self::ClientError { status } => format!("{status} (not here)"),
            Self::Redirect {
                status,
                location: Some(l),
            } => format!("{status} redirect to {l} (not followed)"),
            Self::Redirect { status, .. } => format!("{status} redirect (not followed)"),
            Self::ServerError { status } => format!("{status} server error"),
            Self::UnexpectedStatus { status } => format!("unexpected status {status}"),
            Self::NotJson { reason } => format!("not JSON: {reason}"),
            Self::NotObject { found } => format!("JSON {found}, not an object"),
            Self::TooLarge { message } => message.clone(),
            Self::Transport { message, .. } => message.clone(),
        }
    }

    /// Whether the TypeScript and Python SDKs move on to the next candidate.
    pub fn is_4xx(&self) -> bool {
        matches!(self, Self::ClientError { .. })
    }
}

/// One fetch, classified.
#[derive(Debug, Clone, PartialEq)]
pub struct Fetched<M = AsMetadata> {
    pub url: String,
    pub status: Option<u16>,
    pub content_type: Option<String>,
    pub elapsed_ms: Option<u64>,
    pub outcome: AttemptOutcome,
    pub doc: Option<Doc<M>>,
}

pub fn parse_body<M: Lenient>(body: &str, not_utf8: bool) -> Result<Doc<M>, AttemptOutcome> {
    if not_utf8 {
        return Err(AttemptOutcome::NotJson {
            reason: "body is not valid UTF-8".to_owned(),
        });
    }
    if body.trim_start().starts_with('<') {
        return Err(AttemptOutcome::NotJson {
            reason: "body is HTML".to_owned(),
        });
    }
    match serde_json::from_str::<Value>(body) {
        Ok(Value::Object(raw)) => {
            let (md, type_errors) = M::from_object(&raw);
            Ok(Doc {
                raw,
                md,
                type_errors,
            })
        }
        Ok(other) => Err(AttemptOutcome::NotObject {
            found: crate::metadata::json_kind(&other).to_owned(),
        }),
        Err(e) if body.trim().is_empty() => Err(AttemptOutcome::NotJson {
            reason: format!("empty body ({e})"),
        }),
        Err(e) => Err(AttemptOutcome::NotJson {
            reason: e.to_string(),
        }),
    }
}

/// Classify a metadata exchange.
pub fn classify<M: Lenient>(url: &str, exchange: &Exchange) -> Fetched<M> {
    let mut out = Fetched {
        url: url.to_owned(),
        status: None,
        content_type: None,
        elapsed_ms: Some(exchange.elapsed_ms),
        outcome: AttemptOutcome::Document,
        doc: None,
    };
    let Some(resp) = &exchange.response else {
        let err = exchange.error.clone().unwrap_or(TransportError {
            kind: TransportErrorKind::Other,
            message: "no response".to_owned(),
        });
        out.outcome = AttemptOutcome::Transport {
            kind: err.kind,
            message: err.message,
        };
        return out;
    };
    out.status = Some(resp.status);
    out.content_type = resp.header("content-type").map(str::to_owned);
    out.outcome = match resp.status {
        200 => match &exchange.error {
            Some(e) if e.kind == TransportErrorKind::BodyTooLarge => AttemptOutcome::TooLarge {
                message: e.message.clone(),
            },
            Some(e) => AttemptOutcome::Transport {
                kind: e.kind,
                message: format!("body cut off: {}", e.message),
            },
            None => match parse_body(&resp.body, resp.body_not_utf8) {
                Ok(doc) => {
                    out.doc = Some(doc);
                    AttemptOutcome::Document
                }
                Err(outcome) => outcome,
            },
        },
        s @ 300..=399 => AttemptOutcome::Redirect {
            status: s,
            location: resp.header("location").map(str::to_owned),
        },
        s @ 400..=499 => AttemptOutcome::ClientError { status: s },
        s @ 500..=599 => AttemptOutcome::ServerError { status: s },
        s => AttemptOutcome::UnexpectedStatus { status: s },
    };
    out
}

/// The JSON object body of a response (any status), read leniently.
pub fn body_doc<M: Lenient>(exchange: &Exchange) -> Option<Doc<M>> {
    let resp = exchange.response.as_ref()?;
    if exchange.error.is_some() {
        return None;
    }
    parse_body(&resp.body, resp.body_not_utf8).ok()
}

/// What a 2xx MCP answer carried: the first JSON-RPC response of its body
/// (JSON, or the `data:` events of a `text/event-stream`).
#[derive(Debug, Clone, PartialEq)]
pub enum RpcAnswer {
    /// A `result`.
    Result(serde_json::Value),
    /// An `error` (its code and message as sent).
    Error(serde_json::Value),
    /// No JSON-RPC response in the body.
    Nothing,
}

/// The JSON-RPC answer in an MCP response body.
pub fn rpc_answer(resp: &crate::ResponseRecord) -> RpcAnswer {
    use crate::metadata::{JsonRpcResponse, Lenient};
    let ct = resp.header("content-type").unwrap_or_default();
    let messages: Vec<String> = if crate::media_type(ct) == "text/event-stream" {
        resp.body
            .split("\n\n")
            .map(|event| {
                event
                    .lines()
                    .filter_map(|l| l.strip_prefix("data:"))
                    .map(str::trim_start)
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .collect()
    } else {
        vec![resp.body.clone()]
    };
    for m in messages {
        let Ok(serde_json::Value::Object(obj)) = serde_json::from_str(&m) else {
            continue;
        };
        let (rpc, _) = JsonRpcResponse::from_object(&obj);
        if let Some(e) = rpc.error {
            return RpcAnswer::Error(e);
        }
        if let Some(r) = rpc.result {
            return RpcAnswer::Result(r);
        }
    }
    RpcAnswer::Nothing
}

//! `mcp-auth call`: speak MCP Streamable HTTP with the cached token:
//! initialize, list the tools, call one; explain 401/403 (step-up).

use std::io::Write;

use comfy_table::Cell;
use serde_json::{json, Map, Value};

use crate::cli::{CallArgs, Format};
use crate::commands::login::{prober, report_error, select};
use crate::exit::ExitStatus;
use crate::login::LoginError;
use crate::probe::{ProbeRequest, Prober};
use crate::report::table::{header, new_table, Style};
use crate::token_store::{now, TokenEntry, TokenStore};
use crate::www_authenticate;

/// A JSON-RPC answer, from a JSON body or a `text/event-stream` body.
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

/// Why a request was refused, with what to do.
fn explain_refusal(status: u16, challenge: Option<&str>, entry: &TokenEntry, url: &str) -> String {
    let parsed = www_authenticate::parse(&[challenge.unwrap_or_default()]);
    let bearer = parsed.bearer();
    let param = |n: &str| bearer.and_then(|b| b.param(n)).map(|p| p.value.clone());
    match (status, param("error").as_deref()) {
        (403, Some("insufficient_scope")) | (403, None) => {
            let have: Vec<String> = entry.scope.as_deref().unwrap_or("").split(' ').filter(|s| !s.is_empty()).map(str::to_owned).collect();
            let mut union = have.clone();
            for s in param("scope").unwrap_or_default().split(' ').filter(|s| !s.is_empty()) {
                if !union.iter().any(|h| h == s) {
                    union.push(s.to_owned());
                }
            }
            format!(
                "403 insufficient_scope: the server needs scope \"{}\"; the token has \"{}\". Step up (MCP 2026-07-28: ask for the union): mcp-auth login {url} --scope \"{}\"",
                param("scope").unwrap_or_else(|| "(not named)".to_owned()),
                have.join(" "),
                union.join(" ")
            )
        }
        (401, e) => format!(
            "401{}: the token was refused; refresh it (`mcp-auth login {url} --refresh`) or log in again (`mcp-auth login {url}`)",
            e.map(|e| format!(" {e}")).unwrap_or_default()
        ),
        (s, e) => format!("{s}{}", e.map(|e| format!(" {e}")).unwrap_or_default()),
    }
}

struct Session<'a> {
    prober: &'a Prober,
    url: String,
    token: String,
    session_id: Option<String>,
    protocol: Option<String>,
    next_id: u64,
}

impl Session<'_> {
    async fn send(
        &mut self,
        method: &str,
        params: Value,
        notify: bool,
    ) -> Result<Option<Value>, (u16, Option<String>, String)> {
        let mut body = json!({"jsonrpc": "2.0", "method": method, "params": params});
        let id = self.next_id;
        if !notify {
            body["id"] = id.into();
            self.next_id += 1;
        }
        let mut req = ProbeRequest::new(reqwest::Method::POST, self.url.as_str())
            .header("authorization", format!("Bearer {}", self.token))
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .body(body.to_string());
        if let Some(s) = &self.session_id {
            req = req.header("mcp-session-id", s.as_str());
        }
        if let Some(p) = &self.protocol {
            req = req.header("mcp-protocol-version", p.as_str());
        }
        let (ex, raw) = self.prober.send_keeping_secrets(req).await;
        let Some(resp) = &ex.response else {
            let why = ex.error.map(|e| e.message).unwrap_or_default();
            return Err((0, None, why));
        };
        let status = resp.status;
        let h = |n: &str| resp.header(n).map(str::to_owned);
        let challenge = h("www-authenticate");
        if let Some(s) = h("mcp-session-id") {
            self.session_id = Some(s);
        }
        let ct = h("content-type").unwrap_or_default();
        if let Some(e) = &ex.error {
            return Err((status, None, e.message.clone()));
        }
        let text = raw.unwrap_or_default();
        if !(200..300).contains(&status) {
            return Err((status, challenge, text.chars().take(200).collect()));
        }
        if notify {
            return Ok(None);
        }
        let v = rpc_result(&ct, &text, id).ok_or((
            status,
            None,
            "no JSON-RPC response in the body".to_owned(),
        ))?;
        if let Some(e) = v.get("error") {
            return Err((status, None, format!("JSON-RPC error: {e}")));
        }
        Ok(v.get("result").cloned())
    }
}

/// `--arg k=v`: the value as JSON when it parses, else as a string.
pub fn parse_args(args: &[String]) -> Result<Map<String, Value>, String> {
    args.iter()
        .map(|a| {
            let (k, v) = a
                .split_once('=')
                .ok_or_else(|| format!("--arg {a}: expected key=value"))?;
            Ok((
                k.to_owned(),
                serde_json::from_str(v).unwrap_or_else(|_| Value::String(v.to_owned())),
            ))
        })
        .collect()
}

pub async fn run(
    args: &CallArgs,
    style: Style,
    out: &mut dyn Write,
) -> Result<ExitStatus, crate::Error> {
    let mut err = std::io::stderr();
    let arguments = match parse_args(&args.arg) {
        Ok(a) => a,
        Err(e) => return Ok(report_error(&LoginError::Usage(e), &mut err)),
    };
    let store = match TokenStore::from_env() {
        Ok(s) => s,
        Err(e) => return Ok(report_error(&LoginError::Store(e), &mut err)),
    };
    let prober = prober(&args.net)?;
    let (_, mut entry) = match select(&store, Some(&args.url)) {
        Ok(x) => x,
        Err(e) => return Ok(report_error(&e, &mut err)),
    };
    if entry.expires_in(now()).is_some_and(|s| s < 30) && entry.refresh_token.is_some() {
        if let Ok(e) = crate::login::refresh(&prober, &store, &entry).await {
            entry = e;
        }
    }
    let mut s = Session {
        prober: &prober,
        url: args.url.clone(),
        token: entry.access_token.expose().to_owned(),
        session_id: None,
        protocol: None,
        next_id: 1,
    };
    let fail = |(status, challenge, detail): (u16, Option<String>, String), err: &mut dyn Write| {
        let msg = if status == 401 || status == 403 {
            explain_refusal(status, challenge.as_deref(), &entry, &args.url)
        } else if status == 0 {
            format!("cannot reach {}: {detail}", args.url)
        } else {
            format!("{} answered {status}: {detail}", args.url)
        };
        let _ = writeln!(err, "error: {msg}");
        if status == 0 {
            ExitStatus::Unreachable
        } else {
            ExitStatus::Failed
        }
    };
    let init = match s
        .send(
            "initialize",
            json!({"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "mcp-auth", "version": env!("CARGO_PKG_VERSION")}}),
            false,
        )
        .await
    {
        Ok(r) => r.unwrap_or_default(),
        Err(e) => return Ok(fail(e, &mut err)),
    };
    s.protocol = init
        .get("protocolVersion")
        .and_then(Value::as_str)
        .map(str::to_owned);
    if let Err(e) = s.send("notifications/initialized", json!({}), true).await {
        return Ok(fail(e, &mut err));
    }
    let server = init.get("serverInfo").cloned().unwrap_or_default();
    let result = match &args.tool {
        None => s.send("tools/list", json!({}), false).await,
        Some(tool) => {
            s.send(
                "tools/call",
                json!({"name": tool, "arguments": arguments}),
                false,
            )
            .await
        }
    };
    let result = match result {
        Ok(r) => r.unwrap_or_default(),
        Err(e) => return Ok(fail(e, &mut err)),
    };
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(
                &mut *out,
                &json!({"server": server, "protocol_version": s.protocol, "result": result}),
            )
            .map_err(std::io::Error::from)?;
            writeln!(out)?;
        }
        Format::Table | Format::Markdown => {
            writeln!(
                out,
                "{} {} (protocol {})",
                server
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or("MCP server"),
                server.get("version").and_then(Value::as_str).unwrap_or(""),
                s.protocol.as_deref().unwrap_or("?")
            )?;
            if args.tool.is_none() {
                let mut t = new_table(style);
                header(&mut t, &["Tool", "Description"], style);
                for tool in result
                    .get("tools")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    t.add_row(vec![
                        Cell::new(tool.get("name").and_then(Value::as_str).unwrap_or("?")),
                        Cell::new(
                            tool.get("description")
                                .and_then(Value::as_str)
                                .unwrap_or(""),
                        ),
                    ]);
                }
                writeln!(out, "{t}")?;
            } else {
                for item in result
                    .get("content")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    match item.get("text").and_then(Value::as_str) {
                        Some(text) => writeln!(out, "{text}")?,
                        None => writeln!(out, "{item}")?,
                    }
                }
                if result.get("isError").and_then(Value::as_bool) == Some(true) {
                    // The output before the error line, as on an unbuffered terminal.
                    out.flush()?;
                    writeln!(err, "error: the tool reported an error")?;
                    return Ok(ExitStatus::Failed);
                }
            }
        }
    }
    Ok(ExitStatus::Ok)
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn arguments() {
        let a = parse_args(&["n=3".into(), "s=hello".into(), "o={\"x\":1}".into()]).unwrap();
        assert_eq!(a["n"], 3);
        assert_eq!(a["s"], "hello");
        assert_eq!(a["o"]["x"], 1);
        assert!(parse_args(&["nokey".into()]).is_err());
    }
}

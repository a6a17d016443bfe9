//! `mcp-auth call`: speak MCP Streamable HTTP with the cached token (initialize,
//! list the tools or call one; a DPoP-bound token with its cached key); grade how the server treated the token
//! (RS-ACCEPTS-TOKEN, CH-403-SCOPE: the step-up advice) and render.

use std::io::Write;

use serde_json::{json, Map, Value};

use crate::cli::{CallArgs, Format};
use crate::commands::login::{prober_for, report_error, select};
use crate::commands::reauth;
use crate::exit::ExitStatus;
use crate::login::LoginError;
use crate::probe::Prober;
use crate::report::call::{self, CallReport};
use crate::report::table::Style;
use crate::token_store::{now, TokenEntry, TokenStore};
use mcp_auth_grade::session::{call_error_line, grade_call, Answer, CallFacts};
use mcp_auth_net::mcp_session::{Failure, McpSession};

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

/// Initialize, then list the tools or call one: the server's info and the result.
async fn session(
    s: &mut McpSession<'_>,
    tool: Option<&str>,
    arguments: Map<String, Value>,
) -> Result<(Value, Value), Failure> {
    let server = s.initialize().await?;
    let result = match tool {
        None => s.request("tools/list", json!({})).await?,
        Some(name) => {
            s.request("tools/call", json!({"name": name, "arguments": arguments}))
                .await?
        }
    };
    Ok((server, result))
}

/// The session's outcome with the token that got it.
type Answered = (TokenEntry, Value, Result<Value, Failure>, Option<String>);

/// Run the session with the cached token, refreshing or authorizing again
/// as [`reauth::next_step`] says, at most twice.
async fn answered(
    args: &CallArgs,
    prober: &Prober,
    store: &TokenStore,
    mut entry: TokenEntry,
    arguments: Map<String, Value>,
    err: &mut dyn Write,
) -> Result<Answered, LoginError> {
    if entry.expires_in(now()).is_some_and(|s| s < 30) && entry.refresh_token.is_some() {
        if let Ok(e) = crate::login::refresh(prober, store, &entry).await {
            entry = e;
        }
    }
    let mut tries = 0;
    loop {
        let key = mcp_auth_net::dpop::key_of(&entry).map_err(LoginError::from)?;
        let mut s = McpSession::new(prober, &args.url, entry.access_token.expose())
            .with_dpop(key.as_ref())
            .with_lifecycle(args.protocol_version.clone());
        let outcome = session(&mut s, args.tool.as_deref(), arguments.clone()).await;
        let protocol = s.protocol().map(str::to_owned);
        let next = match &outcome {
            Err(Failure::Status {
                status, challenge, ..
            }) if tries < 2 => reauth::next_step(*status, challenge.as_deref(), &entry, args),
            _ => reauth::Next::Stop,
        };
        tries += 1;
        entry = match next {
            reauth::Next::Stop => {
                let (server, result) = match outcome {
                    Ok((server, result)) => (server, Ok(result)),
                    Err(f) => (Value::Null, Err(f)),
                };
                return Ok((entry, server, result, protocol));
            }
            reauth::Next::Refresh => crate::login::refresh(prober, store, &entry).await?,
            reauth::Next::Login(scope) => {
                if let Some(sc) = &scope {
                    writeln!(
                        err,
                        "{} asks for more scope: authorizing again for \"{sc}\"",
                        args.url
                    )?;
                } else {
                    writeln!(
                        err,
                        "{} did not accept the cached token: logging in again",
                        args.url
                    )?;
                }
                reauth::log_in_again(args, prober, store, &entry, scope, err).await?
            }
        };
    }
}

/// How a failed session ended, as the checks read it.
fn answer_of(failure: Failure) -> Answer<()> {
    match failure {
        Failure::Unreachable(e) => Answer::Unreachable(e),
        Failure::Unusable(e) => Answer::Unusable(e),
        Failure::Status {
            status,
            challenge,
            detail,
        } => Answer::Refused {
            status,
            challenge,
            detail,
        },
    }
}

/// A space-separated scope as a list.
fn scopes(scope: Option<&str>) -> Vec<String> {
    scope
        .unwrap_or("")
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
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
    let prober = prober_for(&args.net, &args.url)?;
    let (_, entry) = match select(&store, Some(&args.url)) {
        Ok(x) => x,
        Err(e) => return Ok(report_error(&e, &mut err)),
    };
    // Gather.
    let (entry, server, outcome, protocol) =
        match answered(args, &prober, &store, entry, arguments, &mut err).await {
            Ok(x) => x,
            Err(e) => return Ok(report_error(&e, &mut err)),
        };
    let (server, result, answer) = match outcome {
        Ok(result) => (server, Some(result), Answer::Ok(())),
        Err(f) => (Value::Null, None, answer_of(f)),
    };
    // Grade.
    let facts = CallFacts {
        url: args.url.clone(),
        answer,
        token_scopes: scopes(entry.scope.as_deref()),
        tool_error: result
            .as_ref()
            .and_then(|r| r.get("isError"))
            .and_then(Value::as_bool)
            == Some(true),
    };
    let (checks, verdict) = grade_call(&facts);
    let error_line = call_error_line(&facts, &checks);
    // Render.
    let report = CallReport {
        server,
        protocol_version: protocol,
        tool: args.tool.clone(),
        result,
        checks,
    };
    match args.format {
        Format::Json => call::json(&report, out)?,
        Format::Table => call::table(&report, style, out)?,
        Format::Markdown => call::markdown(&report, out)?,
    }
    if let Some(line) = error_line {
        // The output before the error line, as on an unbuffered terminal.
        out.flush()?;
        writeln!(err, "error: {line}")?;
    }
    Ok(verdict.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments() {
        let a = parse_args(&["n=3".into(), "s=hello".into(), "o={\"x\":1}".into()]).unwrap();
        assert_eq!(a["n"], 3);
        assert_eq!(a["s"], "hello");
        assert_eq!(a["o"]["x"], 1);
        assert!(parse_args(&["nokey".into()]).is_err());
    }
}

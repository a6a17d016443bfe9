//! `mcp-auth whoami`: the cached token's userinfo claims, and what its own
//! claims say (decoded, not verified).

use std::io::Write;

use comfy_table::Cell;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::cli::{Format, WhoamiArgs};
use crate::commands::login::{prober, report_error, select};
use crate::exit::ExitStatus;
use crate::jwt;
use crate::login::LoginError;
use crate::probe::{ProbeRequest, Prober};
use crate::report::table::{header, new_table, Style};
use crate::token_store::{now, TokenEntry, TokenStore};

/// What whoami found.
#[derive(Debug, Serialize)]
pub struct Whoami {
    pub issuer: String,
    pub client_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub userinfo: Option<Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub userinfo_error: Option<String>,
    pub access_token: TokenView,
}

#[derive(Debug, Serialize)]
pub struct TokenView {
    /// `jwt` or `opaque`.
    pub format: &'static str,
    /// Always false: the signature is not checked here.
    pub verified: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub header: Option<Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claims: Option<Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audience: Option<jwt::Audience>,
}

fn token_view(entry: &TokenEntry) -> TokenView {
    match jwt::decode_unverified(entry.access_token.expose()) {
        Some(d) => TokenView {
            format: "jwt",
            verified: false,
            audience: Some(jwt::audience(&d.claims, entry.resource.as_deref(), now())),
            header: Some(d.header),
            claims: Some(d.claims),
        },
        None => TokenView {
            format: "opaque",
            verified: false,
            header: None,
            claims: None,
            audience: None,
        },
    }
}

/// Call userinfo with the access token.
async fn userinfo(
    prober: &Prober,
    entry: &TokenEntry,
    endpoint: &str,
) -> Result<Map<String, Value>, String> {
    let req = ProbeRequest::bearer_get(endpoint, entry.access_token.expose(), "application/json");
    let (ex, raw) = prober.send_keeping_secrets(req).await;
    let (Some(resp), None) = (&ex.response, &ex.error) else {
        let why = ex.error.map(|e| e.message).unwrap_or_default();
        return Err(format!("userinfo request to {endpoint} failed: {why}"));
    };
    let status = resp.status;
    let challenge = resp.header("www-authenticate").map(str::to_owned);
    let ct = resp
        .header("content-type")
        .map(crate::evidence::media_type)
        .unwrap_or_default();
    let body = raw.unwrap_or_default();
    if status != 200 {
        let mut msg = format!(
            "userinfo answered {status}{}",
            challenge.map(|c| format!(" ({c})")).unwrap_or_default()
        );
        if status == 401 && entry.resource.is_some() {
            msg.push_str(&format!(
                ". This token was requested for the resource {}: providers such as node-oidc-provider refuse audience-bound tokens at userinfo. For identity only, log in again without it: `mcp-auth login {} --no-resource`",
                entry.resource.as_deref().unwrap_or_default(),
                entry.issuer
            ));
        }
        return Err(msg);
    }
    if ct == "application/jwt" {
        return jwt::decode_unverified(body.trim())
            .map(|d| d.claims)
            .ok_or_else(|| "userinfo returned an unreadable JWT".to_owned());
    }
    match serde_json::from_str::<Value>(&body) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err("userinfo did not return a JSON object".to_owned()),
    }
}

fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn claims_table(
    title: &str,
    claims: &Map<String, Value>,
    style: Style,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    writeln!(out, "{title}")?;
    let mut t = new_table(style);
    header(&mut t, &["Claim", "Value"], style);
    for (k, v) in claims {
        t.add_row(vec![Cell::new(k), Cell::new(value_text(v))]);
    }
    writeln!(out, "{t}")
}

pub async fn run(
    args: &WhoamiArgs,
    style: Style,
    out: &mut dyn Write,
) -> Result<ExitStatus, crate::Error> {
    let mut err = std::io::stderr();
    let store = match TokenStore::from_env() {
        Ok(s) => s,
        Err(e) => return Ok(report_error(&LoginError::Store(e), &mut err)),
    };
    let prober = prober(&args.net)?;
    let (_, mut entry) = match select(&store, args.target.as_deref()) {
        Ok(x) => x,
        Err(e) => return Ok(report_error(&e, &mut err)),
    };
    if entry.expires_in(now()).is_some_and(|s| s < 30) && entry.refresh_token.is_some() {
        match crate::login::refresh(&prober, &store, &entry).await {
            Ok(e) => entry = e,
            Err(e) => writeln!(err, "warning: could not refresh the expired token: {e}")?,
        }
    }
    let (info, info_error) = match &entry.userinfo_endpoint {
        Some(endpoint) => match userinfo(&prober, &entry, endpoint).await {
            Ok(m) => (Some(m), None),
            Err(e) => (None, Some(e)),
        },
        None => (
            None,
            Some(format!("{} publishes no userinfo_endpoint", entry.issuer)),
        ),
    };
    let result = Whoami {
        issuer: entry.issuer.clone(),
        client_id: entry.client_id.clone(),
        resource: entry.resource.clone(),
        userinfo: info,
        userinfo_error: info_error,
        access_token: token_view(&entry),
    };
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, &result).map_err(std::io::Error::from)?;
            writeln!(out)?;
        }
        Format::Table | Format::Markdown => render(&result, style, out)?,
    }
    if let Some(e) = &result.userinfo_error {
        // The report before the error line, as on an unbuffered terminal.
        out.flush()?;
        writeln!(err, "error: {e}")?;
        return Ok(ExitStatus::Failed);
    }
    Ok(ExitStatus::Ok)
}

fn render(w: &Whoami, style: Style, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        out,
        "Issuer {} · client {}{}",
        w.issuer,
        w.client_id,
        w.resource
            .as_deref()
            .map(|r| format!(" · resource {r}"))
            .unwrap_or_default()
    )?;
    writeln!(out)?;
    match (&w.userinfo, &w.userinfo_error) {
        (Some(claims), _) => claims_table("Userinfo", claims, style, out)?,
        (None, Some(e)) => writeln!(out, "Userinfo: unavailable ({e})")?,
        (None, None) => {}
    }
    writeln!(out)?;
    let t = &w.access_token;
    match (&t.header, &t.claims) {
        (Some(h), Some(c)) => {
            writeln!(
                out,
                "Access token: JWT ({}, {}), claims NOT verified",
                h.get("alg").map(value_text).unwrap_or_default(),
                h.get("typ")
                    .map(value_text)
                    .unwrap_or_else(|| "no typ".to_owned())
            )?;
            claims_table("Access token claims (unverified)", c, style, out)?;
            if let Some(a) = &t.audience {
                let aud = if a.aud.is_empty() {
                    "none".to_owned()
                } else {
                    a.aud.join(", ")
                };
                let verdict = match a.contains_resource {
                    Some(true) => "contains the resource: an MCP server checking its audience accepts it",
                    Some(false) => "does NOT contain the resource: an MCP server checking its audience rejects it",
                    None => "(no resource was requested)",
                };
                writeln!(out, "aud: {aud} — {verdict}")?;
                if let Some(s) = a.expires_in {
                    if s < 0 {
                        writeln!(out, "exp: expired {} s ago", -s)?;
                    } else {
                        writeln!(out, "exp: in {s} s")?;
                    }
                }
                if !a.scopes.is_empty() {
                    writeln!(out, "scopes: {}", a.scopes.join(" "))?;
                }
            }
        }
        _ => writeln!(
            out,
            "Access token: opaque (not a JWT); its claims are known only to the issuer"
        )?,
    }
    Ok(())
}

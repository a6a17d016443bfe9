//! `whoami`: who the cached token belongs to (userinfo), what its own claims
//! say (decoded, not verified), and the checks both answers were graded by.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::{Map, Value};

use crate::checks::token::TokenFormat;
use crate::checks::Finding;
use crate::evidence::jwt::Audience;
use crate::findings::{self, value_text};
use crate::table::Style;

/// Version of `whoami --format json`.
pub const WHOAMI_SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct WhoamiReport {
    pub issuer: String,
    pub client_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub userinfo: Option<Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub userinfo_error: Option<String>,
    pub access_token: TokenView,
    /// UI-CALL, UI-AUDIENCE and the token's own TOKEN-* checks (unverified).
    pub checks: Vec<Finding>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct TokenView {
    pub format: TokenFormat,
    /// Always false: the signature is not checked here (`token inspect` does).
    pub verified: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub header: Option<Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claims: Option<Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audience: Option<Audience>,
}

pub fn json(w: &WhoamiReport, out: &mut dyn Write) -> io::Result<()> {
    findings::json(WHOAMI_SCHEMA_VERSION, w, out)
}

fn title(w: &WhoamiReport) -> String {
    format!(
        "Issuer {} · client {}{}",
        w.issuer,
        w.client_id,
        w.resource
            .as_deref()
            .map(|r| format!(" · resource {r}"))
            .unwrap_or_default()
    )
}

fn token_line(t: &TokenView) -> String {
    match &t.header {
        Some(h) => format!(
            "Access token: JWT ({}, {}), claims NOT verified",
            h.get("alg").map(value_text).unwrap_or_default(),
            h.get("typ")
                .map(value_text)
                .unwrap_or_else(|| "no typ".to_owned())
        ),
        None => {
            "Access token: opaque (not a JWT); its claims are known only to the issuer".to_owned()
        }
    }
}

fn scopes_line(t: &TokenView) -> Option<String> {
    let a = t.audience.as_ref()?;
    (!a.scopes.is_empty()).then(|| format!("scopes: {}", a.scopes.join(" ")))
}

pub fn table(w: &WhoamiReport, style: Style, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "{}\n", title(w))?;
    match (&w.userinfo, &w.userinfo_error) {
        (Some(claims), _) => {
            writeln!(out, "Userinfo")?;
            findings::claims_table(claims, style, out)?;
        }
        (None, Some(e)) => writeln!(out, "Userinfo: unavailable ({e})")?,
        (None, None) => {}
    }
    writeln!(out)?;
    let t = &w.access_token;
    writeln!(out, "{}", token_line(t))?;
    if let Some(c) = &t.claims {
        writeln!(out, "Access token claims (unverified)")?;
        findings::claims_table(c, style, out)?;
    }
    if let Some(s) = scopes_line(t) {
        writeln!(out, "{s}")?;
    }
    findings::table(&w.checks, style, out)
}

pub fn markdown(w: &WhoamiReport, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "# mcp-auth whoami\n\n{}\n", title(w))?;
    writeln!(out, "## Userinfo\n")?;
    match (&w.userinfo, &w.userinfo_error) {
        (Some(claims), _) => findings::claims_markdown(claims, out)?,
        (None, Some(e)) => writeln!(out, "Unavailable: {e}")?,
        (None, None) => {}
    }
    let t = &w.access_token;
    writeln!(out, "\n## Access token\n\n{}\n", token_line(t))?;
    if let Some(c) = &t.claims {
        findings::claims_markdown(c, out)?;
    }
    if let Some(s) = scopes_line(t) {
        writeln!(out, "\n{s}")?;
    }
    writeln!(out, "\n## Checks\n")?;
    findings::markdown(&w.checks, out)
}

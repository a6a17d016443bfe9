//! `tokens`: the cached logins, never their values.

use std::io::{self, Write};

use serde::Serialize;

use crate::findings;
use crate::layout::{hanging, Paint};
use crate::markdown::cell;
use crate::table::{lines, Style};

/// Version of `tokens --format json`.
pub const TOKENS_SCHEMA_VERSION: u32 = 1;

/// One cache file: what it is for, or why it cannot be read.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct TokenRow {
    pub file: String,
    #[serde(flatten)]
    pub entry: Cached,
}

/// A cache file's content.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum Cached {
    Login(CachedLogin),
    Unreadable(Unreadable),
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct CachedLogin {
    pub issuer: String,
    pub client_id: String,
    pub resource: Option<String>,
    pub mcp_url: Option<String>,
    pub scope: Option<String>,
    /// Seconds until the access token expires (negative: expired).
    pub expires_in: Option<i64>,
    /// "expires in 59 min", "expired", "no expiry".
    #[serde(skip)]
    pub expiry: String,
    /// Whether a refresh token is cached.
    pub refresh_token: bool,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Unreadable {
    pub error: String,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct TokensReport {
    pub dir: String,
    pub tokens: Vec<TokenRow>,
}

pub fn json(r: &TokensReport, out: &mut dyn Write) -> io::Result<()> {
    findings::json(TOKENS_SCHEMA_VERSION, r, out)
}

const COLUMNS: [&str; 7] = [
    "Issuer / MCP server",
    "Client",
    "Resource",
    "Scope",
    "Expiry",
    "Refresh",
    "File",
];

fn cells(row: &TokenRow) -> [String; 7] {
    match &row.entry {
        Cached::Login(e) => [
            e.mcp_url
                .clone()
                .map_or(e.issuer.clone(), |m| format!("{m}\n{}", e.issuer)),
            e.client_id.clone(),
            e.resource.clone().unwrap_or_else(|| "–".into()),
            e.scope.clone().unwrap_or_else(|| "–".into()),
            e.expiry.clone(),
            if e.refresh_token { "yes" } else { "no" }.into(),
            row.file.clone(),
        ],
        Cached::Unreadable(u) => [
            format!("unreadable: {}", u.error),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            row.file.clone(),
        ],
    }
}

fn footer(r: &TokensReport) -> String {
    format!("{} cached login(s) in {}", r.tokens.len(), r.dir)
}

/// One block per cached login (its URLs on their own lines), readable at 80
/// columns.
pub fn table(r: &TokensReport, style: Style, out: &mut dyn Write) -> io::Result<()> {
    for row in &r.tokens {
        match &row.entry {
            Cached::Login(e) => {
                let first = e.mcp_url.as_deref().unwrap_or(&e.issuer);
                writeln!(out, "{}", Paint::Bold.apply(first, style.color))?;
                if e.mcp_url.is_some() {
                    lines(out, hanging("  issuer ", 4, &e.issuer, style.width))?;
                }
                if let Some(res) = &e.resource {
                    lines(out, hanging("  resource ", 4, res, style.width))?;
                }
                let facts = format!(
                    "client {} · scope {} · {} · refresh token {}",
                    e.client_id,
                    e.scope.as_deref().unwrap_or("–"),
                    e.expiry,
                    if e.refresh_token { "yes" } else { "no" }
                );
                lines(out, hanging("  ", 4, &facts, style.width))?;
            }
            Cached::Unreadable(u) => {
                lines(out, hanging("unreadable: ", 2, &u.error, style.width))?;
            }
        }
        lines(out, hanging("  file ", 4, &row.file, style.width))?;
        writeln!(out)?;
    }
    writeln!(out, "{}", footer(r))
}

pub fn markdown(r: &TokensReport, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "| {} |", COLUMNS.join(" | "))?;
    writeln!(out, "|{}", "---|".repeat(COLUMNS.len()))?;
    for row in &r.tokens {
        let c = cells(row).map(|v| cell(&v));
        writeln!(out, "| {} |", c.join(" | "))?;
    }
    writeln!(out, "\n{}", footer(r))
}

/// `login --format json`, `login --refresh --format json`: the cached login,
/// with the access token only when `--show-token` asked for it.
#[derive(Serialize, schemars::JsonSchema)]
pub struct LoginDoc<'a> {
    #[serde(flatten)]
    pub row: &'a TokenRow,
    /// Only with `--show-token`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_token: Option<&'a str>,
}

pub fn login_json(
    row: &TokenRow,
    access_token: Option<&str>,
    out: &mut dyn Write,
) -> io::Result<()> {
    findings::json(TOKENS_SCHEMA_VERSION, &LoginDoc { row, access_token }, out)
}

/// One cached login removed by `logout`.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct LoggedOut {
    pub name: String,
    pub file: String,
    /// Whether the token was revoked at the authorization server (RFC 7009).
    pub revoked: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning: Option<String>,
}

/// `logout --format json`.
#[derive(Serialize, schemars::JsonSchema)]
pub struct LogoutDoc<'a> {
    pub logged_out: &'a [LoggedOut],
}

/// `logout --format json`.
pub fn logout_json(rows: &[LoggedOut], out: &mut dyn Write) -> io::Result<()> {
    findings::json(TOKENS_SCHEMA_VERSION, &LogoutDoc { logged_out: rows }, out)
}

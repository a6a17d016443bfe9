//! `mcp-auth whoami`: the cached token's userinfo claims, and what its own
//! claims say (decoded, not verified).

use std::io::Write;

use serde_json::{Map, Value};

use crate::cli::{Format, WhoamiArgs};
use crate::commands::login::{prober, report_error, select};
use crate::exit::ExitStatus;
use crate::jwt;
use crate::login::LoginError;
use crate::probe::{ProbeRequest, Prober};
use crate::report::table::Style;
use crate::report::whoami::{self, TokenView, WhoamiReport};
use crate::token_store::{now, TokenEntry, TokenStore};
use mcp_auth_grade::session::{grade_userinfo, Answer, UserinfoFacts, UI_AUDIENCE, UI_CALL};
use mcp_auth_grade::token::{grade_token, Expect, TokenFacts, TokenFormat};
use mcp_auth_grade::{Finding, Status};
use mcp_auth_net::dpop;

/// The token's own claims, graded unverified (the TOKEN-* checks but the signature).
fn token_view(entry: &TokenEntry) -> (TokenView, Vec<Finding>) {
    let expect = Expect {
        issuer: Some(&entry.issuer),
        resource: entry.resource.as_deref(),
        required_scopes: &[],
        leeway: 0,
        now: now(),
    };
    let g = grade_token(&TokenFacts {
        token: entry.access_token.expose(),
        jwks: None,
        no_jwks: "",
        introspection: None,
        no_introspection: "",
        expect: expect.clone(),
        verify_signature: false,
    });
    let checks = match g.format {
        TokenFormat::Jwt => g.checks,
        // Only the issuer can read an opaque token (`token inspect` introspects).
        TokenFormat::Opaque => Vec::new(),
    };
    let audience = g
        .claims
        .as_ref()
        .filter(|_| g.format == TokenFormat::Jwt)
        .map(|c| jwt::audience(c, expect.resource, expect.now));
    let view = TokenView {
        format: g.format,
        verified: false,
        header: g.header,
        claims: g.claims.filter(|_| g.format == TokenFormat::Jwt),
        audience,
    };
    (view, checks)
}

/// Call userinfo with the access token (a DPoP-bound one with a proof of its key).
async fn userinfo(
    prober: &Prober,
    entry: &TokenEntry,
    endpoint: &str,
) -> Answer<Map<String, Value>> {
    let key = match dpop::key_of(entry) {
        Ok(k) => k,
        Err(e) => return Answer::Unusable(e.to_string()),
    };
    let token = entry.access_token.expose();
    let build = || {
        Ok::<_, dpop::DpopError>(
            ProbeRequest::new(reqwest::Method::GET, endpoint)
                .header("authorization", dpop::authorization(token, key.as_ref()))
                .header("accept", "application/json"),
        )
    };
    let sent = dpop::send(
        prober,
        key.as_ref(),
        dpop::Server::Resource,
        Some(token),
        &mut None,
        build,
    )
    .await;
    let (ex, raw) = match sent {
        Ok(x) => x,
        Err(e) => return Answer::Unusable(e.to_string()),
    };
    let (Some(resp), None) = (&ex.response, &ex.error) else {
        return Answer::Unreachable(ex.error.map(|e| e.message).unwrap_or_default());
    };
    let body = raw.unwrap_or_default();
    if resp.status != 200 {
        return Answer::Refused {
            status: resp.status,
            challenge: resp.header("www-authenticate").map(str::to_owned),
            detail: body.chars().take(200).collect(),
        };
    }
    let ct = resp
        .header("content-type")
        .map(crate::evidence::media_type)
        .unwrap_or_default();
    if ct == "application/jwt" {
        return jwt::decode_unverified(body.trim()).map_or_else(
            || Answer::Unusable("userinfo returned an unreadable JWT".to_owned()),
            |d| Answer::Ok(d.claims),
        );
    }
    match serde_json::from_str::<Value>(&body) {
        Ok(Value::Object(m)) => Answer::Ok(m),
        _ => Answer::Unusable("userinfo did not return a JSON object".to_owned()),
    }
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
    let (_, mut entry) = match select(&store, args.target.as_deref()) {
        Ok(x) => x,
        Err(e) => return Ok(report_error(&e, &mut err)),
    };
    // The cached endpoints were held to the URL policy when `login` read them.
    let prober = prober(&args.net)?;
    if entry.expires_in(now()).is_some_and(|s| s < 30) && entry.refresh_token.is_some() {
        match crate::login::refresh(&prober, &store, &entry).await {
            Ok(e) => entry = e,
            Err(e) => writeln!(err, "warning: could not refresh the expired token: {e}")?,
        }
    }
    let answer = match &entry.userinfo_endpoint {
        Some(endpoint) => userinfo(&prober, &entry, endpoint).await,
        None => Answer::NotAsked(format!("{} publishes no userinfo_endpoint", entry.issuer)),
    };
    let facts = UserinfoFacts {
        endpoint: entry.userinfo_endpoint.clone(),
        issuer: entry.issuer.clone(),
        token_resource: entry.resource.clone(),
        answer,
    };
    let (mut checks, verdict) = grade_userinfo(&facts);
    let (access_token, token_checks) = token_view(&entry);
    checks.extend(token_checks);
    // UI-CALL's failure, with UI-AUDIENCE's explanation when it has one.
    let detail = |id: &str, status| {
        checks
            .iter()
            .find(|f| f.id == id && f.status == status)
            .map(|f| f.detail.clone())
    };
    let userinfo_error =
        detail(UI_CALL.id, Status::Fail).map(|e| match detail(UI_AUDIENCE.id, Status::Info) {
            Some(why) => format!("{e}. {why}"),
            None => e,
        });
    let result = WhoamiReport {
        issuer: entry.issuer.clone(),
        client_id: entry.client_id.clone(),
        resource: entry.resource.clone(),
        userinfo: match facts.answer {
            Answer::Ok(m) => Some(m),
            _ => None,
        },
        userinfo_error,
        access_token,
        checks,
    };
    match args.format {
        Format::Json => whoami::json(&result, out)?,
        Format::Table => whoami::table(&result, style, out)?,
        Format::Markdown => whoami::markdown(&result, out)?,
    }
    if let Some(e) = &result.userinfo_error {
        // The report before the error line, as on an unbuffered terminal.
        out.flush()?;
        writeln!(err, "error: {e}")?;
    }
    Ok(verdict.into())
}

//! `mcp-auth token inspect`: what an MCP resource server's bearer check would
//! make of a token. Settings → gather (the issuer's metadata, its JWKS, an
//! RFC 7662 introspection) → grade (`mcp_auth_grade::token`, the TOKEN-*
//! checks) → render.

use std::io::{Read, Write};

use serde_json::{Map, Value};

use crate::cli::{Format, TokenInspectArgs};
use crate::commands::login::{prober, prober_for, report_error, select};
use crate::exit::ExitStatus;
use crate::jwt;
use crate::login::LoginError;
use crate::probe::{ProbeRequest, Prober};
use crate::report::table::Style;
use crate::token_store::{now, TokenStore};
use mcp_auth_evidence::metadata::AsMetadata;
use mcp_auth_grade::token::{grade_token, Expect, Introspection, TokenFacts};

fn read_token(arg: Option<&str>) -> Result<Option<String>, LoginError> {
    match arg {
        Some("-") => {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .map_err(|e| LoginError::Usage(format!("cannot read the token from stdin: {e}")))?;
            Ok(Some(s.trim().to_owned()))
        }
        Some(t) => Ok(Some(t.trim().to_owned())),
        None => Ok(None),
    }
}

/// The token to inspect, with the issuer and resource it is checked against.
fn token_and_context(
    args: &TokenInspectArgs,
) -> Result<(String, Option<String>, Option<String>), LoginError> {
    let (token, issuer, resource) = match read_token(args.token.as_deref())? {
        Some(t) => (t, args.issuer.clone(), args.resource.clone()),
        None => {
            let store = TokenStore::from_env().map_err(LoginError::Store)?;
            let (_, e) = select(&store, args.cached.as_deref())?;
            (
                e.access_token.expose().to_owned(),
                args.issuer.clone().or(Some(e.issuer)),
                args.resource.clone().or(e.resource),
            )
        }
    };
    if token.is_empty() {
        return Err(LoginError::Usage("the token is empty".to_owned()));
    }
    // Without --issuer, the token's own `iss` says where its keys are.
    let issuer = issuer.or_else(|| {
        jwt::decode_unverified(&token).and_then(|d| {
            d.claims
                .get("iss")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
    });
    Ok((token, issuer, resource.filter(|r| !r.is_empty())))
}

/// The issuer's validated metadata, or why there is none (a warning).
async fn issuer_metadata(prober: &Prober, issuer: &str) -> Result<AsMetadata, String> {
    let url = crate::discovery::parse_http_url(issuer).map_err(|e| e.to_string())?;
    let disc =
        crate::discovery::discover_issuer(prober, &url, issuer, crate::evidence::AsRole::Target)
            .await;
    crate::login::validated_metadata(&disc, issuer).map_err(|e| e.to_string())
}

/// The JWKS at `uri`, or why not.
async fn fetch_jwks(prober: &Prober, uri: &str) -> Result<jsonwebtoken::jwk::JwkSet, String> {
    let ex = prober.send(ProbeRequest::metadata_get(uri)).await;
    match (&ex.response, &ex.error) {
        (Some(r), None) if r.status == 200 => serde_json::from_str(&r.body)
            .map_err(|e| format!("the JWKS at {uri} is not a JWK set: {e}")),
        (Some(r), _) => Err(format!("the JWKS at {uri} answered {}", r.status)),
        (None, _) => Err(format!("cannot fetch the JWKS at {uri}: {}", ex.failure())),
    }
}

/// RFC 7662 introspection with client credentials (HTTP Basic).
async fn introspect(
    prober: &Prober,
    endpoint: &str,
    id: &str,
    secret: &str,
    token: &str,
) -> Introspection {
    use base64::Engine;
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"));
    let req = ProbeRequest::form_post(endpoint, &[("token", token)])
        .header("authorization", format!("Basic {basic}"));
    let (ex, raw) = prober.send_keeping_secrets(req).await;
    let answer = match (&ex.response, &ex.error) {
        (Some(r), None) if (200..300).contains(&r.status) => Ok(serde_json::from_str::<
            Map<String, Value>,
        >(&raw.unwrap_or_default())
        .unwrap_or_default()),
        (Some(r), _) => Err(format!("{endpoint} answered {}", r.status)),
        (None, _) => Err(format!("{endpoint}: {}", ex.failure())),
    };
    Introspection {
        endpoint: endpoint.to_owned(),
        answer,
    }
}

pub async fn run(
    args: &TokenInspectArgs,
    style: Style,
    out: &mut dyn Write,
) -> Result<ExitStatus, crate::Error> {
    let mut err = std::io::stderr();
    let (token, issuer, resource) = match token_and_context(args) {
        Ok(x) => x,
        Err(e) => return Ok(report_error(&e, &mut err)),
    };
    // The issuer's documents may name only what the URL policy allows for it.
    let prober = match &issuer {
        Some(i) => prober_for(&args.net, i)?,
        None => prober(&args.net)?,
    };
    if let Some(Err(e)) = issuer.as_deref().map(crate::discovery::parse_http_url) {
        return Ok(report_error(&LoginError::Usage(e.to_string()), &mut err));
    }
    // Gather: the issuer's metadata gives the JWKS and the introspection endpoint.
    let metadata = match &issuer {
        Some(i) => issuer_metadata(&prober, i).await.map_err(|e| {
            let _ = writeln!(err, "warning: {e}");
            "no usable metadata at the issuer".to_owned()
        }),
        None => Err("the token names no issuer; pass --issuer".to_owned()),
    };
    let is_jwt = jwt::decode_unverified(&token).is_some();
    let jwks = match metadata.as_ref().map(|m| m.jwks_uri.clone()) {
        Ok(Some(uri)) if is_jwt => fetch_jwks(&prober, &uri).await.map_err(|e| {
            let _ = writeln!(err, "warning: {e}");
            "the issuer's JWKS could not be fetched".to_owned()
        }),
        Ok(_) => Err("the issuer publishes no jwks_uri".to_owned()),
        Err(e) => Err(e.clone()),
    };
    let introspection = match (&args.client_id, &args.client_secret, &metadata) {
        (Some(id), Some(secret), Ok(md)) if !is_jwt => match &md.introspection_endpoint {
            Some(endpoint) => Some(introspect(&prober, endpoint, id, secret, &token).await),
            None => None,
        },
        _ => None,
    };
    // Grade, render.
    let graded = grade_token(&TokenFacts {
        token: &token,
        jwks: jwks.as_ref().ok(),
        no_jwks: jwks.as_ref().err().map_or("", String::as_str),
        introspection,
        expect: Expect {
            issuer: issuer.as_deref(),
            resource: resource.as_deref(),
            required_scopes: &args.require_scope,
            leeway: args.leeway,
            now: args.at.unwrap_or_else(now),
        },
        verify_signature: true,
    });
    match args.format {
        Format::Json => crate::report::token::json(&graded, out)?,
        Format::Table => crate::report::token::table(&graded, style, out)?,
        Format::Markdown => crate::report::token::markdown(&graded, out)?,
    }
    Ok(graded.verdict().into())
}

//! `mcp-auth token inspect`: what an MCP resource server's bearer check would
//! make of a token. Settings → gather (the issuer's metadata, its JWKS, or
//! for an opaque token an RFC 7662 introspection) → grade
//! (`mcp_auth_grade::token`, the TOKEN-* checks) → render. No secret comes
//! from the command line: the client secret is read by [`crate::secrets`],
//! and a token given as an argument is warned about.

use std::io::{Read, Write};
use std::path::Path;

use serde_json::{Map, Value};

use crate::cli::{Format, TokenInspectArgs};
use crate::commands::login::{prober, prober_for, report_error, select};
use crate::exit::ExitStatus;
use crate::jwt;
use crate::login::LoginError;
use crate::probe::{ProbeRequest, Prober};
use crate::report::table::Style;
use crate::secrets;
use crate::token_store::{now, Secret, TokenStore};
use mcp_auth_evidence::metadata::AsMetadata;
use mcp_auth_grade::token::{grade_token, Expect, Introspection, TokenFacts, TokenGraded};

/// Said on stderr when the token is an argument.
const ARGV_WARNING: &str = "warning: a token on the command line is visible to other users \
(process listings, shell history); pass `-` to read it from stdin, or use --cached";

fn read_token(arg: Option<&str>, err: &mut dyn Write) -> Result<Option<String>, LoginError> {
    match arg {
        Some("-") => {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .map_err(|e| LoginError::Usage(format!("cannot read the token from stdin: {e}")))?;
            Ok(Some(s.trim().to_owned()))
        }
        Some(t) => {
            writeln!(err, "{ARGV_WARNING}")?;
            Ok(Some(t.trim().to_owned()))
        }
        None => Ok(None),
    }
}

/// The token to inspect, what it is checked against, and who may introspect it.
struct Subject {
    token: String,
    issuer: Option<String>,
    resource: Option<String>,
    /// `--client-id`, else the cached login's client.
    client_id: Option<String>,
}

fn subject(args: &TokenInspectArgs, err: &mut dyn Write) -> Result<Subject, LoginError> {
    let (token, issuer, resource, cached_client) = match read_token(args.token.as_deref(), err)? {
        Some(t) => (t, args.issuer.clone(), args.resource.clone(), None),
        None => {
            let store = TokenStore::from_env().map_err(LoginError::Store)?;
            let (_, e) = select(&store, args.cached.as_deref())?;
            (
                e.access_token.expose().to_owned(),
                args.issuer.clone().or(Some(e.issuer)),
                args.resource.clone().or(e.resource),
                Some(e.client_id),
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
    Ok(Subject {
        token,
        issuer,
        resource: resource.filter(|r| !r.is_empty()),
        client_id: args.client_id.clone().or(cached_client),
    })
}

/// The client that introspects: its id and, when confidential, its secret.
struct Client {
    id: String,
    secret: Option<Secret>,
}

/// The introspecting client, if one is known (its secret from
/// `--client-secret-file` or `MCP_AUTH_CLIENT_SECRET`).
fn client(args: &TokenInspectArgs, id: Option<&str>) -> Result<Option<Client>, LoginError> {
    let secret =
        secrets::client_secret(args.client_secret_file.as_deref()).map_err(LoginError::Usage)?;
    match id {
        Some(id) => Ok(Some(Client {
            id: id.to_owned(),
            secret,
        })),
        None if args.client_secret_file.is_some() => Err(LoginError::Usage(
            "--client-secret-file needs --client-id (or a cached login)".to_owned(),
        )),
        None => Ok(None),
    }
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

/// RFC 7662 introspection of an opaque token, or why there is none.
async fn introspection(
    prober: &Prober,
    subject: &Subject,
    metadata: &Result<AsMetadata, String>,
    client: Option<&Client>,
) -> Result<Introspection, String> {
    let md = metadata.as_ref().map_err(Clone::clone)?;
    let Some(endpoint) = &md.introspection_endpoint else {
        return Err(format!(
            "{} publishes no introspection_endpoint",
            subject.issuer.as_deref().unwrap_or("the issuer")
        ));
    };
    let Some(client) = client else {
        return Err("no client to introspect with (--client-id)".to_owned());
    };
    Ok(introspect(prober, endpoint, client, &subject.token).await)
}

/// One RFC 7662 request: HTTP Basic for a confidential client (RFC 6749
/// §2.3.1, both parts form-encoded), the client id in the body for a public one.
async fn introspect(
    prober: &Prober,
    endpoint: &str,
    client: &Client,
    token: &str,
) -> Introspection {
    let req = match &client.secret {
        Some(secret) => ProbeRequest::form_post(endpoint, &[("token", token)]).header(
            "authorization",
            crate::login::client::basic(&client.id, secret.expose()),
        ),
        None => ProbeRequest::form_post(endpoint, &[("token", token), ("client_id", &client.id)]),
    };
    let (ex, raw) = prober.send_keeping_secrets(req).await;
    let answer = match (&ex.response, &ex.error) {
        (Some(r), None) if (200..300).contains(&r.status) => {
            serde_json::from_str::<Map<String, Value>>(&raw.unwrap_or_default()).map_err(|e| {
                format!(
                    "{endpoint} answered {} but not a JSON object: {e}",
                    r.status
                )
            })
        }
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
    let from_stdin = |p: Option<&Path>| p == Some(Path::new("-"));
    if args.token.as_deref() == Some("-") && from_stdin(args.client_secret_file.as_deref()) {
        let e = "the token and the client secret cannot both come from stdin; \
                 put the secret in a file or MCP_AUTH_CLIENT_SECRET";
        return Ok(report_error(&LoginError::Usage(e.to_owned()), &mut err));
    }
    let subject = match subject(args, &mut err) {
        Ok(x) => x,
        Err(e) => return Ok(report_error(&e, &mut err)),
    };
    let client = match client(args, subject.client_id.as_deref()) {
        Ok(c) => c,
        Err(e) => return Ok(report_error(&e, &mut err)),
    };
    // The issuer's documents may name only what the URL policy allows for it.
    let prober = match &subject.issuer {
        Some(i) => prober_for(&args.net, i)?,
        None => prober(&args.net)?,
    };
    if let Some(Err(e)) = subject
        .issuer
        .as_deref()
        .map(crate::discovery::parse_http_url)
    {
        return Ok(report_error(&LoginError::Usage(e.to_string()), &mut err));
    }
    let graded = grade(args, &prober, &subject, client.as_ref(), &mut err).await;
    match args.format {
        Format::Json => crate::report::token::json(&graded, out)?,
        Format::Table => crate::report::token::table(&graded, style, out)?,
        Format::Markdown => crate::report::token::markdown(&graded, out)?,
    }
    Ok(graded.verdict().into())
}

/// Gather (the issuer's metadata, its JWKS or an introspection), then grade.
async fn grade(
    args: &TokenInspectArgs,
    prober: &Prober,
    subject: &Subject,
    client: Option<&Client>,
    err: &mut dyn Write,
) -> TokenGraded {
    let metadata = match &subject.issuer {
        Some(i) => issuer_metadata(prober, i).await.map_err(|e| {
            let _ = writeln!(err, "warning: {e}");
            "no usable metadata at the issuer".to_owned()
        }),
        None => Err("the token names no issuer; pass --issuer".to_owned()),
    };
    let is_jwt = jwt::decode_unverified(&subject.token).is_some();
    let jwks = match metadata.as_ref().map(|m| m.jwks_uri.clone()) {
        Ok(Some(uri)) if is_jwt => fetch_jwks(prober, &uri).await.map_err(|e| {
            let _ = writeln!(err, "warning: {e}");
            "the issuer's JWKS could not be fetched".to_owned()
        }),
        Ok(_) => Err("the issuer publishes no jwks_uri".to_owned()),
        Err(e) => Err(e.clone()),
    };
    let introspection = if is_jwt {
        Err(String::new())
    } else {
        introspection(prober, subject, &metadata, client).await
    };
    grade_token(&TokenFacts {
        token: &subject.token,
        jwks: jwks.as_ref().ok(),
        no_jwks: jwks.as_ref().err().map_or("", String::as_str),
        no_introspection: introspection.as_ref().err().map_or("", String::as_str),
        introspection: introspection.as_ref().ok().cloned(),
        expect: Expect {
            issuer: subject.issuer.as_deref(),
            resource: subject.resource.as_deref(),
            required_scopes: &args.require_scope,
            leeway: args.leeway,
            now: args.at.unwrap_or_else(now),
        },
        verify_signature: true,
    })
}

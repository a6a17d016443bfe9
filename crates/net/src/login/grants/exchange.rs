//! Enterprise-managed authorization (SEP-990; the Identity Assertion JWT
//! Authorization Grant draft, draft-ietf-oauth-identity-assertion-authz-grant):
//! the user's ID token from the enterprise IdP is exchanged there (RFC 8693)
//! for an ID-JAG naming this authorization server (`audience`, its issuer)
//! and the MCP server (`resource`); the ID-JAG is then the assertion of the
//! JWT bearer grant at the authorization server, sent as the MCP client.

use url::Url;

use crate::evidence::urls::UrlPolicy;
use crate::evidence::TargetHint;
use crate::metadata::AsMetadata;
use crate::probe::Prober;
use crate::token_store::Secret;

use super::{checked_token_endpoint, given_client, require_jwt, send, Idp, Wanted, JWT_BEARER};
use crate::login::client::{method_for, AuthMethod, Client};
use crate::login::token_endpoint::{self, TokenRequest};
use crate::login::{LoginError, LoginSettings, Resolved, Tokens};

/// `grant_type` of a token exchange (RFC 8693 §2.1).
pub const TOKEN_EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
/// The token type of an ID-JAG.
pub const ID_JAG: &str = "urn:ietf:params:oauth:token-type:id-jag";
/// The token type of an OpenID Connect ID token (RFC 8693 §3).
pub const ID_TOKEN: &str = "urn:ietf:params:oauth:token-type:id_token";

/// The ID-JAG from the IdP, then the access token from the authorization
/// server for it, as the MCP client (`--client-id` with its secret or key).
pub(super) async fn enterprise(
    prober: &Prober,
    r: &Resolved,
    endpoint: &str,
    s: &LoginSettings,
    want: &Wanted,
) -> Result<(Client, Tokens), LoginError> {
    let usage = |m: &str| LoginError::Usage(format!("--grant token-exchange needs {m}"));
    let subject = s.subject_token.as_ref().ok_or_else(|| {
        usage(
            "the IdP's ID token: --subject-token-file FILE (- for stdin) or MCP_AUTH_SUBJECT_TOKEN",
        )
    })?;
    require_jwt(subject, "the subject token (the IdP's ID token)")?;
    let idp = s
        .idp
        .as_ref()
        .filter(|i| i.issuer.is_some() || i.token_endpoint.is_some())
        .ok_or_else(|| usage("the IdP: --idp-issuer URL (or --idp-token-endpoint URL)"))?;
    let client = given_client(s, &r.metadata).ok_or_else(|| {
        usage("the MCP client registered at the authorization server: --client-id with --client-secret-file (or MCP_AUTH_CLIENT_SECRET) or --private-key")
    })?;
    let id_jag = id_jag(prober, idp, subject, r, want).await?;
    let req = TokenRequest::new(endpoint, &r.issuer, JWT_BEARER)
        .param("assertion", id_jag.expose())
        .param_opt("resource", want.resource.as_deref());
    let tokens = send(prober, &client, &req, &r.metadata, want)
        .await
        .map_err(|e| context(e, "the JWT bearer grant with the ID-JAG"))?;
    Ok((client, tokens))
}

/// The token exchange at the IdP: the ID token for an ID-JAG for this
/// authorization server and resource, refused unless the IdP says it issued
/// an ID-JAG (`issued_token_type`) and it is a JWT.
async fn id_jag(
    prober: &Prober,
    idp: &Idp,
    subject: &Secret,
    r: &Resolved,
    want: &Wanted,
) -> Result<Secret, LoginError> {
    let client_id = idp.client_id.clone().ok_or_else(|| {
        LoginError::Usage(
            "--grant token-exchange needs the client's id at the IdP: --idp-client-id ID"
                .to_owned(),
        )
    })?;
    let (endpoint, md, prober) = idp_token_endpoint(prober, idp).await?;
    let client = Client {
        method: match &idp.client_secret {
            Some(_) => method_for(None, true, &md),
            None => AuthMethod::None,
        },
        secret: idp.client_secret.clone(),
        ..Client::public(client_id)
    };
    let audience = idp.issuer.as_deref().unwrap_or(&endpoint);
    let req = TokenRequest {
        token_types: &["N_A"],
        ..TokenRequest::new(&endpoint, audience, TOKEN_EXCHANGE)
    }
    .param("requested_token_type", ID_JAG)
    .param("audience", &r.issuer)
    .param_opt("resource", want.resource.as_deref())
    .param_opt("scope", want.scope.as_deref())
    .param("subject_token", subject.expose())
    .param("subject_token_type", ID_TOKEN);
    let tokens = token_endpoint::request(&prober, &client, &req)
        .await
        .map_err(|e| context(e, "the token exchange at the IdP"))?;
    match tokens.issued_token_type.as_deref() {
        Some(ID_JAG) => {}
        other => {
            return Err(LoginError::Refused(format!(
                "the token exchange at the IdP: {endpoint} issued {}, not an ID-JAG ({ID_JAG})",
                other.map_or("no issued_token_type".to_owned(), |t| format!(
                    "issued_token_type '{}'",
                    t.chars()
                        .filter(|c| !c.is_control())
                        .take(100)
                        .collect::<String>()
                ))
            )))
        }
    }
    require_jwt(&tokens.access_token, "the IdP's ID-JAG").map_err(|e| match e {
        LoginError::Usage(m) => LoginError::Refused(format!("the token exchange at the IdP: {m}")),
        other => other,
    })?;
    Ok(tokens.access_token)
}

/// The IdP's token endpoint (`--idp-token-endpoint`, else its metadata's),
/// its metadata when discovered, and the prober for it: held to the URL
/// policy of what the user named (the IdP issuer, else the endpoint).
async fn idp_token_endpoint(
    prober: &Prober,
    idp: &Idp,
) -> Result<(String, AsMetadata, Prober), LoginError> {
    let named = idp
        .issuer
        .as_deref()
        .or(idp.token_endpoint.as_deref())
        .unwrap_or_default();
    let url =
        Url::parse(named).map_err(|e| LoginError::Usage(format!("the IdP '{named}': {e}")))?;
    let prober = prober.within(UrlPolicy::for_target(&url));
    if let Some(e) = &idp.token_endpoint {
        let e = checked_token_endpoint(Some(e), "the IdP")?;
        return Ok((e, AsMetadata::default(), prober));
    }
    let found = crate::login::destination(&prober, named, TargetHint::Issuer)
        .await
        .and_then(crate::login::Destination::resolved)
        .map_err(|e| context(e, "the IdP"))?;
    let e = checked_token_endpoint(found.metadata.token_endpoint.as_deref(), named)?;
    Ok((e, found.metadata, prober))
}

/// The error, its message prefixed with which step failed.
fn context(e: LoginError, step: &str) -> LoginError {
    match e {
        LoginError::Usage(m) => LoginError::Usage(format!("{step}: {m}")),
        LoginError::Unreachable(m) => LoginError::Unreachable(format!("{step}: {m}")),
        LoginError::Metadata(m) => LoginError::Metadata(format!("{step}: {m}")),
        LoginError::Refused(m) => LoginError::Refused(format!("{step}: {m}")),
        other => other,
    }
}

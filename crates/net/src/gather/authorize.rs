//! The crafted authorization requests of `--probe-authorize`, and the one
//! request per host of `--probe-hosts`.

use url::Url;

use crate::evidence::ProbeKind;
use crate::probe::ProbeRequest;

/// The verifier whose S256 challenge the probes send (never redeemed).
const PROBE_VERIFIER: &str = "mcp-auth-probe-verifier-0123456789-abcdefghijklmnopqrstuvwxyz";

/// The S256 challenge of [`PROBE_VERIFIER`].
fn s256_challenge() -> String {
    use base64::Engine;
    use sha2::Digest;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(PROBE_VERIFIER.as_bytes()))
}

/// What one crafted authorization request carries besides the endpoint.
struct Params<'a> {
    client_id: &'a str,
    redirect_uri: &'a str,
    scope: Option<&'a str>,
    /// `code_challenge` and its method.
    pkce: Option<(&'a str, &'a str)>,
    resource: Option<&'a str>,
}

/// The GET of `endpoint` with `p` in its query (and a fixed `state`).
fn build(endpoint: &Url, p: &Params<'_>) -> ProbeRequest {
    let mut u = endpoint.clone();
    {
        let mut q = u.query_pairs_mut();
        q.append_pair("response_type", "code")
            .append_pair("client_id", p.client_id)
            .append_pair("redirect_uri", p.redirect_uri)
            .append_pair("state", "mcp-auth-probe");
        if let Some(s) = p.scope {
            q.append_pair("scope", s);
        }
        if let Some((c, m)) = p.pkce {
            q.append_pair("code_challenge", c)
                .append_pair("code_challenge_method", m);
        }
        if let Some(r) = p.resource {
            q.append_pair("resource", r);
        }
    }
    ProbeRequest::authorize(u.to_string())
}

/// The authorization request of `--probe-hosts` for one host: its client id
/// and callback, S256 PKCE, and `resource` (the MCP server) when given.
pub fn host_request(
    endpoint: &Url,
    host: &super::HostClient,
    resource: Option<&str>,
    scope: Option<&str>,
) -> ProbeRequest {
    let challenge = s256_challenge();
    build(
        endpoint,
        &Params {
            client_id: &host.client_id,
            redirect_uri: &host.redirect_uri,
            scope,
            pkce: Some((&challenge, "S256")),
            resource,
        },
    )
}

/// The crafted authorization requests of `--probe-authorize`, each a GET
/// whose answer (login page, error page, or redirect) is read without following it.
pub fn authorize_requests(
    endpoint: &Url,
    client_id: &str,
    redirect_uri: &str,
    resource: Option<&str>,
    scope: Option<&str>,
) -> Vec<(ProbeKind, ProbeRequest)> {
    let challenge = s256_challenge();
    let build = |redirect: &str, pkce: Option<(&str, &str)>, resource: Option<&str>| {
        let p = Params {
            client_id,
            redirect_uri: redirect,
            scope,
            pkce,
            resource,
        };
        build(endpoint, &p)
    };
    let s256 = Some((challenge.as_str(), "S256"));
    let other_port = Url::parse(redirect_uri)
        .ok()
        .filter(crate::evidence::urls::is_loopback)
        .map(|mut u| {
            let port = u.port_or_known_default().unwrap_or(80);
            let _ = u.set_port(Some(if port == 65535 { 8977 } else { port + 1 }));
            u.to_string()
        });
    let mut out = vec![
        (ProbeKind::AuthzBaseline, build(redirect_uri, s256, None)),
        (
            ProbeKind::AuthzUnregisteredRedirect,
            build("https://mcp-auth-probe.invalid/callback", s256, None),
        ),
        (ProbeKind::AuthzNoPkce, build(redirect_uri, None, None)),
        (
            ProbeKind::AuthzPlainPkce,
            build(redirect_uri, Some((PROBE_VERIFIER, "plain")), None),
        ),
    ];
    if let Some(p) = other_port {
        out.push((ProbeKind::AuthzOtherLoopbackPort, build(&p, s256, None)));
    }
    if let Some(r) = resource {
        out.push((ProbeKind::AuthzResource, build(redirect_uri, s256, Some(r))));
    }
    out
}

//! Where a login goes: an MCP server's chain (or a given issuer) followed to
//! the authorization server, and its validated metadata.

use crate::discovery::{self, parse_http_url};
use crate::evidence::interpret::classify;
use crate::evidence::urls::UrlPolicy;
use crate::evidence::{AsDiscovery, AsRole, ResourceEvidence, TargetHint};
use crate::gather::{self, FirstRound};
use crate::metadata::AsMetadata;
use crate::probe::Prober;
use crate::www_authenticate;

use super::{LoginError, Resolved};

/// The first validated metadata document of a discovery, or why there is none.
pub fn validated_metadata(disc: &AsDiscovery, issuer: &str) -> Result<AsMetadata, LoginError> {
    let mut tried = Vec::new();
    for a in disc.attempts.iter().filter(|a| a.kind.is_spec_candidate()) {
        let Some(ex) = &a.exchange else { continue };
        let f = classify::<AsMetadata>(&a.url, ex);
        match f.doc {
            Some(doc) => {
                return match doc.md.issuer.as_deref() {
                    Some(i) if i == issuer => Ok(doc.md),
                    other => Err(LoginError::Metadata(format!(
                        "the metadata at {} names the issuer '{}', not '{issuer}': refusing to use it (RFC 8414 §3.3); run `mcp-auth check {issuer}`",
                        a.url,
                        other.unwrap_or("(none)")
                    ))),
                };
            }
            None => tried.push(format!("{} → {}", a.url, f.outcome.summary())),
        }
    }
    let unreachable = disc
        .attempts
        .iter()
        .all(|a| a.exchange.as_ref().is_some_and(|e| e.response.is_none()));
    let msg = format!(
        "no authorization server metadata for {issuer}: {}",
        tried.join("; ")
    );
    Err(if unreachable {
        LoginError::Unreachable(msg)
    } else {
        LoginError::Metadata(msg)
    })
}

/// Where a login goes, before its metadata is trusted: the authorization
/// server's issuer and discovery, and what the MCP server asks for. The
/// command grades the discovery (the login preconditions) before using it.
#[derive(Debug, Clone)]
pub struct Destination {
    pub issuer: String,
    pub discovery: AsDiscovery,
    pub resource: Option<String>,
    pub scopes: Vec<String>,
    pub mcp_url: Option<String>,
    /// The MCP server's part of the chain (its challenge and protected
    /// resource metadata), when logging in to one.
    pub chain: Option<ResourceEvidence>,
    /// An MCP 2025-03-26 server: no protected resource metadata, its
    /// origin the authorization server (whose metadata may be missing too).
    pub legacy: bool,
    /// Whether the MCP server takes DPoP-bound tokens (None: not logging in to one).
    pub resource_dpop: Option<bool>,
}

impl Destination {
    /// The destination with its validated metadata.
    pub fn resolved(self) -> Result<Resolved, LoginError> {
        let metadata = match validated_metadata(&self.discovery, &self.issuer) {
            Ok(md) => md,
            Err(_) if self.uses_default_endpoints() => default_endpoints(&self.issuer),
            Err(e) => return Err(e),
        };
        Ok(Resolved {
            issuer: self.issuer,
            metadata,
            resource: self.resource,
            scopes: self.scopes,
            mcp_url: self.mcp_url,
            resource_dpop: self.resource_dpop,
        })
    }
}

impl Destination {
    /// A 2025-03-26 server whose origin serves no authorization server
    /// metadata at all: the login uses the default endpoints.
    pub fn uses_default_endpoints(&self) -> bool {
        self.legacy
            && self
                .discovery
                .attempts
                .iter()
                .filter(|a| a.kind.is_spec_candidate())
                .all(|a| {
                    a.exchange
                        .as_ref()
                        .and_then(|e| e.response.as_ref())
                        .is_some_and(|r| r.status == 404)
                })
    }
}

/// MCP 2025-03-26 §Fallbacks for Servers without Metadata Discovery: the
/// authorization base URL's `/authorize`, `/token` and `/register`. PKCE
/// S256 cannot be confirmed without metadata; the login uses it regardless.
fn default_endpoints(origin: &str) -> AsMetadata {
    let at = |p: &str| Some(format!("{}{p}", origin.trim_end_matches('/')));
    AsMetadata {
        issuer: Some(origin.to_owned()),
        authorization_endpoint: at("/authorize"),
        token_endpoint: at("/token"),
        registration_endpoint: at("/register"),
        code_challenge_methods_supported: Some(vec!["S256".to_owned()]),
        ..AsMetadata::default()
    }
}

/// Follow an MCP server's chain (or take an issuer) to the authorization server.
pub async fn destination(
    prober: &Prober,
    input: &str,
    kind: TargetHint,
) -> Result<Destination, LoginError> {
    let url = parse_http_url(input).map_err(|e| LoginError::Usage(e.to_string()))?;
    let policy = UrlPolicy::for_target(&url);
    let mut first = match kind {
        TargetHint::Issuer => None,
        TargetHint::Mcp | TargetHint::Auto => {
            Some(gather::client_first_round(prober, &url, kind == TargetHint::Auto).await)
        }
    };
    let known = first
        .as_mut()
        .map(|f| std::mem::take(&mut f.prefetched))
        .unwrap_or_default();
    let mut legacy = false;
    if let Some(f) = first.as_mut() {
        // A server that lets `initialize` through asks for a token on the
        // next request: its challenge is there.
        if let Some(challenged) = unauthenticated_list(prober, &url, &f.unauthenticated).await {
            f.unauthenticated = challenged;
        }
    }
    let (issuer, resource, scopes, mcp_url, chain, resource_dpop) = match first {
        Some(first) if kind == TargetHint::Mcp || first.looks_like_mcp() => {
            let named = named_by_chain(prober, &url, input, &first, &policy).await?;
            legacy = named.legacy;
            (
                named.issuer,
                named.resource,
                named.scopes,
                Some(input.to_owned()),
                Some(named.evidence),
                Some(named.dpop),
            )
        }
        _ => (input.to_owned(), None, Vec::new(), None, None, None),
    };
    // The authorization server a remote document names is requested only as
    // `check` would request it (https, no private address from a public target).
    let issuer_url = policy
        .check(&issuer)
        .map_err(|e| LoginError::Metadata(format!("not using the authorization server: {e}")))?;
    let disc = discovery::discover_issuer_reusing(
        prober,
        &issuer_url,
        &issuer,
        AsRole::Target,
        &known,
        discovery::Diagnostics::Never,
    )
    .await;
    Ok(Destination {
        issuer,
        discovery: disc,
        resource,
        scopes,
        mcp_url,
        chain,
        legacy,
        resource_dpop,
    })
}

/// The challenge an MCP client meets on its next request, when `initialize`
/// did not need a token: after an answered `initialize`, an unauthenticated
/// `tools/list` in that session; after a 400 (a 2026-07-28 server, which
/// has no `initialize`), the stateless `tools/list`. Its answer when that
/// is a 401 or 403.
async fn unauthenticated_list(
    prober: &Prober,
    mcp: &url::Url,
    init: &crate::evidence::Exchange,
) -> Option<crate::evidence::Exchange> {
    let resp = init.response.as_ref()?;
    let req = if resp.status == 400 {
        crate::probe::ProbeRequest::mcp_stateless(
            mcp.as_str(),
            2,
            "tools/list",
            &serde_json::json!({}),
        )
    } else if (200..300).contains(&resp.status) {
        let answer = crate::mcp_session::rpc_result(
            resp.header("content-type").unwrap_or(""),
            &resp.body,
            1,
        )?;
        let version = answer
            .get("result")?
            .get("protocolVersion")?
            .as_str()?
            .to_owned();
        let body = serde_json::json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"});
        let mut req =
            crate::probe::ProbeRequest::mcp_post(mcp.as_str(), body.to_string(), Some(&version));
        if let Some(sid) = resp.header("mcp-session-id") {
            req = req.header("mcp-session-id", sid);
        }
        req
    } else {
        return None;
    };
    let ex = prober.send(req).await;
    ex.response
        .as_ref()
        .is_some_and(|r| r.status == 401 || r.status == 403)
        .then_some(ex)
}

/// What an MCP server's protected resource metadata (and challenge) name.
struct NamedByChain {
    /// The first listed authorization server.
    issuer: String,
    /// The PRM `resource`, else the input; none for a 2025-03-26 server.
    resource: Option<String>,
    /// The challenge's `scope`, else the PRM `scopes_supported`.
    scopes: Vec<String>,
    /// What the chain showed, for the login's preconditions (PRM-RESOURCE-MATCH).
    evidence: ResourceEvidence,
    /// No protected resource metadata (MCP 2025-03-26): the MCP server's
    /// origin is the authorization server.
    legacy: bool,
    /// Whether the server takes DPoP-bound tokens.
    dpop: bool,
}

/// The rest of the MCP server's chain after the first round: its protected
/// resource metadata, and what that (and the challenge) names.
async fn named_by_chain(
    prober: &Prober,
    mcp: &url::Url,
    input: &str,
    first: &FirstRound,
    policy: &UrlPolicy,
) -> Result<NamedByChain, LoginError> {
    let resp = first.unauthenticated.response.as_ref();
    let challenge = resp
        .map(|r| www_authenticate::parse(&r.header_all("www-authenticate")))
        .unwrap_or_default();
    let bearer = challenge.bearer();
    let header_url = crate::chain::header_prm_url(&first.unauthenticated);
    let attempts =
        crate::chain::prm_in_client_order(prober, mcp, header_url.as_deref(), policy).await;
    let prm = crate::chain::followed(&attempts).map(|(_, doc)| doc);
    let evidence = ResourceEvidence {
        url: input.to_owned(),
        unauthenticated: first.unauthenticated.clone(),
        prm: attempts.clone(),
        probes: Vec::new(),
    };
    let challenge_scopes = bearer
        .and_then(|b| b.param("scope"))
        .map(|s| split_scope(&s.value));
    let Some(prm) = prm else {
        if !crate::chain::all_not_found(&attempts) {
            return Err(LoginError::Metadata(format!(
                "{input} has no usable protected resource metadata (run `mcp-auth check {input}`); log in to its authorization server's issuer instead"
            )));
        }
        // MCP 2025-03-26: no protected resource metadata; the authorization
        // server is the MCP server's origin.
        return Ok(NamedByChain {
            issuer: mcp.origin().ascii_serialization(),
            resource: None,
            scopes: challenge_scopes.unwrap_or_default(),
            evidence,
            legacy: true,
            dpop: false,
        });
    };
    let issuer = prm
        .md
        .authorization_servers
        .as_ref()
        .and_then(|l| l.first().cloned())
        .ok_or_else(|| {
            LoginError::Metadata(format!(
                "the protected resource metadata of {input} lists no authorization server"
            ))
        })?;
    let scopes =
        challenge_scopes.unwrap_or_else(|| prm.md.scopes_supported.clone().unwrap_or_default());
    let resource = prm.md.resource.clone().unwrap_or_else(|| input.to_owned());
    let dpop = crate::evidence::dpop::resource_takes_dpop(&challenge, &prm.md, crate::dpop::ALG);
    Ok(NamedByChain {
        issuer,
        resource: Some(resource),
        scopes,
        evidence,
        legacy: false,
        dpop,
    })
}

/// A space-separated scope as a list.
fn split_scope(s: &str) -> Vec<String> {
    s.split(' ')
        .filter(|x| !x.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::{Attempt, CandidateKind};

    fn json_exchange(doc: &serde_json::Value) -> crate::evidence::Exchange {
        crate::evidence::Exchange {
            request: crate::evidence::RequestRecord {
                method: "GET".into(),
                url: String::new(),
                headers: vec![],
                body: None,
            },
            response: Some(crate::evidence::ResponseRecord {
                status: 200,
                headers: vec![crate::evidence::Header {
                    name: "content-type".into(),
                    value: "application/json".into(),
                }],
                body: doc.to_string(),
                body_not_utf8: false,
                body_truncated: false,
            }),
            error: None,
            elapsed_ms: 1,
        }
    }

    fn disc(doc: &serde_json::Value) -> AsDiscovery {
        AsDiscovery {
            issuer: Some("https://as.example".into()),
            role: AsRole::Target,
            attempts: vec![Attempt {
                kind: CandidateKind::Oauth,
                url: "https://as.example/.well-known/oauth-authorization-server".into(),
                exchange: Some(json_exchange(doc)),
                file_body: None,
            }],
            probes: vec![],
        }
    }

    #[test]
    fn metadata_with_another_issuer_is_refused() {
        let ok = disc(
            &serde_json::json!({"issuer": "https://as.example", "token_endpoint": "https://as.example/t"}),
        );
        assert!(validated_metadata(&ok, "https://as.example").is_ok());
        let bad = disc(&serde_json::json!({"issuer": "https://evil.example"}));
        let e = validated_metadata(&bad, "https://as.example").unwrap_err();
        assert!(e.to_string().contains("refusing to use it"), "{e}");
    }
}

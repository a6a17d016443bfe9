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
    /// Whether the MCP server takes DPoP-bound tokens (None: not logging in to one).
    pub resource_dpop: Option<bool>,
}

impl Destination {
    /// The destination with its validated metadata.
    pub fn resolved(self) -> Result<Resolved, LoginError> {
        let metadata = validated_metadata(&self.discovery, &self.issuer)?;
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
    let (issuer, resource, scopes, mcp_url, chain, resource_dpop) = match first {
        Some(first) if kind == TargetHint::Mcp || first.looks_like_mcp() => {
            let named = named_by_chain(prober, &url, input, &first, &policy).await?;
            (
                named.issuer,
                Some(named.resource),
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
        resource_dpop,
    })
}

/// What an MCP server's protected resource metadata (and challenge) name.
struct NamedByChain {
    /// The first listed authorization server.
    issuer: String,
    /// The PRM `resource`, else the input.
    resource: String,
    /// The challenge's `scope`, else the PRM `scopes_supported`.
    scopes: Vec<String>,
    /// What the chain showed, for the login's preconditions (PRM-RESOURCE-MATCH).
    evidence: ResourceEvidence,
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
    let Some(prm) = prm else {
        return Err(LoginError::Metadata(format!(
            "{input} has no protected resource metadata (run `mcp-auth check {input}`); log in to its authorization server's issuer instead"
        )));
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
    let scopes: Vec<String> = match bearer.and_then(|b| b.param("scope")) {
        Some(s) => s
            .value
            .split(' ')
            .filter(|x| !x.is_empty())
            .map(str::to_owned)
            .collect(),
        None => prm.md.scopes_supported.clone().unwrap_or_default(),
    };
    let resource = prm.md.resource.clone().unwrap_or_else(|| input.to_owned());
    let dpop = crate::evidence::dpop::resource_takes_dpop(&challenge, &prm.md, crate::dpop::ALG);
    Ok(NamedByChain {
        issuer,
        resource,
        scopes,
        dpop,
        evidence: ResourceEvidence {
            url: input.to_owned(),
            unauthenticated: first.unauthenticated.clone(),
            prm: attempts,
            probes: Vec::new(),
        },
    })
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

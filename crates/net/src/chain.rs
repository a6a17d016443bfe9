//! The MCP server → authorization server chain, resolved one way for
//! `check` and `login`: the challenge's `resource_metadata` URL (under the
//! URL policy), then the well-known protected resource metadata URLs; the
//! first that serves a document is the one followed, and its listed
//! authorization servers are requested only as the policy allows.

use crate::evidence::interpret::{classify, Doc};
use crate::evidence::urls::UrlPolicy;
use crate::evidence::{Exchange, PrmAttempt, PrmSource, RequestRecord, TransportError};
use crate::gather::FirstRound;
use crate::metadata::ResourceMetadata;
use crate::probe::{ProbeRequest, Prober};
use crate::www_authenticate;

/// The `resource_metadata` URL of the unauthenticated answer's Bearer
/// challenge, else of its DPoP challenge (a server that takes only
/// DPoP-bound tokens challenges with `DPoP`, RFC 9449 §7.1).
pub fn header_prm_url(unauthenticated: &Exchange) -> Option<String> {
    let resp = unauthenticated.response.as_ref()?;
    let parsed = www_authenticate::parse(&resp.header_all("www-authenticate"));
    let dpop = parsed
        .challenges
        .iter()
        .find(|c| c.scheme.eq_ignore_ascii_case("dpop"));
    let url = [parsed.bearer(), dpop]
        .into_iter()
        .flatten()
        .filter_map(|c| c.param("resource_metadata"))
        .map(|p| p.value.clone())
        .find(|v| !v.is_empty());
    url
}

/// A metadata GET of a URL a remote document named, if the policy allows it.
async fn fetch(prober: &Prober, url: &str, policy: &UrlPolicy) -> Exchange {
    match policy.check(url) {
        Ok(u) => prober.send(ProbeRequest::metadata_get(u.as_str())).await,
        Err(e) => not_sent(url, &e),
    }
}

/// Every protected resource metadata attempt, in the order clients follow
/// them: the header's URL (asked now unless round 1 already did, and only
/// when the policy allows it), then round 1's well-known URLs.
pub async fn prm_attempts(
    prober: &Prober,
    first: &FirstRound,
    header_url: Option<&str>,
    policy: &UrlPolicy,
) -> Vec<PrmAttempt> {
    let mut prm = Vec::new();
    if let Some(h) = header_url {
        let exchange = match first.prm.iter().find(|p| p.url == h) {
            Some(p) => p.exchange.clone(),
            None => fetch(prober, h, policy).await,
        };
        prm.push(PrmAttempt {
            source: PrmSource::Header,
            url: h.to_owned(),
            exchange,
        });
    }
    prm.extend(first.prm.iter().cloned());
    prm
}

/// The protected resource metadata as an MCP client asks for it: the
/// challenge's URL (under the URL policy), else the path-inserted
/// well-known URL, else the root; each only when the one before served no
/// document (MCP 2025-11-25 §Protected Resource Metadata Discovery).
pub async fn prm_in_client_order(
    prober: &Prober,
    mcp: &url::Url,
    header_url: Option<&str>,
    policy: &UrlPolicy,
) -> Vec<PrmAttempt> {
    let mut order: Vec<(PrmSource, String)> = Vec::new();
    if let Some(h) = header_url {
        order.push((PrmSource::Header, h.to_owned()));
    }
    order.extend(crate::discovery::prm_candidates(mcp));
    let mut attempts: Vec<PrmAttempt> = Vec::new();
    for (source, url) in order {
        if attempts.iter().any(|a| a.url == url) {
            continue;
        }
        let exchange = fetch(prober, &url, policy).await;
        attempts.push(PrmAttempt {
            source,
            url,
            exchange,
        });
        if followed(&attempts).is_some() {
            break;
        }
    }
    attempts
}

/// The document a client follows: the first attempt that serves one.
pub fn followed(prm: &[PrmAttempt]) -> Option<(&PrmAttempt, Doc<ResourceMetadata>)> {
    prm.iter().find_map(|p| {
        classify::<ResourceMetadata>(&p.url, &p.exchange)
            .doc
            .map(|d| (p, d))
    })
}

/// Whether every well-known protected resource metadata URL answered 404
/// and the challenge named none: a server from before RFC 9728 (MCP 2025-03-26).
pub fn all_not_found(prm: &[PrmAttempt]) -> bool {
    !prm.is_empty()
        && prm.iter().all(|p| {
            p.source != PrmSource::Header
                && p.exchange
                    .response
                    .as_ref()
                    .is_some_and(|r| r.status == 404)
        })
}

/// An exchange that was never sent because its URL was unusable.
pub fn not_sent(url: &str, why: &str) -> Exchange {
    Exchange {
        request: RequestRecord {
            method: "GET".to_owned(),
            url: url.to_owned(),
            headers: Vec::new(),
            body: None,
        },
        response: None,
        error: Some(TransportError::not_sent(why)),
        elapsed_ms: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::{Header, RequestRecord, ResponseRecord};

    fn challenged(www: &[&str]) -> Exchange {
        Exchange {
            request: RequestRecord {
                method: "POST".into(),
                url: "https://mcp.example/mcp".into(),
                headers: vec![],
                body: None,
            },
            response: Some(ResponseRecord {
                status: 401,
                headers: www
                    .iter()
                    .map(|v| Header {
                        name: "WWW-Authenticate".into(),
                        value: (*v).to_owned(),
                    })
                    .collect(),
                body: String::new(),
                body_not_utf8: false,
                body_truncated: false,
            }),
            error: None,
            elapsed_ms: 1,
        }
    }

    #[test]
    fn the_header_url_is_the_bearer_challenges_else_the_dpop_challenges() {
        let url = |www: &[&str]| header_prm_url(&challenged(www));
        assert_eq!(
            url(&[r#"DPoP resource_metadata="https://d/", Bearer resource_metadata="https://b/""#]),
            Some("https://b/".into())
        );
        assert_eq!(
            url(&[r#"DPoP algs="ES256", resource_metadata="https://d/""#]),
            Some("https://d/".into())
        );
        assert_eq!(
            url(&[
                r#"Bearer realm="x""#,
                r#"DPoP resource_metadata="https://d/""#
            ]),
            Some("https://d/".into())
        );
        assert_eq!(
            url(&[r#"Basic realm="x", resource_metadata="https://x/""#]),
            None
        );
        assert_eq!(url(&[r#"DPoP resource_metadata="""#]), None);
    }
}

//! Round 1 against a URL that may be an MCP server.

use futures::future::join_all;
use url::Url;

use crate::discovery;
use crate::evidence::interpret::classify;
use crate::evidence::{Exchange, PrmAttempt};
use crate::metadata::ResourceMetadata;
use crate::probe::{ProbeRequest, Prober};

/// The first round against a URL that may be an MCP server.
#[derive(Debug, Clone)]
pub struct FirstRound {
    pub unauthenticated: Exchange,
    pub prm: Vec<PrmAttempt>,
    /// Authorization server candidates fetched in the same round
    /// ([`discovery::speculative_candidates`]), for discovery to reuse.
    pub prefetched: discovery::Prefetched,
}

impl FirstRound {
    /// A 401, a challenge, or well-known protected resource metadata: an MCP
    /// server (spec-checklist §1.4).
    pub fn looks_like_mcp(&self) -> bool {
        let resp = self.unauthenticated.response.as_ref();
        resp.is_some_and(|r| r.status == 401 || r.header("www-authenticate").is_some())
            || self.prm.iter().any(|p| {
                classify::<ResourceMetadata>(&p.url, &p.exchange)
                    .doc
                    .is_some()
            })
    }
}

/// Round 1: the unauthenticated POST, the well-known protected resource
/// metadata URLs, and the speculative authorization server candidates (with
/// `maybe_issuer`, those of the URL itself too: auto-detection then costs no
/// round of its own).
pub async fn first_round(prober: &Prober, mcp: &Url, maybe_issuer: bool) -> FirstRound {
    let wk = discovery::prm_candidates(mcp);
    // Started, not awaited: discovery waits for the answers it uses.
    let prefetched =
        discovery::Prefetched::start(prober, discovery::speculative_candidates(mcp, maybe_issuer));
    let (unauthenticated, exchanges) = futures::join!(
        prober.send(ProbeRequest::mcp_initialize(mcp.as_str())),
        join_all(
            wk.iter()
                .map(|(_, u)| prober.send(ProbeRequest::metadata_get(u.clone())))
        ),
    );
    FirstRound {
        prefetched,
        unauthenticated,
        prm: wk
            .into_iter()
            .zip(exchanges)
            .map(|((source, url), exchange)| PrmAttempt {
                source,
                url,
                exchange,
            })
            .collect(),
    }
}

/// Round 1 as an MCP client takes it (`login`): the unauthenticated POST and
/// the speculative authorization server candidates, but no protected
/// resource metadata yet: a client asks for that in order, the challenge's
/// URL, else the path-inserted well-known URL, and the root only as the last
/// fallback ([`crate::chain::prm_in_client_order`]).
pub async fn client_first_round(prober: &Prober, mcp: &Url, maybe_issuer: bool) -> FirstRound {
    let prefetched =
        discovery::Prefetched::start(prober, discovery::speculative_candidates(mcp, maybe_issuer));
    FirstRound {
        unauthenticated: prober
            .send(ProbeRequest::mcp_initialize(mcp.as_str()))
            .await,
        prm: Vec::new(),
        prefetched,
    }
}

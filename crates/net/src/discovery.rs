//! The metadata runner: fetches every candidate of an issuer concurrently
//! (the URL rules are `mcp_auth_evidence::wellknown`) and records what it saw.

use std::sync::Arc;

use futures::future::{BoxFuture, FutureExt, Shared};
use url::Url;

pub use crate::evidence::wellknown::*;
use crate::evidence::{AsDiscovery, AsRole, Attempt, CandidateKind, Exchange};
use crate::metadata::AsMetadata;
use crate::probe::{ProbeRequest, Prober};

/// Metadata GETs started earlier in this run, by URL. The first round against
/// a URL that may be an MCP server starts them before it knows what the URL is
/// (see [`speculative_candidates`]). Each GET runs as its own task, so whoever
/// needs an answer waits for that one only: a slow URL nobody needs holds up
/// nothing, and the GETs nobody awaited are cancelled when the last clone of
/// this is dropped.
#[derive(Clone, Default)]
pub struct Prefetched(Arc<Started>);

#[derive(Default)]
struct Started(Vec<Pending>);

struct Pending {
    url: String,
    answer: Shared<BoxFuture<'static, Option<Exchange>>>,
    task: tokio::task::AbortHandle,
}

impl Drop for Started {
    fn drop(&mut self) {
        for p in &self.0 {
            p.task.abort();
        }
    }
}

impl std::fmt::Debug for Prefetched {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.0 .0.iter().map(|p| &p.url))
            .finish()
    }
}

impl Prefetched {
    /// Start a GET of every URL, each in its own task (inside a Tokio runtime).
    pub fn start(prober: &Prober, urls: Vec<String>) -> Self {
        let pending = urls
            .into_iter()
            .map(|url| {
                let (prober, request) = (prober.clone(), ProbeRequest::metadata_get(url.clone()));
                let handle = tokio::spawn(async move { prober.send(request).await });
                let task = handle.abort_handle();
                Pending {
                    url,
                    answer: handle.map(Result::ok).boxed().shared(),
                    task,
                }
            })
            .collect();
        Self(Arc::new(Started(pending)))
    }

    /// The answer to the GET of `url` started here, or the same GET sent now
    /// (when it was not started here, or its task ended without an answer).
    pub async fn get_or_send(&self, prober: &Prober, url: &str) -> Exchange {
        if let Some(p) = self.0 .0.iter().find(|p| p.url == url) {
            if let Some(exchange) = p.answer.clone().await {
                return exchange;
            }
        }
        prober
            .send(ProbeRequest::metadata_get(url.to_owned()))
            .await
    }
}

/// Whether discovery also asks the diagnostic URLs no client tries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Diagnostics {
    /// When the server answered but no spec candidate served a document: they
    /// explain the failure (a check). A server that never answered, or whose
    /// every answer the timeout cut off, is not asked again.
    WhenNotFound,
    /// Never (login and token inspection only want the document).
    Never,
}

/// Fetch every spec candidate of an issuer concurrently (a login or a token
/// inspection: no diagnostic URLs).
pub async fn discover_issuer(
    prober: &Prober,
    issuer: &Url,
    issuer_text: &str,
    role: AsRole,
) -> AsDiscovery {
    discover_issuer_reusing(
        prober,
        issuer,
        issuer_text,
        role,
        &Prefetched::default(),
        Diagnostics::Never,
    )
    .await
}

/// Fetch every spec candidate of an issuer concurrently, taking the answers
/// to GETs already started in this run from `known`; then, as `diagnostics`
/// says, the diagnostic URLs (worth nothing when a document was found, so the
/// usual case costs no extra request, and a failing server one more round).
pub async fn discover_issuer_reusing(
    prober: &Prober,
    issuer: &Url,
    issuer_text: &str,
    role: AsRole,
    known: &Prefetched,
    diagnostics: Diagnostics,
) -> AsDiscovery {
    let (spec, diagnostic_urls): (Vec<_>, Vec<_>) = as_candidates(issuer)
        .into_iter()
        .partition(|(kind, _)| kind.is_spec_candidate());
    let mut attempts = fetch_candidates(prober, spec, known).await;
    // An answer cut off by the timeout is no answer: a server that lets every
    // candidate time out would let the diagnostic URL time out too (a second
    // timeout, for nothing).
    let answered = |a: &Attempt| {
        a.exchange.as_ref().is_some_and(|ex| {
            ex.response.is_some()
                && !ex
                    .error
                    .as_ref()
                    .is_some_and(|e| e.kind == crate::evidence::TransportErrorKind::Timeout)
        })
    };
    let found = |a: &Attempt| {
        a.exchange.as_ref().is_some_and(|ex| {
            crate::evidence::interpret::classify::<AsMetadata>(&a.url, ex)
                .doc
                .is_some()
        })
    };
    // Cheapest test first: parsing the documents is only needed to decide.
    if diagnostics == Diagnostics::WhenNotFound
        && !diagnostic_urls.is_empty()
        && attempts.iter().any(answered)
        && !attempts.iter().any(found)
    {
        attempts.extend(fetch_candidates(prober, diagnostic_urls, known).await);
    }
    AsDiscovery {
        issuer: Some(issuer_text.to_owned()),
        role,
        probes: Vec::new(),
        attempts,
    }
}

async fn fetch_candidates(
    prober: &Prober,
    candidates: Vec<(CandidateKind, String)>,
    known: &Prefetched,
) -> Vec<Attempt> {
    let exchanges = futures::future::join_all(
        candidates
            .iter()
            .map(|(_, url)| known.get_or_send(prober, url)),
    )
    .await;
    candidates
        .into_iter()
        .zip(exchanges)
        .map(|((kind, url), exchange)| Attempt {
            kind,
            url,
            exchange: Some(exchange),
            file_body: None,
        })
        .collect()
}

/// Fetch one metadata URL the user named.
pub async fn fetch_well_known(prober: &Prober, url: &Url, issuer: Option<String>) -> AsDiscovery {
    let exchange = prober
        .send(ProbeRequest::metadata_get(url.to_string()))
        .await;
    AsDiscovery {
        issuer,
        role: AsRole::Target,
        probes: Vec::new(),
        attempts: vec![Attempt {
            kind: CandidateKind::Explicit,
            url: url.to_string(),
            exchange: Some(exchange),
            file_body: None,
        }],
    }
}

/// A metadata document read from a file.
pub fn from_file(path: &str, body: String, issuer: Option<String>) -> AsDiscovery {
    AsDiscovery {
        issuer,
        role: AsRole::Target,
        probes: Vec::new(),
        attempts: vec![Attempt {
            kind: CandidateKind::File,
            url: path.to_owned(),
            exchange: None,
            file_body: Some(body),
        }],
    }
}

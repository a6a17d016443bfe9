//! Politeness: at most so many requests in flight in total, and at most so
//! many to any one host (by host name, whatever the port), shared by every
//! clone of a [`Prober`](super::Prober) and by every pool made from it
//! (`matrix --registry` checks thousands of strangers' servers, many on the
//! same hosting platform or behind the same authorization server).

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The caps, and the semaphores that enforce them.
#[derive(Debug)]
pub struct RequestLimits {
    total: Arc<Semaphore>,
    per_host: usize,
    hosts: Mutex<HashMap<String, Arc<Semaphore>>>,
}

/// What a request holds while it is in flight.
#[derive(Debug)]
pub struct Permit {
    _total: OwnedSemaphorePermit,
    _host: OwnedSemaphorePermit,
}

impl RequestLimits {
    /// `total` requests at once, `per_host` to one host (each at least 1).
    pub fn new(total: usize, per_host: usize) -> Arc<Self> {
        Arc::new(Self {
            total: Arc::new(Semaphore::new(total.max(1))),
            per_host: per_host.max(1),
            hosts: Mutex::new(HashMap::new()),
        })
    }

    fn host(&self, host: &str) -> Arc<Semaphore> {
        let mut hosts = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
        // Hosts with nothing in flight are forgotten, so a long run keeps
        // one entry per busy host, not one per host ever seen.
        if hosts.len() > 4096 {
            let cap = self.per_host;
            hosts.retain(|_, s| s.available_permits() < cap);
        }
        hosts
            .entry(host.to_owned())
            .or_insert_with(|| Arc::new(Semaphore::new(self.per_host)))
            .clone()
    }

    /// Wait for a slot for a request to `url` (the host's first, so a busy
    /// host does not hold total slots others could use).
    pub async fn acquire(&self, url: &str) -> Permit {
        let host = self
            .host(&host_of(url))
            .acquire_owned()
            .await
            .expect("the semaphore is never closed");
        let total = self
            .total
            .clone()
            .acquire_owned()
            .await
            .expect("the semaphore is never closed");
        Permit {
            _total: total,
            _host: host,
        }
    }

    /// Requests in flight now to `host` (for tests).
    pub fn in_flight(&self, host: &str) -> usize {
        let hosts = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
        hosts
            .get(host)
            .map_or(0, |s| self.per_host - s.available_permits())
    }
}

/// The lower-cased host name of a URL ("" when it has none).
fn host_of(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
        .unwrap_or_default()
}

/// The hosts that let a request of one pool (one server's check) go
/// unanswered until the timeout. The pool's later requests to them are not
/// sent: with a per-host cap, a silent server's queued requests would each
/// wait a whole timeout more, holding slots the other servers could use.
#[derive(Debug, Clone, Default)]
pub struct QuietHosts(Arc<Mutex<HashSet<String>>>);

impl QuietHosts {
    /// Why a request to `url` is not sent, when its host has gone quiet.
    pub fn refusal(&self, url: &str) -> Option<String> {
        let host = host_of(url);
        let quiet = self.0.lock().unwrap_or_else(|e| e.into_inner());
        quiet
            .contains(&host)
            .then(|| format!("an earlier request to {host} got no answer within the timeout"))
    }

    /// Remember that a request to `url` timed out.
    pub fn timed_out(&self, url: &str) {
        let mut quiet = self.0.lock().unwrap_or_else(|e| e.into_inner());
        quiet.insert(host_of(url));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_host_gets_at_most_its_share_whatever_the_port() {
        let limits = RequestLimits::new(10, 2);
        let a = limits.acquire("https://a.example/x").await;
        let _b = limits.acquire("https://a.example:8443/y").await;
        assert_eq!(limits.in_flight("a.example"), 2);
        // A third to the same host waits; another host does not.
        let third = limits.acquire("https://a.example/z");
        tokio::pin!(third);
        assert!(futures::poll!(&mut third).is_pending());
        let _c = limits.acquire("https://c.example/").await;
        drop(a);
        let _t = third.await;
        assert_eq!(limits.in_flight("a.example"), 2);
        assert_eq!(limits.in_flight("c.example"), 1);
    }

    #[tokio::test]
    async fn the_total_caps_every_host_together() {
        let limits = RequestLimits::new(2, 5);
        let _a = limits.acquire("https://a.example/").await;
        let _b = limits.acquire("https://b.example/").await;
        let c = limits.acquire("https://c.example/");
        tokio::pin!(c);
        assert!(futures::poll!(&mut c).is_pending());
    }

    #[test]
    fn a_host_that_timed_out_is_not_asked_again() {
        let quiet = QuietHosts::default();
        assert_eq!(quiet.refusal("https://a.example/x"), None);
        quiet.timed_out("https://A.example:8443/mcp");
        let why = quiet.refusal("https://a.example/.well-known/x").unwrap();
        assert!(why.contains("a.example"), "{why}");
        assert_eq!(quiet.refusal("https://b.example/"), None);
        // Clones share the set (the pool's probers).
        assert!(quiet.clone().refusal("https://a.example/").is_some());
        assert!(QuietHosts::default()
            .refusal("https://a.example/")
            .is_none());
    }
}

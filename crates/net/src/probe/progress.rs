//! What the prober is waiting for, told to whoever shows it: the binary
//! renders it as a spinner on a terminal; this crate draws nothing.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::Prober;

/// Hears each request as it starts and ends (or is dropped unfinished, e.g.
/// by a provider's timeout). Called from any task: keep it quick.
pub trait Progress: Send + Sync {
    /// A request is about to be sent; `id` is unique within the process.
    fn started(&self, id: u64, method: &str, url: &str);
    /// The request `id` has an answer, an error, or was abandoned.
    fn ended(&self, id: u64);
}

/// A [`Progress`] held by a prober (cloned with it).
#[derive(Clone)]
pub(super) struct Observer(Arc<dyn Progress>);

impl std::fmt::Debug for Observer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Observer")
    }
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// Tells the observer the request ended when dropped, however the send ended.
pub(super) struct Watch {
    observer: Observer,
    id: u64,
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.observer.0.ended(self.id);
    }
}

impl Observer {
    pub(super) fn watch(&self, method: &str, url: &str) -> Watch {
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        self.0.started(id, method, url);
        Watch {
            observer: self.clone(),
            id,
        }
    }
}

impl Prober {
    /// A clone that tells `progress` about every request it sends (clones
    /// and [`Prober::with_new_pool`] keep telling it).
    #[must_use]
    pub fn observed(&self, progress: Arc<dyn Progress>) -> Self {
        let mut prober = self.clone();
        prober.observer = Some(Observer(progress));
        prober
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::probe::{ProbeRequest, ProbeSettings};

    #[derive(Default)]
    struct Log(Mutex<Vec<String>>);

    impl Progress for Log {
        fn started(&self, _: u64, method: &str, url: &str) {
            self.0.lock().unwrap().push(format!("start {method} {url}"));
        }
        fn ended(&self, _: u64) {
            self.0.lock().unwrap().push("end".to_owned());
        }
    }

    #[tokio::test]
    async fn each_request_starts_and_ends_even_unanswered() {
        let log = Arc::new(Log::default());
        let prober = Prober::new(ProbeSettings::default())
            .unwrap()
            .observed(log.clone())
            .with_new_pool()
            .unwrap();
        // Port 9 on loopback: refused at once, still one start and one end.
        let url = "http://127.0.0.1:9/.well-known/oauth-protected-resource";
        let exchange = prober.send(ProbeRequest::metadata_get(url)).await;
        assert!(exchange.response.is_none());
        assert_eq!(
            *log.0.lock().unwrap(),
            [format!("start GET {url}"), "end".to_owned()]
        );
    }
}

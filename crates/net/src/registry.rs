//! Paging through an MCP Registry (`GET {base}/v0.1/servers?version=latest
//! &limit=N&cursor=…`) through the one [`Prober`] (its timeout, body cap and
//! URL policy). Each page is parsed into `mcp_auth_evidence::registry`
//! types; a page that is not one, a cursor seen before (a loop) and a body
//! over the cap each end the walk with one line naming the page. Nothing
//! here decides which remotes are checked (`registry::targets` does).

use std::collections::BTreeSet;

use crate::evidence::registry::ServerList;
use crate::probe::{ProbeRequest, Prober};

/// The official registry.
pub const OFFICIAL_REGISTRY: &str = "https://registry.modelcontextprotocol.io";

/// Why a walk through the registry stopped early.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    #[error("{url}: {why}")]
    Page { url: String, why: String },
    #[error("{url}: the cursor '{cursor}' was returned before (the registry pages in a loop)")]
    CursorLoop { url: String, cursor: String },
}

/// A walk through the registry's pages, resumable from a cursor.
#[derive(Debug)]
pub struct Pager {
    base: String,
    limit: u32,
    cursor: Option<String>,
    seen: BTreeSet<String>,
    done: bool,
    /// A loop found on the last page: reported by the next call, after
    /// that page was handed out.
    pending: Option<RegistryError>,
}

impl Pager {
    /// From the first page (`cursor` None) or from a saved cursor.
    pub fn new(base: &str, limit: u32, cursor: Option<String>) -> Self {
        Self {
            base: base.trim_end_matches('/').to_owned(),
            limit,
            seen: cursor.iter().cloned().collect(),
            cursor,
            done: false,
            pending: None,
        }
    }

    /// The cursor of the next page (to resume from), if there is one.
    pub fn cursor(&self) -> Option<&str> {
        self.cursor.as_deref()
    }

    fn page_url(&self) -> String {
        let mut u = url::Url::parse(&format!("{}/v0.1/servers", self.base))
            .unwrap_or_else(|_| url::Url::parse("invalid://registry").expect("a URL"));
        {
            let mut q = u.query_pairs_mut();
            q.append_pair("version", "latest")
                .append_pair("limit", &self.limit.to_string());
            if let Some(c) = &self.cursor {
                q.append_pair("cursor", c);
            }
        }
        u.to_string()
    }

    /// The next page, or `None` after the last one.
    pub async fn next(&mut self, prober: &Prober) -> Result<Option<ServerList>, RegistryError> {
        if let Some(e) = self.pending.take() {
            return Err(e);
        }
        if self.done {
            return Ok(None);
        }
        let url = self.page_url();
        let page_error = |why: String| RegistryError::Page {
            url: url.clone(),
            why,
        };
        let ex = prober
            .send(
                ProbeRequest::new(reqwest::Method::GET, &url).header("accept", "application/json"),
            )
            .await;
        let resp = ex
            .response
            .as_ref()
            .ok_or_else(|| page_error(ex.failure().to_owned()))?;
        if resp.status != 200 {
            return Err(page_error(format!("HTTP {}", resp.status)));
        }
        if resp.body_truncated {
            return Err(page_error(
                "the page is larger than the body cap".to_owned(),
            ));
        }
        let page: ServerList = serde_json::from_str(&resp.body)
            .map_err(|e| page_error(format!("not a list of servers: {e}")))?;
        match page.metadata.next_cursor.clone().filter(|c| !c.is_empty()) {
            None => self.done = true,
            Some(c) if !self.seen.insert(c.clone()) => {
                self.done = true;
                self.pending = Some(RegistryError::CursorLoop { url, cursor: c });
            }
            Some(c) => self.cursor = Some(c),
        }
        Ok(Some(page))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::ProbeSettings;

    /// A registry on loopback whose pages answer by cursor.
    async fn registry(pages: Vec<(&'static str, String)>) -> String {
        use axum::extract::Query;
        use std::collections::HashMap;
        let pages: HashMap<&'static str, String> = pages.into_iter().collect();
        let app = axum::Router::new().route(
            "/v0.1/servers",
            axum::routing::get(move |Query(q): Query<HashMap<String, String>>| {
                let key = q.get("cursor").map_or("", String::as_str).to_owned();
                let body = pages
                    .iter()
                    .find(|(k, _)| **k == key)
                    .map(|(_, v)| v.clone());
                async move {
                    match body {
                        Some(b) => (axum::http::StatusCode::OK, b),
                        None => (axum::http::StatusCode::NOT_FOUND, String::new()),
                    }
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        format!("http://{addr}")
    }

    fn page(names: &[&str], next: Option<&str>) -> String {
        let servers: Vec<_> = names
            .iter()
            .map(|n| serde_json::json!({"server": {"name": n, "remotes": []}}))
            .collect();
        serde_json::json!({"servers": servers, "metadata": {"nextCursor": next}}).to_string()
    }

    async fn walk(base: &str) -> (Vec<String>, Option<RegistryError>) {
        let prober = Prober::new(ProbeSettings::default()).unwrap();
        let mut pager = Pager::new(base, 2, None);
        let mut names = Vec::new();
        loop {
            match pager.next(&prober).await {
                Ok(Some(p)) => names.extend(p.servers.into_iter().map(|s| s.server.name)),
                Ok(None) => return (names, None),
                Err(e) => return (names, Some(e)),
            }
        }
    }

    #[tokio::test]
    async fn pages_are_followed_by_cursor_to_the_last() {
        let base = registry(vec![
            ("", page(&["a", "b"], Some("c1"))),
            ("c1", page(&["c"], None)),
        ])
        .await;
        let (names, err) = walk(&base).await;
        assert_eq!(names, ["a", "b", "c"]);
        assert_eq!(err, None);
    }

    #[tokio::test]
    async fn a_cursor_loop_and_a_malformed_page_end_the_walk_in_one_line() {
        let looping = registry(vec![
            ("", page(&["a"], Some("c1"))),
            ("c1", page(&["b"], Some("c1"))),
        ])
        .await;
        let (names, err) = walk(&looping).await;
        assert_eq!(names, ["a", "b"], "nothing read before the loop is lost");
        let e = err.unwrap().to_string();
        assert!(e.contains("the cursor 'c1' was returned before"), "{e}");
        let malformed = registry(vec![("", r#"{"servers": {"oops": 1}}"#.to_owned())]).await;
        let e = walk(&malformed).await.1.unwrap().to_string();
        assert!(
            e.contains("/v0.1/servers?version=latest&limit=2: not a list of servers"),
            "{e}"
        );
        assert_eq!(e.lines().count(), 1);
    }
}

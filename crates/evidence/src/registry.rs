//! The official MCP Registry's list of servers (`GET /v0.1/servers`, cursor
//! paged; `../shared/docs/field-2026-12.md` §5) as serde types that keep
//! unknown members, and which of its remotes `matrix --registry` would
//! check: active entries' `streamable-http` remotes over https, URL
//! templates filled from their variables' defaults, each URL once. Pure:
//! fetching the pages is the network crate's.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The `_meta` key of the official registry's own facts about an entry.
pub const OFFICIAL_META: &str = "io.modelcontextprotocol.registry/official";

/// One page of `GET /v0.1/servers`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServerList {
    #[serde(default)]
    pub servers: Vec<ServerResponse>,
    #[serde(default)]
    pub metadata: ListMetadata,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The page's paging facts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ListMetadata {
    /// The cursor of the next page; absent on the last one.
    #[serde(
        default,
        rename = "nextCursor",
        skip_serializing_if = "Option::is_none"
    )]
    pub next_cursor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One entry: the server as published, and the registry's facts about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServerResponse {
    pub server: ServerDetail,
    #[serde(default, rename = "_meta")]
    pub meta: Map<String, Value>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// What a publisher says of its server (only what `matrix` reads is typed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServerDetail {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default)]
    pub remotes: Vec<RemoteTransport>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A remote endpoint: its transport and URL template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemoteTransport {
    /// `streamable-http` or `sse`.
    #[serde(rename = "type")]
    pub transport: String,
    /// A URL template: `{var}` takes its value from `variables`.
    pub url: String,
    #[serde(default)]
    pub variables: BTreeMap<String, Input>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A variable of a URL template (only its default is read).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Input {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ServerResponse {
    /// The registry's `status` (`active`, `deprecated`, `deleted`), if it says.
    pub fn status(&self) -> Option<&str> {
        self.meta.get(OFFICIAL_META)?.get("status")?.as_str()
    }
}

/// A remote `matrix --registry` checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryTarget {
    /// The server's registry name (`io.github.owner/name`).
    pub name: String,
    /// The filled-in URL.
    pub url: String,
}

/// Why a remote is not checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skipped {
    /// The entry is deprecated or deleted.
    NotActive { name: String, status: String },
    /// Not `streamable-http` (an `sse` remote).
    Transport {
        name: String,
        url: String,
        transport: String,
    },
    /// A template variable without a default (`url` is the template).
    NoDefault {
        name: String,
        url: String,
        variable: String,
    },
    /// Not an https URL once filled in.
    NotHttps { name: String, url: String },
    /// A loopback or private address, listed by a public registry.
    NotPublic { name: String, url: String },
    /// A URL another entry already has.
    Duplicate { name: String, url: String },
}

impl Skipped {
    /// The listing's name for the server.
    pub fn name(&self) -> &str {
        match self {
            Self::NotActive { name, .. }
            | Self::Transport { name, .. }
            | Self::NoDefault { name, .. }
            | Self::NotHttps { name, .. }
            | Self::NotPublic { name, .. }
            | Self::Duplicate { name, .. } => name,
        }
    }

    /// The remote's URL (a template when a variable has no default); none
    /// for an entry that is not active.
    pub fn url(&self) -> Option<&str> {
        match self {
            Self::NotActive { .. } => None,
            Self::Transport { url, .. }
            | Self::NoDefault { url, .. }
            | Self::NotHttps { url, .. }
            | Self::NotPublic { url, .. }
            | Self::Duplicate { url, .. } => Some(url),
        }
    }

    /// Whether a report lists it as a row: not an inactive entry, not a URL
    /// listed already (neither is a server to count).
    pub fn is_row(&self) -> bool {
        !matches!(self, Self::NotActive { .. } | Self::Duplicate { .. })
    }
}

impl std::fmt::Display for Skipped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotActive { name, status } => write!(f, "{name}: {status}, not active"),
            Self::Transport {
                name, transport, ..
            } => {
                write!(f, "{name}: a {transport} remote, not streamable-http")
            }
            Self::NoDefault { name, variable, .. } => {
                write!(f, "{name}: the URL's {{{variable}}} has no default")
            }
            Self::NotHttps { name, url } => write!(f, "{name}: {url} is not an https URL"),
            Self::NotPublic { name, url } => {
                write!(f, "{name}: {url} is not a public address")
            }
            Self::Duplicate { name, url } => write!(f, "{name}: {url} is listed already"),
        }
    }
}

/// A template with every `{var}` replaced by its default, or the first
/// variable without one.
fn fill(remote: &RemoteTransport) -> Result<String, String> {
    crate::urls::fill_template(&remote.url, |var| {
        remote.variables.get(var).and_then(|v| v.default.as_deref())
    })
}

/// Which remotes a registry may send the checks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// A public registry: https URLs of public hosts only (a listing
    /// cannot turn the run against the machine's own network).
    Public,
    /// A registry on loopback (a test or a mirror on this machine): also
    /// http and loopback remotes.
    Local,
}

impl Reach {
    /// A registry on a loopback address is `Local`.
    pub fn of_registry(base: &str) -> Self {
        match url::Url::parse(base) {
            Ok(u) if crate::urls::is_loopback(&u) => Self::Local,
            _ => Self::Public,
        }
    }

    /// Why `url` may not be checked, if it may not.
    fn refuses(self, name: &str, url: &str) -> Option<Skipped> {
        let (name, text) = (name.to_owned(), url.to_owned());
        let Ok(u) = url::Url::parse(url) else {
            return Some(Skipped::NotHttps { name, url: text });
        };
        let https = u.scheme() == "https" && u.host().is_some();
        match self {
            Self::Local if https || (u.scheme() == "http" && u.host().is_some()) => None,
            Self::Public if https && crate::urls::is_public_host(&u) => None,
            Self::Public if https => Some(Skipped::NotPublic { name, url: text }),
            _ => Some(Skipped::NotHttps { name, url: text }),
        }
    }
}

/// The remotes of `entries` to check, in order, each URL once (`seen`
/// carries the URLs of earlier pages), and why the others are skipped.
pub fn targets(
    entries: &[ServerResponse],
    seen: &mut BTreeSet<String>,
    reach: Reach,
) -> (Vec<RegistryTarget>, Vec<Skipped>) {
    let (mut keep, mut skipped) = (Vec::new(), Vec::new());
    for e in entries {
        let name = e.server.name.clone();
        if let Some(status) = e.status().filter(|s| *s != "active") {
            skipped.push(Skipped::NotActive {
                name,
                status: status.to_owned(),
            });
            continue;
        }
        for r in &e.server.remotes {
            let name = name.clone();
            if r.transport != "streamable-http" {
                skipped.push(Skipped::Transport {
                    name,
                    url: r.url.clone(),
                    transport: r.transport.clone(),
                });
                continue;
            }
            let url = match fill(r) {
                Ok(url) => url,
                Err(variable) => {
                    skipped.push(Skipped::NoDefault {
                        name,
                        url: r.url.clone(),
                        variable,
                    });
                    continue;
                }
            };
            if let Some(why) = reach.refuses(&name, &url) {
                skipped.push(why);
            } else if !seen.insert(url.clone()) {
                skipped.push(Skipped::Duplicate { name, url });
            } else {
                keep.push(RegistryTarget { name, url });
            }
        }
    }
    (keep, skipped)
}

/// One shard of a sharded run (`--shard I/N`, I from 1 to N).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl Shard {
    /// `I/N` with 1 ≤ I ≤ N.
    pub fn parse(s: &str) -> Result<Self, String> {
        let bad = || format!("'{s}' is not I/N with 1 ≤ I ≤ N (say 2/4)");
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let (index, count): (u32, u32) = (
            i.trim().parse().map_err(|_| bad())?,
            n.trim().parse().map_err(|_| bad())?,
        );
        if index == 0 || count == 0 || index > count {
            return Err(bad());
        }
        Ok(Self { index, count })
    }

    /// Whether `url` belongs to this shard: a stable hash of the URL (FNV-1a,
    /// the same on every machine and release), so N shards split the
    /// servers into N disjoint parts whatever order the registry lists them in.
    pub fn has(&self, url: &str) -> bool {
        let hash = url.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        });
        hash % u64::from(self.count) == u64::from(self.index - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_split_the_urls_into_disjoint_parts_and_stay_put() {
        let urls: Vec<String> = (0..1000)
            .map(|i| format!("https://s{i}.example.com/mcp"))
            .collect();
        let shards: Vec<Shard> = (1..=4)
            .map(|i| Shard::parse(&format!("{i}/4")).unwrap())
            .collect();
        let mut sizes = [0; 4];
        for u in &urls {
            let owners: Vec<usize> = (0..4).filter(|&i| shards[i].has(u)).collect();
            assert_eq!(owners.len(), 1, "{u} belongs to exactly one shard");
            sizes[owners[0]] += 1;
        }
        assert!(sizes.iter().all(|&n| (200..300).contains(&n)), "{sizes:?}");
        // Pinned, so a release that changed the hash would move servers between shards.
        let owner = |u: &str| (1..=4).find(|&i| Shard::parse(&format!("{i}/4")).unwrap().has(u));
        // FNV-1a 64 of the URL is 14490360582268237322, so 4 shards put it in the 3rd.
        assert_eq!(owner("https://analytics.example.com/mcp"), Some(3));
        assert!(Shard::parse("1/1").unwrap().has("https://x"));
        for bad in ["0/4", "5/4", "4", "a/b", "1/0"] {
            assert!(
                Shard::parse(bad).unwrap_err().contains("is not I/N"),
                "{bad}"
            );
        }
    }

    /// A page in the registry's shape (the example of its
    /// `docs/modelcontextprotocol-io/remote-servers.mdx`, and the cases
    /// `matrix --registry` must skip).
    const PAGE: &str = r#"{
      "servers": [
        {"server": {"name": "com.example/analytics", "version": "1.0.0",
                    "remotes": [{"type": "streamable-http", "url": "https://analytics.example.com/mcp"}]},
         "_meta": {"io.modelcontextprotocol.registry/official": {"status": "active", "isLatest": true}}},
        {"server": {"name": "com.example/tenant", "remotes": [
            {"type": "streamable-http", "url": "https://{tenant}.example.com/mcp",
             "variables": {"tenant": {"default": "demo", "description": "your tenant"}}},
            {"type": "streamable-http", "url": "https://{region}.example.com/mcp",
             "variables": {"region": {"isRequired": true}}},
            {"type": "sse", "url": "https://sse.example.com/sse"}]}},
        {"server": {"name": "com.example/old", "remotes": [{"type": "streamable-http", "url": "https://old.example.com/mcp"}]},
         "_meta": {"io.modelcontextprotocol.registry/official": {"status": "deprecated"}}},
        {"server": {"name": "com.example/local", "remotes": [{"type": "streamable-http", "url": "http://localhost:3000/mcp"}]}},
        {"server": {"name": "com.example/again", "remotes": [{"type": "streamable-http", "url": "https://analytics.example.com/mcp"}]},
         "future": 1}
      ],
      "metadata": {"nextCursor": "abc", "count": 5}
    }"#;

    #[test]
    fn a_page_keeps_active_https_streamable_remotes_once_and_says_why_not_the_rest() {
        let page: ServerList = serde_json::from_str(PAGE).unwrap();
        assert_eq!(page.metadata.next_cursor.as_deref(), Some("abc"));
        let mut seen = BTreeSet::new();
        let (keep, skipped) = targets(&page.servers, &mut seen, Reach::Public);
        let urls: Vec<&str> = keep.iter().map(|t| t.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "https://analytics.example.com/mcp",
                "https://demo.example.com/mcp"
            ]
        );
        let why: Vec<String> = skipped.iter().map(ToString::to_string).collect();
        assert_eq!(
            why,
            [
                "com.example/tenant: the URL's {region} has no default",
                "com.example/tenant: a sse remote, not streamable-http",
                "com.example/old: deprecated, not active",
                "com.example/local: http://localhost:3000/mcp is not an https URL",
                "com.example/again: https://analytics.example.com/mcp is listed already",
            ]
        );
        // The next page's duplicates of this one are skipped too.
        let (again, _) = targets(&page.servers[..1], &mut seen, Reach::Public);
        assert!(again.is_empty());
    }

    #[test]
    fn a_public_registry_cannot_send_the_run_to_this_machine_and_a_local_one_can() {
        let page = |url: &str| -> ServerList {
            serde_json::from_value(serde_json::json!({"servers": [{"server": {
                "name": "x/y", "remotes": [{"type": "streamable-http", "url": url}]}}],
                "metadata": {}}))
            .unwrap()
        };
        let verdict = |url: &str, reach| {
            let (keep, skipped) = targets(&page(url).servers, &mut BTreeSet::new(), reach);
            (
                keep.len(),
                skipped.iter().map(ToString::to_string).collect::<Vec<_>>(),
            )
        };
        for url in [
            "https://127.0.0.1/mcp",
            "https://10.1.2.3/mcp",
            "https://[::1]/mcp",
            "https://a.localhost/mcp",
        ] {
            assert_eq!(
                verdict(url, Reach::Public),
                (0, vec![format!("x/y: {url} is not a public address")])
            );
        }
        assert_eq!(verdict("https://mcp.example.com/", Reach::Public).0, 1);
        assert_eq!(verdict("http://127.0.0.9:8080/mcp", Reach::Local).0, 1);
        assert_eq!(verdict("https://127.0.0.9:8443/mcp", Reach::Local).0, 1);
        assert_eq!(verdict("ftp://127.0.0.9/mcp", Reach::Local).0, 0);
        assert_eq!(Reach::of_registry("http://127.0.0.1:4000"), Reach::Local);
        assert_eq!(
            Reach::of_registry("https://registry.modelcontextprotocol.io"),
            Reach::Public
        );
    }

    #[test]
    fn unknown_members_are_kept() {
        let page: ServerList = serde_json::from_str(PAGE).unwrap();
        assert_eq!(page.servers[4].extra.get("future"), Some(&Value::from(1)));
        let back = serde_json::to_value(&page).unwrap();
        assert_eq!(
            back["servers"][1]["server"]["remotes"][0]["variables"]["tenant"]["description"],
            "your tenant"
        );
        assert_eq!(back["metadata"]["nextCursor"], "abc");
    }
}

//! `matrix --registry`: one JSON Lines row per listed remote MCP server, made
//! from its graded evidence as soon as its check ends (the evidence is then
//! dropped), and the reports over many rows (`matrix merge`: the summary,
//! Markdown and the self-contained HTML page).
//!
//! A row carries what the page shows of a server: how it answered without a
//! token, the headline, each client's verdict and where it stops, the story
//! line, and the checks that did not pass; fixes are looked up by check id in
//! the catalogue, once per report, not stored per row.

pub mod html;
pub mod markdown;
pub mod summary;

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::{Deserialize, Serialize};

pub use summary::Summary;

use crate::checks::clients::ProfileKind;
use crate::checks::ecosystem::{self, Access};
use crate::checks::{Graded, Status};
use crate::Report;

/// Version of the registry row format (each JSON Lines row carries it).
pub const REGISTRY_SCHEMA_VERSION: u32 = 1;

/// Version of `matrix merge --format json` (and of the HTML page's data).
pub const MERGED_SCHEMA_VERSION: u32 = 1;

/// One listed remote, checked (or skipped, or without a verdict).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RegistryRow {
    pub schema_version: u32,
    /// The remote's URL as checked (templates filled in): the row's key.
    pub url: String,
    /// The server's registry name (`io.github.owner/name`).
    pub name: String,
    /// How it answered without a token.
    pub access: Access,
    /// When its check started (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checked_at: Option<String>,
    /// How long its check took, in milliseconds.
    #[serde(default)]
    pub elapsed_ms: u64,
    /// The check's headline ("MCP clients: will fail — …"); for a row without
    /// a verdict, why (skipped, unreachable, no verdict within the budget).
    pub headline: String,
    /// The authorization server clients would use (the PRM's first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_server: Option<String>,
    /// Each client profile's verdict (spec revisions, SDKs, hosts).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub clients: Vec<ClientCell>,
    /// The flow's steps, each with its verdict and deciding check.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub story: Vec<StoryCell>,
    /// Every check that failed or warned.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<FindingCell>,
}

/// One client profile's verdict for a server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ClientCell {
    /// The profile id (`mcp-auth clients`).
    pub id: String,
    pub kind: ProfileKind,
    pub works: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stops_at: Option<String>,
}

/// One step of the story line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct StoryCell {
    /// The step as people read it (`401`, `protected resource metadata`, …).
    pub step: String,
    /// `pass`, `warn`, `fail` or `not run`.
    pub verdict: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A check that did not pass.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FindingCell {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    pub status: Status,
    pub detail: String,
}

impl RegistryRow {
    fn bare(name: &str, url: &str, access: Access, headline: String) -> Self {
        Self {
            schema_version: REGISTRY_SCHEMA_VERSION,
            url: url.to_owned(),
            name: name.to_owned(),
            access,
            checked_at: None,
            elapsed_ms: 0,
            headline,
            authorization_server: None,
            clients: Vec::new(),
            story: Vec::new(),
            findings: Vec::new(),
        }
    }

    /// A listed remote that is not checked, and why.
    pub fn skipped(name: &str, url: &str, why: String) -> Self {
        Self::bare(name, url, Access::Skipped, why)
    }

    /// A server whose check gave no evidence (its budget ran out).
    pub fn without_verdict(name: &str, url: &str, why: String, elapsed_ms: u64) -> Self {
        Self {
            elapsed_ms,
            ..Self::bare(name, url, Access::Unreachable, why)
        }
    }

    /// A server's row from its graded evidence.
    pub fn new(name: &str, url: &str, graded: &Graded<'_>, elapsed_ms: u64) -> Self {
        let report = Report::new(graded);
        let access = ecosystem::access(graded);
        let headline = match access {
            Access::Unreachable | Access::Unavailable => graded.not_found_message(),
            Access::Open => "no sign-in: the server answers without a token".to_owned(),
            _ => report.verdict.text.clone(),
        };
        let clients = report
            .clients()
            .iter()
            .filter(|c| c.kind != ProfileKind::Library)
            .map(|c| ClientCell {
                id: c.id.clone(),
                kind: c.kind,
                works: c.works,
                stops_at: c.stops_at.clone(),
            })
            .collect();
        let story = report
            .story
            .iter()
            .map(|s| StoryCell {
                step: serde_json::to_value(s.step)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                verdict: s.verdict.as_str().to_owned(),
                check: s.check.clone(),
                note: s.note.clone(),
            })
            .collect();
        let findings = report
            .checks
            .iter()
            .filter(|f| matches!(f.status, Status::Fail | Status::Warn))
            .map(|f| FindingCell {
                id: f.id.clone(),
                subject: f.subject.clone(),
                status: f.status,
                detail: f.detail.clone(),
            })
            .collect();
        let signs_in = access == Access::SignIn;
        Self {
            checked_at: report.recorded_at.clone(),
            elapsed_ms,
            authorization_server: report.discovery.expected_issuer.clone(),
            clients: if signs_in { clients } else { Vec::new() },
            story: if signs_in { story } else { Vec::new() },
            findings: if signs_in { findings } else { Vec::new() },
            ..Self::bare(name, url, access, headline)
        }
    }

    /// The row without what changes from run to run of the same servers
    /// (when it was checked, how long it took), for comparing runs.
    pub fn timeless(&self) -> Self {
        Self {
            checked_at: None,
            elapsed_ms: 0,
            ..self.clone()
        }
    }
}

/// `matrix merge --format json`: the summary, the catalogue entries of the
/// checks the rows name, and the rows.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct MergedDoc<'a> {
    pub schema_version: u32,
    /// `mcp-auth <version>`.
    pub tool: &'a str,
    pub summary: &'a Summary,
    /// Title, level, spec section and fix of every check id in the rows'
    /// findings.
    pub catalogue: BTreeMap<String, CatalogueCell>,
    pub rows: &'a [RegistryRow],
}

/// A check as the merged reports explain it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct CatalogueCell {
    pub title: &'static str,
    pub level: crate::checks::Level,
    pub spec: &'static str,
    pub hint: &'static str,
}

/// The catalogue entries of the check ids in the rows' findings (an id the
/// catalogue does not know, from a newer or older run, is left out).
pub fn catalogue(rows: &[RegistryRow]) -> BTreeMap<String, CatalogueCell> {
    rows.iter()
        .flat_map(|r| &r.findings)
        .filter_map(|f| crate::checks::find(&f.id))
        .map(|c| {
            let cell = CatalogueCell {
                title: c.title,
                level: c.level,
                spec: c.spec,
                hint: c.hint,
            };
            (c.id.to_owned(), cell)
        })
        .collect()
}

impl<'a> MergedDoc<'a> {
    pub fn new(rows: &'a [RegistryRow], summary: &'a Summary, tool: &'a str) -> Self {
        Self {
            schema_version: MERGED_SCHEMA_VERSION,
            tool,
            summary,
            catalogue: catalogue(rows),
            rows,
        }
    }
}

/// Render `matrix merge --format json`.
pub fn json(
    rows: &[RegistryRow],
    summary: &Summary,
    tool: &str,
    out: &mut dyn Write,
) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &MergedDoc::new(rows, summary, tool))?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_carries_only_the_catalogue_entries_the_rows_name() {
        let mut rows = summary::tests::sample();
        rows[0].findings.push(FindingCell {
            id: "NOT-A-CHECK".to_owned(),
            subject: None,
            status: Status::Fail,
            detail: String::new(),
        });
        let s = Summary::of(&rows);
        let mut out = Vec::new();
        json(&rows, &s, "mcp-auth 0.1.0", &mut out).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["schema_version"], MERGED_SCHEMA_VERSION);
        assert_eq!(v["tool"], "mcp-auth 0.1.0");
        assert_eq!(v["summary"]["sign_in"], 4);
        assert_eq!(v["rows"].as_array().unwrap().len(), 7);
        let ids: Vec<&String> = v["catalogue"].as_object().unwrap().keys().collect();
        assert_eq!(ids, ["AS-PKCE-S256", "PRM-DISCOVERABLE"]);
        let pkce = &v["catalogue"]["AS-PKCE-S256"];
        let def = crate::checks::find("AS-PKCE-S256").unwrap();
        assert_eq!(pkce["title"], def.title);
        assert_eq!(pkce["hint"], def.hint);
        assert_eq!(pkce["spec"], def.spec);
        assert_eq!(pkce["level"], serde_json::to_value(def.level).unwrap());
    }
}

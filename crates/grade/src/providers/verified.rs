//! `verified`: when a provider fact was last checked, and against what (a
//! document recorded under `providers/recorded/`, or a source).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{invalid, Invalid};

/// How a fact was checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Verified {
    /// When it was checked (YYYY-MM-DD).
    pub date: String,
    /// A document that shows it, recorded under `providers/recorded/`
    /// (`recorded/<file>.json`); the provider-replay test replays it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
    /// Where it was read: an https URL, `owner/repo#N`, `owner/repo PR #N`
    /// or `owner/repo:path`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Quirks verified by a document only: the status every one of the
    /// quirk's checks shows on that document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect: Option<Expect>,
}

/// The status a document-verified quirk's checks show (never pass or skip:
/// a quirk is something that does not pass).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Expect {
    Fail,
    Warn,
    Info,
}

impl Expect {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Fail => "fail",
            Self::Warn => "warn",
            Self::Info => "info",
        }
    }
}

/// Whether `s` is YYYY-MM-DD with a plausible month and day.
pub(crate) fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' || !digits(0..4) {
        return false;
    }
    if !digits(5..7) || !digits(8..10) {
        return false;
    }
    let month: u8 = s[5..7].parse().unwrap_or(0);
    let day: u8 = s[8..10].parse().unwrap_or(0);
    (1..=12).contains(&month) && (1..=31).contains(&day)
}

/// `recorded/<name>.json`, the name without directories.
fn is_document_path(s: &str) -> bool {
    s.strip_prefix("recorded/")
        .and_then(|n| n.strip_suffix(".json"))
        .is_some_and(|n| {
            !n.is_empty()
                && !n.starts_with('.')
                && n.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        })
}

/// A GitHub `owner/repo` name.
fn is_repo(s: &str) -> bool {
    let mut parts = s.split('/');
    let ok = |p: Option<&str>| {
        p.is_some_and(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        })
    };
    ok(parts.next()) && ok(parts.next()) && parts.next().is_none()
}

fn is_number(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// The forms `sources` uses: an https URL, `owner/repo#N`,
/// `owner/repo PR #N` or `owner/repo:path`.
pub(super) fn is_source(s: &str) -> bool {
    if s.starts_with("https://") {
        return super::https(s).is_ok();
    }
    if let Some((repo, n)) = s.split_once(" PR #") {
        return is_repo(repo) && is_number(n);
    }
    if let Some((repo, n)) = s.split_once('#') {
        return is_repo(repo) && is_number(n);
    }
    if let Some((repo, path)) = s.split_once(':') {
        return is_repo(repo) && !path.is_empty() && !path.contains(char::is_whitespace);
    }
    false
}

impl Verified {
    /// `field` is where it sits (`verified`, `quirks[2].verified`);
    /// `quirk` says whether a document needs an `expect`.
    pub(super) fn validate(&self, field: &str, quirk: bool) -> Result<(), Invalid> {
        let f = |name: &str| format!("{field}.{name}");
        if !is_date(&self.date) {
            return Err(invalid(
                f("date"),
                format!("'{}' is not YYYY-MM-DD", self.date),
            ));
        }
        if self.document.is_none() && self.source.is_none() {
            return Err(invalid(
                field,
                "needs a `document` (recorded/<file>.json) or a `source`",
            ));
        }
        if let Some(d) = &self.document {
            if !is_document_path(d) {
                return Err(invalid(
                    f("document"),
                    format!("'{d}' must be recorded/<file>.json (a file of providers/recorded/)"),
                ));
            }
        }
        if let Some(s) = &self.source {
            if !is_source(s) {
                return Err(invalid(
                    f("source"),
                    format!("'{s}' must be an https URL, owner/repo#N, owner/repo PR #N or owner/repo:path"),
                ));
            }
        }
        match (quirk, self.document.is_some(), self.expect.is_some()) {
            (true, true, false) => Err(invalid(
                f("expect"),
                "missing: a document-verified quirk says which status its checks show (fail, warn or info)",
            )),
            (true, false, true) => Err(invalid(
                f("expect"),
                "only a document-verified quirk has an `expect`",
            )),
            (false, _, true) => Err(invalid(
                f("expect"),
                "a provider's own `verified` has no `expect` (quirks do)",
            )),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_sources_have_their_forms() {
        assert!(is_date("2026-12-02"));
        for bad in [
            "2026-13-01",
            "2026-1-01",
            "yesterday",
            "2026-12-00",
            "2026/12/02",
        ] {
            assert!(!is_date(bad), "{bad}");
        }
        for good in [
            "https://example.com/docs",
            "keycloak/keycloak#49730",
            "keycloak/keycloak PR #45285",
            "mcp-auth/docs:src/pages/provider-list.mdx",
        ] {
            assert!(is_source(good), "{good}");
        }
        for bad in [
            "http://example.com",
            "keycloak#1",
            "keycloak/keycloak#x",
            "see the docs",
            "a/b/c#1",
        ] {
            assert!(!is_source(bad), "{bad}");
        }
        assert!(is_document_path("recorded/stripe-mcp--prm.json"));
        for bad in [
            "stripe-mcp--prm.json",
            "recorded/../x.json",
            "recorded/a/b.json",
            "recorded/x.txt",
        ] {
            assert!(!is_document_path(bad), "{bad}");
        }
    }
}

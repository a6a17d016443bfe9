//! `providers/*.toml`: what is known about identity providers and public MCP
//! servers (the URL to check, documented quirks and their fixes).
//!
//! Our own files, so read strictly: unknown keys are errors, and every error
//! names the file and the field. The files in the repository are also built
//! into the binary, so `check` can name a provider's quirks anywhere.

use std::collections::{BTreeMap, BTreeSet};

use std::path::Path;

use include_dir::{include_dir, Dir};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::evidence::ServerType;

mod live;
pub(crate) mod verified;
pub use live::{Live, LiveGrant, ENV_PREFIX};
pub use verified::{Expect, Verified};

static EMBEDDED: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/../../providers");

/// What a provider entry points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProviderKind {
    /// An authorization server issuer.
    Issuer,
    /// An MCP server endpoint.
    Mcp,
}

/// One `providers/<id>.toml` file. Only `name`, `kind` and `url` are
/// required (your own, internal provider); the files of this repository also
/// carry `homepage`, `docs`, `updated`, `sources` and `verified`
/// ([`Provider::missing_curation`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProviderFile {
    /// Display name.
    pub name: String,
    /// The provider's home page (https).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub homepage: Option<String>,
    /// Its OAuth / OpenID Connect (or MCP authorization) documentation (https).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub docs: Option<String>,
    pub kind: ProviderKind,
    /// The URL `mcp-auth check` is pointed at; `{placeholders}` take their
    /// values from `example`.
    pub url: String,
    /// How Logto's mcp-auth library should fetch the metadata (`--type`).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub server_type: Option<ServerType>,
    /// Whether `matrix` checks it (false when there is no public instance).
    #[serde(default = "default_true")]
    pub matrix: bool,
    /// When the facts were last reviewed (YYYY-MM-DD).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    /// Where the facts come from (URLs or owner/repo#N references).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    /// How `url`, `kind`, `type` and `fingerprint` were checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified: Option<Verified>,
    /// A public example value for every placeholder of `url`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub example: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<Fingerprint>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub quirks: Vec<Quirk>,
    /// A test tenant `matrix` may log in to without a browser.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub live: Option<Live>,
}

fn default_true() -> bool {
    true
}

/// A TOML syntax or schema error, located by line.
fn toml_error(text: &str, e: &toml::de::Error) -> Invalid {
    let line = e
        .span()
        .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
    invalid(
        line.map_or("(file)".to_owned(), |l| format!("line {l}")),
        e.message(),
    )
}

impl ProviderFile {
    /// Every field group, in the order their errors are reported.
    fn validate(&self) -> Result<(), Invalid> {
        self.validate_pages()?;
        self.validate_url()?;
        self.validate_updated()?;
        self.validate_sources()?;
        if let Some(v) = &self.verified {
            v.validate("verified", false)?;
        }
        if let Some(fp) = &self.fingerprint {
            fp.validate()?;
        }
        if let Some(live) = &self.live {
            live.validate()?;
        }
        validate_quirks(&self.quirks)
    }

    /// `homepage` and `docs`, when given, are https URLs; `name` is not empty.
    fn validate_pages(&self) -> Result<(), Invalid> {
        for (field, value) in [("homepage", &self.homepage), ("docs", &self.docs)] {
            if let Some(value) = value {
                https(value).map_err(|m| invalid(field, m))?;
            }
        }
        if self.name.trim().is_empty() {
            return Err(invalid("name", "must not be empty"));
        }
        Ok(())
    }

    /// `url`: well-formed placeholders, an `example` value for each and no
    /// other, and an http(s) URL once they are filled in.
    fn validate_url(&self) -> Result<(), Invalid> {
        let holes = placeholders(&self.url);
        for h in &holes {
            if h.is_empty()
                || !h
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            {
                return Err(invalid(
                    "url",
                    format!("placeholder '{{{h}}}' must be lower-case letters, digits or _"),
                ));
            }
            if !self.example.contains_key(h) {
                return Err(invalid(
                    format!("example.{h}"),
                    format!("missing: `url` uses {{{h}}}"),
                ));
            }
        }
        for k in self.example.keys() {
            if !holes.contains(k) {
                return Err(invalid(
                    format!("example.{k}"),
                    "not a placeholder of `url`",
                ));
            }
        }
        let resolved = substitute(&self.url, &self.example);
        crate::evidence::wellknown::parse_http_url(&resolved)
            .map_err(|e| invalid("url", e.to_string()))?;
        Ok(())
    }

    /// `updated`, when given, is YYYY-MM-DD.
    fn validate_updated(&self) -> Result<(), Invalid> {
        match &self.updated {
            Some(updated) if !verified::is_date(updated) => {
                Err(invalid("updated", format!("'{updated}' is not YYYY-MM-DD")))
            }
            _ => Ok(()),
        }
    }

    /// No empty source (none at all is fine: `sources = []` is not).
    fn validate_sources(&self) -> Result<(), Invalid> {
        if self.sources.iter().any(|s| s.trim().is_empty()) {
            return Err(invalid("sources", "a source must not be empty"));
        }
        Ok(())
    }
}

/// How `check` recognises the provider from an issuer URL.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Fingerprint {
    /// Host names; a leading `*.` matches any subdomain.
    #[serde(default)]
    pub issuer_hosts: Vec<String>,
    /// Issuer path prefixes (all issuers of the host when empty).
    #[serde(default)]
    pub path_prefixes: Vec<String>,
}

impl Fingerprint {
    /// Host names (optionally `*.`-prefixed) and absolute path prefixes.
    fn validate(&self) -> Result<(), Invalid> {
        for (i, h) in self.issuer_hosts.iter().enumerate() {
            let bare = h.strip_prefix("*.").unwrap_or(h);
            if bare.is_empty() || bare.contains(['*', '/', ':']) {
                return Err(invalid(
                    format!("fingerprint.issuer_hosts[{i}]"),
                    format!("'{h}' must be a host name, optionally starting with `*.`"),
                ));
            }
        }
        for (i, p) in self.path_prefixes.iter().enumerate() {
            if !p.starts_with('/') {
                return Err(invalid(
                    format!("fingerprint.path_prefixes[{i}]"),
                    format!("'{p}' must start with /"),
                ));
            }
        }
        Ok(())
    }
}

/// A documented quirk and its fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Quirk {
    /// kebab-case, unique within the file.
    pub id: String,
    /// One sentence.
    pub summary: String,
    /// Check ids this quirk explains.
    pub checks: Vec<String>,
    /// The provider-specific fix.
    pub hint: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// Check ids that must pass for the quirk to apply (say `DISC-AS-RFC8414`:
    /// only when the RFC 8414 document, not the OIDC one, was graded).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub only_if_passing: Vec<String>,
    /// How the quirk was checked; a document-verified quirk also says the
    /// status its checks show on that document (`expect`).
    pub verified: Verified,
}

/// Each quirk: a unique kebab-case id, a summary and hint, known check ids,
/// and an https link if any.
fn validate_quirks(quirks: &[Quirk]) -> Result<(), Invalid> {
    let mut seen = BTreeSet::new();
    for (i, q) in quirks.iter().enumerate() {
        let f = |name: &str| format!("quirks[{i}].{name}");
        if !is_kebab(&q.id) {
            return Err(invalid(f("id"), format!("'{}' must be kebab-case", q.id)));
        }
        if !seen.insert(q.id.clone()) {
            return Err(invalid(f("id"), format!("'{}' is used twice", q.id)));
        }
        if q.summary.trim().is_empty() || q.hint.trim().is_empty() {
            return Err(invalid(f("summary"), "summary and hint must not be empty"));
        }
        if q.checks.is_empty() {
            return Err(invalid(f("checks"), "name at least one check id"));
        }
        let ids = q.checks.iter().map(|c| ("checks", c));
        let conditions = q.only_if_passing.iter().map(|c| ("only_if_passing", c));
        for (j, (list, c)) in ids.chain(conditions).enumerate() {
            if crate::find(c).is_none() {
                let j = if list == "checks" {
                    j
                } else {
                    j - q.checks.len()
                };
                return Err(invalid(
                    format!("quirks[{i}].{list}[{j}]"),
                    format!("unknown check id '{c}' (see `mcp-auth checks`)"),
                ));
            }
        }
        if let Some(l) = &q.link {
            https(l).map_err(|m| invalid(f("link"), m))?;
        }
        q.verified.validate(&f("verified"), true)?;
    }
    Ok(())
}

/// A loaded, validated provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Provider {
    /// The file name without `.toml`.
    pub id: String,
    #[serde(flatten)]
    pub def: ProviderFile,
}

/// A problem with a provider file: which file, which field, what.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {field}: {message}")]
pub struct ProviderError {
    pub file: String,
    pub field: String,
    pub message: String,
}

fn is_kebab(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// `{name}` placeholders of a URL template.
pub fn placeholders(url: &str) -> Vec<String> {
    crate::evidence::urls::template_holes(url)
}

/// A problem with one field (field, message); [`Provider::parse`] adds the file.
pub(crate) type Invalid = (String, String);

pub(crate) fn invalid(field: impl Into<String>, message: impl Into<String>) -> Invalid {
    (field.into(), message.into())
}

/// A data file of this repository (`providers/`, `clients/`): the id its
/// kebab-case name gives and its TOML parsed as `T`, or the first problem.
pub(crate) fn read_data_file<T: serde::de::DeserializeOwned>(
    file: &str,
    text: &str,
) -> Result<(String, T), Invalid> {
    let id = Path::new(file)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    if !is_kebab(&id) {
        return Err(invalid(
            "(file name)",
            format!("'{id}' must be kebab-case (a-z, 0-9, -)"),
        ));
    }
    let def = toml::from_str(text).map_err(|e| toml_error(text, &e))?;
    Ok((id, def))
}

impl Provider {
    /// Parse and validate one file's text.
    pub fn parse(file: &str, text: &str) -> Result<Self, ProviderError> {
        let err = |(field, message): Invalid| ProviderError {
            file: file.to_owned(),
            field,
            message,
        };
        let (id, def): (String, ProviderFile) = read_data_file(file, text).map_err(err)?;
        def.validate().map_err(err)?;
        Ok(Self { id, def })
    }

    /// [`Self::parse`], and every `verified.document` is a file of the
    /// providers directory (`exists` answers for a path such as
    /// `recorded/x.json`, relative to it).
    pub fn parse_checked(
        file: &str,
        text: &str,
        exists: &dyn Fn(&str) -> bool,
    ) -> Result<Self, ProviderError> {
        let p = Self::parse(file, text)?;
        for (field, v) in p.verifications() {
            if let Some(d) = v.document.as_deref().filter(|d| !exists(d)) {
                return Err(ProviderError {
                    file: file.to_owned(),
                    field: format!("{field}.document"),
                    message: format!("'{d}' does not exist in the providers directory"),
                });
            }
        }
        Ok(p)
    }

    /// The fields a file of this repository's `providers/` must also carry
    /// (a file of your own needs only `name`, `kind` and `url`).
    pub fn missing_curation(&self) -> Vec<&'static str> {
        let d = &self.def;
        [
            ("homepage", d.homepage.is_none()),
            ("docs", d.docs.is_none()),
            ("updated", d.updated.is_none()),
            ("sources", d.sources.is_empty()),
            ("verified", d.verified.is_none()),
        ]
        .into_iter()
        .filter_map(|(field, missing)| missing.then_some(field))
        .collect()
    }

    /// Where to read about the provider: its docs, its home page, else its URL.
    pub fn docs_url(&self) -> String {
        self.def
            .docs
            .clone()
            .or_else(|| self.def.homepage.clone())
            .unwrap_or_else(|| self.url())
    }

    /// Every `verified` of the file with its field name (the provider's first).
    pub fn verifications(&self) -> Vec<(String, &Verified)> {
        let mut v: Vec<(String, &Verified)> = self
            .def
            .verified
            .iter()
            .map(|v| ("verified".to_owned(), v))
            .collect();
        for (i, q) in self.def.quirks.iter().enumerate() {
            v.push((format!("quirks[{i}].verified"), &q.verified));
        }
        v
    }

    /// The recorded documents this file names (`recorded/…`), each once.
    pub fn documents(&self) -> BTreeSet<&str> {
        self.verifications()
            .into_iter()
            .filter_map(|(_, v)| v.document.as_deref())
            .collect()
    }

    /// The URL with the example values filled in.
    pub fn url(&self) -> String {
        substitute(&self.def.url, &self.def.example)
    }

    /// Whether an issuer URL belongs to this provider.
    pub fn matches_issuer(&self, issuer: &url::Url) -> bool {
        let host = issuer.host_str().unwrap_or_default().to_ascii_lowercase();
        let Some(fp) = &self.def.fingerprint else {
            return false;
        };
        if fp.issuer_hosts.is_empty() && fp.path_prefixes.is_empty() {
            return false;
        }
        // Self-hosted products have no fixed host: their path shape is the fingerprint.
        let host_ok = fp.issuer_hosts.is_empty()
            || fp
                .issuer_hosts
                .iter()
                .any(|pattern| match pattern.strip_prefix("*.") {
                    Some(suffix) => host.ends_with(&format!(".{suffix}")),
                    None => host == *pattern,
                });
        host_ok
            && (fp.path_prefixes.is_empty()
                || fp
                    .path_prefixes
                    .iter()
                    .any(|p| issuer.path().starts_with(p.as_str())))
    }

    /// Whether an MCP server URL is this (MCP) provider's.
    pub fn matches_mcp(&self, mcp: &url::Url) -> bool {
        self.def.kind == ProviderKind::Mcp
            && url::Url::parse(&self.url())
                .is_ok_and(|u| u.host_str() == mcp.host_str() && u.path() == mcp.path())
    }
}

pub(crate) fn https(value: &str) -> Result<(), String> {
    match url::Url::parse(value) {
        Ok(u) if u.scheme() == "https" && u.host().is_some() => Ok(()),
        Ok(_) => Err(format!("'{value}' must be an https URL")),
        Err(e) => Err(format!("'{value}' is not a URL ({e})")),
    }
}

/// The template with its placeholders' values (checked by `validate_url`).
fn substitute(url: &str, values: &BTreeMap<String, String>) -> String {
    crate::evidence::urls::fill_template(url, |k| values.get(k).map(String::as_str))
        .unwrap_or_else(|_| url.to_owned())
}

/// A document of the built-in `providers/recorded/`, by its `verified.document` path.
pub fn embedded_document(path: &str) -> Option<&'static str> {
    EMBEDDED.get_file(path).and_then(|f| f.contents_utf8())
}

/// The providers built into the binary (this repository's `*.toml` files of
/// `providers/`; `recorded/` holds documents, not providers).
pub fn embedded() -> &'static [Provider] {
    static CACHE: std::sync::OnceLock<Vec<Provider>> = std::sync::OnceLock::new();
    CACHE.get_or_init(|| {
        let mut v: Vec<Provider> = EMBEDDED
            .files()
            .filter(|f| f.path().extension().is_some_and(|x| x == "toml"))
            .filter_map(|f| {
                let name = format!("providers/{}", f.path().display());
                // The repository's files are validated by a test; skip rather than fail here.
                let exists = |d: &str| EMBEDDED.get_file(d).is_some();
                Provider::parse_checked(&name, f.contents_utf8()?, &exists).ok()
            })
            .collect();
        v.sort_by(|a, b| a.id.cmp(&b.id));
        v
    })
}

/// The provider an evidence's issuers or MCP URL belong to, if any.
pub fn identify<'a>(
    providers: &'a [Provider],
    evidence: &crate::evidence::Evidence,
) -> Option<&'a Provider> {
    if let Some(r) = &evidence.resource {
        if let Ok(u) = url::Url::parse(&r.url) {
            if let Some(p) = providers.iter().find(|p| p.matches_mcp(&u)) {
                return Some(p);
            }
        }
    }
    evidence
        .authorization_servers
        .iter()
        .filter_map(|d| d.issuer.as_deref().and_then(|i| url::Url::parse(i).ok()))
        .find_map(|u| providers.iter().find(|p| p.matches_issuer(&u)))
}

/// The JSON Schema of the file format (committed as `providers/schema.json`).
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(ProviderFile);
    serde_json::to_string_pretty(&schema).expect("schema serialises") + "\n"
}

#[cfg(test)]
mod tests;

//! CIMD-DOC-*: a Client ID Metadata Document graded from the client's side
//! (`mcp-auth cimd validate`), before any authorization server fetches it:
//! where it is served (https, 200, `application/json`, cache headers), that
//! its `client_id` is that URL, its redirect URIs, that it names no shared
//! secret, its keys, and, with an issuer, whether that authorization server
//! can take it. Pure: the fetch and the issuer's metadata are facts gathered
//! elsewhere (`mcp_auth_net::cimd`).

mod checks;
#[cfg(test)]
mod tests;

use serde::Serialize;
use serde_json::{Map, Value};

pub use checks::{
    CIMD_DOC_AS_CIMD, CIMD_DOC_AS_METHOD, CIMD_DOC_CACHE, CIMD_DOC_CLIENT_ID, CIMD_DOC_CLIENT_NAME,
    CIMD_DOC_KEYS, CIMD_DOC_NO_SECRET, CIMD_DOC_REDIRECT_URIS, CIMD_DOC_SERVED, CIMD_DOC_URL,
};
use mcp_auth_evidence::metadata::{AsMetadata, ClientIdMetadataDocument, Lenient, MemberTypeError};
use mcp_auth_evidence::Exchange;

use crate::{finding, Finding, Grade, Status, CATALOGUE};

/// Where the document came from.
#[derive(Debug, Clone, Copy)]
pub enum Origin<'a> {
    /// Fetched from `url`: the recorded exchange.
    Url {
        url: &'a str,
        exchange: &'a Exchange,
    },
    /// Read from a local file: its name and its text (already known to be JSON).
    File { path: &'a str, text: &'a str },
}

/// The issuer named with `--issuer`, and its metadata or why there is none.
#[derive(Debug, Clone)]
pub struct Issuer<'a> {
    pub issuer: &'a str,
    pub metadata: Result<&'a AsMetadata, String>,
}

/// Everything known about one document.
#[derive(Debug, Clone)]
pub struct CimdFacts<'a> {
    pub origin: Origin<'a>,
    pub issuer: Option<Issuer<'a>>,
}

/// One document as the checks see it.
#[derive(Debug)]
pub struct CimdAnalysis<'a> {
    /// The URL it was fetched from (URL mode).
    pub url: Option<&'a str>,
    pub exchange: Option<&'a Exchange>,
    /// The document read leniently, or why there is none to read.
    pub doc: Result<ClientIdMetadataDocument, String>,
    /// Members of the wrong JSON type.
    pub type_errors: Vec<MemberTypeError>,
    pub issuer: Option<&'a Issuer<'a>>,
}

impl CimdAnalysis<'_> {
    /// Whether a member was there with the wrong type.
    pub fn mistyped(&self, member: &str) -> bool {
        self.type_errors.iter().any(|e| e.member == member)
    }
}

/// `url` or `file`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    Url,
    File,
}

/// A graded document.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct CimdGraded {
    /// The URL fetched or the file read.
    pub source: String,
    pub source_kind: SourceKind,
    /// The document's `client_id`, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The issuer it was checked against (`--issuer`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// The CIMD-DOC-* checks, in catalogue order.
    pub checks: Vec<Finding>,
    /// No MUST check failed.
    pub valid: bool,
}

impl CimdGraded {
    /// A MUST failed, or not.
    pub fn verdict(&self) -> crate::Verdict {
        if self.valid {
            crate::Verdict::Ok
        } else {
            crate::Verdict::RequiredFailed
        }
    }
}

/// Read a document's text: a JSON object, leniently typed.
fn read(text: &str) -> Result<(ClientIdMetadataDocument, Vec<MemberTypeError>), String> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(obj)) => Ok(ClientIdMetadataDocument::from_object(&obj)),
        Ok(_) => Err("the document is JSON but not an object".to_owned()),
        Err(e) => Err(format!("the document is not JSON ({e})")),
    }
}

/// Whether `text` is a JSON object (a file that is not is a usage error).
pub fn is_json_object(text: &str) -> Result<(), String> {
    match serde_json::from_str::<Map<String, Value>>(text) {
        Ok(_) => Ok(()),
        Err(e) => Err(format!("not a JSON object ({e})")),
    }
}

/// Classify the facts once.
pub fn analyse<'a>(facts: &'a CimdFacts<'a>) -> CimdAnalysis<'a> {
    let (url, exchange, read_doc) = match facts.origin {
        Origin::Url { url, exchange } => {
            let doc = match &exchange.response {
                Some(r) if r.status == 200 && r.body_truncated => {
                    Err(format!("{url} answered 200 with a body over the size cap"))
                }
                Some(r) if r.status == 200 => read(&r.body),
                Some(r) => Err(format!("{url} answered {}, not the document", r.status)),
                None => Err(format!("{url}: {}", exchange.failure())),
            };
            (Some(url), Some(exchange), doc)
        }
        Origin::File { text, .. } => (None, None, read(text)),
    };
    let (doc, type_errors) = match read_doc {
        Ok((d, e)) => (Ok(d), e),
        Err(e) => (Err(e), Vec::new()),
    };
    CimdAnalysis {
        url,
        exchange,
        doc,
        type_errors,
        issuer: facts.issuer.as_ref(),
    }
}

/// Grade a document: every CIMD-DOC-* check.
pub fn grade_cimd(facts: &CimdFacts<'_>) -> CimdGraded {
    let analysis = analyse(facts);
    let checks: Vec<Finding> = CATALOGUE
        .iter()
        .filter_map(|c| match c.grade {
            Grade::Cimd(f) => Some(finding(c, f(&analysis), None)),
            _ => None,
        })
        .collect();
    let source = match facts.origin {
        Origin::Url { url, .. } => (url, SourceKind::Url),
        Origin::File { path, .. } => (path, SourceKind::File),
    };
    CimdGraded {
        source: source.0.to_owned(),
        source_kind: source.1,
        client_id: analysis.doc.as_ref().ok().and_then(|d| d.client_id.clone()),
        issuer: facts.issuer.as_ref().map(|i| i.issuer.to_owned()),
        valid: !checks.iter().any(|f| f.status == Status::Fail),
        checks,
    }
}

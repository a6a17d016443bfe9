//! What one `cimd validate` run observed, as `--save-evidence` writes it and
//! `--from-evidence` reads it back: the document (the recorded GET of its
//! URL, redacted as every exchange is, or a file's path and text) and, with
//! `--issuer`, that issuer's metadata or why there was none. Graded again
//! offline, it gives the same report.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::metadata::{AsMetadata, Lenient};
use crate::Exchange;

/// Version of the file `cimd validate --save-evidence` writes.
pub const CIMD_EVIDENCE_SCHEMA_VERSION: u32 = 1;

/// Where the document came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CimdSource {
    /// Fetched from `url` (no redirect followed): the exchange as recorded.
    Url { url: String, exchange: Exchange },
    /// Read from a local file: its name and its text.
    File { path: String, text: String },
}

/// The issuer named with `--issuer`: its metadata, or why there is none
/// (exactly one of the two).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CimdIssuer {
    pub issuer: String,
    /// The validated metadata's members, as the checks read them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Map<String, Value>>,
    /// Why there is no metadata (the issuer's checks skip).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl CimdIssuer {
    /// Record an issuer's metadata, or why there is none.
    pub fn new(issuer: &str, metadata: &Result<AsMetadata, String>) -> Self {
        let (metadata, error) = match metadata {
            Ok(md) => match serde_json::to_value(md) {
                Ok(Value::Object(obj)) => (Some(obj), None),
                _ => (Some(Map::new()), None),
            },
            Err(e) => (None, Some(e.clone())),
        };
        Self {
            issuer: issuer.to_owned(),
            metadata,
            error,
        }
    }

    /// The metadata as the checks take it, or why there is none.
    pub fn metadata(&self) -> Result<AsMetadata, String> {
        match (&self.metadata, &self.error) {
            (Some(obj), _) => Ok(AsMetadata::from_object(obj).0),
            (None, Some(e)) => Err(e.clone()),
            (None, None) => Err(format!("no metadata recorded for {}", self.issuer)),
        }
    }
}

/// Everything one `cimd validate` run observed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CimdEvidence {
    pub schema_version: u32,
    /// `mcp-auth <version>` that recorded it.
    pub tool: String,
    /// When it was recorded (RFC 3339, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorded_at: Option<String>,
    /// What the user typed (`URL|FILE`).
    pub target: String,
    pub document: CimdSource,
    /// `--issuer`: the authorization server the document was checked against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<CimdIssuer>,
}

impl CimdEvidence {
    /// Read the text of a file written by `cimd validate --save-evidence`
    /// (`name` says where it came from, for errors).
    pub fn from_json(name: &str, text: &str) -> Result<Self, String> {
        let ev: Self = serde_json::from_str(text)
            .map_err(|e| format!("{name} is not mcp-auth cimd evidence: {e}"))?;
        if ev.schema_version != CIMD_EVIDENCE_SCHEMA_VERSION {
            return Err(format!(
                "{name} has cimd evidence schema version {}, this mcp-auth reads {}",
                ev.schema_version, CIMD_EVIDENCE_SCHEMA_VERSION
            ));
        }
        if let Some(i) = &ev.issuer {
            if i.metadata.is_some() == i.error.is_some() {
                return Err(format!(
                    "{name} is not mcp-auth cimd evidence: its issuer needs either metadata or error"
                ));
            }
        }
        Ok(ev)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file_evidence(issuer: Option<CimdIssuer>) -> CimdEvidence {
        CimdEvidence {
            schema_version: CIMD_EVIDENCE_SCHEMA_VERSION,
            tool: "mcp-auth test".into(),
            recorded_at: None,
            target: "client.json".into(),
            document: CimdSource::File {
                path: "client.json".into(),
                text: r#"{"client_id": "https://app.example/c.json"}"#.into(),
            },
            issuer,
        }
    }

    #[test]
    fn evidence_round_trips_and_ignores_unknown_members() {
        let md = AsMetadata::from_object(
            serde_json::json!({
                "issuer": "https://as.example",
                "token_endpoint_auth_methods_supported": ["none"],
                "x_vendor": {"a": 1},
            })
            .as_object()
            .unwrap(),
        )
        .0;
        let ev = file_evidence(Some(CimdIssuer::new("https://as.example", &Ok(md.clone()))));
        let mut v = serde_json::to_value(&ev).unwrap();
        assert_eq!(v["document"]["kind"], "file");
        v["from_the_future"] = serde_json::json!(true);
        let back = CimdEvidence::from_json("e.json", &v.to_string()).unwrap();
        assert_eq!(back, ev);
        assert_eq!(back.issuer.unwrap().metadata(), Ok(md));
    }

    #[test]
    fn an_issuer_error_is_kept() {
        let ev = file_evidence(Some(CimdIssuer::new(
            "https://as.example",
            &Err("gone".into()),
        )));
        let text = serde_json::to_string(&ev).unwrap();
        let back = CimdEvidence::from_json("e.json", &text).unwrap();
        assert_eq!(back.issuer.unwrap().metadata(), Err("gone".to_owned()));
    }

    #[test]
    fn bad_files_name_themselves() {
        let e = CimdEvidence::from_json("e.json", "{").unwrap_err();
        assert!(e.starts_with("e.json is not mcp-auth cimd evidence"), "{e}");
        let mut v = serde_json::to_value(file_evidence(None)).unwrap();
        v["schema_version"] = 9.into();
        let e = CimdEvidence::from_json("e.json", &v.to_string()).unwrap_err();
        assert!(e.contains("version 9"), "{e}");
        let mut v = serde_json::to_value(file_evidence(None)).unwrap();
        v["issuer"] = serde_json::json!({"issuer": "https://as.example"});
        let e = CimdEvidence::from_json("e.json", &v.to_string()).unwrap_err();
        assert!(e.contains("either metadata or error"), "{e}");
    }
}

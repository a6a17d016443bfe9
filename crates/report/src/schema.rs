//! The JSON Schemas of every JSON document mcp-auth prints or reads,
//! generated from the models that serialise them (`schemars` derives), and
//! committed as `docs/schemas/<name>.v<version>.json`. A test regenerates them
//! and fails when a committed file differs; another validates the real output
//! of each command against its schema (docs/json-report.md).

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema};
use serde_json::{json, Value};

use crate::call::{CallReport, CALL_SCHEMA_VERSION};
use crate::catalogue::{CatalogueDoc, Detail, CATALOGUE_SCHEMA_VERSION};
use crate::cimd::CIMD_SCHEMA_VERSION;
use crate::clients::{ClientsDoc, CLIENTS_SCHEMA_VERSION};
use crate::evidence::cimd::{CimdEvidence, CIMD_EVIDENCE_SCHEMA_VERSION};
use crate::evidence::{Evidence, EVIDENCE_SCHEMA_VERSION};
use crate::findings::Versioned;
use crate::matrix::{MatrixReport, MATRIX_SCHEMA_VERSION};
use crate::registry::{MergedDoc, RegistryRow, MERGED_SCHEMA_VERSION, REGISTRY_SCHEMA_VERSION};
use crate::token::TOKEN_SCHEMA_VERSION;
use crate::tokens::{LoginDoc, LogoutDoc, TokensReport, TOKENS_SCHEMA_VERSION};
use crate::whoami::{WhoamiReport, WHOAMI_SCHEMA_VERSION};
use crate::{Report, REPORT_SCHEMA_VERSION};
use mcp_auth_grade::cimd::CimdGraded;
use mcp_auth_grade::token::TokenGraded;

/// One JSON document kind.
pub struct DocKind {
    /// The file stem: `docs/schemas/{name}.v{version}.json`.
    pub name: &'static str,
    /// Its `schema_version`.
    pub version: u32,
    /// The commands that print (or read) it.
    pub commands: &'static str,
    /// What it is, in a sentence.
    pub about: &'static str,
    schema: fn() -> Schema,
}

impl DocKind {
    /// `check-report.v1.json`.
    pub fn file_name(&self) -> String {
        format!("{}.v{}.json", self.name, self.version)
    }

    /// The schema as committed: pretty JSON with a final newline.
    pub fn render(&self) -> String {
        let mut schema = (self.schema)();
        let object = schema.ensure_object();
        object.insert(
            "$id".into(),
            json!(format!(
                "https://mcp-auth.github.io/mcp-auth/schemas/{}",
                self.file_name()
            )),
        );
        object.insert("title".into(), json!(format!("mcp-auth {}", self.commands)));
        object.insert("description".into(), json!(self.about));
        // The version a document of this schema carries, exactly.
        if let Some(Value::Object(props)) = object.get_mut("properties") {
            props.insert(
                "schema_version".into(),
                json!({ "description": "The version of this format; it changes only on an incompatible change.", "const": self.version }),
            );
        }
        serde_json::to_string_pretty(&schema).expect("schema serialises") + "\n"
    }
}

/// A document mcp-auth writes: the schema of what it serialises.
fn output<T: JsonSchema>() -> Schema {
    SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator()
        .into_root_schema_for::<T>()
}

/// A document mcp-auth reads (and writes): the schema of what it accepts.
fn input<T: JsonSchema>() -> Schema {
    SchemaSettings::draft2020_12()
        .for_deserialize()
        .into_generator()
        .into_root_schema_for::<T>()
}

fn client_profile() -> Schema {
    let text = mcp_auth_grade::clients::json_schema();
    serde_json::from_str(&text).expect("the profile schema is JSON")
}

fn provider_file() -> Schema {
    let text = mcp_auth_grade::providers::json_schema();
    serde_json::from_str(&text).expect("the provider schema is JSON")
}

/// Every JSON document, in the order docs/json-report.md lists them.
pub const DOCUMENTS: &[DocKind] = &[
    DocKind {
        name: "check-report",
        version: REPORT_SCHEMA_VERSION,
        commands: "check --format json",
        about: "The graded report of one check: the flow, discovery, clients, CORS and every finding.",
        schema: output::<Report>,
    },
    DocKind {
        name: "checks",
        version: CATALOGUE_SCHEMA_VERSION,
        commands: "checks --format json",
        about: "The check catalogue: every check's id, level, title, spec section and fix.",
        schema: output::<CatalogueDoc>,
    },
    DocKind {
        name: "check-detail",
        version: CATALOGUE_SCHEMA_VERSION,
        commands: "checks ID --format json",
        about: "One check in full: what it looks at, what it applies to, the fix and where it is defined.",
        schema: output::<Detail<'static>>,
    },
    DocKind {
        name: "matrix",
        version: MATRIX_SCHEMA_VERSION,
        commands: "matrix --format json",
        about: "One row per provider (what `matrix --baseline` reads back).",
        schema: output::<MatrixReport>,
    },
    DocKind {
        name: "registry-row",
        version: REGISTRY_SCHEMA_VERSION,
        commands: "matrix --registry (JSON Lines), matrix --resume / matrix merge",
        about: "One line of a registry run: a public MCP server, whether a spec client can sign in, each client's verdict, the story and the failing checks.",
        schema: input::<RegistryRow>,
    },
    DocKind {
        name: "registry-report",
        version: MERGED_SCHEMA_VERSION,
        commands: "matrix merge --format json",
        about: "Registry runs merged: the summary (who can sign in, the commonest failing checks, by authorization server), the checks' catalogue entries and every row.",
        schema: output::<MergedDoc<'static>>,
    },
    DocKind {
        name: "token-inspect",
        version: TOKEN_SCHEMA_VERSION,
        commands: "token inspect --format json",
        about: "A token judged as an MCP server's bearer check would: its claims, the TOKEN-* checks and the outcome.",
        schema: output::<Versioned<'static, TokenGraded>>,
    },
    DocKind {
        name: "cimd-validate",
        version: CIMD_SCHEMA_VERSION,
        commands: "cimd validate --format json",
        about: "A client's Client ID Metadata Document graded as authorization servers would take it: the CIMD-DOC-* checks and whether any MUST failed.",
        schema: output::<Versioned<'static, CimdGraded>>,
    },
    DocKind {
        name: "clients",
        version: CLIENTS_SCHEMA_VERSION,
        commands: "clients --format json",
        about: "The client profiles check evaluates (clients/*.toml): each client's behaviour where clients differ, with sources and versions.",
        schema: output::<Versioned<'static, ClientsDoc<'static>>>,
    },
    DocKind {
        name: "whoami",
        version: WHOAMI_SCHEMA_VERSION,
        commands: "whoami --format json",
        about: "Who the cached token belongs to: userinfo claims, the token's own (unverified) claims, and the checks.",
        schema: output::<Versioned<'static, WhoamiReport>>,
    },
    DocKind {
        name: "call",
        version: CALL_SCHEMA_VERSION,
        commands: "call --format json",
        about: "An MCP call with the cached token: the server, the result, and how it treated the token.",
        schema: output::<Versioned<'static, CallReport>>,
    },
    DocKind {
        name: "tokens",
        version: TOKENS_SCHEMA_VERSION,
        commands: "tokens --format json",
        about: "The cached logins (never their token values).",
        schema: output::<Versioned<'static, TokensReport>>,
    },
    DocKind {
        name: "login",
        version: TOKENS_SCHEMA_VERSION,
        commands: "login --format json",
        about: "The cached login a login (or --refresh) produced; the access token only with --show-token.",
        schema: output::<Versioned<'static, LoginDoc<'static>>>,
    },
    DocKind {
        name: "logout",
        version: TOKENS_SCHEMA_VERSION,
        commands: "logout --format json",
        about: "The cached logins removed, and whether each was revoked.",
        schema: output::<Versioned<'static, LogoutDoc<'static>>>,
    },
    DocKind {
        name: "evidence",
        version: EVIDENCE_SCHEMA_VERSION,
        commands: "check --save-evidence / --from-evidence, matrix --record / --replay",
        about: "Every HTTP exchange a check made (credentials redacted), re-graded offline to the same report.",
        schema: input::<Evidence>,
    },
    DocKind {
        name: "cimd-evidence",
        version: CIMD_EVIDENCE_SCHEMA_VERSION,
        commands: "cimd validate --save-evidence / --from-evidence",
        about: "What one cimd validate read (the document's exchange or the file, the issuer's metadata or why there was none), re-graded offline to the same report.",
        schema: input::<CimdEvidence>,
    },
    DocKind {
        name: "provider-file",
        version: 1,
        commands: "providers/*.toml (matrix --providers)",
        about: "A provider file (TOML, described here as the JSON it parses to); also providers/schema.json.",
        schema: provider_file,
    },
    DocKind {
        name: "client-profile",
        version: 1,
        commands: "clients/*.toml (clients --schema)",
        about: "A client profile file (TOML, described here as the JSON it parses to); also clients/schema.json.",
        schema: client_profile,
    },
];

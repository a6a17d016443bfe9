//! Authorization-server metadata (RFC 8414 §2, OpenID Connect Discovery 1.0 §3)
//! as a lenient typed view.
//!
//! This is the one place where raw JSON members are read by name. A member with
//! the wrong JSON type does not make the document unreadable: it is left out of
//! the typed view and reported as a [`MemberTypeError`], so grading can name
//! it. Unknown members are kept in `extra`.

use serde::Serialize;
use serde_json::{Map, Value};

/// A member whose JSON type is not the one its specification defines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemberTypeError {
    pub member: String,
    pub expected: &'static str,
    pub found: &'static str,
}

/// The JSON type of a value, as a word.
pub fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// A metadata document read leniently: known members typed, the rest kept.
pub trait Lenient: Sized + Default {
    /// Read a JSON object; never fails.
    fn from_object(obj: &Map<String, Value>) -> (Self, Vec<MemberTypeError>);
}

macro_rules! metadata_members {
    ($(#[$doc:meta])* $struct:ident { $( $name:ident : $ty:ty => $expected:literal ),* $(,)? }) => {
        $(#[$doc])*
        /// Known members are `None` when absent or of the wrong type.
        #[derive(Debug, Clone, Default, PartialEq, Serialize)]
        pub struct $struct {
            $( #[serde(skip_serializing_if = "Option::is_none")] pub $name: Option<$ty>, )*
            /// Members this tool does not know, kept as they were.
            #[serde(flatten)]
            pub extra: Map<String, Value>,
        }

        impl Lenient for $struct {
            fn from_object(obj: &Map<String, Value>) -> (Self, Vec<MemberTypeError>) {
                let mut out = Self::default();
                let mut errors = Vec::new();
                for (key, value) in obj {
                    match key.as_str() {
                        $( stringify!($name) => match serde_json::from_value::<$ty>(value.clone()) {
                            Ok(v) => out.$name = Some(v),
                            Err(_) => errors.push(MemberTypeError {
                                member: key.clone(),
                                expected: $expected,
                                found: element_kind(value, $expected),
                            }),
                        }, )*
                        _ => {
                            out.extra.insert(key.clone(), value.clone());
                        }
                    }
                }
                (out, errors)
            }
        }
    };
}

/// Describe what was found: for an array expected to hold strings, say what
/// the offending element was.
fn element_kind(v: &Value, expected: &str) -> &'static str {
    match v {
        Value::Array(items) if expected.starts_with("array") => items
            .iter()
            .find(|i| !i.is_string())
            .map_or("array", |i| match i {
                Value::Null => "array containing null",
                Value::Bool(_) => "array containing a boolean",
                Value::Number(_) => "array containing a number",
                Value::Array(_) => "array containing an array",
                Value::Object(_) => "array containing an object",
                Value::String(_) => "array",
            }),
        other => json_kind(other),
    }
}

metadata_members! {
    /// Authorization server metadata (RFC 8414 §2, OIDC Discovery §3, RFC 9207, CIMD,
    /// the MCP enterprise-managed authorization extension §6).
    AsMetadata {
    issuer: String => "string",
    authorization_endpoint: String => "string",
    token_endpoint: String => "string",
    jwks_uri: String => "string",
    registration_endpoint: String => "string",
    scopes_supported: Vec<String> => "array of strings",
    response_types_supported: Vec<String> => "array of strings",
    response_modes_supported: Vec<String> => "array of strings",
    grant_types_supported: Vec<String> => "array of strings",
    token_endpoint_auth_methods_supported: Vec<String> => "array of strings",
    token_endpoint_auth_signing_alg_values_supported: Vec<String> => "array of strings",
    service_documentation: String => "string",
    ui_locales_supported: Vec<String> => "array of strings",
    op_policy_uri: String => "string",
    op_tos_uri: String => "string",
    revocation_endpoint: String => "string",
    revocation_endpoint_auth_methods_supported: Vec<String> => "array of strings",
    introspection_endpoint: String => "string",
    introspection_endpoint_auth_methods_supported: Vec<String> => "array of strings",
    code_challenge_methods_supported: Vec<String> => "array of strings",
    userinfo_endpoint: String => "string",
    end_session_endpoint: String => "string",
    device_authorization_endpoint: String => "string",
    pushed_authorization_request_endpoint: String => "string",
    require_pushed_authorization_requests: bool => "boolean",
    subject_types_supported: Vec<String> => "array of strings",
    id_token_signing_alg_values_supported: Vec<String> => "array of strings",
    claims_supported: Vec<String> => "array of strings",
    acr_values_supported: Vec<String> => "array of strings",
    dpop_signing_alg_values_supported: Vec<String> => "array of strings",
    authorization_grant_profiles_supported: Vec<String> => "array of strings",
    authorization_response_iss_parameter_supported: bool => "boolean",
    client_id_metadata_document_supported: bool => "boolean",
    protected_resources: Vec<String> => "array of strings",
    claims_parameter_supported: bool => "boolean",
    request_parameter_supported: bool => "boolean",
    request_uri_parameter_supported: bool => "boolean",
    require_request_uri_registration: bool => "boolean",
    backchannel_logout_supported: bool => "boolean",
    frontchannel_logout_supported: bool => "boolean",
    tls_client_certificate_bound_access_tokens: bool => "boolean",
    mtls_endpoint_aliases: Map<String, Value> => "object",
    }
}

metadata_members! {
    /// Protected resource metadata (RFC 9728 §2).
    ResourceMetadata {
    resource: String => "string",
    authorization_servers: Vec<String> => "array of strings",
    jwks_uri: String => "string",
    scopes_supported: Vec<String> => "array of strings",
    bearer_methods_supported: Vec<String> => "array of strings",
    resource_signing_alg_values_supported: Vec<String> => "array of strings",
    resource_name: String => "string",
    resource_documentation: String => "string",
    resource_policy_uri: String => "string",
    resource_tos_uri: String => "string",
    tls_client_certificate_bound_access_tokens: bool => "boolean",
    authorization_details_types_supported: Vec<String> => "array of strings",
    dpop_signing_alg_values_supported: Vec<String> => "array of strings",
    dpop_bound_access_tokens_required: bool => "boolean",
    }
}

metadata_members! {
    /// A dynamic client registration response (RFC 7591 §3.2.1).
    ClientInformation {
    client_id: String => "string",
    client_secret: String => "string",
    client_id_issued_at: i64 => "number",
    client_secret_expires_at: i64 => "number",
    redirect_uris: Vec<String> => "array of strings",
    token_endpoint_auth_method: String => "string",
    grant_types: Vec<String> => "array of strings",
    response_types: Vec<String> => "array of strings",
    application_type: String => "string",
    client_name: String => "string",
    registration_access_token: String => "string",
    registration_client_uri: String => "string",
    }
}

metadata_members! {
    /// A Client ID Metadata Document (draft-ietf-oauth-client-id-metadata-document
    /// §3; RFC 7591 §2 members): what `cimd validate` grades. `client_secret` is
    /// read only to say it is there (never shown).
    ClientIdMetadataDocument {
    client_id: String => "string",
    client_name: String => "string",
    client_uri: String => "string",
    redirect_uris: Vec<String> => "array of strings",
    token_endpoint_auth_method: String => "string",
    token_endpoint_auth_methods_supported: Vec<String> => "array of strings",
    client_secret: String => "string",
    jwks: Value => "object",
    jwks_uri: String => "string",
    grant_types: Vec<String> => "array of strings",
    response_types: Vec<String> => "array of strings",
    }
}

metadata_members! {
    /// A token endpoint's success response (RFC 6749 §5.1, OIDC Core §3.1.3.3,
    /// RFC 8693 §2.2.1). Holds secrets: read it, move them into
    /// `Secret`s, and never log it.
    TokenResponse {
    access_token: String => "string",
    token_type: String => "string",
    expires_in: u64 => "number",
    refresh_token: String => "string",
    scope: String => "string",
    id_token: String => "string",
    issued_token_type: String => "string",
    }
}

metadata_members! {
    /// A JWK Set (RFC 7517 §5), as far as reachability needs it: its keys,
    /// each left as JSON.
    JwkSetDoc {
    keys: Vec<Value> => "array",
    }
}

metadata_members! {
    /// A JSON-RPC 2.0 response (an MCP server's answer): `result` or `error`.
    JsonRpcResponse {
    jsonrpc: String => "string",
    id: Value => "any",
    result: Value => "any",
    error: Value => "any",
    }
}

metadata_members! {
    /// An OAuth error response (RFC 6749 §5.2, RFC 7591 §3.2.2).
    ErrorResponse {
    error: String => "string",
    error_description: String => "string",
    error_uri: String => "string",
    }
}

impl AsMetadata {
    /// The endpoint members that must use https (SEC-HTTPS-AS), with their values.
    pub fn endpoint_urls(&self) -> Vec<(&'static str, &str)> {
        [
            ("authorization_endpoint", &self.authorization_endpoint),
            ("token_endpoint", &self.token_endpoint),
            ("registration_endpoint", &self.registration_endpoint),
            ("jwks_uri", &self.jwks_uri),
            ("userinfo_endpoint", &self.userinfo_endpoint),
            ("revocation_endpoint", &self.revocation_endpoint),
            ("introspection_endpoint", &self.introspection_endpoint),
            (
                "device_authorization_endpoint",
                &self.device_authorization_endpoint,
            ),
            (
                "pushed_authorization_request_endpoint",
                &self.pushed_authorization_request_endpoint,
            ),
            ("end_session_endpoint", &self.end_session_endpoint),
        ]
        .into_iter()
        .filter_map(|(name, v)| v.as_deref().map(|v| (name, v)))
        .collect()
    }
}

/// Whether a list member (typed view) contains a value.
pub fn lists(list: &Option<Vec<String>>, value: &str) -> bool {
    list.as_ref().is_some_and(|l| l.iter().any(|v| v == value))
}

/// Members of the raw object whose value is an empty array (RFC 8414 §3.2:
/// "Claims with zero elements MUST be omitted").
pub fn empty_arrays(obj: &Map<String, Value>) -> Vec<String> {
    obj.iter()
        .filter(|(_, v)| v.as_array().is_some_and(Vec::is_empty))
        .map(|(k, _)| k.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn wrong_types_become_errors_and_unknown_members_are_kept() {
        let doc = json!({
            "issuer": "https://a.example",
            "client_id_metadata_document_supported": "true",
            "scopes_supported": ["openid", 3],
            "x-vendor": {"a": 1}
        });
        let (md, errors) = <AsMetadata as Lenient>::from_object(doc.as_object().unwrap());
        assert_eq!(md.issuer.as_deref(), Some("https://a.example"));
        assert_eq!(md.client_id_metadata_document_supported, None);
        assert_eq!(md.scopes_supported, None);
        assert_eq!(md.extra.get("x-vendor"), Some(&json!({"a": 1})));
        assert_eq!(
            errors,
            vec![
                MemberTypeError {
                    member: "client_id_metadata_document_supported".into(),
                    expected: "boolean",
                    found: "string"
                },
                MemberTypeError {
                    member: "scopes_supported".into(),
                    expected: "array of strings",
                    found: "array containing a number"
                },
            ]
        );
    }

    #[test]
    fn empty_arrays_are_found() {
        let doc = json!({"a": [], "b": ["x"], "c": {}});
        assert_eq!(empty_arrays(doc.as_object().unwrap()), vec!["a".to_owned()]);
    }
}

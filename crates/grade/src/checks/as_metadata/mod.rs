//! Authorization-server metadata members (checklist §2.3 and §2.10).

use crate::metadata::{empty_arrays, lists};
use crate::util::{absolute_url, join_list, transport, Transport};
use crate::{AsAnalysis, CheckDef, Doc, Grade, Level, Outcome};

mod authorization;
mod refresh_resources;
pub use authorization::{AS_AUTHZ_AUDIENCE_PINNED, AS_RESPONSE_MODES};
pub use refresh_resources::{AS_OFFLINE_ACCESS, AS_PROTECTED_RESOURCES};

/// Run `f` on the document in use, or skip.
fn with_doc(a: &AsAnalysis<'_>, f: impl FnOnce(&Doc) -> Outcome) -> Outcome {
    match a.doc() {
        Some(doc) => f(doc),
        None => Outcome::skip("no metadata document"),
    }
}

/// Grade a REQUIRED endpoint member: present, a string, an absolute URL.
fn required_endpoint(doc: &Doc, member: &str, value: Option<&str>) -> Outcome {
    match value {
        Some(v) => match absolute_url(v) {
            Ok(_) => Outcome::pass(v.to_owned()),
            Err(e) => Outcome::fail(format!("`{member}`: {e}")),
        },
        None if doc.raw.contains_key(member) => {
            Outcome::fail(format!("`{member}` is not a string"))
        }
        None => Outcome::fail(format!("`{member}` is missing (REQUIRED)")),
    }
}

pub const AS_AUTHZ_ENDPOINT: CheckDef = CheckDef {
    id: "AS-AUTHZ-ENDPOINT",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "authorization_endpoint is an absolute URL",
    spec: "RFC 8414 §2; OIDC Discovery §3",
    hint: "Publish `authorization_endpoint` as an absolute https URL.",
    doc: "Checks that the metadata in use has `authorization_endpoint` as an absolute http(s) \
          URL: missing, not a string, or not an absolute URL fails (https itself is \
          SEC-HTTPS-AS), and the check is skipped without a document. Both SDKs' metadata schemas \
          require the member, so without it the document is rejected and no authorization request \
          can be made; `mcp-auth login` refuses such a server. Sources: RFC 8414 §2; OIDC \
          Discovery §3.",
    grade: Grade::Server(|a| {
        with_doc(a, |d| {
            required_endpoint(
                d,
                "authorization_endpoint",
                d.md.authorization_endpoint.as_deref(),
            )
        })
    }),
};

pub const AS_TOKEN_ENDPOINT: CheckDef = CheckDef {
    id: "AS-TOKEN-ENDPOINT",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "token_endpoint is an absolute URL",
    spec: "RFC 8414 §2",
    hint: "Publish `token_endpoint` as an absolute https URL.",
    doc: "Checks that the metadata in use has `token_endpoint` as an absolute http(s) URL: \
          missing, not a string, or not an absolute URL fails (https itself is SEC-HTTPS-AS), and \
          the check is skipped without a document. RFC 8414 makes it REQUIRED unless only the \
          implicit grant is supported, and both SDKs reject metadata without it, so no code can \
          be redeemed; `mcp-auth login` refuses such a server. Source: RFC 8414 §2.",
    grade: Grade::Server(|a| {
        with_doc(a, |d| {
            required_endpoint(d, "token_endpoint", d.md.token_endpoint.as_deref())
        })
    }),
};

pub const AS_RESPONSE_TYPES: CheckDef = CheckDef {
    id: "AS-RESPONSE-TYPES",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "response_types_supported contains code",
    spec: "RFC 8414 §2; OIDC Discovery §3",
    hint: "Publish `response_types_supported` including \"code\" (the TypeScript SDK rejects metadata without it).",
    doc: "Requires `response_types_supported` to be present and to contain code; a list without \
          code fails, and so does a missing member (REQUIRED). The TypeScript SDK rejects a \
          document without the member and refuses one without code ('does not support response \
          type code'); the Python SDK assumes [code] when it is absent; Logto MCP Auth reports \
          code_response_type_not_supported. Sources: RFC 8414 §2; OIDC Discovery §3.",
    grade: Grade::Server(|a| {
        with_doc(a, |d| match &d.md.response_types_supported {
            Some(types) if types.iter().any(|t| t == "code") => Outcome::pass(types.join(", ")),
            Some(types) => Outcome::fail(format!("\"code\" is not listed (found: {})", types.join(", "))),
            None => Outcome::fail("`response_types_supported` is missing (REQUIRED; the TypeScript SDK rejects the document, the Python SDK assumes [\"code\"])"),
        })
    }),
};

pub const AS_PKCE_PRESENT: CheckDef = CheckDef {
    id: "AS-PKCE-PRESENT",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "code_challenge_methods_supported is present",
    spec: "MCP 2025-11-25 §Authorization Code Protection; RFC 8414 §2; RFC 9700 §2.1.1",
    hint: "Publish `code_challenge_methods_supported: [\"S256\"]`; MCP clients MUST refuse to proceed without it.",
    doc: "Fails when `code_challenge_methods_supported` is absent from the metadata in use, and \
          also when that document has it but an OpenID Connect document served at another spec \
          location lacks it (naming that document and the clients that read it); otherwise it \
          passes (whether S256 is listed is AS-PKCE-S256). MCP 2025-11-25 and later say servers \
          providing OpenID Connect Discovery MUST include it, and that clients MUST refuse to \
          proceed without it, for RFC 8414 and OpenID Connect \
          documents alike, and RFC 8414 reads its absence as no PKCE support. The TypeScript and \
          Python SDKs currently tolerate the absence, so SDK-based clients may still work while \
          spec-conformant clients refuse; Logto MCP Auth reports pkce_not_supported. Sources: MCP \
          2025-11-25 §Authorization Code Protection; RFC 8414 §2; RFC 9700 §2.1.1.",
    grade: Grade::Server(|a| {
        with_doc(a, |d| match &d.md.code_challenge_methods_supported {
            Some(methods) => oidc_without_pkce(a, methods).unwrap_or_else(|| Outcome::pass(methods.join(", "))),
            None => Outcome::fail("absent: spec-conformant clients refuse (the TypeScript and Python SDKs currently tolerate it)"),
        })
    }),
};

/// An OpenID Connect document served besides the one in use that lacks
/// the member: MCP 2025-11-25 says servers providing OpenID Connect
/// Discovery MUST include it, and the clients that read that document refuse.
fn oidc_without_pkce(a: &AsAnalysis<'_>, methods: &[String]) -> Option<Outcome> {
    let (_, oidc) = a.spec_attempts().find(|(_, t)| {
        t.kind.is_oidc_location()
            && t.doc
                .as_ref()
                .is_some_and(|d| d.md.code_challenge_methods_supported.is_none())
    })?;
    let readers: Vec<String> = crate::clients::client_paths(a)
        .into_iter()
        .filter(|c| c.url.as_deref() == Some(oidc.url.as_str()))
        .map(|c| c.client)
        .collect();
    let who = if readers.is_empty() {
        "clients that read only OpenID Connect discovery refuse it".to_owned()
    } else {
        format!("the clients that read it refuse: {}", join_list(&readers))
    };
    let in_use = a
        .selected_attempt()
        .map_or("the document in use", |t| t.url.as_str());
    Some(
        Outcome::fail(format!(
            "{in_use} lists {}, but the OpenID Connect document at {} has no `code_challenge_methods_supported` \
             (servers providing OpenID Connect Discovery MUST include it); {who}",
            methods.join(", "),
            oidc.url
        ))
        .with_hint(format!(
            "Publish `code_challenge_methods_supported: [\"S256\"]` in the OpenID Connect document at {} too: \
             MCP requires it there, and clients that read that document refuse without it.",
            oidc.url
        )),
    )
}

pub const AS_PKCE_S256: CheckDef = CheckDef {
    id: "AS-PKCE-S256",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "PKCE method S256 is supported",
    spec: "MCP 2025-11-25 §Authorization Code Protection; OAuth 2.1 draft-13 §4.1.1",
    hint: "Support PKCE with S256 and list it in `code_challenge_methods_supported`.",
    doc: "Passes when `code_challenge_methods_supported` lists S256; a list without it fails, and \
          so does an absent member (RFC 8414 reads absence as no PKCE). MCP 2025-11-25 and later \
          require clients to use S256 and OAuth 2.1 makes it mandatory to implement on servers: \
          the TypeScript SDK throws when the list lacks it, Logto MCP Auth reports \
          s256_code_challenge_method_not_supported, and `mcp-auth login` refuses such a server \
          unless given --force. Sources: MCP 2025-11-25 §Authorization Code Protection; OAuth 2.1 \
          draft-13 §4.1.1.",
    grade: Grade::Server(|a| {
        with_doc(a, |d| match &d.md.code_challenge_methods_supported {
            Some(m) if m.iter().any(|x| x == "S256") => Outcome::pass("S256 listed"),
            Some(m) => Outcome::fail(format!(
                "S256 is not listed (found: {})",
                if m.is_empty() {
                    "nothing".to_owned()
                } else {
                    m.join(", ")
                }
            )),
            None => {
                Outcome::fail("PKCE support is not advertised (RFC 8414: absent means no PKCE)")
            }
        })
    }),
};

pub const AS_PKCE_PLAIN: CheckDef = CheckDef {
    id: "AS-PKCE-PLAIN",
    at: concat!(file!(), ":", line!()),
    level: Level::May,
    title: "PKCE plain is not offered",
    spec: "OAuth 2.1 draft-13 §4.1.1; RFC 9700 §2.1.1",
    hint: "Consider dropping `plain`: it exposes the verifier and MCP clients always use S256.",
    doc: "Is INFO when `code_challenge_methods_supported` lists plain and passes otherwise, also \
          when the member is absent. OAuth 2.1 allows plain only where S256 is impossible, and \
          RFC 9700 says clients SHOULD use a method that does not expose the verifier, S256 being \
          currently the only one. Nothing breaks, since MCP clients always use S256; plain is \
          only a downgrade surface. Sources: OAuth 2.1 draft-13 §4.1.1; RFC 9700 §2.1.1.",
    grade: Grade::Server(|a| {
        with_doc(a, |d| {
            if lists(&d.md.code_challenge_methods_supported, "plain") {
                Outcome::info("`plain` is advertised (a downgrade surface; MCP clients use S256)")
            } else {
                Outcome::pass("`plain` is not advertised")
            }
        })
    }),
};

pub const AS_GRANT_AUTHCODE: CheckDef = CheckDef {
    id: "AS-GRANT-AUTHCODE",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "authorization_code grant is supported",
    spec: "RFC 8414 §2 (grant_types_supported)",
    hint: "List \"authorization_code\" in `grant_types_supported` (or omit the member: its default includes it).",
    doc: "Fails when `grant_types_supported` is present without authorization_code; passes when \
          it lists it, and also when the member is absent, since RFC 8414 then defaults it to \
          authorization_code and implicit. Every MCP client uses the authorization code flow, so \
          a server that does not offer it cannot be used. Older Logto MCP Auth versions treated \
          an absent member as an error; later ones apply the RFC 8414 default. Source: RFC 8414 \
          §2 (grant_types_supported).",
    grade: Grade::Server(|a| {
        with_doc(a, |d| match &d.md.grant_types_supported {
            Some(g) if g.iter().any(|x| x == "authorization_code") => Outcome::pass(g.join(", ")),
            Some(g) => Outcome::fail(format!("\"authorization_code\" is not listed (found: {})", g.join(", "))),
            None => Outcome::pass("absent: RFC 8414 defaults to [\"authorization_code\", \"implicit\"]"),
        })
    }),
};

pub const AS_GRANT_REFRESH: CheckDef = CheckDef {
    id: "AS-GRANT-REFRESH",
    at: concat!(file!(), ":", line!()),
    level: Level::May,
    title: "refresh_token grant is listed",
    spec: "MCP 2026-07-28 §Refresh Tokens",
    hint: "Offer refresh tokens (and list \"refresh_token\" in `grant_types_supported`) so users need not re-authorize when access tokens expire.",
    doc: "Passes when `grant_types_supported` lists refresh_token and is INFO otherwise, also \
          when the member is absent (the RFC 8414 default does not include it; when \
          `scopes_supported` lists offline_access the detail says that is the refresh signal \
          instead of saying users re-authorize). MCP 2026-07-28 \
          says clients SHOULD include refresh_token in the grant types they register and MUST NOT \
          assume refresh tokens will be issued; without them users authorize again whenever the \
          access token expires. Source: MCP 2026-07-28 §Refresh Tokens (SEP-2207).",
    grade: Grade::Server(|a| {
        with_doc(a, |d| {
            if lists(&d.md.grant_types_supported, "refresh_token") {
                Outcome::pass("\"refresh_token\" listed")
            } else if d.md.grant_types_supported.is_none()
                && lists(&d.md.scopes_supported, "offline_access")
            {
                // MCP 2026-07-28 §Refresh Tokens: offline_access is how a client asks for one.
                Outcome::info("`grant_types_supported` is absent, but `offline_access` is listed: clients that request it get refresh tokens (MCP 2026-07-28); list \"refresh_token\" to say so")
            } else {
                Outcome::info("\"refresh_token\" is not listed; users re-authorize when the access token expires")
            }
        })
    }),
};

pub const AS_TOKEN_AUTH_NONE: CheckDef = CheckDef {
    id: "AS-TOKEN-AUTH-NONE",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "Public clients can use the token endpoint",
    spec: "MCP §Overview (OAuth 2.1 public clients); RFC 8414 §2; CIMD draft",
    hint: "List \"none\" in `token_endpoint_auth_methods_supported` so PKCE-only clients (CLIs, desktop apps) can redeem codes.",
    doc: "Passes when `token_endpoint_auth_methods_supported` lists none (public clients); a \
          list without none warns, and so does an absent member (RFC 8414's default is \
          client_secret_basic only; the TypeScript SDK tries none anyway). MCP authorization \
          servers MUST support public clients, and PKCE-only clients such as CLIs, desktop apps \
          and CIMD clients cannot redeem codes without none. Whether Client ID Metadata Document \
          clients can authenticate at all (none or private_key_jwt) is CIMD-AUTH-METHODS, which \
          fails where this check would otherwise report the same list twice; the detail points \
          there. Sources: MCP §Overview (OAuth 2.1 public clients); RFC 8414 §2; CIMD draft.",
    grade: Grade::Server(|a| {
        with_doc(a, |d| match &d.md.token_endpoint_auth_methods_supported {
            Some(m) if m.iter().any(|x| x == "none") => Outcome::pass("\"none\" listed"),
            Some(m) if d.md.client_id_metadata_document_supported == Some(true)
                && !m.iter().any(|x| x == "private_key_jwt") =>
            {
                Outcome::warn(format!(
                    "\"none\" is not listed (found: {}); CIMD is advertised, so CIMD clients cannot authenticate either (CIMD-AUTH-METHODS)",
                    m.join(", ")
                ))
            }
            Some(m) => Outcome::warn(format!("\"none\" is not listed (found: {})", m.join(", "))),
            None => Outcome::warn("absent: RFC 8414 defaults to client_secret_basic only (the TypeScript SDK tries \"none\" anyway)"),
        })
    }),
};

pub const AS_REGISTRATION_ENDPOINT: CheckDef = CheckDef {
    id: "AS-REGISTRATION-ENDPOINT",
    at: concat!(file!(), ":", line!()),
    level: Level::May,
    title: "Dynamic client registration endpoint",
    spec: "MCP 2025-11-25 §Dynamic Client Registration (MAY; deprecated in 2026-07-28); RFC 7591",
    hint: "Offer dynamic client registration (RFC 7591) or Client ID Metadata Documents so clients can register without manual setup.",
    doc: "Passes when `registration_endpoint` is an absolute URL and warns when it is present but \
          not one. When it is absent it is INFO if Client ID Metadata Documents are advertised \
          instead, and warns if not: without CIMD or a pre-registered client, the TypeScript SDK \
          stops with 'does not support dynamic client registration' and Logto MCP Auth warns \
          dynamic_registration_not_supported. Dynamic registration is SHOULD in MCP 2025-03-26 \
          and 2025-06-18, MAY in 2025-11-25, and deprecated in 2026-07-28 in favour of CIMD. \
          Sources: MCP 2025-11-25 §Dynamic Client Registration; RFC 7591.",
    grade: Grade::Server(|a| {
        with_doc(a, |d| match &d.md.registration_endpoint {
            Some(r) => match absolute_url(r) {
                Ok(_) => Outcome::pass(r.clone()),
                Err(e) => Outcome::warn(format!("`registration_endpoint`: {e}")),
            },
            None if d.md.client_id_metadata_document_supported == Some(true) => {
                Outcome::info("absent; Client ID Metadata Documents are offered instead")
            }
            None => Outcome::warn("absent, and no CIMD either: the TypeScript SDK reports \"does not support dynamic client registration\""),
        })
    }),
};

pub const AS_CIMD_SUPPORTED: CheckDef = CheckDef {
    id: "AS-CIMD-SUPPORTED",
    at: concat!(file!(), ":", line!()),
    level: Level::Should,
    title: "Client ID Metadata Documents are supported",
    spec: "MCP 2025-11-25 §Client ID Metadata Documents; draft-ietf-oauth-client-id-metadata-document",
    hint: "Support Client ID Metadata Documents and advertise `client_id_metadata_document_supported: true`.",
    doc: "Passes when `client_id_metadata_document_supported` is true; false or absent warns. MCP \
          2025-11-25 and later say authorization servers SHOULD support Client ID Metadata \
          Documents and advertise it with this member, the TypeScript and Python SDKs use a URL \
          as client_id only when it is true, and the MCP conformance suite warns as well. The \
          CIMD editor's draft makes the member a MUST for servers that support CIMD and publish \
          metadata. Sources: MCP 2025-11-25 §Client ID Metadata Documents; \
          draft-ietf-oauth-client-id-metadata-document.",
    grade: Grade::Server(|a| {
        with_doc(a, |d| match d.md.client_id_metadata_document_supported {
            Some(true) => Outcome::pass("advertised"),
            Some(false) => Outcome::warn("explicitly false"),
            None => Outcome::warn("not advertised: clients will not use a URL client_id"),
        })
    }),
};

pub const AS_REG_PATH: CheckDef = CheckDef {
    id: "AS-REG-PATH",
    at: concat!(file!(), ":", line!()),
    level: Level::Should,
    title: "A client can register without manual setup",
    spec: "MCP 2025-11-25 §Client Registration Approaches; 2026-07-28 client-registration",
    hint: "Offer CIMD (preferred) or dynamic client registration; otherwise every user must obtain a client id by hand.",
    doc: "Passes when the metadata offers a way to register without manual setup, Client ID \
          Metadata Documents (`client_id_metadata_document_supported: true`) or dynamic \
          registration (a `registration_endpoint`), and warns when it offers neither. MCP clients \
          try a pre-registered client, then CIMD, then dynamic registration, and otherwise ask \
          the user, so without either a generic MCP client works only with a client id the user \
          obtains by hand. Sources: MCP 2025-11-25 §Client Registration Approaches; MCP \
          2026-07-28 client-registration.",
    grade: Grade::Server(|a| {
        with_doc(a, |d| {
            let cimd = d.md.client_id_metadata_document_supported == Some(true);
            let dcr = d.md.registration_endpoint.is_some();
            match (cimd, dcr) {
                (true, true) => Outcome::pass("CIMD and dynamic registration"),
                (true, false) => Outcome::pass("CIMD"),
                (false, true) => Outcome::pass("dynamic registration"),
                (false, false) => Outcome::warn("neither CIMD nor dynamic registration: generic MCP clients need a pre-registered client id"),
            }
        })
    }),
};

pub const AS_SCOPES_SUPPORTED: CheckDef = CheckDef {
    id: "AS-SCOPES-SUPPORTED",
    at: concat!(file!(), ":", line!()),
    level: Level::Should,
    title: "scopes_supported is published",
    spec: "RFC 8414 §2 (RECOMMENDED)",
    hint: "Publish `scopes_supported`; the Python SDK falls back to it when neither the challenge nor the resource metadata names a scope.",
    doc: "Passes when the metadata in use publishes a non-empty `scopes_supported` and warns when \
          it is absent or empty. RFC 8414 RECOMMENDS the member, and the Python SDK falls back to \
          it to choose scopes when neither the 401 challenge nor the protected resource metadata \
          names any. Source: RFC 8414 §2 (RECOMMENDED).",
    grade: Grade::Server(|a| {
        with_doc(a, |d| match &d.md.scopes_supported {
            Some(s) if !s.is_empty() => Outcome::pass(s.join(", ")),
            _ => Outcome::warn("absent or empty"),
        })
    }),
};

pub const AS_JWKS_URI: CheckDef = CheckDef {
    id: "AS-JWKS-URI",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "jwks_uri is published",
    spec: "RFC 8414 §2 (OPTIONAL); OIDC Discovery §3 (REQUIRED)",
    hint: "Publish `jwks_uri` (https): MCP servers that verify JWT access tokens locally need it, and it is REQUIRED for OpenID Connect documents.",
    doc: "Passes when `jwks_uri` is an absolute https URL (or http on loopback), warns when it \
          is plain http on another host (as AS-USERINFO does), and fails when it is present but \
          not a URL. When it is absent, it fails for a document found at an OpenID Connect discovery \
          location (OpenID Connect makes it REQUIRED, and the TypeScript SDK's OpenID schema \
          rejects the document) and is INFO otherwise. MCP servers that verify JWT access tokens \
          locally need these keys (Logto MCP Auth requires them), and so does `mcp-auth token \
          inspect` to verify a signature. Sources: RFC 8414 §2 (OPTIONAL); OIDC Discovery §3 \
          (REQUIRED).",
    grade: Grade::Server(|a| {
        let oidc = a.doc_is_oidc_located();
        with_doc(a, |d| match &d.md.jwks_uri {
            Some(j) => match absolute_url(j) {
                // As AS-USERINFO: keys fetched over plain http off loopback can be swapped.
                Ok(_) if transport(j) == Transport::Insecure => {
                    Outcome::warn(format!("'{j}' is not https: the keys that verify tokens can be swapped in transit"))
                }
                Ok(_) => Outcome::pass(j.clone()),
                Err(e) => Outcome::fail(format!("`jwks_uri`: {e}")),
            },
            None if oidc => Outcome::fail("absent from a document served at an openid-configuration URL (the TypeScript SDK's OIDC schema requires it)"),
            None => Outcome::info("absent: resource servers cannot verify JWT access tokens locally"),
        })
    }),
};

const OIDC_REQUIRED: [&str; 7] = [
    "issuer",
    "authorization_endpoint",
    "token_endpoint",
    "jwks_uri",
    "response_types_supported",
    "subject_types_supported",
    "id_token_signing_alg_values_supported",
];

pub const AS_OIDC_REQUIRED: CheckDef = CheckDef {
    id: "AS-OIDC-REQUIRED",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "OpenID Connect REQUIRED members are present",
    spec: "OIDC Discovery 1.0 §3",
    hint: "A document served at /.well-known/openid-configuration must carry every OIDC REQUIRED member; the TypeScript SDK aborts otherwise.",
    doc: "For a document found at an OpenID Connect discovery location, checks that the seven \
          members OpenID Connect Discovery makes REQUIRED are present: issuer, \
          authorization_endpoint, token_endpoint, jwks_uri, response_types_supported, \
          subject_types_supported and id_token_signing_alg_values_supported; any missing fails. \
          Skipped for a document from an RFC 8414 location, or without one. The TypeScript SDK \
          parses documents from these locations with its OpenID provider schema, which requires \
          all of them, so one missing member aborts authorization; the Python SDK does not check. \
          Source: OIDC Discovery 1.0 §3.",
    grade: Grade::Server(|a| {
        if a.doc().is_some() && !a.doc_is_oidc_located() {
            return Outcome::skip("not served at an OpenID Connect location");
        }
        with_doc(a, |d| {
            let missing: Vec<&str> = OIDC_REQUIRED
                .iter()
                .copied()
                .filter(|m| !d.raw.contains_key(*m))
                .collect();
            if missing.is_empty() {
                Outcome::pass("all 7 REQUIRED members present")
            } else {
                Outcome::fail(format!("missing: {}", join_list(&missing)))
            }
        })
    }),
};

pub const AS_MEMBER_TYPES: CheckDef = CheckDef {
    id: "AS-MEMBER-TYPES",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "Known members have the right JSON types",
    spec: "RFC 8414 §2",
    hint: "Fix the member types (e.g. booleans as true/false, not \"true\"); the TypeScript SDK rejects the whole document on one wrong type.",
    doc: "Fails when a known metadata member has the wrong JSON type, naming each: for example a \
          boolean sent as the string 'true', or a single string where an array of strings \
          belongs; it passes when every known member is well typed. The TypeScript SDK's schema \
          rejects the whole document on one such error (it tolerates only a wrong \
          authorization_response_iss_parameter_supported), and the Python SDK treats a document \
          it cannot validate as not found. Source: RFC 8414 §2.",
    grade: Grade::Server(|a| {
        with_doc(a, |d| {
            if d.type_errors.is_empty() {
                Outcome::pass("all known members well-typed")
            } else {
                let list: Vec<String> = d
                    .type_errors
                    .iter()
                    .map(|e| format!("`{}` should be {}, is {}", e.member, e.expected, e.found))
                    .collect();
                Outcome::fail(join_list(&list))
            }
        })
    }),
};

pub const AS_ZERO_VALUES: CheckDef = CheckDef {
    id: "AS-ZERO-VALUES",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "No empty arrays",
    spec: "RFC 8414 §3.2 (\"Claims with zero elements MUST be omitted\")",
    hint: "Omit members whose list is empty instead of publishing [].",
    doc: "Warns when any member of the metadata in use is an empty array, naming them; otherwise \
          it passes. RFC 8414 says claims with zero elements MUST be omitted, because an empty \
          list such as `scopes_supported: []` has no defined meaning. Source: RFC 8414 §3.2.",
    grade: Grade::Server(|a| {
        with_doc(a, |d| {
            let empty = empty_arrays(&d.raw);
            if empty.is_empty() {
                Outcome::pass("no empty arrays")
            } else {
                Outcome::warn(format!("empty: {}", join_list(&empty)))
            }
        })
    }),
};

pub const AS_ISS_PARAM: CheckDef = CheckDef {
    id: "AS-ISS-PARAM",
    at: concat!(file!(), ":", line!()),
    level: Level::Should,
    title: "RFC 9207 iss parameter is advertised",
    spec: "MCP 2026-07-28 §Authorization Response Validation; RFC 9207 §2.3",
    hint: "Send `iss` in authorization responses (including errors) and advertise `authorization_response_iss_parameter_supported: true` (mix-up defence).",
    doc: "Passes when `authorization_response_iss_parameter_supported` is true; false or absent \
          warns. MCP 2026-07-28 says authorization servers SHOULD send the RFC 9207 iss parameter \
          in authorization responses, error responses included, and MUST advertise it when they \
          do, and expects a future revision to make sending it a MUST. Without the advertisement \
          clients cannot detect an iss that was stripped, which is their defence against mix-up \
          attacks. Sources: MCP 2026-07-28 §Authorization Response Validation; RFC 9207 §2.3.",
    grade: Grade::Server(|a| {
        with_doc(a, |d| match d.md.authorization_response_iss_parameter_supported {
            Some(true) => Outcome::pass("advertised"),
            _ => Outcome::warn("not advertised: clients cannot detect a stripped `iss` (mix-up attacks)"),
        })
    }),
};

pub const AS_USERINFO: CheckDef = CheckDef {
    id: "AS-USERINFO",
    at: concat!(file!(), ":", line!()),
    level: Level::May,
    title: "userinfo_endpoint is published",
    spec: "OIDC Discovery §3 (RECOMMENDED)",
    hint: "Publish `userinfo_endpoint` (https) so `mcp-auth whoami` and other clients can show who logged in.",
    doc: "Passes when `userinfo_endpoint` is https (or http on a loopback host), warns when it is \
          plain http elsewhere or not a URL, and is INFO when it is absent. OpenID Connect \
          Discovery RECOMMENDS it; MCP does not require it, but `mcp-auth whoami` needs it to \
          show who logged in. Source: OIDC Discovery §3 (RECOMMENDED).",
    grade: Grade::Server(|a| {
        with_doc(a, |d| match &d.md.userinfo_endpoint {
            Some(u) => match transport(u) {
                Transport::Https | Transport::LoopbackHttp => Outcome::pass(u.clone()),
                Transport::Insecure => Outcome::warn(format!("'{u}' is not https")),
                Transport::NotAUrl => Outcome::warn(format!("'{u}' is not a URL")),
            },
            None => Outcome::info("absent: `mcp-auth whoami` cannot show claims"),
        })
    }),
};

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_authorization;
#[cfg(test)]
mod tests_refresh_resources;

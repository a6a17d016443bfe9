//! Extension readiness (field report §7 item 9): what the authorization
//! server's metadata advertises of the MCP authorization extensions, so
//! enterprise users can tell before they build. INFO only, never a warning:
//! extensions are optional. The ids are this tool's (not in spec-checklist §2).

use crate::metadata::lists;
use crate::util::join_list;
use crate::{AsAnalysis, CheckDef, Doc, Grade, Level, Outcome};

/// The ID-JAG grant profile (enterprise-managed authorization §6).
pub const ID_JAG_PROFILE: &str = "urn:ietf:params:oauth:grant-profile:id-jag";
/// The JWT bearer grant (RFC 7523 §2.1), which presents the ID-JAG.
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
/// Token exchange (RFC 8693), by which an enterprise IdP issues an ID-JAG
/// (`requested_token_type=urn:ietf:params:oauth:token-type:id-jag`).
pub const TOKEN_EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";

/// Run `f` on the document in use, or skip.
fn with_doc(a: &AsAnalysis<'_>, f: impl FnOnce(&Doc) -> Outcome) -> Outcome {
    a.doc()
        .map_or_else(|| Outcome::skip("no metadata document"), f)
}

pub const EXT_ENTERPRISE_AUTH: CheckDef = CheckDef {
    id: "EXT-ENTERPRISE-AUTH",
    at: concat!(file!(), ":", line!()),
    level: Level::May,
    title: "Enterprise-managed authorization (ID-JAG) is advertised",
    spec: "MCP ext-auth enterprise-managed-authorization (stable) §6; RFC 7523; RFC 8693; id invented here (not in spec-checklist §2)",
    hint: "To accept enterprise-managed authorization, advertise `authorization_grant_profiles_supported: [\"urn:ietf:params:oauth:grant-profile:id-jag\"]` and list the JWT bearer grant in `grant_types_supported`.",
    doc: "Reads the metadata in use for the enterprise-managed authorization extension: the \
          ID-JAG grant profile in `authorization_grant_profiles_supported`, the JWT bearer grant \
          (urn:ietf:params:oauth:grant-type:jwt-bearer, which presents the ID-JAG) and the token \
          exchange grant (urn:ietf:params:oauth:grant-type:token-exchange, by which an enterprise \
          IdP issues ID-JAGs) in `grant_types_supported`. It is INFO either way, naming what was \
          found and which `mcp-auth login --grant` can use it (token-exchange for an ID-JAG from \
          your IdP, jwt-bearer for an assertion you hold), or saying it is not advertised; it \
          never warns, as the extension is optional, and is skipped without a document. The \
          extension is stable in the MCP ext-auth repository; this id is this tool's, not the \
          checklist's. Sources: MCP ext-auth enterprise-managed-authorization §6; RFC 7523; RFC \
          8693.",
    grade: Grade::Server(|a| with_doc(a, enterprise_auth)),
};

fn enterprise_auth(d: &Doc) -> Outcome {
    let profile = lists(&d.md.authorization_grant_profiles_supported, ID_JAG_PROFILE);
    let bearer = lists(&d.md.grant_types_supported, JWT_BEARER);
    let exchange = lists(&d.md.grant_types_supported, TOKEN_EXCHANGE);
    let mut found = Vec::new();
    if profile {
        found.push("the ID-JAG grant profile");
    }
    if bearer {
        found.push("the JWT bearer grant");
    }
    if exchange {
        found.push("the token exchange grant");
    }
    if found.is_empty() {
        return Outcome::info(
            "not advertised: no ID-JAG grant profile, JWT bearer or token exchange grant",
        );
    }
    let mut use_it = Vec::new();
    match (profile, bearer) {
        (true, true) => use_it.push("`mcp-auth login --grant token-exchange` (an ID-JAG from your enterprise IdP) or `--grant jwt-bearer` (an assertion you hold) can log in here"),
        (true, false) => use_it.push("but the JWT bearer grant that presents the ID-JAG is not in `grant_types_supported`"),
        (false, true) => use_it.push("`mcp-auth login --grant jwt-bearer` can present an assertion this server trusts; enterprise-managed authorization itself (the ID-JAG profile) is not advertised"),
        (false, false) => {}
    }
    if exchange {
        use_it.push("as an enterprise IdP it may issue ID-JAGs by token exchange: pass it as `--idp-issuer` to `mcp-auth login --grant token-exchange`");
    }
    Outcome::info(format!(
        "{} advertised: {}",
        join_list(&found),
        use_it.join("; ")
    ))
}

pub const EXT_CLIENT_CREDENTIALS: CheckDef = CheckDef {
    id: "EXT-CLIENT-CREDENTIALS",
    at: concat!(file!(), ":", line!()),
    level: Level::May,
    title: "The client credentials grant is advertised",
    spec: "MCP ext-auth oauth-client-credentials (draft); OAuth 2.1 draft-13 §4.2; id invented here (not in spec-checklist §2)",
    hint: "For machine-to-machine MCP clients, list \"client_credentials\" in `grant_types_supported` (with private_key_jwt, which the extension recommends).",
    doc: "Reads `grant_types_supported` of the metadata in use for client_credentials, the grant \
          of the MCP OAuth client credentials extension (a draft), used by clients that act for \
          themselves with no user. It is INFO either way: when listed, the detail names how \
          `mcp-auth login --grant client-credentials` can authenticate, with --private-key when \
          private_key_jwt is listed (the extension recommends JWT assertions) and with \
          --client-secret-file when a secret method is; otherwise it says the grant is not \
          advertised. It never warns, as the extension is optional, and is skipped without a \
          document. This id is this tool's, not the checklist's. Sources: MCP ext-auth \
          oauth-client-credentials; OAuth 2.1 draft-13 §4.2.",
    grade: Grade::Server(|a| with_doc(a, client_credentials)),
};

fn client_credentials(d: &Doc) -> Outcome {
    if !lists(&d.md.grant_types_supported, "client_credentials") {
        return Outcome::info(
            "not advertised: \"client_credentials\" is not in `grant_types_supported`",
        );
    }
    let methods = &d.md.token_endpoint_auth_methods_supported;
    let mut how = Vec::new();
    if lists(methods, "private_key_jwt") {
        how.push("--private-key (private_key_jwt)");
    }
    if lists(methods, "client_secret_basic") || lists(methods, "client_secret_post") {
        how.push("--client-secret-file (a client secret)");
    }
    let with = if how.is_empty() {
        "with a pre-registered client".to_owned()
    } else {
        format!("with --client-id and {}", join_list(&how))
    };
    Outcome::info(format!(
        "\"client_credentials\" listed: `mcp-auth login --grant client-credentials` can log in {with}"
    ))
}

pub const EXT_DPOP: CheckDef = CheckDef {
    id: "EXT-DPOP",
    at: concat!(file!(), ":", line!()),
    level: Level::May,
    title: "DPoP-bound tokens are advertised",
    spec: "MCP SEP-1932 DPoP extension (draft); RFC 9449 §5.1; id invented here (not in spec-checklist §2)",
    hint: "To offer sender-constrained tokens, implement DPoP (RFC 9449) and publish `dpop_signing_alg_values_supported` (including ES256).",
    doc: "Reads `dpop_signing_alg_values_supported` of the metadata in use (RFC 9449 §5.1), the \
          signal of the MCP DPoP extension (SEP-1932, a draft). It is INFO either way: when \
          published, the detail lists the algorithms and says whether `mcp-auth login --dpop \
          auto` binds tokens to a key here (mcp-auth signs proofs with ES256, so only when ES256 \
          is listed); otherwise it says DPoP is not advertised. It never warns, as the extension \
          is optional, and is skipped without a document. This id is this tool's, not the \
          checklist's. Sources: MCP SEP-1932; RFC 9449 §5.1.",
    grade: Grade::Server(|a| with_doc(a, dpop)),
};

fn dpop(d: &Doc) -> Outcome {
    match &d.md.dpop_signing_alg_values_supported {
        None => Outcome::info("not advertised: no `dpop_signing_alg_values_supported`"),
        Some(algs) if algs.iter().any(|a| a == "ES256") => Outcome::info(format!(
            "DPoP with {}: `mcp-auth login --dpop auto` binds the tokens to an ES256 key",
            algs.join(", ")
        )),
        Some(algs) => Outcome::info(format!(
            "DPoP with {}, without ES256 (the algorithm mcp-auth signs proofs with): `mcp-auth login --dpop auto` logs in with Bearer tokens",
            algs.join(", ")
        )),
    }
}

#[cfg(test)]
mod tests;

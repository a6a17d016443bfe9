//! Metadata members that say what the server will grant: `offline_access`
//! (how OpenID Connect providers hand out refresh tokens) and the resources
//! it is configured for (`protected_resources`).

use super::with_doc;
use crate::metadata::lists;
use crate::{AsAnalysis, CheckDef, Doc, Grade, Level, Outcome};

pub const AS_OFFLINE_ACCESS: CheckDef = CheckDef {
    id: "AS-OFFLINE-ACCESS",
    at: concat!(file!(), ":", line!()),
    level: Level::May,
    title: "offline_access is in scopes_supported",
    spec: "MCP 2026-07-28 §Refresh Tokens (SEP-2207); OIDC Core §11",
    hint: "If refresh tokens are issued only for the offline_access scope, list \"offline_access\" in the authorization server's `scopes_supported` (not in the protected resource metadata): clients add it only when they see it there.",
    doc: "Passes when the metadata in use lists offline_access in `scopes_supported`, and is INFO \
          otherwise (the member absent, or present without it); skipped without a document. MCP \
          2026-07-28 says clients MAY add offline_access to the authorization request when the \
          authorization server's metadata lists it: the Python SDK then appends it for a client \
          registered for refresh_token, and the TypeScript SDK adds prompt=consent when it asks \
          for it. A server that issues refresh tokens only for offline_access (OpenID Connect \
          providers usually do, OIDC Core §11) but does not list it gets clients that never ask, \
          so users sign in again whenever the access token expires. Whether a refresh token was \
          actually issued shows only in a login. Sources: MCP 2026-07-28 §Refresh Tokens \
          (SEP-2207); OIDC Core §11.",
    grade: Grade::Server(|a| with_doc(a, offline_access)),
};

fn offline_access(d: &Doc) -> Outcome {
    if lists(&d.md.scopes_supported, "offline_access") {
        return Outcome::pass("\"offline_access\" listed: clients registered for refresh_token may request it (the Python SDK does)");
    }
    let consequence = "if this server issues refresh tokens only for offline_access, clients never ask for it and users sign in again whenever the access token expires";
    match &d.md.scopes_supported {
        None => Outcome::info(format!(
            "`scopes_supported` is absent, so clients cannot see offline_access: {consequence}"
        )),
        Some(_) if lists(&d.md.scopes_supported, "openid") => Outcome::info(format!(
            "not listed although the server speaks OpenID Connect (which issues refresh tokens for offline_access): {consequence}"
        )),
        Some(_) => Outcome::info(format!("not listed: {consequence}")),
    }
}

pub const AS_PROTECTED_RESOURCES: CheckDef = CheckDef {
    id: "AS-PROTECTED-RESOURCES",
    at: concat!(file!(), ":", line!()),
    level: Level::Should,
    title: "protected_resources lists the MCP server's resource",
    spec: "RFC 9728 §4, §7.6 (protected_resources, OPTIONAL, should be cross-checked)",
    hint: "Add the MCP server's `resource` (exactly as its protected resource metadata gives it) to `protected_resources`, and configure the authorization server to issue tokens for it.",
    doc: "When the metadata in use publishes `protected_resources` (RFC 9728 §4, OPTIONAL), \
          cross-checks it against the `resource` of the protected resource metadata that lists \
          this server: it passes when the resource is listed exactly and warns when it is not \
          (the detail notes a difference of only a trailing slash). Without an MCP server to \
          compare (an issuer checked on its own, or a PRM without `resource`) a published list is \
          INFO; an absent member, or no document, skips. A server whose list leaves the resource \
          out is not configured for it: expect the token request with `resource` to fail with \
          invalid_target (RFC 8707), or tokens for another audience. Source: RFC 9728 §4, §7.6.",
    grade: Grade::Server(|a| with_doc(a, |d| protected_resources(a, d))),
};

fn protected_resources(a: &AsAnalysis<'_>, d: &Doc) -> Outcome {
    let Some(listed) = &d.md.protected_resources else {
        return Outcome::skip(
            "`protected_resources` is not published (OPTIONAL): nothing to cross-check",
        );
    };
    let shown = listed.join(", ");
    let Some(resource) = a.prm_resource.as_deref() else {
        return Outcome::info(format!(
            "lists {shown}; no protected resource metadata names a resource to compare"
        ));
    };
    if listed.iter().any(|r| r == resource) {
        return Outcome::pass(format!("lists the MCP server's resource {resource}"));
    }
    let trimmed = resource.trim_end_matches('/');
    let near = listed.iter().find(|r| r.trim_end_matches('/') == trimmed);
    let note = near.map_or(String::new(), |r| {
        format!(
            " ({r} differs only by a trailing slash; resource identifiers are compared exactly)"
        )
    });
    Outcome::warn(format!(
        "does not list the MCP server's resource {resource} (lists: {shown}){note}: the server is not configured for it, expect invalid_target"
    ))
}

//! Metadata members that decide whether the authorization request works
//! for an MCP client: the response mode the code comes back with, and an
//! audience the authorization endpoint pins.

use super::with_doc;
use crate::{CheckDef, Grade, Level, Outcome};

pub const AS_RESPONSE_MODES: CheckDef = CheckDef {
    id: "AS-RESPONSE-MODES",
    at: concat!(file!(), ":", line!()),
    level: Level::Should,
    title: "response_modes_supported contains query",
    spec: "OAuth 2.1 draft-13 §4.1.2; RFC 8414 §2 (response_modes_supported)",
    hint: "List \"query\" in `response_modes_supported`, or omit the member (its default includes query): MCP clients receive the code in the redirect's query string.",
    doc: "When the metadata in use publishes `response_modes_supported`, checks that it lists \
          query and warns when it does not (an empty list included); an absent member passes, as \
          RFC 8414's default is query and fragment, and the check is skipped without a document. \
          Every MCP client sends the authorization request for response type code without a \
          response_mode, so the code comes back in the query of its loopback redirect (OAuth 2.1 \
          §4.1.2); a server that advertises only other modes (Vercel lists only \
          web_message.opener) may not deliver it there, and the client rows say so. Sources: \
          OAuth 2.1 draft-13 §4.1.2; RFC 8414 §2 (response_modes_supported).",
    grade: Grade::Server(|a| {
        with_doc(a, |d| match (&d.md.response_modes_supported, crate::clients::query_mode_missing(d)) {
            (None, _) => Outcome::pass("absent: RFC 8414's default (query, fragment) includes query"),
            (_, Some(why)) => Outcome::warn(why),
            (Some(modes), None) => Outcome::pass(modes.join(", ")),
        })
    }),
};

pub const AS_AUTHZ_AUDIENCE_PINNED: CheckDef = CheckDef {
    id: "AS-AUTHZ-AUDIENCE-PINNED",
    at: concat!(file!(), ":", line!()),
    level: Level::Should,
    title: "authorization_endpoint pins no other audience",
    spec: "RFC 8707 §2 (resource → audience); MCP 2025-06-18+ §Token Audience Binding and Validation; not in spec-checklist §2 (found on real documents, issue 14)",
    hint: "Remove the `audience=` query parameter from `authorization_endpoint` (or set it to the MCP server's `resource`): tokens must be issued for the resource clients name.",
    doc: "For an authorization server listed by the MCP server's protected resource metadata, \
          reads the query of the metadata's `authorization_endpoint` and warns when it pins an \
          audience= parameter other than the metadata's `resource`; no audience parameter, or the \
          resource itself, passes. Skipped for an issuer checked directly (no resource is known), \
          without a document or without a parseable `authorization_endpoint`. Clients copy that \
          query into every authorization request, so tokens are issued for the pinned audience \
          rather than the RFC 8707 resource they send, and MCP servers that validate the token \
          audience, as MCP requires, reject them. Not a row of the spec-checklist: found on real \
          documents. Sources: RFC 8707 §2; MCP 2025-06-18+ §Token Audience Binding and \
          Validation.",
    grade: Grade::Server(|a| {
        let Some(resource) = a.prm_resource.as_deref() else {
            return Outcome::skip("no protected resource metadata `resource` to compare with");
        };
        with_doc(a, |d| {
            let Some(url) = d.md.authorization_endpoint.as_deref().and_then(|u| url::Url::parse(u).ok()) else {
                return Outcome::skip("no parseable `authorization_endpoint`");
            };
            let pinned: Vec<String> = url
                .query_pairs()
                .filter(|(k, _)| k == "audience")
                .map(|(_, v)| v.into_owned())
                .filter(|v| !crate::clients::same_resource(v, resource))
                .collect();
            if pinned.is_empty() {
                Outcome::pass("no other audience pinned")
            } else {
                Outcome::warn(format!(
                    "`authorization_endpoint` pins audience '{}', not the resource '{resource}': tokens come out for that audience and MCP servers that validate the audience reject them",
                    pinned.join("', '")
                ))
            }
        })
    }),
};

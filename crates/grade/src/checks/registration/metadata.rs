//! What the metadata says about registration, without a probe: the
//! registration endpoint's transport (DCR-HTTPS) and whether Client ID
//! Metadata Document clients can authenticate at the token endpoint
//! (CIMD-AUTH-METHODS, checklist §2.6).

use crate::util::{transport, Transport};
use crate::{AsAnalysis, CheckDef, Doc, Grade, Level, Outcome};

/// Run `f` on the document in use, or skip.
fn with_doc(a: &AsAnalysis<'_>, f: impl FnOnce(&Doc) -> Outcome) -> Outcome {
    a.doc()
        .map_or_else(|| Outcome::skip("no metadata document"), f)
}

pub const DCR_HTTPS: CheckDef = CheckDef {
    id: "DCR-HTTPS",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "registration_endpoint uses https",
    spec: "MCP 2025-06-18+ §Communication Security; OAuth 2.1 draft-13 §1.5 (as SEC-HTTPS-AS)",
    hint: "Serve `registration_endpoint` over https; plain http is acceptable only on loopback during development.",
    doc: "Reads `registration_endpoint` of the metadata in use and grades it as SEC-HTTPS-AS \
          grades every endpoint, with the same classification: https passes, plain http on a \
          loopback host warns as development-only, and plain http elsewhere fails; skipped \
          without a document, without the member, or when it is not a URL (that is \
          AS-REGISTRATION-ENDPOINT's finding). Registration sends the client's metadata, and \
          MCP requires every authorization server endpoint to be served over https; SEC-HTTPS-AS \
          reports the same URL among all the others, this check names the registration endpoint \
          alone, as the checklist does. Sources: MCP 2025-06-18+ §Communication Security; OAuth \
          2.1 draft-13 §1.5.",
    grade: Grade::Server(|a| {
        with_doc(a, |d| match d.md.registration_endpoint.as_deref() {
            None => Outcome::skip("no `registration_endpoint`"),
            Some(u) => match transport(u) {
                Transport::Https => Outcome::pass(u.to_owned()),
                Transport::LoopbackHttp => {
                    Outcome::warn(format!("plain http on loopback (development only): {u}"))
                }
                Transport::Insecure => Outcome::fail(format!("not https: {u}")),
                Transport::NotAUrl => {
                    Outcome::skip(format!("'{u}' is not a URL (see AS-REGISTRATION-ENDPOINT)"))
                }
            },
        })
    }),
};

pub const CIMD_AUTH_METHODS: CheckDef = CheckDef {
    id: "CIMD-AUTH-METHODS",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "CIMD clients can authenticate at the token endpoint",
    spec: "CIMD draft §Credential and Key Material Restrictions; MCP 2025-11-25 §Client ID Metadata Documents",
    hint: "Since Client ID Metadata Documents are advertised, list \"none\" (public clients) or \"private_key_jwt\" in `token_endpoint_auth_methods_supported`: CIMD clients must not use shared secrets.",
    doc: "When the metadata in use advertises Client ID Metadata Documents \
          (`client_id_metadata_document_supported: true`), checks that \
          `token_endpoint_auth_methods_supported` lists none or private_key_jwt: it passes when \
          one is listed, fails when the list has only other methods, and warns when the member is \
          absent (RFC 8414's default is client_secret_basic only, but the TypeScript SDK tries \
          none anyway); skipped when CIMD is not advertised or there is no document. The CIMD \
          draft says its clients MUST NOT use client_secret_post, client_secret_basic or \
          client_secret_jwt, and MCP lets them use private_key_jwt, so with neither method a CIMD \
          client cannot redeem its code. This check owns that rule: AS-TOKEN-AUTH-NONE grades \
          public clients (none) only, and DCR-AUTH-METHOD the method a registration returned. \
          Sources: CIMD draft §Credential and Key Material Restrictions; MCP 2025-11-25 §Client \
          ID Metadata Documents.",
    grade: Grade::Server(|a| with_doc(a, cimd_auth_methods)),
};

fn cimd_auth_methods(d: &Doc) -> Outcome {
    if d.md.client_id_metadata_document_supported != Some(true) {
        return Outcome::skip("Client ID Metadata Documents are not advertised");
    }
    match &d.md.token_endpoint_auth_methods_supported {
        Some(m) => {
            let usable: Vec<&str> = m
                .iter()
                .map(String::as_str)
                .filter(|x| matches!(*x, "none" | "private_key_jwt"))
                .collect();
            if usable.is_empty() {
                Outcome::fail(format!(
                    "CIMD is advertised but neither \"none\" nor \"private_key_jwt\" is listed ({}): CIMD clients must not use shared secrets, so they cannot authenticate",
                    m.join(", ")
                ))
            } else {
                Outcome::pass(format!("CIMD clients can use {}", usable.join(", ")))
            }
        }
        None => Outcome::warn("CIMD is advertised but `token_endpoint_auth_methods_supported` is absent: RFC 8414's default (client_secret_basic) is a shared secret CIMD clients must not use (the TypeScript SDK tries \"none\" anyway)"),
    }
}

//! `check --probe-hosts`: would the authorization server show a known MCP
//! host (Claude, ChatGPT, …) a login page? Each host's one authorization
//! request carries its Client ID Metadata Document URL as `client_id` and
//! its https callback; the answer is classified as the other AUTHZ-* probes'.

use super::{answer, Answer};
use crate::evidence::Exchange;
use crate::metadata::ErrorResponse;
use crate::{body_doc, CheckDef, Grade, Level, Outcome};

/// Error codes an error page may name (RFC 6749 §4.1.2.1, RFC 7591 §3.2.2,
/// RFC 8707 §2), longest first so `invalid_client_metadata` wins over
/// `invalid_client`.
const PAGE_ERRORS: [&str; 11] = [
    "unsupported_response_type",
    "temporarily_unavailable",
    "invalid_client_metadata",
    "invalid_redirect_uri",
    "unauthorized_client",
    "invalid_request",
    "invalid_client",
    "invalid_target",
    "invalid_scope",
    "access_denied",
    "server_error",
];

/// The error an error page names: its JSON `error`, else the first known
/// code its text mentions.
pub(super) fn page_error(ex: &Exchange) -> Option<String> {
    if let Some(e) = body_doc::<ErrorResponse>(ex).and_then(|d| d.md.error) {
        return Some(e);
    }
    let body = &ex.response.as_ref()?.body;
    PAGE_ERRORS
        .iter()
        .filter_map(|code| body.find(code).map(|at| (at, *code)))
        .min_by_key(|(at, _)| *at)
        .map(|(_, code)| code.to_owned())
}

/// One host's request: what it sent and what came back.
fn grade_host(host: &str, ex: &Exchange, cimd_advertised: bool) -> Outcome {
    let sent = url::Url::parse(&ex.request.url)
        .ok()
        .and_then(|u| super::param(&u, "client_id"))
        .map(|c| format!("{host} (client_id {c})"))
        .unwrap_or_else(|| host.to_owned());
    let unadvertised = if cimd_advertised {
        ""
    } else {
        "; client_id_metadata_document_supported is not advertised, so the host may register dynamically instead"
    };
    match answer(ex) {
        a @ (Answer::Login(_) | Answer::CodeRedirect) => {
            Outcome::pass(format!("{sent}: {}", a.describe()))
        }
        Answer::ErrorPage(status) => {
            let error = page_error(ex)
                .map(|e| format!(" (error={e})"))
                .unwrap_or_default();
            Outcome::fail(format!(
                "{sent}: refused with a {status} error page{error}: {host} would show the \
                 authorization server's error page instead of a login, and connecting fails{unadvertised}"
            ))
        }
        Answer::ErrorRedirect { error, .. } => Outcome::fail(format!(
            "{sent}: redirected back with error={error}: {host} would report that \
             connecting failed ({error}) without showing a login{unadvertised}"
        )),
        a @ Answer::Elsewhere(_) => Outcome::info(format!(
            "{sent}: {}: whether {host} gets a login page there cannot be told",
            a.describe()
        )),
        a @ Answer::None(_) => Outcome::skip(format!("{sent}: {}", a.describe())),
    }
}

pub const AUTHZ_HOST_ACCEPTED: CheckDef = CheckDef {
    id: "AUTHZ-HOST-ACCEPTED",
    at: concat!(file!(), ":", line!()),
    level: Level::Should,
    title: "Known MCP hosts get a login page",
    spec: "MCP 2025-11-25 §Client ID Metadata Documents; draft-ietf-oauth-client-id-metadata-document",
    hint: "Accept Client ID Metadata Document client ids: advertise client_id_metadata_document_supported: true, fetch the document at the https client_id, and allow the https callbacks it lists (e.g. https://claude.ai/api/mcp/auth_callback) as redirect URIs.",
    doc: "With --probe-hosts, sends one authorization request per known MCP host that registers \
          with a Client ID Metadata Document (Claude, ChatGPT, …), as that host sends it: its \
          document's https URL as client_id, its https callback as redirect_uri, S256 PKCE and, \
          for an MCP server, the resource; the answer is read without following it, and \
          mcp-auth never fetches the document itself. One finding per host: a login or consent \
          page, or a redirect to the callback without an error, passes; an error page or an \
          error redirect (invalid_client, an unregistered redirect URI, …) warns and names the \
          error, since the host shows that error instead of a login; a redirect elsewhere \
          informs. Skipped when not probed. MCP 2025-11-25 says authorization servers SHOULD \
          support Client ID Metadata Documents, which is how hosts without a pre-registered \
          client id connect. Sources: MCP 2025-11-25 §Client ID Metadata Documents; \
          draft-ietf-oauth-client-id-metadata-document.",
    grade: Grade::Hosts(|a| {
        let hosts: Vec<_> = a.discovery.host_probes().collect();
        if hosts.is_empty() {
            return vec![(None, Outcome::skip("not probed: run with --probe-hosts"))];
        }
        let cimd = a
            .doc()
            .and_then(|d| d.md.client_id_metadata_document_supported)
            == Some(true);
        hosts
            .into_iter()
            .map(|(host, ex)| (Some(host.to_owned()), grade_host(host, ex, cimd)))
            .collect()
    }),
};

//! DISC-PROTOCOL-HEADER: whether the authorization server metadata is
//! served to a GET carrying `MCP-Protocol-Version`, as the SDK clients send
//! it, read against the same GET without the header.

use crate::evidence::{Exchange, ProbeKind};
use crate::metadata::AsMetadata;
use crate::{classify, AsAnalysis, CheckDef, Grade, Level, Outcome};

pub const DISC_PROTOCOL_HEADER: CheckDef = CheckDef {
    id: "DISC-PROTOCOL-HEADER",
    at: concat!(file!(), ":", line!()),
    level: Level::Should,
    title: "Metadata is served to requests with MCP-Protocol-Version",
    spec: "MCP 2025-03-26 §Server Metadata Discovery Headers; both SDKs send the header",
    hint: "Serve the metadata whatever request headers come with the GET: do not reject `MCP-Protocol-Version` (and allow it in CORS preflights).",
    doc: "Every discovery GET carries MCP-Protocol-Version, as the TypeScript and Python SDK \
          clients send it. It passes when a spec candidate served the document to such a GET; \
          when one answered 400 or 403 instead, the check sends that GET once more without the \
          header (alongside the endpoint probes, so no extra round) and warns when the answer \
          differs (the header causes the refusal), passing when the error is the same either way. \
          It is skipped when there is nothing to compare (no document and no 400 or 403, a file, \
          or no answer to the second GET). A server that refuses the header gives SDK clients an \
          error status where the metadata should be, and browsers, which preflight the header, a \
          CORS failure (see CORS-AS-PREFLIGHT). Sources: MCP 2025-03-26 §Server Metadata \
          Discovery Headers; the TypeScript and Python SDK clients.",
    grade: Grade::Server(disc_protocol_header),
};

/// The `MCP-Protocol-Version` a recorded request carried.
fn sent_version(ex: &Exchange) -> Option<&str> {
    ex.request
        .headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("mcp-protocol-version"))
        .map(|h| h.value.as_str())
}

/// The spec candidate's exchange for `url`.
fn candidate<'a>(a: &'a AsAnalysis<'_>, url: &str) -> Option<&'a Exchange> {
    a.discovery
        .attempts
        .iter()
        .filter(|t| t.kind.is_spec_candidate() && t.url == url)
        .find_map(|t| t.exchange.as_ref())
}

fn disc_protocol_header(a: &AsAnalysis<'_>) -> Outcome {
    let Some(without) = a.probe(ProbeKind::AsMetadataWithoutVersion) else {
        return without_comparison(a);
    };
    let url = without.request.url.as_str();
    let Some(with) = candidate(a, url) else {
        return Outcome::skip(format!("{url} was not a discovery candidate"));
    };
    let Some(version) = sent_version(with) else {
        return Outcome::skip(format!(
            "the GET of {url} did not carry MCP-Protocol-Version"
        ));
    };
    let before = classify::<AsMetadata>(url, with);
    let after = classify::<AsMetadata>(url, without);
    if before.doc.is_some() {
        return Outcome::pass(format!(
            "{url} serves the metadata to a GET with MCP-Protocol-Version: {version}"
        ));
    }
    let (Some(status), Some(other)) = (before.status, after.status) else {
        return Outcome::skip(format!(
            "{url}: {} with the header; without it: {}",
            before.outcome.summary(),
            after.outcome.summary()
        ));
    };
    if status == other {
        return Outcome::pass(format!(
            "{url} answers {status} with or without MCP-Protocol-Version: not the header's doing"
        ));
    }
    let mut detail = format!(
        "{url} answers {status} to a GET with MCP-Protocol-Version: {version} and {} without it: the header causes the refusal, and SDK clients always send it",
        after.outcome.summary()
    );
    if let Some(sel) = a.selected_attempt() {
        detail.push_str(&format!(
            " (clients that move on after a 4xx find the metadata at {})",
            sel.url
        ));
    }
    Outcome::warn(detail)
}

/// Without the comparison GET (no candidate answered 400 or 403, or the
/// evidence is older than it): the document served to a GET with the header.
fn without_comparison(a: &AsAnalysis<'_>) -> Outcome {
    let served = a
        .selected_attempt()
        .and_then(|sel| candidate(a, &sel.url).map(|ex| (sel, ex)));
    match served.and_then(|(sel, ex)| sent_version(ex).map(|v| (sel, v))) {
        Some((sel, v)) => Outcome::pass(format!(
            "{} serves the metadata to a GET with MCP-Protocol-Version: {v}",
            sel.url
        )),
        None => Outcome::skip(
            "no metadata GET with MCP-Protocol-Version to compare with one without it",
        ),
    }
}

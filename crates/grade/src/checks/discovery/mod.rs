//! Transport security and authorization-server discovery (checklist §2.1–2.2).

mod protocol_header;
mod tls;
pub use protocol_header::DISC_PROTOCOL_HEADER;
pub use tls::SEC_TLS_VALID;

use crate::evidence::CandidateKind;
use crate::util::{join_list, transport, Transport};
use crate::{AsAnalysis, CheckDef, Grade, Level, Outcome};

pub const SEC_HTTPS_AS: CheckDef = CheckDef {
    id: "SEC-HTTPS-AS",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "Issuer and endpoints use https",
    spec: "MCP 2025-06-18+ §Communication Security; OAuth 2.1 draft-13 §1.5; RFC 8414 §2",
    hint: "Serve the issuer and every endpoint over https; plain http is acceptable only on loopback during development.",
    doc: "Collects the `issuer` and every endpoint URL of the metadata in use (authorization, \
          token, registration, JWKS, userinfo, revocation, introspection, device authorization, \
          pushed authorization request, end session), or only the expected issuer when no \
          document was found, and fails if any is plain http on a host that is not loopback; http \
          on a loopback host warns as development-only. MCP requires every authorization server \
          endpoint to be served over https: the TypeScript SDK v2 refuses a non-TLS, non-loopback \
          token endpoint (InsecureTokenEndpointError), the SDK server helpers refuse an http \
          issuer by default, and `mcp-auth login` refuses a server that fails this check. \
          Sources: MCP 2025-06-18+ §Communication Security; OAuth 2.1 draft-13 §1.5; RFC 8414 §2.",
    grade: Grade::Server(sec_https_as),
};

fn sec_https_as(a: &AsAnalysis<'_>) -> Outcome {
    let mut urls: Vec<(&str, &str)> = Vec::new();
    if let Some(doc) = a.doc() {
        if let Some(issuer) = doc.md.issuer.as_deref() {
            urls.push(("issuer", issuer));
        }
        urls.extend(doc.md.endpoint_urls());
    } else if let Some(issuer) = a.expected_issuer() {
        urls.push(("issuer", issuer));
    }
    if urls.is_empty() {
        return Outcome::skip("no issuer or endpoint URLs to inspect");
    }
    let mut insecure = Vec::new();
    let mut loopback = Vec::new();
    for (name, value) in &urls {
        match transport(value) {
            Transport::Https | Transport::NotAUrl => {}
            Transport::LoopbackHttp => loopback.push((*name, *value)),
            Transport::Insecure => insecure.push((*name, *value)),
        }
    }
    if !insecure.is_empty() {
        Outcome::fail(format!("not https: {}", describe(&insecure)))
    } else if !loopback.is_empty() {
        Outcome::warn(format!(
            "plain http on loopback (development only): {}",
            describe(&loopback)
        ))
    } else {
        Outcome::pass(format!("{} URLs, all https", urls.len()))
    }
}

/// `a and b (http://host)` when every URL shares one origin, else each with its URL.
fn describe(urls: &[(&str, &str)]) -> String {
    let origins: std::collections::BTreeSet<String> = urls
        .iter()
        .filter_map(|(_, v)| url::Url::parse(v).ok())
        .map(|u| u.origin().ascii_serialization())
        .collect();
    let names: Vec<&str> = urls.iter().map(|(n, _)| *n).collect();
    if origins.len() == 1 && urls.len() > 1 {
        format!(
            "{} (all on {})",
            join_list(&names),
            origins.first().expect("one origin")
        )
    } else {
        join_list(
            &urls
                .iter()
                .map(|(n, v)| format!("{n} ({v})"))
                .collect::<Vec<_>>(),
        )
    }
}

pub const DISC_AS_FOUND: CheckDef = CheckDef {
    id: "DISC-AS-FOUND",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "Authorization server metadata is found",
    spec: "MCP 2025-11-25 §Authorization Server Metadata Discovery; RFC 8414 §3; OIDC Discovery §4",
    hint: "Serve the metadata as a JSON object with status 200 at /.well-known/oauth-authorization-server{path} (RFC 8414) or /.well-known/openid-configuration.",
    doc: "Passes when one of the spec discovery candidates answered 200 with a JSON object: for \
          an issuer with a path, RFC 8414 with path insertion, then OpenID Connect with path \
          insertion, then with path appending; for one without a path, RFC 8414 and then \
          /.well-known/openid-configuration (or the metadata URL or file you gave). Otherwise it \
          fails, listing what each candidate answered, and notes when metadata exists only at the \
          appended /.well-known/oauth-authorization-server form, which is not RFC 8414 and which \
          no MCP client tries (Keycloak before 26.4 serves only that). Without a document no \
          client can start the flow, except through the 2025-03-26 fallback to default endpoints. \
          Sources: MCP 2025-11-25 §Authorization Server Metadata Discovery; RFC 8414 §3; OIDC \
          Discovery §4.",
    grade: Grade::Server(disc_as_found),
};

fn disc_as_found(a: &AsAnalysis<'_>) -> Outcome {
    if let Some(sel) = a.selected_attempt() {
        return Outcome::pass(format!("{} ({})", sel.url, sel.kind.label()));
    }
    let tried: Vec<String> = a
        .spec_attempts()
        .map(|(_, t)| format!("{} → {}", t.url, t.outcome.summary()))
        .collect();
    let mut detail = format!(
        "no candidate served a metadata document: {}",
        tried.join("; ")
    );
    if let Some(appended) = a
        .attempts
        .iter()
        .find(|t| t.kind == CandidateKind::OauthAppend && t.doc.is_some())
    {
        detail.push_str(&format!(
            ". Metadata exists at {} (suffix appended, not RFC 8414: no MCP client looks there; \
             Keycloak before 26.4 serves only this form)",
            appended.url
        ));
    }
    Outcome::fail(detail)
}

pub const DISC_AS_RFC8414: CheckDef = CheckDef {
    id: "DISC-AS-RFC8414",
    at: concat!(file!(), ":", line!()),
    level: Level::Should,
    title: "RFC 8414 path-inserted URL is served",
    spec: "RFC 8414 §3; MCP 2025-06-18 §Overview (MUST there); 2025-11-25+ one of two options",
    hint: "Also publish the metadata at /.well-known/oauth-authorization-server{issuer path}: MCP 2025-06-18 clients and the Python SDK's legacy mode look only there.",
    doc: "When discovery starts from an issuer, checks that the RFC 8414 path-inserted URL \
          (/.well-known/oauth-authorization-server followed by the issuer's path) serves the \
          metadata itself, and warns when it does not, whether or not an OpenID Connect location \
          does; skipped when starting from a metadata URL or a file. MCP 2025-06-18 required RFC \
          8414 metadata and its clients look only at this URL, as does the Python SDK's legacy \
          mode, while 2025-11-25 and later accept either RFC 8414 or OpenID Connect discovery. \
          Sources: RFC 8414 §3; MCP 2025-06-18 §Overview; MCP 2025-11-25 §Authorization Server \
          Metadata Discovery.",
    grade: Grade::Server(disc_as_rfc8414),
};

fn disc_as_rfc8414(a: &AsAnalysis<'_>) -> Outcome {
    if !a.from_issuer() {
        return Outcome::skip("only observable when starting from an issuer");
    }
    let Some(oauth) = a.attempts.iter().find(|t| t.kind == CandidateKind::Oauth) else {
        return Outcome::skip("the RFC 8414 URL was not tried");
    };
    if oauth.doc.is_some() {
        Outcome::pass(oauth.url.clone())
    } else if a.doc().is_some() {
        Outcome::warn(format!(
            "{} → {}; only OpenID Connect discovery is served, so MCP 2025-06-18 clients find nothing",
            oauth.url,
            oauth.outcome.summary()
        ))
    } else {
        Outcome::warn(format!("{} → {}", oauth.url, oauth.outcome.summary()))
    }
}

pub const DISC_AS_ERROR_STATUS: CheckDef = CheckDef {
    id: "DISC-AS-ERROR-STATUS",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "Earlier candidates answer 4xx",
    spec: "MCP 2025-11-25 §Authorization Server Metadata Discovery (try in order); TS/Python SDK discovery",
    hint: "Answer 404 at every well-known URL you do not serve; a 5xx, a redirect or an HTML page there stops the TypeScript and Python SDKs before they reach your metadata.",
    doc: "When discovery starts from an issuer and a candidate served metadata, checks that every \
          spec candidate before it answered 4xx (404 is best): a 5xx, a redirect (never \
          followed), a 200 that is not a JSON object, any other status or a transport error \
          fails, naming the URLs. Skipped when starting from a metadata URL or a file, or when no \
          candidate served metadata. The TypeScript SDK moves on only after a 4xx (v2 also after \
          a 502) and throws on anything else; the Python SDK also skips a 200 it cannot validate, \
          but stops at a 3xx or 5xx and falls back to default /authorize and /token endpoints on \
          the MCP origin, so neither reaches your metadata. Sources: MCP 2025-11-25 \
          §Authorization Server Metadata Discovery (try in order); the TypeScript and Python \
          SDKs' discovery code.",
    grade: Grade::Server(disc_as_error_status),
};

fn disc_as_error_status(a: &AsAnalysis<'_>) -> Outcome {
    if !a.from_issuer() {
        return Outcome::skip("only observable when starting from an issuer");
    }
    let Some(selected) = a.selected else {
        return Outcome::skip("no candidate served metadata");
    };
    let breaking: Vec<String> = a
        .spec_attempts()
        .take_while(|(i, _)| *i < selected)
        .filter(|(_, t)| !t.outcome.is_4xx())
        .map(|(_, t)| format!("{} → {}", t.url, t.outcome.summary()))
        .collect();
    if breaking.is_empty() {
        let before = a.spec_attempts().filter(|(i, _)| *i < selected).count();
        if before == 0 {
            Outcome::pass("the first candidate serves the metadata")
        } else {
            Outcome::pass(format!("{before} earlier candidate(s) answer 4xx"))
        }
    } else {
        Outcome::fail(format!(
            "clients stop before the served URL: {}",
            breaking.join("; ")
        ))
    }
}

pub const DISC_AS_CONTENT_TYPE: CheckDef = CheckDef {
    id: "DISC-AS-CONTENT-TYPE",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "Metadata is served as application/json",
    spec: "RFC 8414 §3.2; OIDC Discovery §4",
    hint: "Send Content-Type: application/json with the metadata document.",
    doc: "Checks the media type of the metadata response in use: application/json (with any \
          parameters, such as charset) passes, any other type or no Content-Type warns. Skipped \
          without a document, or when it was read from a file. RFC 8414 and OpenID Connect \
          Discovery require application/json; the SDKs parse the body anyway, but the MCP \
          conformance suite fails the server. Sources: RFC 8414 §3.2; OIDC Discovery §4.",
    grade: Grade::Server(disc_as_content_type),
};

fn disc_as_content_type(a: &AsAnalysis<'_>) -> Outcome {
    let Some(sel) = a.selected_attempt() else {
        return Outcome::skip("no metadata document");
    };
    if sel.kind == CandidateKind::File {
        return Outcome::skip("read from a file: no HTTP headers");
    }
    let media = sel.content_type.as_deref().map(crate::evidence::media_type);
    match media.as_deref() {
        Some("application/json") => Outcome::pass(sel.content_type.clone().unwrap_or_default()),
        Some(other) => Outcome::warn(format!(
            "Content-Type is {other}; the SDKs parse it anyway, the MCP conformance suite does not"
        )),
        None => Outcome::warn("no Content-Type header"),
    }
}

pub const DISC_AS_ISSUER_MATCH: CheckDef = CheckDef {
    id: "DISC-AS-ISSUER-MATCH",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "issuer is identical to the issuer used for discovery",
    spec: "RFC 8414 §3.3; OIDC Discovery §4.3; MCP 2026-07-28 authorization-server-discovery",
    hint: "Make `issuer` in the metadata byte-for-byte the identifier clients start from (scheme, host, port, path and trailing slash included).",
    doc: "Compares the `issuer` of the metadata in use with the issuer discovery started from \
          (the protected resource metadata's entry, or the issuer you gave) as exact strings: any \
          difference fails, a trailing / alone included (the detail says so, and which way the \
          TypeScript SDK v2 takes it), and so does a document without an `issuer` string; skipped \
          without a document or when the expected issuer is unknown (give --issuer). When the \
          expected issuer is a protected resource metadata entry and the document is the one its \
          own issuer leads to (always so for a trailing / alone), the fix named is that entry, as \
          in DISC-AS-ISSUER-EQ-PRM. RFC 8414 and MCP 2026-07-28 say clients MUST NOT use \
          metadata whose issuer differs: the TypeScript SDK v2 throws IssuerMismatchError (it \
          forgives only a document that lacks the trailing / of the expected issuer), the Python \
          SDK v2 raises OAuthFlowError, and `mcp-auth login` refuses the server. Sources: RFC \
          8414 §3.3; OIDC Discovery §4.3; MCP 2026-07-28 authorization-server-discovery.",
    grade: Grade::Server(disc_as_issuer_match),
};

fn disc_as_issuer_match(a: &AsAnalysis<'_>) -> Outcome {
    let Some(doc) = a.doc() else {
        return Outcome::skip("no metadata document");
    };
    let Some(expected) = a.expected_issuer() else {
        return Outcome::skip("the expected issuer is unknown (give --issuer)");
    };
    let Some(actual) = doc.md.issuer.as_deref() else {
        return Outcome::fail("the document has no `issuer` string");
    };
    if actual == expected {
        return Outcome::pass(actual.to_owned());
    }
    let outcome = if actual.trim_end_matches('/') == expected.trim_end_matches('/') {
        // The same rule the TypeScript SDK's client row applies.
        let ts = if crate::clients::ts_issuer_accepted(actual, expected) {
            "the TypeScript SDK v2 accepts this one (its one tolerance: an expected issuer ending in '/' \
             matches a document without it); the Python SDK v2 raises OAuthFlowError and RFC 8414 clients reject it"
        } else {
            "the TypeScript SDK v2 throws IssuerMismatchError (it tolerates only the opposite: an expected \
             issuer ending in '/' that the document lacks) and the Python SDK v2 raises OAuthFlowError"
        };
        Outcome::fail(format!(
            "document says '{actual}', expected '{expected}': they differ only by a trailing '/': {ts}"
        ))
    } else {
        Outcome::fail(format!(
            "document says '{actual}', expected '{expected}'; clients MUST NOT use this metadata"
        ))
    };
    if prm_entry_differs(a, actual) {
        outcome.with_hint(format!(
            "Fix the protected resource metadata, not the authorization server: its `authorization_servers` \
             entry '{expected}' must be '{actual}', the issuer the server publishes where that entry leads \
             (see DISC-AS-ISSUER-EQ-PRM)."
        ))
    } else {
        outcome
    }
}

/// Whether the expected issuer came from a PRM entry and the document is
/// the one its own issuer leads to: then the server is consistent and the
/// PRM's entry is what differs (a trailing `/` always qualifies, as both
/// spellings lead to the same well-known URLs).
fn prm_entry_differs(a: &AsAnalysis<'_>, actual: &str) -> bool {
    let (Some(sel), Ok(issuer)) = (a.selected_attempt(), url::Url::parse(actual)) else {
        return false;
    };
    a.role() == crate::evidence::AsRole::Listed
        && crate::evidence::wellknown::as_candidates(&issuer)
            .iter()
            .any(|(kind, url)| kind.is_spec_candidate() && *url == sel.url)
}

pub const DISC_AS_ISSUER_EQ_PRM: CheckDef = CheckDef {
    id: "DISC-AS-ISSUER-EQ-PRM",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "PRM authorization_servers entry equals the document's issuer",
    spec: "RFC 9728 §2 (issuer identifiers per RFC 8414); RFC 8414 §3.3; MCP 2026-07-28 authorization-server-discovery",
    hint: "Copy the authorization server's `issuer` into the protected resource metadata's `authorization_servers` byte for byte (trailing slash included).",
    doc: "For an authorization server reached through the protected resource metadata, compares \
          its `authorization_servers` entry with the `issuer` of the metadata found for it, byte \
          for byte: a difference fails (the detail says when only a trailing / differs), and so \
          does a document without `issuer`. Skipped for an issuer checked directly, for the \
          legacy server at the MCP origin, and without a document. The entry is the issuer \
          clients expect, so a mismatch makes clients that validate the issuer (MCP 2026-07-28, \
          the SDKs' v2 lines) reject the metadata, as in DISC-AS-ISSUER-MATCH; a trailing slash \
          is the most common real-world cause. Sources: RFC 9728 §2; RFC 8414 §3.3; MCP \
          2026-07-28 authorization-server-discovery.",
    grade: Grade::Server(disc_as_issuer_eq_prm),
};

fn disc_as_issuer_eq_prm(a: &AsAnalysis<'_>) -> Outcome {
    if a.role() != crate::evidence::AsRole::Listed {
        return Outcome::skip("not reached through protected resource metadata");
    }
    let Some(doc) = a.doc() else {
        return Outcome::skip("no metadata document");
    };
    let listed = a.expected_issuer().unwrap_or_default();
    match doc.md.issuer.as_deref() {
        Some(actual) if actual == listed => Outcome::pass(format!("'{listed}'")),
        Some(actual) if actual.trim_end_matches('/') == listed.trim_end_matches('/') => {
            Outcome::fail(format!(
                "the PRM lists '{listed}', the document says '{actual}': only a trailing '/' differs, \
                 the most common real-world mismatch"
            ))
        }
        Some(actual) => Outcome::fail(format!(
            "the PRM lists '{listed}', the document says '{actual}'"
        )),
        None => Outcome::fail("the document has no `issuer`"),
    }
}

pub const DISC_AS_ISSUER_FORMAT: CheckDef = CheckDef {
    id: "DISC-AS-ISSUER-FORMAT",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "issuer is an https URL without query or fragment",
    spec: "RFC 8414 §2 (issuer)",
    hint: "Use an https URL with no query and no fragment as the issuer identifier.",
    doc: "Checks the `issuer` of the metadata in use: it fails when the member is missing, is not \
          a URL, has a query or a fragment, or is plain http on a host that is not loopback, and \
          warns for http on a loopback host (development only); skipped without a document. RFC \
          8414 requires an https URL without query or fragment, and clients compare issuers as \
          exact strings during discovery and when validating the RFC 9207 `iss` of authorization \
          responses, which other forms make unreliable. Source: RFC 8414 §2 (issuer).",
    grade: Grade::Server(disc_as_issuer_format),
};

fn disc_as_issuer_format(a: &AsAnalysis<'_>) -> Outcome {
    let Some(doc) = a.doc() else {
        return Outcome::skip("no metadata document");
    };
    let Some(issuer) = doc.md.issuer.as_deref() else {
        return Outcome::fail("`issuer` is missing (REQUIRED)");
    };
    let url = match url::Url::parse(issuer) {
        Ok(u) => u,
        Err(e) => return Outcome::fail(format!("'{issuer}' is not a URL ({e})")),
    };
    let mut problems = Vec::new();
    if url.query().is_some() {
        problems.push("has a query");
    }
    if url.fragment().is_some() {
        problems.push("has a fragment");
    }
    match transport(issuer) {
        Transport::Insecure => problems.push("is not https"),
        Transport::NotAUrl => problems.push("is not a URL"),
        _ => {}
    }
    if !problems.is_empty() {
        return Outcome::fail(format!("'{issuer}' {}", join_list(&problems)));
    }
    if transport(issuer) == Transport::LoopbackHttp {
        Outcome::warn(format!("'{issuer}' is http on loopback (development only)"))
    } else {
        Outcome::pass(issuer.to_owned())
    }
}

pub const DISC_AS_CONSISTENT: CheckDef = CheckDef {
    id: "DISC-AS-CONSISTENT",
    at: concat!(file!(), ":", line!()),
    level: Level::Should,
    title: "All served locations agree",
    spec: "RFC 8414 §5 (publish at both locations)",
    hint: "Serve the same issuer and endpoints at every well-known location, so every client gets the same answer.",
    doc: "When several spec candidates serve metadata, compares each with the first on `issuer`, \
          `authorization_endpoint`, `token_endpoint`, `registration_endpoint`, `jwks_uri` and \
          `code_challenge_methods_supported`, and warns on any difference; skipped when fewer \
          than two locations serve a document. Different clients stop at different URLs (an MCP \
          2025-06-18 client reads only the RFC 8414 one, Logto's mcp-auth with type oidc only the \
          appended OpenID Connect one), so different documents give them different endpoints. \
          Source: RFC 8414 §5 (publish the metadata at both locations during a transition).",
    grade: Grade::Server(disc_as_consistent),
};

const COMPARED: [&str; 6] = [
    "issuer",
    "authorization_endpoint",
    "token_endpoint",
    "registration_endpoint",
    "jwks_uri",
    "code_challenge_methods_supported",
];

fn disc_as_consistent(a: &AsAnalysis<'_>) -> Outcome {
    let served: Vec<_> = a
        .spec_attempts()
        .filter_map(|(_, t)| t.doc.as_ref().map(|d| (t, d)))
        .collect();
    let Some(((first, first_doc), rest)) = served.split_first() else {
        return Outcome::skip("no metadata document");
    };
    if rest.is_empty() {
        return Outcome::skip("only one location serves metadata; nothing to compare");
    }
    let mut differences = Vec::new();
    for (other, doc) in rest {
        for member in COMPARED {
            if first_doc.raw.get(member) != doc.raw.get(member) {
                differences.push(format!("`{member}` differs at {}", other.url));
            }
        }
    }
    if differences.is_empty() {
        Outcome::pass(format!("{} locations agree", served.len()))
    } else {
        Outcome::warn(format!(
            "compared with {}: {}",
            first.url,
            join_list(&differences)
        ))
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_protocol_header;
#[cfg(test)]
mod tests_tls;

//! Transport security and authorization-server discovery (checklist §2.1–2.2).

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
        Outcome::pass(actual.to_owned())
    } else if actual.trim_end_matches('/') == expected.trim_end_matches('/') {
        Outcome::fail(format!(
            "document says '{actual}', expected '{expected}': they differ only by a trailing '/' \
             (the TypeScript SDK v2 forgives a missing one in the document, the Python SDK and RFC 8414 do not)"
        ))
    } else {
        Outcome::fail(format!(
            "document says '{actual}', expected '{expected}'; clients MUST NOT use this metadata"
        ))
    }
}

pub const DISC_AS_ISSUER_EQ_PRM: CheckDef = CheckDef {
    id: "DISC-AS-ISSUER-EQ-PRM",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "PRM authorization_servers entry equals the document's issuer",
    spec: "RFC 9728 §2 (issuer identifiers per RFC 8414); RFC 8414 §3.3; MCP 2026-07-28 authorization-server-discovery",
    hint: "Copy the authorization server's `issuer` into the protected resource metadata's `authorization_servers` byte for byte (trailing slash included).",
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

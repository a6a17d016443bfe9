//! Protected resource metadata (checklist §2.4): where the MCP server serves
//! it and what it says.

use url::Url;

use crate::evidence::PrmSource;
use crate::metadata::empty_arrays;
use crate::util::{absolute_url, join_list, transport, Transport};
use crate::{AsAnalysis, CheckDef, Grade, Level, Outcome, ResourceAnalysis};

fn with_prm(
    r: &ResourceAnalysis<'_>,
    f: impl FnOnce(&crate::Doc<crate::metadata::ResourceMetadata>) -> Outcome,
) -> Outcome {
    match r.prm_doc() {
        Some((_, doc)) => f(doc),
        None => Outcome::skip("no protected resource metadata"),
    }
}

pub const PRM_DISCOVERABLE: CheckDef = CheckDef {
    id: "PRM-DISCOVERABLE",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "Protected resource metadata is discoverable",
    spec: "MCP 2025-06-18 §Authorization Server Location; 2025-11-25 §Protected Resource Metadata Discovery Requirements; RFC 9728",
    hint: "Serve RFC 9728 metadata and point to it from the 401 (`resource_metadata`) and/or /.well-known/oauth-protected-resource{path}.",
    doc: "Passes when the protected resource metadata a spec client would use is found: the \
          resource_metadata URL of the 401 when the challenge names one, otherwise the first \
          well-known URL (path-inserted, then root) that serves it. It fails when the header URL \
          serves nothing even though a well-known URL does (spec clients and the TypeScript SDK \
          stop at the header URL; only the Python SDK falls back), and when nothing is found at \
          all: the TypeScript SDK then drops to the 2025-03-26 legacy mode (authorization server \
          at the MCP origin), and the Python SDK fails with an authorization server that serves \
          only OpenID Connect discovery. Sources: MCP 2025-06-18 §Authorization Server Location; \
          2025-11-25 §Protected Resource Metadata Discovery Requirements; RFC 9728.",
    grade: Grade::Resource(|r| {
        if let Some(p) = r.spec_prm() {
            return Outcome::pass(format!("{} ({})", p.url, p.source.label()));
        }
        let fallback = r.prm.iter().find(|p| p.source != PrmSource::Header && p.doc.is_some());
        match (r.header_prm_url(), fallback) {
            (Some(h), Some(p)) => Outcome::fail(format!(
                "the header URL {h} fails but {} serves it: spec and TypeScript SDK clients stop, only the Python SDK falls back",
                p.url
            )),
            (Some(h), None) => Outcome::fail(format!("the header URL {h} and the well-known URLs serve nothing")),
            (None, _) => Outcome::fail(
                "no resource_metadata and nothing at the well-known URLs: clients fall back to the 2025-03-26 legacy chain (authorization server at the MCP origin)",
            ),
        }
    }),
};

pub const PRM_HTTP: CheckDef = CheckDef {
    id: "PRM-HTTP",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "Metadata is a JSON object served with 200 application/json",
    spec: "RFC 9728 §3.2",
    hint: "Serve the protected resource metadata with 200, Content-Type: application/json, and a JSON object body.",
    doc: "Grades the metadata response a client reads: the resource_metadata URL's when the \
          challenge names one, otherwise the first location that answered 200 (skipped when none \
          did). It fails when that response is not a 200 with a JSON object body, and warns when \
          the body is fine but the Content-Type is not application/json. The Python SDK treats a \
          body it cannot validate as not found and tries the next URL; the TypeScript SDK \
          swallows the parse error and silently falls back to legacy mode, with the MCP origin as \
          authorization server. Source: RFC 9728 §3.2.",
    grade: Grade::Resource(|r| {
        let target = if r.header_prm_url().is_some() {
            r.prm_at(PrmSource::Header)
        } else {
            r.prm.iter().find(|p| p.status == Some(200))
        };
        let Some(p) = target else {
            return Outcome::skip("no metadata location answered 200");
        };
        if p.doc.is_none() {
            return Outcome::fail(format!("{} → {}", p.url, p.outcome.summary()));
        }
        match p.content_type.as_deref().map(crate::evidence::media_type).as_deref() {
            Some("application/json") => Outcome::pass(format!("{} → 200 application/json", p.url)),
            other => Outcome::warn(format!(
                "{} is served as {}",
                p.url,
                other.unwrap_or("(no Content-Type)")
            )),
        }
    }),
};

pub const PRM_LOCATION: CheckDef = CheckDef {
    id: "PRM-LOCATION",
    at: concat!(file!(), ":", line!()),
    level: Level::May,
    title: "Where the metadata is served",
    spec: "MCP 2025-11-25 §Protected Resource Metadata Discovery Requirements (order); RFC 9728 §3",
    hint: "Serve the metadata at the path-inserted well-known URL and point to it from the 401: every client generation finds it then.",
    doc: "Reports which locations serve the metadata: the resource_metadata URL of the 401, the \
          path-inserted well-known URL (/.well-known/oauth-protected-resource followed by the MCP \
          path) and the root well-known URL. It is INFO when the 401 names no metadata URL, the \
          MCP URL has a path and the path-inserted URL serves nothing: only clients that go on to \
          the root URL (2025-11-25 and later, and both SDKs) find it, while 2025-06-18 clients \
          needed the header. Otherwise it passes; skipped when no location serves metadata. \
          Sources: MCP 2025-11-25 §Protected Resource Metadata Discovery Requirements (order); \
          RFC 9728 §3.",
    grade: Grade::Resource(|r| {
        let served: Vec<&str> = r
            .prm
            .iter()
            .filter(|p| p.doc.is_some())
            .map(|p| p.source.label())
            .collect();
        let not: Vec<&str> = r
            .prm
            .iter()
            .filter(|p| p.doc.is_none())
            .map(|p| p.source.label())
            .collect();
        if served.is_empty() {
            return Outcome::skip("no location serves metadata");
        }
        let detail = format!(
            "served: {}{}",
            join_list(&served),
            if not.is_empty() { String::new() } else { format!("; not served: {}", join_list(&not)) }
        );
        let path_served = r.prm_at(PrmSource::PathInserted).is_some_and(|p| p.doc.is_some());
        let has_path = Url::parse(r.url()).is_ok_and(|u| !u.path().trim_end_matches('/').is_empty());
        if r.header_prm_url().is_none() && has_path && !path_served {
            Outcome::info(format!("{detail}; only clients of 2025-11-25+ that try the root find it"))
        } else {
            Outcome::pass(detail)
        }
    }),
};

pub const PRM_RESOURCE_PRESENT: CheckDef = CheckDef {
    id: "PRM-RESOURCE-PRESENT",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "resource is present",
    spec: "RFC 9728 §2 (REQUIRED)",
    hint: "Include `resource`: the MCP server's canonical URL.",
    doc: "Checks that the protected resource metadata (the document a spec client uses, else the \
          first one found anywhere) has a `resource` string: a missing member or one that is not \
          a string fails, and the check is skipped when no metadata was found. `resource` is \
          REQUIRED, and both SDKs' schemas reject a document without it: the TypeScript SDK then \
          drops to legacy mode, the Python SDK tries the next URL. Source: RFC 9728 §2.",
    grade: Grade::Resource(|r| {
        with_prm(r, |d| match &d.md.resource {
            Some(res) => Outcome::pass(res.clone()),
            None if d.raw.contains_key("resource") => Outcome::fail("`resource` is not a string"),
            None => Outcome::fail("`resource` is missing: both SDKs reject the document"),
        })
    }),
};

pub const PRM_RESOURCE_MATCH: CheckDef = CheckDef {
    id: "PRM-RESOURCE-MATCH",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "resource is identical to the MCP server URL",
    spec: "RFC 9728 §3.3, §7.3",
    hint: "Set `resource` to exactly the URL clients connect to (same scheme, host, port and path, same trailing slash).",
    doc: "Compares the metadata's `resource` with the MCP server URL as given: identical strings \
          pass, and so does a bare origin written with and without its trailing / (an origin's \
          path is /, so it is the same URL whichever was typed). Otherwise it applies both SDKs' rules, the TypeScript SDK's (same origin, the \
          requested path starts with the resource path, and a longer resource path such as /mcp/ \
          for /mcp is refused) and the Python SDK's (same origin, path prefix, trailing slashes \
          ignored): if both accept it, it warns, because strict RFC 9728 clients still reject it; \
          if only one or neither does, or `resource` is not a URL, it fails. RFC 9728 says \
          metadata whose `resource` is not identical MUST NOT be used: the TypeScript SDK throws \
          that the protected resource does not match, the Python SDK raises OAuthFlowError, and \
          the MCP conformance suite tests it (auth/resource-mismatch). Sources: RFC 9728 §3.3, \
          §7.3.",
    grade: Grade::Resource(|r| {
        with_prm(r, |d| {
            let Some(resource) = d.md.resource.as_deref() else {
                return Outcome::skip("no `resource`");
            };
            let mcp = r.url();
            if resource == mcp {
                return Outcome::pass(resource.to_owned());
            }
            if crate::clients::same_resource(resource, mcp) {
                return Outcome::pass(format!(
                    "'{resource}' (the same URL as '{mcp}': an origin's path is '/')"
                ));
            }
            let (Ok(req), Ok(conf)) = (Url::parse(mcp), Url::parse(resource)) else {
                return Outcome::fail(format!("'{resource}' is not a URL"));
            };
            let ts = crate::clients::ts_resource_allowed(&req, &conf);
            let py = crate::clients::python_resource_allowed(&req, &conf);
            match (ts, py) {
                (true, true) => Outcome::warn(format!(
                    "'{resource}' is not identical to '{mcp}': only the SDKs' lenient prefix rule accepts it; strict RFC 9728 clients reject it"
                )),
                (false, true) => Outcome::fail(format!(
                    "'{resource}' vs '{mcp}': the Python SDK accepts it (trailing slash ignored), the TypeScript SDK and RFC 9728 reject it"
                )),
                (true, false) => Outcome::fail(format!(
                    "'{resource}' vs '{mcp}': only the TypeScript SDK's prefix rule accepts it"
                )),
                (false, false) => Outcome::fail(format!(
                    "'{resource}' does not match '{mcp}': every client rejects this metadata"
                )),
            }
        })
    }),
};

pub const PRM_RESOURCE_FORMAT: CheckDef = CheckDef {
    id: "PRM-RESOURCE-FORMAT",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "resource is a canonical https URI",
    spec: "RFC 8707 §2; MCP 2025-06-18+ §Canonical Server URI",
    hint: "Use an absolute https URI without fragment or query, lower-case scheme and host, and no trailing slash unless it is significant.",
    doc: "Checks the form of the metadata's `resource`: it fails when it is not an absolute \
          http(s) URL or has a fragment, and warns when it has a query, ends with / (the bare origin too), \
          has an upper-case scheme or host, or is plain http on a host that is not loopback. The \
          value is sent as the RFC 8707 resource parameter and becomes the token audience, so \
          drift in slashes or case breaks audience checks, and MCP's canonical server URI SHOULD \
          be written without the trailing slash. Skipped without a `resource`. Sources: RFC 8707 \
          §2; MCP 2025-06-18+ §Canonical Server URI.",
    grade: Grade::Resource(|r| {
        with_prm(r, |d| {
            let Some(resource) = d.md.resource.as_deref() else {
                return Outcome::skip("no `resource`");
            };
            let url = match absolute_url(resource) {
                Ok(u) => u,
                Err(e) => return Outcome::fail(e),
            };
            if url.fragment().is_some() {
                return Outcome::fail(format!("'{resource}' has a fragment (RFC 8707: MUST NOT)"));
            }
            let mut notes = Vec::new();
            if url.query().is_some() {
                notes.push("has a query (SHOULD NOT)");
            }
            // Checked on the string: a URL parser turns the bare origin into "/".
            if resource.ends_with('/') {
                notes.push("ends with '/' (the canonical form has none)");
            }
            let scheme_host = resource.split('/').take(3).collect::<Vec<_>>().join("/");
            if scheme_host != scheme_host.to_ascii_lowercase() {
                notes.push("scheme or host is not lower-case");
            }
            if transport(resource) == Transport::Insecure {
                notes.push("is not https");
            }
            if notes.is_empty() {
                Outcome::pass(resource.to_owned())
            } else {
                Outcome::warn(format!("'{resource}' {}", join_list(&notes)))
            }
        })
    }),
};

pub const PRM_AS_PRESENT: CheckDef = CheckDef {
    id: "PRM-AS-PRESENT",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "authorization_servers lists at least one server",
    spec: "MCP 2025-06-18+ §Authorization Server Location",
    hint: "List your authorization server's issuer in `authorization_servers`.",
    doc: "Checks that the metadata's `authorization_servers` lists at least one server: an empty \
          list or a missing member fails. MCP 2025-06-18 and later require at least one entry, \
          although RFC 9728 makes the member optional. Without it the Python SDK rejects the \
          document, and the TypeScript SDK falls back to legacy mode with the MCP origin as \
          authorization server. Source: MCP 2025-06-18+ §Authorization Server Location.",
    grade: Grade::Resource(|r| {
        with_prm(r, |d| {
            match &d.md.authorization_servers {
            Some(list) if !list.is_empty() => Outcome::pass(list.join(", ")),
            Some(_) => Outcome::fail("`authorization_servers` is empty"),
            None => Outcome::fail(
                "`authorization_servers` is missing: the Python SDK rejects the document, the TypeScript SDK falls back to the MCP origin",
            ),
        }
        })
    }),
};

pub const PRM_AS_FIRST: CheckDef = CheckDef {
    id: "PRM-AS-FIRST",
    at: concat!(file!(), ":", line!()),
    level: Level::May,
    title: "Clients use the first authorization server",
    spec: "RFC 9728 §7.6; TypeScript and Python SDKs use authorization_servers[0]",
    hint: "Put the authorization server generic clients should use first; the SDKs never try the others.",
    doc: "Counts the entries of `authorization_servers`: one passes, several is INFO naming those \
          that will never be tried, none is skipped. RFC 9728 leaves the choice of server to the \
          client, but the TypeScript and Python SDKs both use authorization_servers[0] only, so \
          the server generic clients should use must come first. Sources: RFC 9728 §7.6; the \
          TypeScript SDK's discoverOAuthServerInfo and the Python SDK's oauth2.py.",
    grade: Grade::Resource(|r| {
        with_prm(r, |d| match d.md.authorization_servers.as_deref() {
            Some([one]) => Outcome::pass(format!("one server: {one}")),
            Some([first, rest @ ..]) => Outcome::info(format!(
                "{} servers; the SDKs use only the first ({first}) and never try {}",
                rest.len() + 1,
                join_list(rest)
            )),
            _ => Outcome::skip("no authorization servers listed"),
        })
    }),
};

pub const PRM_AS_ISSUER_FORMAT: CheckDef = CheckDef {
    id: "PRM-AS-ISSUER-FORMAT",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "authorization_servers entries are issuer identifiers",
    spec: "RFC 9728 §2 → RFC 8414 §2 (issuer)",
    hint: "Each entry must be an https issuer URL with no query or fragment, exactly as the server's metadata states it.",
    doc: "Checks each `authorization_servers` entry: it fails when an entry is not a URL, has a \
          query or a fragment, or is not https, and warns for plain http on a loopback host \
          (development only); skipped when the list is absent or empty. RFC 9728 defines the \
          entries as RFC 8414 issuer identifiers: clients build the metadata URLs from them and \
          then compare them byte for byte with the metadata's `issuer`, so a malformed entry \
          breaks discovery and issuer validation. Source: RFC 9728 §2 and RFC 8414 §2 (issuer).",
    grade: Grade::Resource(|r| {
        with_prm(r, |d| {
            let Some(list) = d.md.authorization_servers.as_ref().filter(|l| !l.is_empty()) else {
                return Outcome::skip("no authorization servers listed");
            };
            let mut bad = Vec::new();
            let mut loopback = Vec::new();
            for entry in list {
                match Url::parse(entry) {
                    Err(_) => bad.push(format!("'{entry}' is not a URL")),
                    Ok(u) if u.query().is_some() || u.fragment().is_some() => {
                        bad.push(format!("'{entry}' has a query or fragment"))
                    }
                    Ok(_) => match transport(entry) {
                        Transport::Insecure | Transport::NotAUrl => bad.push(format!("'{entry}' is not https")),
                        Transport::LoopbackHttp => loopback.push(entry.as_str()),
                        Transport::Https => {}
                    },
                }
            }
            if !bad.is_empty() {
                Outcome::fail(join_list(&bad))
            } else if !loopback.is_empty() {
                Outcome::warn(format!("plain http on loopback (development only): {}", join_list(&loopback)))
            } else {
                Outcome::pass(format!("{} well-formed", list.len()))
            }
        })
    }),
};

pub const PRM_SCOPES: CheckDef = CheckDef {
    id: "PRM-SCOPES",
    at: concat!(file!(), ":", line!()),
    level: Level::Should,
    title: "scopes_supported is published",
    spec: "RFC 9728 §2 (RECOMMENDED); MCP 2025-11-25 §Scope Selection Strategy",
    hint: "List the scopes clients need in `scopes_supported`; without it (and without a challenge scope) spec clients request none and the Python SDK takes the authorization server's list.",
    doc: "Passes when the metadata publishes a non-empty `scopes_supported`; absent or empty \
          warns, and the detail says what each client then requests. Under MCP 2025-11-25's scope \
          selection strategy, a client with no scope in the 401 challenge requests all of \
          `scopes_supported` and omits `scope` altogether when it is undefined, and the \
          authorization server's default scope may not cover the MCP server. The Python SDK v2 \
          falls back to the authorization server's `scopes_supported` when the member is absent \
          (not when it is []), and the TypeScript SDK to the scope its application configured. \
          Sources: RFC 9728 §2 (RECOMMENDED); MCP 2025-11-25 §Scope Selection Strategy; the \
          SDKs' scope selection (Python get_client_metadata_scopes, TypeScript auth).",
    grade: Grade::Resource(|r| {
        with_prm(r, |d| match &d.md.scopes_supported {
            Some(s) if !s.is_empty() => Outcome::pass(s.join(", ")),
            listed => Outcome::warn(scope_fallbacks(r, listed.is_some())),
        })
    }),
};

/// What each client requests without PRM scopes (the profiles' `[scope]`).
fn scope_fallbacks(r: &ResourceAnalysis<'_>, empty_list: bool) -> String {
    use crate::clients::{clients_falling_back_to, ScopeFallback};
    let by = |f| join_list(&clients_falling_back_to(f));
    let configured = format!(
        "the scope its application configured, else none, by {}",
        by(ScopeFallback::Configured)
    );
    let as_doc = r.first_listed_server().and_then(AsAnalysis::doc);
    let as_scopes = as_doc
        .and_then(|d| d.md.scopes_supported.as_ref())
        .filter(|s| !s.is_empty());
    let rest = match as_scopes {
        // Python reads `[]` as a list (an empty scope), so only absence falls back.
        Some(list) if !empty_list => format!(
            "absent: the authorization server's scopes_supported ({}) is requested by {}; no `scope` (the authorization server's default) by {}; {configured}",
            list.join(", "),
            by(ScopeFallback::AuthorizationServer),
            by(ScopeFallback::Omit)
        ),
        _ => format!(
            "{}: no `scope` (the authorization server's default) is requested by {}; {configured}",
            match (empty_list, as_doc) {
                (true, _) => "empty",
                (false, Some(_)) => "absent, and the authorization server lists no scopes either",
                (false, None) => "absent (the authorization server's metadata is unknown)",
            },
            join_list(
                &[
                    clients_falling_back_to(ScopeFallback::Omit),
                    clients_falling_back_to(ScopeFallback::AuthorizationServer)
                ]
                .concat()
            )
        ),
    };
    match r
        .challenges
        .bearer()
        .and_then(|b| b.param("scope"))
        .map(|p| p.value.as_str())
    {
        Some(c) if !c.is_empty() => {
            format!(
                "{rest} (the 401 challenge's scope '{c}' comes first for the clients that read it)"
            )
        }
        _ => rest,
    }
}

pub const PRM_NO_OFFLINE_ACCESS: CheckDef = CheckDef {
    id: "PRM-NO-OFFLINE-ACCESS",
    at: concat!(file!(), ":", line!()),
    level: Level::Should,
    title: "offline_access is not listed",
    spec: "MCP 2026-07-28 §Refresh Tokens",
    hint: "Remove offline_access from `scopes_supported`; clients add it themselves when the authorization server offers it.",
    doc: "Warns when offline_access is listed in the metadata's `scopes_supported`, and passes \
          otherwise. MCP 2026-07-28 says servers SHOULD NOT list it there or in the challenge's \
          scope: clients that request every listed scope then ask for it and cause unneeded \
          consent prompts, while the same section lets clients add offline_access themselves when \
          the authorization server's metadata lists it. Source: MCP 2026-07-28 §Refresh Tokens \
          (SEP-2207).",
    grade: Grade::Resource(|r| {
        with_prm(r, |d| {
            if crate::metadata::lists(&d.md.scopes_supported, "offline_access") {
                Outcome::warn("offline_access is listed (MCP 2026-07-28: SHOULD NOT)")
            } else {
                Outcome::pass("not listed")
            }
        })
    }),
};

pub const PRM_BEARER_METHODS: CheckDef = CheckDef {
    id: "PRM-BEARER-METHODS",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "Tokens can be sent in the Authorization header",
    spec: "MCP §Token Requirements; RFC 9728 §2 (bearer_methods_supported)",
    hint: "Omit `bearer_methods_supported` or list \"header\" (and not \"query\").",
    doc: "Reads `bearer_methods_supported`: absent passes (RFC 9728 §2 names no default; clients use the header), [] fails \
          (RFC 9728 reads it as no supported method), a list without header fails, and a list \
          that includes query warns. MCP clients MUST send the token in the Authorization header \
          and MUST NOT put it in the query string, so metadata that rules out the header leaves \
          them no usable way to present a token. Sources: MCP §Token Requirements; RFC 9728 §2.",
    grade: Grade::Resource(|r| {
        with_prm(r, |d| match &d.md.bearer_methods_supported {
            None => Outcome::pass("absent: RFC 9728 defines no default; clients send the token in the Authorization header"),
            Some(m) if m.is_empty() => Outcome::fail("[]: RFC 9728 reads this as \"no methods\""),
            Some(m) if !m.iter().any(|x| x == "header") => {
                Outcome::fail(format!("\"header\" is not listed ({})", m.join(", ")))
            }
            Some(m) if m.iter().any(|x| x == "query") => {
                Outcome::warn("\"query\" is listed: MCP forbids tokens in the query string")
            }
            Some(m) => Outcome::pass(m.join(", ")),
        })
    }),
};

pub const PRM_JWKS_HTTPS: CheckDef = CheckDef {
    id: "PRM-JWKS-HTTPS",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "PRM jwks_uri uses https",
    spec: "RFC 9728 §2",
    hint: "Serve `jwks_uri` over https.",
    doc: "When the protected resource metadata publishes `jwks_uri`, it must be https: plain http \
          on a loopback host warns as development-only, anything else that is not https fails, \
          and no `jwks_uri` passes. RFC 9728 requires the https scheme for this member, which \
          names the keys the resource server signs its responses with. Source: RFC 9728 §2.",
    grade: Grade::Resource(|r| {
        with_prm(r, |d| match d.md.jwks_uri.as_deref() {
            None => Outcome::pass("not published"),
            Some(j) => match transport(j) {
                Transport::Https => Outcome::pass(j.to_owned()),
                Transport::LoopbackHttp => {
                    Outcome::warn(format!("'{j}' is http on loopback (development only)"))
                }
                _ => Outcome::fail(format!("'{j}' is not https")),
            },
        })
    }),
};

pub const PRM_ZERO_VALUES: CheckDef = CheckDef {
    id: "PRM-ZERO-VALUES",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "No empty arrays",
    spec: "RFC 9728 §3.2",
    hint: "Omit members whose list is empty instead of publishing [].",
    doc: "Warns when any member of the protected resource metadata is an empty array, naming \
          them; otherwise it passes. RFC 9728 says members with zero elements MUST be omitted, \
          because an empty list is ambiguous: for `bearer_methods_supported`, [] means no method \
          at all rather than the default. Source: RFC 9728 §3.2.",
    grade: Grade::Resource(|r| {
        with_prm(r, |d| {
            let empty = empty_arrays(&d.raw);
            if empty.is_empty() {
                Outcome::pass("no empty arrays")
            } else {
                Outcome::warn(format!("empty: {}", join_list(&empty)))
            }
        })
    }),
};

pub const PRM_NAME: CheckDef = CheckDef {
    id: "PRM-NAME",
    at: concat!(file!(), ":", line!()),
    level: Level::Should,
    title: "resource_name is published",
    spec: "RFC 9728 §2 (RECOMMENDED)",
    hint: "Add `resource_name` so consent screens can name your server.",
    doc: "Is INFO when the protected resource metadata has no `resource_name` and passes when it \
          has one. RFC 9728 RECOMMENDS the member so that clients and authorization servers can \
          show a human-readable name, on consent screens for example; nothing breaks without it. \
          Source: RFC 9728 §2.",
    grade: Grade::Resource(|r| {
        with_prm(r, |d| match &d.md.resource_name {
            Some(n) => Outcome::pass(n.clone()),
            None => Outcome::info("absent: consent screens show no name"),
        })
    }),
};

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_real;

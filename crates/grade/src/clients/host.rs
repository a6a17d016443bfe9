//! The steps a profile takes after discovery that metadata can answer:
//! whether it can reach the servers at all (hosted connectors reach only
//! https on port 443), how it gets a client id (CIMD, DCR, or by hand) and
//! which scopes it asks for. A failed check of a later step stops it in
//! `flow.rs`, like every client.

use url::Url;

use super::metadata::doc_of;
use super::profile::{RegistrationBehaviour, RegistrationMethod, ScopeSource};
use super::{ClientPath, Profile};
use crate::{AsAnalysis, Doc};

/// The profile's steps after discovery, on a path that got through it.
pub(crate) fn after_discovery(
    p: &Profile,
    a: &AsAnalysis<'_>,
    mcp: Option<&str>,
    mut path: ClientPath,
) -> ClientPath {
    if !path.works {
        return path;
    }
    let Some(doc) = doc_of(a, &path) else {
        return path;
    };
    if let Some(why) = unreachable(p, mcp, doc) {
        path.stop("discovery", &why);
        return path;
    }
    if let Some(reg) = &p.def.registration {
        match registration(reg, doc) {
            Ok((method, how)) => {
                path.registers_with = Some(method);
                path.detail = format!("{}; {how}", path.detail);
            }
            Err(why) => {
                path.stop("registration", &why);
                return path;
            }
        }
    }
    if let Some(caveat) = scope_caveat(p, doc) {
        path.detail = format!("{}; {caveat}", path.detail);
    }
    path
}

/// Why a connector that reaches only https on port 443 cannot reach a
/// server it must call itself (the MCP server, the metadata, the token
/// endpoint; the authorization endpoint is the user's browser's).
fn unreachable(p: &Profile, mcp: Option<&str>, doc: &Doc) -> Option<String> {
    if !p.def.network.as_ref().is_some_and(|n| n.https_443_only) {
        return None;
    }
    let token = doc.md.token_endpoint.as_deref();
    let bad = [mcp, token].into_iter().flatten().find(|u| {
        Url::parse(u).map_or(true, |u| {
            u.scheme() != "https" || u.port_or_known_default() != Some(443)
        })
    })?;
    Some(format!(
        "its servers call only https on port 443, and {bad} is not (run the server behind https on 443)"
    ))
}

/// The server's `token_endpoint_auth_methods_supported`, as registration reads it.
struct AuthMethods<'a>(Option<&'a [String]>);

impl AuthMethods<'_> {
    fn lists(&self, m: &str) -> bool {
        match self.0 {
            Some(list) => list.iter().any(|x| x == m),
            // RFC 8414 §2: the default is client_secret_basic.
            None => m == "client_secret_basic",
        }
    }

    fn listing(&self) -> String {
        match self.0 {
            Some([]) => "none of them (an empty list)".to_owned(),
            Some(list) => list.join(", "),
            None => "nothing (so client_secret_basic only)".to_owned(),
        }
    }
}

/// CIMD on a server that advertises it: `Ok(None)` when the profile passes
/// it over (a member it requires is missing, said in `passed_over`).
fn cimd(
    reg: &RegistrationBehaviour,
    methods: &AuthMethods<'_>,
    passed_over: &mut Vec<String>,
) -> Result<Option<String>, String> {
    let url = reg.cimd_url.as_deref().unwrap_or("its document");
    if let Some(missing) = reg.cimd_requires.iter().find(|m| !methods.lists(m)) {
        passed_over.push(format!(
            "CIMD is advertised but token_endpoint_auth_methods_supported lacks \"{missing}\", which it requires before choosing CIMD"
        ));
        return Ok(None);
    }
    let how = format!("registers with its Client ID Metadata Document ({url})");
    if methods.lists(&reg.auth_method) {
        return Ok(Some(how));
    }
    match reg.fallback_auth_method.as_deref() {
        Some(fallback) if methods.lists(fallback) => Ok(Some(format!(
            "{how}, which declares {} with {fallback} as fallback: the server lists only {}, so it works only if the server honours the fallback (--probe-hosts shows it)",
            reg.auth_method,
            methods.listing()
        ))),
        _ => Err(format!(
            "fails at registration: its CIMD document ({url}) uses {}{} and the server lists {}",
            reg.auth_method,
            reg.fallback_auth_method
                .as_deref()
                .map_or(String::new(), |f| format!(" (or {f})")),
            methods.listing()
        )),
    }
}

/// How the profile gets a client id from this server, or why it cannot.
fn registration(
    reg: &RegistrationBehaviour,
    doc: &Doc,
) -> Result<(RegistrationMethod, String), String> {
    let md = &doc.md;
    let methods = AuthMethods(md.token_endpoint_auth_methods_supported.as_deref());
    let mut passed_over = Vec::new();
    let also = |passed_over: &[String]| {
        if passed_over.is_empty() {
            String::new()
        } else {
            format!(" ({})", passed_over.join(", "))
        }
    };
    for method in &reg.order {
        match method {
            RegistrationMethod::Cimd if md.client_id_metadata_document_supported == Some(true) => {
                if let Some(how) = cimd(reg, &methods, &mut passed_over)? {
                    return Ok((RegistrationMethod::Cimd, how));
                }
            }
            RegistrationMethod::Cimd => passed_over.push("no CIMD advertised".to_owned()),
            RegistrationMethod::Dcr => match &md.registration_endpoint {
                Some(endpoint) => {
                    let how = format!("registers dynamically at {endpoint}{}", also(&passed_over));
                    return Ok((RegistrationMethod::Dcr, how));
                }
                None => passed_over.push("no registration_endpoint".to_owned()),
            },
            RegistrationMethod::Preregistered => {
                let how = format!(
                    "{}: works only with a client id you register by hand and enter in it",
                    passed_over.join(", ")
                );
                return Ok((RegistrationMethod::Preregistered, how));
            }
        }
    }
    Err(format!(
        "fails at registration: {} (it cannot use a client registered by hand)",
        passed_over.join(", ")
    ))
}

/// What a profile that takes the authorization server's whole
/// `scopes_supported` ends up requesting.
fn scope_caveat(p: &Profile, doc: &Doc) -> Option<String> {
    let s = p.def.scope.as_ref()?;
    if s.from.first() != Some(&ScopeSource::AuthorizationServer) {
        return None;
    }
    let list = doc.md.scopes_supported.as_ref().filter(|l| !l.is_empty())?;
    Some(format!(
        "requests every scope the authorization server lists ({})",
        list.join(" ")
    ))
}

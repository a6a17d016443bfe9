//! Where metadata lives: the well-known URL rules (pure functions) and the
//! runner that fetches every candidate concurrently and records what it saw.
//!
//! Rules, newest MCP revision (2025-11-25, unchanged in 2026-07-28), for an
//! issuer with a path `/p`:
//! 1. RFC 8414 §3 path insertion: `/.well-known/oauth-authorization-server/p`
//! 2. OpenID Connect with path insertion: `/.well-known/openid-configuration/p`
//! 3. OpenID Connect Discovery §4 path appending: `/p/.well-known/openid-configuration`
//!
//! and without a path: 1 then 2 (which then equals 3). A terminating `/` of the
//! path is removed first (RFC 8414 §3.1, OIDC Discovery §4.1).

use url::Url;

use crate::{CandidateKind, PrmSource};

const OAUTH_SUFFIX: &str = "/.well-known/oauth-authorization-server";
const OIDC_SUFFIX: &str = "/.well-known/openid-configuration";
const PRM_SUFFIX: &str = "/.well-known/oauth-protected-resource";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum UrlError {
    #[error("'{input}' is not a valid URL: {reason}")]
    Invalid { input: String, reason: String },
    #[error("'{input}' is not an http(s) URL (scheme '{scheme}')")]
    Scheme { input: String, scheme: String },
}

/// Parse a URL the user gave, accepting only `http` and `https`.
pub fn parse_http_url(input: &str) -> Result<Url, UrlError> {
    let url = Url::parse(input).map_err(|e| UrlError::Invalid {
        input: input.to_owned(),
        reason: e.to_string(),
    })?;
    match url.scheme() {
        "http" | "https" if url.host().is_some() => Ok(url),
        "http" | "https" => Err(UrlError::Invalid {
            input: input.to_owned(),
            reason: "no host".to_owned(),
        }),
        other => Err(UrlError::Scheme {
            input: input.to_owned(),
            scheme: other.to_owned(),
        }),
    }
}

/// `scheme://host[:port]`, the part before the path.
fn origin(url: &Url) -> String {
    url.origin().ascii_serialization()
}

/// The issuer's path without a terminating `/` (empty for no path).
fn trimmed_path(url: &Url) -> &str {
    url.path().trim_end_matches('/')
}

/// The candidate metadata URLs for an issuer, in the order a spec client tries
/// them, followed by diagnostic URLs that no MCP client tries.
pub fn as_candidates(issuer: &Url) -> Vec<(CandidateKind, String)> {
    let origin = origin(issuer);
    let path = trimmed_path(issuer);
    if path.is_empty() {
        vec![
            (CandidateKind::Oauth, format!("{origin}{OAUTH_SUFFIX}")),
            (CandidateKind::Oidc, format!("{origin}{OIDC_SUFFIX}")),
        ]
    } else {
        vec![
            (
                CandidateKind::Oauth,
                format!("{origin}{OAUTH_SUFFIX}{path}"),
            ),
            (
                CandidateKind::OidcInsert,
                format!("{origin}{OIDC_SUFFIX}{path}"),
            ),
            (
                CandidateKind::OidcAppend,
                format!("{origin}{path}{OIDC_SUFFIX}"),
            ),
            (
                CandidateKind::OauthAppend,
                format!("{origin}{path}{OAUTH_SUFFIX}"),
            ),
        ]
    }
}

/// The well-known protected resource metadata URLs of an MCP endpoint, in the
/// order of MCP 2025-11-25 (RFC 9728 §3.1 path insertion, then the root).
/// The query is not carried over (the Python SDK drops it).
pub fn prm_candidates(mcp: &Url) -> Vec<(PrmSource, String)> {
    let origin = origin(mcp);
    let path = trimmed_path(mcp);
    let mut out = Vec::new();
    if !path.is_empty() {
        out.push((
            PrmSource::PathInserted,
            format!("{origin}{PRM_SUFFIX}{path}"),
        ));
    }
    out.push((PrmSource::Root, format!("{origin}{PRM_SUFFIX}")));
    out
}

/// The origin of a URL as an issuer string (MCP 2025-03-26's "authorization
/// base URL": the MCP URL with its path discarded).
pub fn legacy_issuer(mcp: &Url) -> String {
    origin(mcp)
}

/// Where a 2025-03-26 client looks for that server's metadata: RFC 8414 at the
/// origin (the first of its issuer candidates, so a prefetched answer is found
/// under the same URL).
pub fn legacy_metadata_url(mcp: &Url) -> String {
    format!("{}{OAUTH_SUFFIX}", origin(mcp))
}

/// Whether a URL looks like a metadata URL rather than an issuer.
pub fn is_well_known_url(url: &Url) -> bool {
    url.path().contains("/.well-known/")
}

/// The issuer a well-known URL was built from, when it follows one of the
/// rules (so the document's `issuer` can still be checked).
pub fn issuer_from_well_known(url: &Url) -> Option<String> {
    let origin = origin(url);
    let path = url.path();
    for suffix in [OAUTH_SUFFIX, OIDC_SUFFIX] {
        if let Some(rest) = path.strip_prefix(suffix) {
            if rest.is_empty() || rest.starts_with('/') {
                return Some(format!("{origin}{rest}"));
            }
        }
        if let Some(prefix) = path.strip_suffix(suffix) {
            return Some(format!("{origin}{prefix}"));
        }
    }
    None
}

/// The metadata URLs worth fetching alongside the first request to a URL whose
/// kind is not known yet, so that neither outcome costs a round of its own:
/// the spec candidates of its origin as an issuer (where the authorization
/// server of a 2025-03-26 MCP server, one without protected resource metadata,
/// lives, and often the listed one too), and with `as_issuer` those of the URL
/// itself (its discovery, should it turn out to be an issuer).
pub fn speculative_candidates(target: &Url, as_issuer: bool) -> Vec<String> {
    let mut urls: Vec<String> = Vec::new();
    let origin = Url::parse(&origin(target)).ok();
    let roots = origin.iter().chain(as_issuer.then_some(target));
    for (kind, url) in roots.flat_map(as_candidates) {
        if kind.is_spec_candidate() && !urls.contains(&url) {
            urls.push(url);
        }
    }
    urls
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(issuer: &str) -> Vec<String> {
        as_candidates(&Url::parse(issuer).unwrap())
            .into_iter()
            .filter(|(k, _)| k.is_spec_candidate())
            .map(|(_, u)| u)
            .collect()
    }

    #[test]
    fn issuer_without_path_gives_two_candidates() {
        assert_eq!(
            urls("https://auth.example.com"),
            [
                "https://auth.example.com/.well-known/oauth-authorization-server",
                "https://auth.example.com/.well-known/openid-configuration",
            ]
        );
        // A lone `/` is no path (spec-checklist §1.3 A).
        assert_eq!(
            urls("https://auth.example.com/"),
            urls("https://auth.example.com")
        );
    }

    #[test]
    fn issuer_with_path_gives_three_candidates_in_spec_order() {
        assert_eq!(
            urls("https://auth.example.com/tenant1"),
            [
                "https://auth.example.com/.well-known/oauth-authorization-server/tenant1",
                "https://auth.example.com/.well-known/openid-configuration/tenant1",
                "https://auth.example.com/tenant1/.well-known/openid-configuration",
            ]
        );
        // RFC 8414 §3.1 / OIDC §4.1: a terminating `/` is removed first.
        assert_eq!(
            urls("https://auth.example.com/tenant1/"),
            urls("https://auth.example.com/tenant1")
        );
    }

    #[test]
    fn keycloak_realm_and_port_are_kept() {
        assert_eq!(
            urls("http://localhost:8080/realms/mcp-realm"),
            [
                "http://localhost:8080/.well-known/oauth-authorization-server/realms/mcp-realm",
                "http://localhost:8080/.well-known/openid-configuration/realms/mcp-realm",
                "http://localhost:8080/realms/mcp-realm/.well-known/openid-configuration",
            ]
        );
    }

    #[test]
    fn diagnostic_append_candidate_only_with_path() {
        let all = as_candidates(&Url::parse("https://a.example/realms/x").unwrap());
        assert_eq!(
            all.last().unwrap(),
            &(
                CandidateKind::OauthAppend,
                "https://a.example/realms/x/.well-known/oauth-authorization-server".to_owned()
            )
        );
        let root = as_candidates(&Url::parse("https://a.example").unwrap());
        assert!(root.iter().all(|(k, _)| k.is_spec_candidate()));
    }

    #[test]
    fn issuer_is_inferred_from_each_well_known_form() {
        let cases = [
            (
                "https://a.example/.well-known/oauth-authorization-server/t1",
                "https://a.example/t1",
            ),
            (
                "https://a.example/.well-known/openid-configuration/t1",
                "https://a.example/t1",
            ),
            (
                "https://a.example/t1/.well-known/openid-configuration",
                "https://a.example/t1",
            ),
            (
                "https://a.example/.well-known/openid-configuration",
                "https://a.example",
            ),
            (
                "https://a.example/realms/x/.well-known/oauth-authorization-server",
                "https://a.example/realms/x",
            ),
        ];
        for (url, issuer) in cases {
            assert_eq!(
                issuer_from_well_known(&Url::parse(url).unwrap()).as_deref(),
                Some(issuer),
                "{url}"
            );
        }
        assert_eq!(
            issuer_from_well_known(&Url::parse("https://a.example/custom/metadata").unwrap()),
            None
        );
    }

    #[test]
    fn legacy_metadata_url_is_the_origins_first_candidate() {
        let mcp = Url::parse("https://mcp.example.com:8443/v1/mcp").unwrap();
        assert_eq!(
            legacy_metadata_url(&mcp),
            "https://mcp.example.com:8443/.well-known/oauth-authorization-server"
        );
        assert_eq!(
            speculative_candidates(&mcp, false)[0],
            legacy_metadata_url(&mcp)
        );
    }

    #[test]
    fn speculative_candidates_are_the_origin_then_the_url_itself() {
        let u = |s: &str| Url::parse(s).unwrap();
        assert_eq!(
            speculative_candidates(&u("https://a.example/mcp"), false),
            [
                "https://a.example/.well-known/oauth-authorization-server",
                "https://a.example/.well-known/openid-configuration",
            ]
        );
        assert_eq!(
            speculative_candidates(&u("https://a.example/realms/x"), true),
            [
                "https://a.example/.well-known/oauth-authorization-server",
                "https://a.example/.well-known/openid-configuration",
                "https://a.example/.well-known/oauth-authorization-server/realms/x",
                "https://a.example/.well-known/openid-configuration/realms/x",
                "https://a.example/realms/x/.well-known/openid-configuration",
            ],
            "spec candidates only: no diagnostic URL"
        );
        // Without a path the URL's candidates are the origin's: asked once.
        assert_eq!(
            speculative_candidates(&u("https://a.example/"), true).len(),
            2
        );
    }

    #[test]
    fn prm_candidates_follow_rfc9728() {
        let c = |u: &str| prm_candidates(&Url::parse(u).unwrap());
        assert_eq!(
            c("https://mcp.example.com/mcp"),
            [
                (
                    PrmSource::PathInserted,
                    "https://mcp.example.com/.well-known/oauth-protected-resource/mcp".to_owned()
                ),
                (
                    PrmSource::Root,
                    "https://mcp.example.com/.well-known/oauth-protected-resource".to_owned()
                ),
            ]
        );
        assert_eq!(c("https://mcp.example.com/"), c("https://mcp.example.com"));
        assert_eq!(c("https://mcp.example.com").len(), 1);
        assert_eq!(
            c("http://127.0.0.1:8080/a/mcp/?x=1")[0].1,
            "http://127.0.0.1:8080/.well-known/oauth-protected-resource/a/mcp"
        );
        assert_eq!(
            legacy_issuer(&Url::parse("https://mcp.example.com:8443/mcp").unwrap()),
            "https://mcp.example.com:8443"
        );
    }

    #[test]
    fn only_http_urls_are_accepted() {
        assert!(parse_http_url("https://a.example/x").is_ok());
        assert!(matches!(
            parse_http_url("ftp://a.example"),
            Err(UrlError::Scheme { .. })
        ));
        assert!(matches!(
            parse_http_url("not a url"),
            Err(UrlError::Invalid { .. })
        ));
        assert!(matches!(
            parse_http_url("http://"),
            Err(UrlError::Invalid { .. })
        ));
    }
}

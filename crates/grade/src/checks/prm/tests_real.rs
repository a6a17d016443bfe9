//! Tests of the PRM checks on real published documents
//! (`tests/fixtures/real-metadata/`).

use crate::evidence::Evidence;
use crate::test_support::*;
use crate::Status::*;

/// Stripe's MCP server: its real PRM (no `scopes_supported`) and its real
/// authorization server metadata (`scopes_supported: ["mcp"]`), checked at
/// the PRM's `resource`, with a challenge that names no scope.
fn stripe() -> Evidence {
    let mut ev = mcp_with_server(
        &real_metadata("stripe-mcp--prm.json"),
        "https://access.stripe.com/mcp",
        vec![json(&real_metadata("stripe-mcp--oauth-as.json"))],
    );
    ev.resource.as_mut().unwrap().unauthenticated =
        bearer(&format!(r#"resource_metadata="{PRM_URL}""#));
    ev
}

/// Without PRM scopes the Python SDK falls back to the authorization
/// server's `scopes_supported` (as AS-SCOPES-SUPPORTED's hint says); only
/// the spec clients omit `scope`, and the TypeScript SDK uses its own.
#[test]
fn prm_scopes_names_the_authorization_server_fallback_on_real_stripe() {
    let f = finding(&stripe(), "PRM-SCOPES");
    assert_eq!(f.status, Warn, "{}", f.detail);
    assert!(
        f.detail.contains(
            "the authorization server's scopes_supported (mcp) is requested by Python SDK v2, Claude"
        ),
        "{}",
        f.detail
    );
    assert!(
        f.detail
            .contains("no `scope` (the authorization server's default) by MCP 2025-11-25 / 2026-07-28 client and Claude Code;")
            && f.detail
                .contains("the scope its application configured, else none, by TypeScript SDK v2 and MCP Inspector v2")
            && !f.detail.contains("challenge"),
        "{}",
        f.detail
    );
}

/// When the authorization server lists no scopes either, nobody falls back
/// to it; a challenge scope is named as what comes first.
#[test]
fn prm_scopes_without_any_scopes_says_python_omits_too() {
    let mut as_doc = real_metadata("stripe-mcp--oauth-as.json");
    as_doc.as_object_mut().unwrap().remove("scopes_supported");
    let mut ev = mcp_with_server(
        &real_metadata("stripe-mcp--prm.json"),
        "https://access.stripe.com/mcp",
        vec![json(&as_doc)],
    );
    ev.resource.as_mut().unwrap().unauthenticated = good_challenge();
    let f = finding(&ev, "PRM-SCOPES");
    assert_eq!(f.status, Warn);
    assert!(
        f.detail.contains("lists no scopes either")
            && f.detail.contains(
                "is requested by MCP 2025-11-25 / 2026-07-28 client, Claude Code, Python SDK v2,"
            )
            && f.detail.contains(
                "the 401 challenge's scope 'mcp:tools' comes first for the clients that read it"
            ),
        "{}",
        f.detail
    );
}

/// A bare-origin `resource` (Cloudflare's and Notion's real PRMs) is the
/// same URL whether or not the user typed the origin's `/`: the verdict and
/// the spec client's row do not depend on it.
#[test]
fn prm_resource_match_on_real_bare_origins_ignores_the_typed_slash() {
    for name in ["cloudflare-mcp--prm.json", "notion-mcp--prm.json"] {
        let prm = real_metadata(name);
        let resource = prm["resource"].as_str().unwrap().to_owned();
        assert!(!resource.ends_with('/'), "{name}: {resource}");
        for typed in [resource.clone(), format!("{resource}/")] {
            let mut ev = mcp_evidence(good_challenge(), &prm);
            ev.resource.as_mut().unwrap().url = typed.clone();
            let f = finding(&ev, "PRM-RESOURCE-MATCH");
            assert_eq!(f.status, Pass, "{name} typed as {typed}: {}", f.detail);
            let analysis = crate::Analysis::new(&ev);
            let spec = crate::clients::resource_client_paths(analysis.resource.as_ref().unwrap())
                .into_iter()
                .find(|c| c.id == crate::clients::id::SPEC_2025_11_25)
                .unwrap();
            assert!(
                !spec.detail.contains("is not"),
                "{name} typed as {typed}: {spec:?}"
            );
        }
    }
}

/// The same holds the other way (a PRM that writes the origin's `/`), while
/// a path keeps its trailing slash significant.
#[test]
fn prm_resource_match_keeps_path_slashes_significant() {
    let mut prm = real_metadata("cloudflare-mcp--prm.json");
    prm["resource"] = serde_json::json!("https://mcp.cloudflare.com/");
    let mut ev = mcp_evidence(good_challenge(), &prm);
    ev.resource.as_mut().unwrap().url = "https://mcp.cloudflare.com".into();
    assert_eq!(status_of(&ev, "PRM-RESOURCE-MATCH"), Pass);
    prm["resource"] = serde_json::json!("https://mcp.cloudflare.com/mcp/");
    let mut ev = mcp_evidence(good_challenge(), &prm);
    ev.resource.as_mut().unwrap().url = "https://mcp.cloudflare.com/mcp".into();
    assert_eq!(status_of(&ev, "PRM-RESOURCE-MATCH"), Fail);
}

//! Whether `login` may use an authorization server: the catalogue checks a
//! login depends on, graded on the chain it just followed. A failure refuses
//! the login by naming the check; only AS-PKCE-S256 yields to `--force`
//! (a resource that is not this server, the issuer mix-up, plain-http
//! credentials and missing endpoints never do). A login without a user (a
//! grant other than the authorization code) skips what only the browser
//! flow uses: the authorization endpoint and PKCE.

use mcp_auth_evidence::{AsDiscovery, Evidence, ResourceEvidence, Target, TargetKind};

use crate::{Finding, Status};

/// The checks a login depends on, and whether `--force` overrides each.
pub const PRECONDITIONS: [(&str, bool); 6] = [
    ("PRM-RESOURCE-MATCH", false),
    ("DISC-AS-ISSUER-MATCH", false),
    ("SEC-HTTPS-AS", false),
    ("AS-AUTHZ-ENDPOINT", false),
    ("AS-TOKEN-ENDPOINT", false),
    ("AS-PKCE-S256", true),
];

/// The preconditions only the browser flow depends on.
pub const BROWSER_ONLY: [&str; 2] = ["AS-AUTHZ-ENDPOINT", "AS-PKCE-S256"];

/// What the preconditions say about a login.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Gate {
    /// The failed precondition that refuses the login, as one line.
    pub refusal: Option<String>,
    /// Preconditions met only leniently, worth a warning line each.
    pub warnings: Vec<String>,
}

/// Grade the chain a login followed: the MCP server's part (`chain`, when
/// logging in to one) and the authorization server's discovery.
pub fn assess(
    chain: Option<&ResourceEvidence>,
    discovery: &AsDiscovery,
    issuer: &str,
    force: bool,
) -> Gate {
    assess_login(chain, discovery, issuer, force, true)
}

/// [`assess`] for a login with a user at a browser (`interactive`: the
/// authorization code flow) or without one (client credentials, JWT
/// bearer, token exchange), which is never refused for [`BROWSER_ONLY`].
pub fn assess_login(
    chain: Option<&ResourceEvidence>,
    discovery: &AsDiscovery,
    issuer: &str,
    force: bool,
    interactive: bool,
) -> Gate {
    let target = match chain {
        Some(r) => Target {
            input: r.url.clone(),
            kind: TargetKind::McpServer,
            issuer: None,
            server_type: None,
        },
        None => Target {
            input: issuer.to_owned(),
            kind: TargetKind::Issuer,
            issuer: Some(issuer.to_owned()),
            server_type: None,
        },
    };
    let mut evidence = Evidence::new(String::new(), None, target);
    evidence.resource = chain.cloned();
    evidence.authorization_servers.push(discovery.clone());
    let (_, findings) = crate::grade(&evidence);
    let target = chain.map_or(issuer, |r| r.url.as_str());
    Gate {
        refusal: first_refusal(&findings, force, target, interactive),
        // A lenient resource match: the SDKs accept it, strict clients do not.
        warnings: findings
            .iter()
            .filter(|f| f.id == "PRM-RESOURCE-MATCH" && f.status == Status::Warn)
            .map(|f| format!("PRM-RESOURCE-MATCH: {}", f.detail))
            .collect(),
    }
}

fn first_refusal(
    findings: &[Finding],
    force: bool,
    target: &str,
    interactive: bool,
) -> Option<String> {
    let applies = |id: &str| interactive || !BROWSER_ONLY.contains(&id);
    PRECONDITIONS.iter().find_map(|(id, forceable)| {
        if !applies(id) {
            return None;
        }
        let f = findings
            .iter()
            .find(|f| f.id == *id && f.status == Status::Fail)?;
        if *forceable && force {
            return None;
        }
        Some(if *forceable {
            format!(
                "{id} failed: {}; MCP clients must refuse this server (--force to proceed)",
                f.detail
            )
        } else {
            format!(
                "{id} failed: {}; refusing to log in (details: `mcp-auth check {target}`)",
                f.detail
            )
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    fn refused(ev: &Evidence, force: bool) -> Option<String> {
        assess(None, &ev.authorization_servers[0], ISSUER, force).refusal
    }

    #[test]
    fn a_compliant_server_is_used() {
        assert_eq!(refused(&served_at_oauth(&good_doc()), false), None);
    }

    #[test]
    fn no_s256_refuses_by_id_unless_forced() {
        let ev = with(
            "code_challenge_methods_supported",
            serde_json::json!(["plain"]),
        );
        let why = refused(&ev, false).expect("refused");
        assert!(
            why.starts_with("AS-PKCE-S256 failed:") && why.contains("--force"),
            "{why}"
        );
        assert_eq!(refused(&ev, true), None);
    }

    #[test]
    fn an_issuer_mix_up_is_never_forced() {
        let ev = with("issuer", serde_json::json!("https://evil.example"));
        let why = refused(&ev, true).expect("refused even with --force");
        assert!(why.starts_with("DISC-AS-ISSUER-MATCH failed:"), "{why}");
    }

    #[test]
    fn a_resource_that_is_not_this_server_is_never_forced() {
        let ev = with_prm(
            "resource",
            serde_json::json!("https://evil.example.com/mcp"),
        );
        let gate = assess(
            ev.resource.as_ref(),
            &ev.authorization_servers[0],
            ISSUER,
            true,
        );
        let why = gate.refusal.expect("refused even with --force");
        assert!(why.starts_with("PRM-RESOURCE-MATCH failed:"), "{why}");
        // The bare origin of the same host: both SDKs accept it, a warning.
        let ev = with_prm("resource", serde_json::json!("https://mcp.example.com"));
        let gate = assess(
            ev.resource.as_ref(),
            &ev.authorization_servers[0],
            ISSUER,
            false,
        );
        assert_eq!(gate.refusal, None);
        assert_eq!(gate.warnings.len(), 1, "{:?}", gate.warnings);
        // Exact: nothing to say.
        let ev = good_mcp();
        let gate = assess(
            ev.resource.as_ref(),
            &ev.authorization_servers[0],
            ISSUER,
            false,
        );
        assert_eq!(gate, Gate::default());
    }

    #[test]
    fn a_login_without_a_user_needs_no_authorization_endpoint_nor_pkce() {
        let without_user = |ev: &Evidence| {
            assess_login(None, &ev.authorization_servers[0], ISSUER, false, false).refusal
        };
        let no_s256 = with("code_challenge_methods_supported", serde_json::Value::Null);
        assert!(refused(&no_s256, false).is_some());
        assert_eq!(without_user(&no_s256), None);
        let no_authz = with("authorization_endpoint", serde_json::Value::Null);
        let why = refused(&no_authz, true).expect("the browser flow needs it");
        assert!(why.starts_with("AS-AUTHZ-ENDPOINT failed:"), "{why}");
        assert_eq!(without_user(&no_authz), None);
        // The rest still holds without a user.
        let no_token = with("token_endpoint", serde_json::Value::Null);
        let why = without_user(&no_token).expect("refused");
        assert!(why.starts_with("AS-TOKEN-ENDPOINT failed:"), "{why}");
        let mix_up = with("issuer", serde_json::json!("https://evil.example"));
        assert!(without_user(&mix_up).is_some());
    }

    #[test]
    fn plain_http_endpoints_are_never_forced() {
        let ev = with(
            "token_endpoint",
            serde_json::json!("http://auth.example.com/tenant1/token"),
        );
        let why = refused(&ev, true).expect("refused");
        assert!(why.starts_with("SEC-HTTPS-AS failed:"), "{why}");
    }
}

//! Whether `login` may use an authorization server: the catalogue checks a
//! login depends on, graded on the discovery it just made. A failure refuses
//! the login by naming the check; only AS-PKCE-S256 yields to `--force`
//! (the issuer mix-up, plain-http credentials and missing endpoints never do).

use mcp_auth_evidence::{AsDiscovery, Evidence, Target, TargetKind};

use crate::{Finding, Status};

/// The checks a login depends on, and whether `--force` overrides each.
pub const PRECONDITIONS: [(&str, bool); 5] = [
    ("DISC-AS-ISSUER-MATCH", false),
    ("SEC-HTTPS-AS", false),
    ("AS-AUTHZ-ENDPOINT", false),
    ("AS-TOKEN-ENDPOINT", false),
    ("AS-PKCE-S256", true),
];

/// The failed precondition that refuses the login, if any, as one line.
pub fn refusal(discovery: &AsDiscovery, issuer: &str, force: bool) -> Option<String> {
    let mut evidence = Evidence::new(
        String::new(),
        None,
        Target {
            input: issuer.to_owned(),
            kind: TargetKind::Issuer,
            issuer: Some(issuer.to_owned()),
            server_type: None,
        },
    );
    evidence.authorization_servers.push(discovery.clone());
    let (_, findings) = crate::grade(&evidence);
    first_refusal(&findings, force, issuer)
}

fn first_refusal(findings: &[Finding], force: bool, issuer: &str) -> Option<String> {
    PRECONDITIONS.iter().find_map(|(id, forceable)| {
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
                "{id} failed: {}; refusing to log in (details: `mcp-auth check {issuer}`)",
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
        refusal(&ev.authorization_servers[0], ISSUER, force)
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
    fn plain_http_endpoints_are_never_forced() {
        let ev = with(
            "token_endpoint",
            serde_json::json!("http://auth.example.com/tenant1/token"),
        );
        let why = refused(&ev, true).expect("refused");
        assert!(why.starts_with("SEC-HTTPS-AS failed:"), "{why}");
    }
}

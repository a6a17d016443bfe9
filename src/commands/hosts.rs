//! The MCP hosts `check --probe-hosts` stands in for: hosts that register
//! with a Client ID Metadata Document (their `client_id` is its https URL)
//! and use a fixed https callback.

use serde::Deserialize;

use crate::gather::HostClient;
use crate::Error;

/// Test hook: a JSON array of
/// `{"id", "client_id", "redirect_uri"}` that replaces the built-in list
/// (the integration tests point it at loopback documents their peer serves).
const TEST_HOSTS: &str = "MCP_AUTH_TEST_HOSTS";

/// One entry of [`TEST_HOSTS`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TestHost {
    id: String,
    client_id: String,
    redirect_uri: String,
}

/// The hosts to probe: the built-in list, or [`TEST_HOSTS`] when set (an
/// unreadable value is a usage error, never silently the built-in list).
pub fn host_clients() -> Result<Vec<HostClient>, Error> {
    match std::env::var(TEST_HOSTS) {
        Ok(json) => parse_test_hosts(&json),
        Err(_) => Ok(built_in()),
    }
}

fn parse_test_hosts(json: &str) -> Result<Vec<HostClient>, Error> {
    let hosts: Vec<TestHost> = serde_json::from_str(json).map_err(|e| {
        Error::Input(format!(
            "{TEST_HOSTS} is not a JSON array of {{id, client_id, redirect_uri}}: {e}"
        ))
    })?;
    Ok(hosts
        .into_iter()
        .map(|h| HostClient {
            id: h.id,
            client_id: h.client_id,
            redirect_uri: h.redirect_uri,
        })
        .collect())
}

/// The host profiles (`clients/*.toml`) with a Client ID Metadata
/// Document of their own, with their redirect URI. A document URL with a
/// `{placeholder}` (one per server, as Codex's) is not probed.
fn built_in() -> Vec<HostClient> {
    use mcp_auth_grade::clients::{profiles, ProfileKind};
    profiles()
        .iter()
        .filter(|p| p.kind() == ProfileKind::Host)
        .filter_map(|p| {
            let cimd = p.def.registration.as_ref()?.cimd_url.as_deref()?;
            let redirect = p.def.redirect.as_ref()?.uri.as_deref()?;
            (!cimd.contains('{')).then(|| HostClient {
                id: p.id.clone(),
                client_id: cimd.to_owned(),
                redirect_uri: redirect.to_owned(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_hosts_are_the_profiles_with_a_document_of_their_own() {
        let hosts = built_in();
        let ids: Vec<&str> = hosts.iter().map(|h| h.id.as_str()).collect();
        for id in ["claude", "claude-code", "chatgpt", "vscode", "mcpjam"] {
            assert!(ids.contains(&id), "{id} in {ids:?}");
        }
        // Codex's document is one per server; Gemini CLI has none.
        assert!(!ids.contains(&"codex-cli") && !ids.contains(&"gemini-cli"));
        for h in &hosts {
            assert!(h.client_id.starts_with("https://"), "{}", h.id);
        }
        let claude = hosts.iter().find(|h| h.id == "claude").unwrap();
        assert_eq!(
            claude.redirect_uri,
            "https://claude.ai/api/mcp/auth_callback"
        );
    }

    #[test]
    fn test_hosts_replace_the_list_and_bad_ones_are_refused() {
        let hosts = parse_test_hosts(
            r#"[{"id":"h","client_id":"https://127.0.0.1:1/h.json","redirect_uri":"https://127.0.0.1:1/cb"}]"#,
        )
        .unwrap();
        assert_eq!(hosts.len(), 1);
        assert_eq!(hosts[0].id, "h");
        assert!(parse_test_hosts(r#"[{"id":"h"}]"#).is_err());
        assert!(parse_test_hosts("claude").is_err());
    }
}

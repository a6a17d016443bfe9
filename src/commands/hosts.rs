//! The MCP hosts `check --probe-hosts` stands in for: hosts that register
//! with a Client ID Metadata Document (their `client_id` is its https URL)
//! and use a fixed https callback.

use serde::Deserialize;

use crate::gather::HostClient;
use crate::Error;

/// Test hook, temporary until the client profiles land: a JSON array of
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

// TODO(profiles): from clients/*.toml
/// The built-in hosts. Both entries are placeholders, to be replaced by the
/// client profiles' data (neither document URL has been verified).
fn built_in() -> Vec<HostClient> {
    let host = |id: &str, client_id: &str, redirect_uri: &str| HostClient {
        id: id.to_owned(),
        client_id: client_id.to_owned(),
        redirect_uri: redirect_uri.to_owned(),
    };
    vec![
        // Placeholder.
        host(
            "claude",
            "https://claude.ai/oauth/mcp-oauth-client-metadata",
            "https://claude.ai/api/mcp/auth_callback",
        ),
        // Placeholder: the document URL is a guess.
        host(
            "chatgpt",
            "https://chatgpt.com/oauth/client-metadata.json",
            "https://chatgpt.com/connector_platform_oauth_redirect",
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_hosts_use_https_documents_and_callbacks() {
        for h in built_in() {
            assert!(h.client_id.starts_with("https://"), "{}", h.id);
            assert!(h.redirect_uri.starts_with("https://"), "{}", h.id);
        }
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

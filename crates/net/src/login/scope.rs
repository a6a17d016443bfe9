//! The scope a login asks for.

use crate::metadata::{lists, AsMetadata};

/// The scope a login asks for: `explicit` (`--scope`) as given; else the
/// scopes the MCP server asks for (`wanted`); else, logging in to an issuer
/// (`to_mcp` false) that lists `openid`, `openid` with whichever of
/// `profile` and `email` it lists too. Unless explicit, `offline_access` is
/// added when the server lists it and (as far as it says) grants refresh
/// tokens: MCP 2026-07-28 §Refresh Tokens says clients MAY, and it is what
/// makes many providers issue refresh tokens.
pub(super) fn choose_scope(
    explicit: Option<&str>,
    wanted: &[String],
    to_mcp: bool,
    md: &AsMetadata,
) -> Option<String> {
    if let Some(sc) = explicit {
        return Some(sc.to_owned());
    }
    let scope = if !wanted.is_empty() {
        Some(wanted.join(" "))
    } else if !to_mcp && lists(&md.scopes_supported, "openid") {
        let mut v = vec!["openid"];
        for extra in ["profile", "email"] {
            if lists(&md.scopes_supported, extra) {
                v.push(extra);
            }
        }
        Some(v.join(" "))
    } else {
        None
    };
    let wants_refresh = lists(&md.scopes_supported, "offline_access")
        && md
            .grant_types_supported
            .as_ref()
            .map_or(true, |g| g.iter().any(|x| x == "refresh_token"));
    match scope {
        Some(sc) if wants_refresh && !asks_offline(&sc) => Some(format!("{sc} offline_access")),
        other => other,
    }
}

/// Whether a scope asks for `offline_access`.
pub(super) fn asks_offline(scope: &str) -> bool {
    scope.split(' ').any(|x| x == "offline_access")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md(scopes: &[&str], grants: Option<&[&str]>) -> AsMetadata {
        let strings = |l: &[&str]| l.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        AsMetadata {
            scopes_supported: Some(strings(scopes)),
            grant_types_supported: grants.map(strings),
            ..AsMetadata::default()
        }
    }

    fn wanted(l: &[&str]) -> Vec<String> {
        l.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn an_explicit_scope_is_sent_as_given() {
        let m = md(&["openid", "offline_access"], None);
        assert_eq!(
            choose_scope(Some("a b"), &wanted(&["x"]), true, &m).as_deref(),
            Some("a b")
        );
    }

    #[test]
    fn the_mcp_servers_scopes_come_first_with_offline_access_when_listed() {
        let m = md(&["openid", "offline_access"], None);
        assert_eq!(
            choose_scope(None, &wanted(&["mcp:read", "mcp:write"]), true, &m).as_deref(),
            Some("mcp:read mcp:write offline_access")
        );
        let m = md(&["mcp:read"], None);
        assert_eq!(
            choose_scope(None, &wanted(&["mcp:read"]), true, &m).as_deref(),
            Some("mcp:read")
        );
    }

    #[test]
    fn offline_access_is_not_added_twice_nor_without_refresh_grants() {
        let m = md(&["offline_access"], None);
        assert_eq!(
            choose_scope(None, &wanted(&["a", "offline_access"]), true, &m).as_deref(),
            Some("a offline_access")
        );
        let m = md(&["offline_access"], Some(&["authorization_code"]));
        assert_eq!(
            choose_scope(None, &wanted(&["a"]), true, &m).as_deref(),
            Some("a")
        );
        let m = md(
            &["offline_access"],
            Some(&["authorization_code", "refresh_token"]),
        );
        assert_eq!(
            choose_scope(None, &wanted(&["a"]), true, &m).as_deref(),
            Some("a offline_access")
        );
    }

    #[test]
    fn an_issuer_login_asks_for_openid_and_what_it_lists_of_profile_and_email() {
        let m = md(&["openid", "email", "other"], None);
        assert_eq!(
            choose_scope(None, &[], false, &m).as_deref(),
            Some("openid email")
        );
        let m = md(&["openid", "profile", "email", "offline_access"], None);
        assert_eq!(
            choose_scope(None, &[], false, &m).as_deref(),
            Some("openid profile email offline_access")
        );
    }

    #[test]
    fn no_scope_when_nothing_asks_for_one() {
        // An MCP server that names no scope: not openid, nor offline_access alone.
        let m = md(&["openid", "offline_access"], None);
        assert_eq!(choose_scope(None, &[], true, &m), None);
        // An issuer without openid.
        let m = md(&["offline_access", "profile"], None);
        assert_eq!(choose_scope(None, &[], false, &m), None);
    }

    #[test]
    fn asks_offline_reads_whole_words() {
        assert!(asks_offline("openid offline_access"));
        assert!(!asks_offline("openid offline_accessx"));
    }
}

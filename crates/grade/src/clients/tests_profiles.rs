//! The profile files: the repository's are valid, and a broken one is
//! refused with its file and field named.

use super::*;

#[test]
fn every_embedded_profile_loads_and_ids_are_unique() {
    let list = load_embedded().unwrap_or_else(|e| panic!("{e}"));
    let mut ids: Vec<&str> = list.iter().map(|p| p.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), list.len());
    let hosts = list
        .iter()
        .filter(|p| p.kind() == ProfileKind::Host)
        .count();
    assert!(hosts >= 9, "{hosts} host profiles");
}

#[test]
fn every_host_says_how_it_registers_and_where_it_returns() {
    for p in profiles().iter().filter(|p| p.kind() == ProfileKind::Host) {
        assert!(p.def.registration.is_some(), "{}", p.id);
        assert!(p.def.redirect.is_some(), "{}", p.id);
        for (section, sources, seen_in) in p.sections() {
            assert!(
                !sources.is_empty() && !seen_in.is_empty(),
                "{}: {section}",
                p.id
            );
        }
    }
}

const MINIMAL: &str = r#"
name = "Mine"
kind = "host"
versions = "1.x"
updated = "2026-12-03"

[prm]
order = ["header"]
resource = "exact"
sources = ["https://example.com/docs"]
seen_in = "1.0"

[metadata]
discovery = "spec"
issuer = "exact"
sources = ["https://example.com/docs"]
seen_in = "1.0"

[registration]
order = ["cimd", "dcr"]
cimd_url = "https://example.com/client.json"
auth_method = "none"
sources = ["https://example.com/docs"]
seen_in = "1.0"

[redirect]
kind = "https"
uri = "https://example.com/callback"
sources = ["https://example.com/docs"]
seen_in = "1.0"
"#;

fn error(text: &str) -> String {
    Profile::parse("clients/mine.toml", text)
        .map(|_| String::new())
        .unwrap_or_else(|e| e.to_string())
}

#[test]
fn a_minimal_host_profile_loads() {
    let p = Profile::parse("clients/mine.toml", MINIMAL).unwrap();
    assert_eq!(p.id, "mine");
    assert_eq!(p.def.order, 100);
}

#[test]
fn errors_name_the_file_and_the_field() {
    let cases = [
        (
            MINIMAL.replace("cimd_url = \"https://example.com/client.json\"\n", ""),
            "clients/mine.toml: registration.cimd_url: missing: `order` includes cimd",
        ),
        (
            MINIMAL.replace(
                "uri = \"https://example.com/callback\"",
                "uri = \"http://example.com/cb\"",
            ),
            "clients/mine.toml: redirect.uri: an https URI",
        ),
        (
            MINIMAL.replacen(
                "sources = [\"https://example.com/docs\"]",
                "sources = []",
                1,
            ),
            "clients/mine.toml: prm.sources: name at least one source",
        ),
        (
            MINIMAL
                .replacen("seen_in = \"1.0\"", "seen_in = \" \"", 2)
                .replacen("seen_in = \" \"", "seen_in = \"1.0\"", 1),
            "clients/mine.toml: metadata.seen_in: say which version it was seen in",
        ),
        (
            MINIMAL.replace("auth_method = \"none\"", "auth_method = \"tls\""),
            "clients/mine.toml: registration.auth_method: unknown method 'tls'",
        ),
        (
            MINIMAL.replace("updated = \"2026-12-03\"", "updated = \"December\""),
            "clients/mine.toml: updated: 'December' is not YYYY-MM-DD",
        ),
        (
            MINIMAL.replace("[redirect]", "[redirect]\ncolour = 1"),
            "clients/mine.toml: line ",
        ),
        (
            MINIMAL
                .replace("order = [\"cimd\", \"dcr\"]", "order = [\"dcr\", \"dcr\"]")
                .replace("cimd_url = \"https://example.com/client.json\"\n", ""),
            "clients/mine.toml: registration.order[1]: listed twice",
        ),
    ];
    for (text, want) in cases {
        let e = error(&text);
        assert!(e.starts_with(want), "{e}\n  wanted: {want}");
    }
    let no_redirect = MINIMAL[..MINIMAL.find("[redirect]").unwrap()].to_owned();
    assert_eq!(
        error(&no_redirect),
        "clients/mine.toml: redirect: a host profile must describe it"
    );
    assert!(Profile::parse("clients/Mine.toml", MINIMAL)
        .unwrap_err()
        .to_string()
        .contains("(file name)"));
}

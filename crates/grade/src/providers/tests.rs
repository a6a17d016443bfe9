//! The loader's tests.

use super::*;

const GOOD: &str = r#"
name = "Example"
homepage = "https://example.com"
docs = "https://example.com/docs"
kind = "issuer"
url = "https://{tenant}.example.com/oauth"
type = "oidc"
updated = "2026-11-23"
sources = ["https://example.com/docs"]
verified = { date = "2026-11-23", source = "https://example.com/docs" }

[example]
tenant = "demo"

[fingerprint]
issuer_hosts = ["*.example.com"]

[[quirks]]
id = "no-dcr"
summary = "No dynamic registration."
checks = ["AS-REGISTRATION-ENDPOINT"]
hint = "Register a client by hand."
verified = { date = "2026-12-02", document = "recorded/example--oidc.json", expect = "warn" }
"#;

#[test]
fn a_good_file_loads() {
    let p = Provider::parse("providers/example.toml", GOOD).unwrap();
    assert_eq!(p.id, "example");
    assert_eq!(p.url(), "https://demo.example.com/oauth");
    assert!(p.def.matrix);
    assert!(p.matches_issuer(&url::Url::parse("https://acme.example.com/oauth").unwrap()));
    assert!(!p.matches_issuer(&url::Url::parse("https://example.org/").unwrap()));
}

/// Your own provider: an internal IdP needs a name, a kind and a URL.
#[test]
fn a_minimal_file_loads() {
    let text =
        "name = \"Acme SSO\"\nkind = \"issuer\"\nurl = \"https://id.acme.internal/realms/staff\"\n";
    let p = Provider::parse("providers/acme-sso.toml", text).unwrap();
    assert_eq!(p.id, "acme-sso");
    assert_eq!(p.url(), "https://id.acme.internal/realms/staff");
    assert!(p.def.matrix);
    assert_eq!(p.docs_url(), "https://id.acme.internal/realms/staff");
    assert!(p.verifications().is_empty());
    assert_eq!(
        p.missing_curation(),
        ["homepage", "docs", "updated", "sources", "verified"]
    );
    // Still strict: an unknown field, a missing required one, a bad URL.
    let cases = [
        (
            format!("{text}homepages = \"https://acme.example\"\n"),
            "line 4",
            "unknown field `homepages`",
        ),
        (
            text.replace("name = \"Acme SSO\"\n", ""),
            "line",
            "missing field `name`",
        ),
        (
            text.replace("kind = \"issuer\"\n", ""),
            "line",
            "missing field `kind`",
        ),
        (
            text.replace("https://id.acme.internal", "id.acme.internal"),
            "url",
            "URL",
        ),
    ];
    for (text, field, needle) in &cases {
        let e = Provider::parse("providers/acme-sso.toml", text).unwrap_err();
        let line = e.to_string();
        assert!(line.starts_with("providers/acme-sso.toml: "), "{line}");
        assert!(e.field.starts_with(field), "{field}: {line}");
        assert!(line.contains(needle), "{needle}: {line}");
    }
}

/// The repository's own files carry what the minimal format leaves out.
#[test]
fn the_repositorys_files_are_curated() {
    assert!(embedded().len() > 10);
    for p in embedded() {
        assert_eq!(
            p.missing_curation(),
            Vec::<&str>::new(),
            "providers/{}.toml",
            p.id
        );
    }
}

#[test]
fn errors_name_the_file_and_the_field() {
    let cases = [
        (
            GOOD.replace("kind = \"issuer\"", "kind = \"issuer\"\ncolour = 1"),
            "line",
            "unknown field `colour`",
        ),
        (
            GOOD.replace("tenant = \"demo\"", ""),
            "example.tenant",
            "missing",
        ),
        (
            GOOD.replace("AS-REGISTRATION-ENDPOINT", "AS-NOPE"),
            "quirks[0].checks[0]",
            "unknown check id",
        ),
        (
            GOOD.replace("2026-11-23", "yesterday"),
            "updated",
            "YYYY-MM-DD",
        ),
        (
            GOOD.replace("https://example.com/docs\"]", "\"]"),
            "sources",
            "must not be empty",
        ),
        (
            GOOD.replace(
                "homepage = \"https://example.com\"",
                "homepage = \"http://example.com\"",
            ),
            "homepage",
            "https",
        ),
        (
            GOOD.replace("kind = \"issuer\"", "kind = \"website\""),
            "line",
            "unknown variant",
        ),
        (
            GOOD.replace("id = \"no-dcr\"", "id = \"No DCR\""),
            "quirks[0].id",
            "kebab-case",
        ),
    ];
    assert_errors(&cases);
}

/// Each case's error names the file, starts its field with `field`, says `needle`, in one line.
fn assert_errors(cases: &[(String, &str, &str)]) {
    for (text, field, needle) in cases {
        let e = Provider::parse("providers/example.toml", text).unwrap_err();
        let line = e.to_string();
        assert!(line.starts_with("providers/example.toml: "), "{line}");
        assert!(e.field.starts_with(field), "{field}: {line}");
        assert!(line.contains(needle), "{needle}: {line}");
        assert!(!line.contains('\n'), "one line: {line}");
    }
}

#[test]
fn verified_errors_name_their_field() {
    let cases = [
        (
            GOOD.replace("date = \"2026-12-02\"", "date = \"2 Dec\""),
            "quirks[0].verified.date",
            "YYYY-MM-DD",
        ),
        (
            GOOD.replace(", expect = \"warn\"", ""),
            "quirks[0].verified.expect",
            "missing",
        ),
        (
            GOOD.replace("recorded/example--oidc.json", "../example.json"),
            "quirks[0].verified.document",
            "recorded/<file>.json",
        ),
        (
            GOOD.replace(
                "source = \"https://example.com/docs\" }",
                "source = \"the docs\" }",
            ),
            "verified.source",
            "owner/repo#N",
        ),
        (
            GOOD.replace(
                "source = \"https://example.com/docs\" }",
                "source = \"https://example.com/docs\", expect = \"fail\" }",
            ),
            "verified.expect",
            "no `expect`",
        ),
        (
            GOOD.replace(
                "document = \"recorded/example--oidc.json\", expect = \"warn\"",
                "expect = \"warn\"",
            ),
            "quirks[0].verified",
            "needs a `document`",
        ),
    ];
    assert_errors(&cases);
}

#[test]
fn a_document_must_exist_in_the_providers_directory() {
    let ok = Provider::parse_checked("providers/example.toml", GOOD, &|d| {
        d == "recorded/example--oidc.json"
    })
    .unwrap();
    assert_eq!(
        ok.documents().into_iter().collect::<Vec<_>>(),
        ["recorded/example--oidc.json"]
    );
    let e = Provider::parse_checked("providers/example.toml", GOOD, &|_| false).unwrap_err();
    assert_eq!(
        e.to_string(),
        "providers/example.toml: quirks[0].verified.document: 'recorded/example--oidc.json' does not exist in the providers directory"
    );
}

#[test]
fn path_only_fingerprints_match_any_host() {
    let text = GOOD.replace(
        "issuer_hosts = [\"*.example.com\"]",
        "path_prefixes = [\"/realms/\"]",
    );
    let p = Provider::parse("providers/kc.toml", &text).unwrap();
    assert!(p.matches_issuer(&url::Url::parse("https://sso.acme.test/realms/mcp").unwrap()));
    assert!(!p.matches_issuer(&url::Url::parse("https://sso.acme.test/oidc").unwrap()));
}

#[test]
fn placeholders_are_found() {
    assert_eq!(placeholders("https://{a}.x/{b_2}"), ["a", "b_2"]);
    assert!(placeholders("https://x/y").is_empty());
}

/// `[live]` names environment variables, never values, and each grant has
/// the credential it needs.
#[test]
fn live_names_variables_and_the_credentials_its_grant_needs() {
    let live = |body: &str| GOOD.replace("[example]", &format!("[live]\n{body}\n\n[example]"));
    let good = live(
        "grant = \"client_credentials\"\nclient_id_env = \"MCP_AUTH_LIVE_EXAMPLE_ID\"\nclient_secret_env = \"MCP_AUTH_LIVE_EXAMPLE_SECRET\"",
    );
    let p = Provider::parse("providers/example.toml", &good).unwrap();
    let l = p.def.live.as_ref().expect("live");
    assert_eq!(
        l.env_names(),
        [
            ("client_id_env", "MCP_AUTH_LIVE_EXAMPLE_ID"),
            ("client_secret_env", "MCP_AUTH_LIVE_EXAMPLE_SECRET")
        ]
    );
    let cases = [
        (
            // A value where a name belongs.
            live("grant = \"client_credentials\"\nclient_id_env = \"MCP_AUTH_LIVE_EXAMPLE_ID\"\nclient_secret_env = \"s3cr3t-value\""),
            "live.client_secret_env",
            "never the secret",
        ),
        (
            // Outside the prefix the workflow exports.
            live("grant = \"client_credentials\"\nclient_id_env = \"GITHUB_TOKEN\"\nclient_secret_env = \"MCP_AUTH_LIVE_X\""),
            "live.client_id_env",
            "MCP_AUTH_LIVE_",
        ),
        (
            live("grant = \"client_credentials\"\nclient_id_env = \"MCP_AUTH_LIVE_EXAMPLE_ID\""),
            "live.client_secret_env",
            "missing: grant client_credentials",
        ),
        (
            live("grant = \"jwt_bearer\"\nclient_id_env = \"MCP_AUTH_LIVE_EXAMPLE_ID\""),
            "live.assertion_env",
            "missing: grant jwt_bearer",
        ),
        (
            live("grant = \"refresh_token\"\nclient_id_env = \"MCP_AUTH_LIVE_EXAMPLE_ID\""),
            "live.refresh_token_env",
            "missing: grant refresh_token",
        ),
        (
            live("grant = \"password\"\nclient_id_env = \"MCP_AUTH_LIVE_EXAMPLE_ID\""),
            "line",
            "unknown variant",
        ),
    ];
    assert_errors(&cases);
}

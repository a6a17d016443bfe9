//! providers/: every recorded document (`providers/recorded/<id>--<kind>.json`)
//! replayed through `check --from-evidence`, offline: the provider it belongs
//! to must be recognised, and every quirk verified by a document must show,
//! on that document, the status it claims (`verified.expect`) for each of its
//! checks. A quirk that no longer fires, or a fingerprint that no longer
//! matches, fails here.

use std::collections::BTreeMap;
use std::path::Path;

use mcp_auth_grade::providers::{Provider, ProviderKind};
use serde_json::{json, Value};

use crate::support::*;

/// Where a recorded document is served, from the `<kind>` of its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DocKind {
    /// `--oauth-as`: RFC 8414, path-inserted.
    OauthAs,
    /// `--oidc`: OpenID Connect discovery, appended to the issuer.
    Oidc,
    /// `--prm`: RFC 9728 protected resource metadata.
    Prm,
}

struct Recorded {
    /// `recorded/<file>`, as `verified.document` names it.
    path: String,
    kind: DocKind,
    doc: Value,
}

/// Every recorded document, by the provider id its name starts with.
fn recorded_documents() -> BTreeMap<String, Vec<Recorded>> {
    let dir = root().join("providers/recorded");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    let mut out: BTreeMap<String, Vec<Recorded>> = BTreeMap::new();
    for name in names {
        let stem = name.strip_suffix(".json").unwrap();
        let (id, kind) = stem
            .split_once("--")
            .unwrap_or_else(|| panic!("recorded/{name}: name it <provider id>--<kind>.json"));
        let kind = match kind {
            "oauth-as" => DocKind::OauthAs,
            "oidc" => DocKind::Oidc,
            "prm" => DocKind::Prm,
            other => panic!("recorded/{name}: kind '{other}' is not oauth-as, oidc or prm"),
        };
        let text = std::fs::read_to_string(dir.join(&name)).unwrap();
        let doc: Value = serde_json::from_str(&text).unwrap();
        out.entry(id.to_owned()).or_default().push(Recorded {
            path: format!("recorded/{name}"),
            kind,
            doc,
        });
    }
    out
}

/// A recorded exchange: `method url` answered with `status`, `headers` and `body`.
fn exchange(method: &str, url: &str, status: u16, headers: &[(&str, &str)], body: &str) -> Value {
    let headers: Vec<Value> = headers
        .iter()
        .map(|(n, v)| json!({"name": n, "value": v}))
        .collect();
    json!({
        "request": {"method": method, "url": url, "headers": [{"name": "accept", "value": "application/json"}]},
        "response": {"status": status, "headers": headers, "body": body},
        "elapsed_ms": 0
    })
}

fn served(url: &str, doc: &Value) -> Value {
    exchange(
        "GET",
        url,
        200,
        &[("content-type", "application/json")],
        &serde_json::to_string_pretty(doc).unwrap(),
    )
}

/// `(origin, path)` of a URL, the path without a trailing `/`.
fn split(url: &str) -> (String, String) {
    let u = url::Url::parse(url).unwrap();
    let origin = u.origin().ascii_serialization();
    (origin, u.path().trim_end_matches('/').to_owned())
}

/// The discovery of one issuer, its recorded documents at their real
/// well-known URLs (RFC 8414 first, as clients try them).
fn as_discovery(issuer: &str, role: &str, docs: &[&Recorded]) -> Value {
    let (origin, path) = split(issuer);
    let mut attempts = Vec::new();
    for want in [DocKind::OauthAs, DocKind::Oidc] {
        for d in docs.iter().filter(|d| d.kind == want) {
            let (kind, url) = match (want, path.is_empty()) {
                (DocKind::OauthAs, _) => (
                    "oauth",
                    format!("{origin}/.well-known/oauth-authorization-server{path}"),
                ),
                (_, true) => ("oidc", format!("{origin}/.well-known/openid-configuration")),
                (_, false) => (
                    "oidc_append",
                    format!("{origin}{path}/.well-known/openid-configuration"),
                ),
            };
            attempts.push(json!({"kind": kind, "url": url, "exchange": served(&url, &d.doc)}));
        }
    }
    json!({"issuer": issuer, "role": role, "attempts": attempts})
}

/// The evidence a `check` of the provider would have recorded, built from its
/// documents: an MCP provider with a PRM is an MCP server whose 401 names the
/// PRM (that challenge is the only exchange not recorded); otherwise the
/// documents' issuer is the target.
fn evidence(p: &Provider, docs: &[Recorded]) -> Value {
    let as_docs: Vec<&Recorded> = docs.iter().filter(|d| d.kind != DocKind::Prm).collect();
    let tool = "mcp-auth providers-replay";
    if let Some(prm) = docs.iter().find(|d| d.kind == DocKind::Prm) {
        assert_eq!(
            p.def.kind,
            ProviderKind::Mcp,
            "{}: a PRM belongs to an MCP server",
            p.id
        );
        let url = p.url();
        let (origin, path) = split(&url);
        let prm_url = format!("{origin}/.well-known/oauth-protected-resource{path}");
        let challenge = format!("Bearer resource_metadata=\"{prm_url}\"");
        let issuer = prm.doc["authorization_servers"][0].as_str().unwrap();
        let source = if path.is_empty() {
            "root"
        } else {
            "path_inserted"
        };
        return json!({
            "schema_version": 1, "tool": tool,
            "target": {"input": url, "kind": "mcp_server"},
            "resource": {
                "url": url,
                "unauthenticated": exchange("POST", &url, 401, &[("www-authenticate", &challenge)], ""),
                "prm": [
                    {"source": "header", "url": prm_url, "exchange": served(&prm_url, &prm.doc)},
                    {"source": source, "url": prm_url, "exchange": served(&prm_url, &prm.doc)},
                ],
            },
            "authorization_servers": [as_discovery(issuer, "listed", &as_docs)],
        });
    }
    let issuer = as_docs[0].doc["issuer"].as_str().unwrap();
    json!({
        "schema_version": 1, "tool": tool,
        "target": {"input": issuer, "kind": "issuer", "issuer": issuer},
        "authorization_servers": [as_discovery(issuer, "target", &as_docs)],
    })
}

/// `check --from-evidence` of the provider's documents: the JSON report.
fn replay(dir: &Path, p: &Provider, docs: &[Recorded]) -> Value {
    let file = dir.join(format!("{}.json", p.id));
    std::fs::write(&file, serde_json::to_string(&evidence(p, docs)).unwrap()).unwrap();
    let (_, report, stderr) = check_json(&["--from-evidence", file.to_str().unwrap()]);
    assert!(report["checks"].is_array(), "{}: {stderr}", p.id);
    report
}

/// What is wrong with one provider's replay (empty: nothing).
fn problems(p: &Provider, docs: &[Recorded], report: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let recognised = report["provider"]["id"].as_str();
    if recognised != Some(p.id.as_str()) {
        out.push(format!(
            "{}: not recognised from its recorded documents (check recognised {recognised:?}): its url or fingerprint no longer matches",
            p.id
        ));
    }
    let paths: Vec<&str> = docs.iter().map(|d| d.path.as_str()).collect();
    for doc in p.documents() {
        if !paths.contains(&doc) {
            out.push(format!(
                "{}: {doc} is not named {}--<kind>.json",
                p.id, p.id
            ));
        }
    }
    for d in &paths {
        if !p.documents().contains(d) {
            out.push(format!(
                "{}: {d} is recorded but no `verified` names it",
                p.id
            ));
        }
    }
    for (i, q) in p.def.quirks.iter().enumerate() {
        let (Some(doc), Some(expect)) = (&q.verified.document, q.verified.expect) else {
            continue;
        };
        for c in &q.checks {
            let got = report["checks"]
                .as_array()
                .unwrap()
                .iter()
                .find(|f| f["id"] == c.as_str())
                .and_then(|f| f["status"].as_str())
                .unwrap_or("(absent)");
            if got != expect.as_str() {
                out.push(format!(
                    "{}: quirks[{i}] '{}' claims {c} = {} on {doc}, the replay shows {got}",
                    p.id,
                    q.id,
                    expect.as_str()
                ));
            }
        }
    }
    out
}

#[test]
fn every_recorded_document_proves_its_providers_quirks() {
    let providers = mcp_auth::commands::load_providers(&root().join("providers"))
        .unwrap_or_else(|e| panic!("{e}"));
    let recorded = recorded_documents();
    assert!(
        recorded.len() >= 10,
        "{} providers with documents",
        recorded.len()
    );
    let dir = tempfile::tempdir().unwrap();
    let mut wrong = Vec::new();
    for (id, docs) in &recorded {
        let Some(p) = providers.iter().find(|p| &p.id == id) else {
            wrong.push(format!("recorded/{id}--…: no providers/{id}.toml"));
            continue;
        };
        let report = replay(dir.path(), p, docs);
        wrong.extend(problems(p, docs, &report));
    }
    for p in providers.iter().filter(|p| !p.documents().is_empty()) {
        if !recorded.contains_key(&p.id) {
            wrong.push(format!("{}: names documents, none is recorded", p.id));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

fn repository_providers() -> Vec<Provider> {
    mcp_auth::commands::load_providers(&root().join("providers")).unwrap_or_else(|e| panic!("{e}"))
}

/// Two quirks of one provider that name the same check would each put their
/// hint on the other's finding.
#[test]
fn no_two_quirks_of_a_provider_share_a_check() {
    let mut shared = Vec::new();
    for p in repository_providers() {
        let mut owner: BTreeMap<&str, &str> = BTreeMap::new();
        for q in &p.def.quirks {
            for c in &q.checks {
                if let Some(other) = owner.insert(c, &q.id) {
                    shared.push(format!(
                        "{}: {c} is named by '{other}' and '{}'",
                        p.id, q.id
                    ));
                }
            }
        }
    }
    assert!(shared.is_empty(), "{}", shared.join("\n"));
}

/// WorkOS's OpenID Connect document never lists `registration_endpoint`
/// (the RFC 8414 one does when DCR is on): graded alone, it must not get the
/// "enable DCR" advice.
#[test]
fn the_enable_dcr_hint_does_not_attach_to_workos_oidc_document() {
    let providers = repository_providers();
    let p = providers.iter().find(|p| p.id == "workos-authkit").unwrap();
    let docs = recorded_documents().remove("workos-authkit").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let report = replay(dir.path(), p, &docs);
    let finding = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "AS-REGISTRATION-ENDPOINT")
        .unwrap();
    assert_eq!(finding["status"], "warn");
    assert!(
        !finding["provider_hint"]
            .as_str()
            .unwrap_or_default()
            .contains("Enable Dynamic Client Registration"),
        "{finding}"
    );
    let pkce = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "AS-PKCE-PRESENT")
        .unwrap();
    assert!(
        pkce["provider_hint"]
            .as_str()
            .unwrap_or_default()
            .contains("RFC 8414 document"),
        "{pkce}"
    );
}

/// Issuers that were not recognised: Keycloak under `/auth/realms/`, authentik.
#[test]
fn self_hosted_issuers_are_recognised_by_their_path() {
    let providers = repository_providers();
    let find = |issuer: &str| {
        let u = url::Url::parse(issuer).unwrap();
        providers
            .iter()
            .find(|p| p.matches_issuer(&u))
            .map(|p| p.id.as_str())
    };
    assert_eq!(
        find("https://sso.example.com/auth/realms/mcp"),
        Some("keycloak")
    );
    assert_eq!(find("https://sso.example.com/realms/mcp"), Some("keycloak"));
    assert_eq!(
        find("https://authentik.example.com/application/o/mcp/"),
        Some("authentik")
    );
    let authentik = providers.iter().find(|p| p.id == "authentik").unwrap();
    assert!(
        authentik.url().ends_with('/'),
        "issuers end in a slash: {}",
        authentik.url()
    );
}

/// `mcp-auth login` refuses a server that advertises no S256 unless
/// `--force`: a hint of a provider known not to advertise PKCE that tells
/// users to `login --client-id` must say `--force`.
#[test]
fn login_hints_work_for_providers_that_advertise_no_pkce() {
    let mut wrong = Vec::new();
    for p in repository_providers() {
        let no_pkce = p
            .def
            .quirks
            .iter()
            .any(|q| q.checks.iter().any(|c| c == "AS-PKCE-PRESENT"));
        for q in &p.def.quirks {
            let h = &q.hint;
            if no_pkce
                && h.contains("mcp-auth login")
                && h.contains("--client-id")
                && !h.contains("--force")
            {
                wrong.push(format!("{}: '{}' needs --force: {h}", p.id, q.id));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

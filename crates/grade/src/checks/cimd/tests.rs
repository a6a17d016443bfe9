//! CIMD-DOC-*: good and broken documents, from a URL and from a file.

use serde_json::{json, Value};

use super::*;
use crate::test_support::exchange;

const URL: &str = "https://app.example/oauth/client.json";
const ISSUER: &str = "https://as.example";

fn good() -> Value {
    json!({
        "client_id": URL,
        "client_name": "Example",
        "redirect_uris": ["http://127.0.0.1/callback", "https://app.example/cb"],
        "token_endpoint_auth_method": "none",
    })
}

/// The document served at `url` with these response headers.
fn served_at(url: &str, status: u16, headers: &[(&str, &str)], body: &str) -> Exchange {
    exchange("GET", url, &[], status, headers, body)
}

fn json_headers() -> Vec<(&'static str, &'static str)> {
    vec![
        ("content-type", "application/json"),
        ("cache-control", "public, max-age=86400"),
    ]
}

/// Grade `doc` served well at `url`, with or without an issuer's metadata.
fn grade_at(url: &str, doc: &Value, issuer: Option<Result<&AsMetadata, String>>) -> CimdGraded {
    let ex = served_at(url, 200, &json_headers(), &doc.to_string());
    grade_exchange(url, &ex, issuer)
}

fn grade_exchange(
    url: &str,
    ex: &Exchange,
    issuer: Option<Result<&AsMetadata, String>>,
) -> CimdGraded {
    grade_cimd(&CimdFacts {
        origin: Origin::Url { url, exchange: ex },
        issuer: issuer.map(|metadata| Issuer {
            issuer: ISSUER,
            metadata,
        }),
    })
}

fn grade_file(doc: &Value) -> CimdGraded {
    let text = doc.to_string();
    grade_cimd(&CimdFacts {
        origin: Origin::File {
            path: "client.json",
            text: &text,
        },
        issuer: None,
    })
}

fn with(member: &str, value: Value) -> Value {
    let mut d = good();
    d[member] = value;
    d
}

fn without(member: &str) -> Value {
    let mut d = good();
    d.as_object_mut().unwrap().remove(member);
    d
}

fn status(g: &CimdGraded, id: &str) -> Status {
    finding_of(g, id).status
}

fn finding_of<'a>(g: &'a CimdGraded, id: &str) -> &'a Finding {
    g.checks
        .iter()
        .find(|f| f.id == id)
        .unwrap_or_else(|| panic!("{id} not graded: {:?}", g.checks))
}

fn metadata(doc: Value) -> AsMetadata {
    AsMetadata::from_object(doc.as_object().unwrap()).0
}

#[test]
fn a_good_document_passes_every_must() {
    let g = grade_at(URL, &good(), None);
    assert!(g.valid, "{:?}", g.checks);
    assert_eq!(g.verdict(), crate::Verdict::Ok);
    assert_eq!(g.checks.len(), 10);
    assert_eq!(g.client_id.as_deref(), Some(URL));
}

#[test]
fn cimd_doc_url_pass_and_fail() {
    assert_eq!(
        status(&grade_at(URL, &good(), None), "CIMD-DOC-URL"),
        Status::Pass
    );
    for bad in [
        "https://app.example/",
        "https://app.example/a/../client.json",
        "https://user:pw@app.example/client.json",
        "ftp://app.example/client.json",
    ] {
        let g = grade_at(bad, &with("client_id", json!(bad)), None);
        assert_eq!(status(&g, "CIMD-DOC-URL"), Status::Fail, "{bad}");
        assert!(!g.valid);
    }
}

#[test]
fn cimd_doc_url_fragment_fails_and_loopback_http_warns() {
    let (problems, _) = checks::url_problems("https://app.example/client.json#x");
    assert_eq!(problems, vec!["a fragment".to_owned()]);
    let local = "http://127.0.0.1:8080/client.json";
    let g = grade_at(local, &with("client_id", json!(local)), None);
    let f = finding_of(&g, "CIMD-DOC-URL");
    assert_eq!(f.status, Status::Warn);
    assert!(f.detail.contains("development only"), "{}", f.detail);
    let g = grade_at("http://app.example/c.json", &good(), None);
    assert_eq!(status(&g, "CIMD-DOC-URL"), Status::Fail);
}

#[test]
fn cimd_doc_url_of_a_file_is_its_client_id() {
    assert_eq!(status(&grade_file(&good()), "CIMD-DOC-URL"), Status::Pass);
    let g = grade_file(&with("client_id", json!("my-app")));
    assert_eq!(status(&g, "CIMD-DOC-URL"), Status::Fail);
    assert_eq!(
        status(&grade_file(&without("client_id")), "CIMD-DOC-URL"),
        Status::Skip
    );
}

#[test]
fn cimd_doc_served_pass_and_fail() {
    assert_eq!(
        status(&grade_at(URL, &good(), None), "CIMD-DOC-SERVED"),
        Status::Pass
    );
    let body = good().to_string();
    let plain = served_at(URL, 200, &[("content-type", "text/plain")], &body);
    let f = grade_exchange(URL, &plain, None);
    assert_eq!(status(&f, "CIMD-DOC-SERVED"), Status::Fail);
    assert!(finding_of(&f, "CIMD-DOC-SERVED")
        .detail
        .contains("text/plain"));
    let gone = served_at(URL, 404, &[("content-type", "application/json")], "{}");
    let g = grade_exchange(URL, &gone, None);
    assert_eq!(status(&g, "CIMD-DOC-SERVED"), Status::Fail);
    assert_eq!(
        status(&g, "CIMD-DOC-CLIENT-ID"),
        Status::Skip,
        "no document"
    );
    let not_json = served_at(URL, 200, &json_headers(), "<html>");
    let g = grade_exchange(URL, &not_json, None);
    assert_eq!(status(&g, "CIMD-DOC-SERVED"), Status::Fail);
}

#[test]
fn cimd_doc_served_fails_for_a_body_over_the_cap() {
    let mut ex = served_at(URL, 200, &json_headers(), "");
    ex.response.as_mut().unwrap().body_truncated = true;
    let g = grade_exchange(URL, &ex, None);
    let f = finding_of(&g, "CIMD-DOC-SERVED");
    assert_eq!(f.status, Status::Fail);
    assert!(f.detail.contains("size cap"), "{}", f.detail);
}

#[test]
fn cimd_doc_served_skips_for_a_file() {
    assert_eq!(
        status(&grade_file(&good()), "CIMD-DOC-SERVED"),
        Status::Skip
    );
}

#[test]
fn cimd_doc_client_id_pass_and_fail() {
    assert_eq!(
        status(&grade_at(URL, &good(), None), "CIMD-DOC-CLIENT-ID"),
        Status::Pass
    );
    let g = grade_at(URL, &with("client_id", json!(format!("{URL}/"))), None);
    let f = finding_of(&g, "CIMD-DOC-CLIENT-ID");
    assert_eq!(f.status, Status::Fail);
    assert!(f.detail.contains(URL), "{}", f.detail);
    let g = grade_at(URL, &without("client_id"), None);
    assert_eq!(status(&g, "CIMD-DOC-CLIENT-ID"), Status::Fail);
    let g = grade_at(URL, &with("client_id", json!(7)), None);
    assert!(finding_of(&g, "CIMD-DOC-CLIENT-ID")
        .detail
        .contains("not a string"));
}

#[test]
fn cimd_doc_client_id_of_a_file_is_reported_or_skipped() {
    assert_eq!(
        status(&grade_file(&good()), "CIMD-DOC-CLIENT-ID"),
        Status::Info
    );
    let g = grade_file(&with("client_id", json!("my-app")));
    let f = finding_of(&g, "CIMD-DOC-CLIENT-ID");
    assert_eq!(f.status, Status::Skip);
    assert!(f.detail.contains("my-app"));
    assert_eq!(
        status(&grade_file(&without("client_id")), "CIMD-DOC-CLIENT-ID"),
        Status::Fail
    );
}

#[test]
fn cimd_doc_redirect_uris_pass_and_fail() {
    let ok = with(
        "redirect_uris",
        json!([
            "com.example.app:/cb",
            "http://[::1]:3000/cb",
            "http://localhost/cb"
        ]),
    );
    assert_eq!(
        status(&grade_at(URL, &ok, None), "CIMD-DOC-REDIRECT-URIS"),
        Status::Pass
    );
    for (bad, needle) in [
        (json!([]), "empty"),
        (json!("https://app.example/cb"), "not an array"),
        (json!(["http://app.example/cb"]), "outside loopback"),
        (json!(["https://app.example/cb#frag"]), "fragment"),
        (json!(["/relative"]), "absolute"),
        (json!(["javascript:alert(1)"]), "cannot be a redirect"),
    ] {
        let g = grade_at(URL, &with("redirect_uris", bad.clone()), None);
        let f = finding_of(&g, "CIMD-DOC-REDIRECT-URIS");
        assert_eq!(f.status, Status::Fail, "{bad}");
        assert!(f.detail.contains(needle), "{bad}: {}", f.detail);
    }
    let g = grade_at(URL, &without("redirect_uris"), None);
    assert_eq!(status(&g, "CIMD-DOC-REDIRECT-URIS"), Status::Fail);
}

#[test]
fn cimd_doc_no_secret_pass_and_fail() {
    assert_eq!(
        status(&grade_at(URL, &good(), None), "CIMD-DOC-NO-SECRET"),
        Status::Pass
    );
    for m in checks::SHARED_SECRET_METHODS {
        let g = grade_at(URL, &with("token_endpoint_auth_method", json!(m)), None);
        let f = finding_of(&g, "CIMD-DOC-NO-SECRET");
        assert_eq!(f.status, Status::Fail, "{m}");
        assert!(f.detail.contains(m));
    }
    let g = grade_at(URL, &with("client_secret", json!("hunter2-secret")), None);
    let f = finding_of(&g, "CIMD-DOC-NO-SECRET");
    assert_eq!(f.status, Status::Fail);
    let shown = serde_json::to_string(&g).unwrap();
    assert!(
        !shown.contains("hunter2-secret"),
        "the secret is shown: {shown}"
    );
}

#[test]
fn cimd_doc_no_secret_warns_without_a_method() {
    let g = grade_at(URL, &without("token_endpoint_auth_method"), None);
    let f = finding_of(&g, "CIMD-DOC-NO-SECRET");
    assert_eq!(f.status, Status::Warn);
    assert!(f.detail.contains("client_secret_basic"));
}

fn chatgpt_like() -> Value {
    json!({
        "client_id": URL,
        "client_name": "ChatGPT-like",
        "redirect_uris": ["https://app.example/connector/oauth/callback"],
        "token_endpoint_auth_method": "private_key_jwt",
        "token_endpoint_auth_methods_supported": ["private_key_jwt", "none"],
        "jwks_uri": "https://app.example/oauth/jwks.json",
    })
}

#[test]
fn cimd_doc_keys_pass_and_fail() {
    assert_eq!(
        status(&grade_at(URL, &chatgpt_like(), None), "CIMD-DOC-KEYS"),
        Status::Pass
    );
    let mut inline = chatgpt_like();
    inline.as_object_mut().unwrap().remove("jwks_uri");
    inline["jwks"] = json!({"keys": [{"kty": "EC"}]});
    assert_eq!(
        status(&grade_at(URL, &inline, None), "CIMD-DOC-KEYS"),
        Status::Pass
    );
    let mut none = chatgpt_like();
    none.as_object_mut().unwrap().remove("jwks_uri");
    assert_eq!(
        status(&grade_at(URL, &none, None), "CIMD-DOC-KEYS"),
        Status::Fail
    );
    let mut both = chatgpt_like();
    both["jwks"] = json!({"keys": [{"kty": "EC"}]});
    assert_eq!(
        status(&grade_at(URL, &both, None), "CIMD-DOC-KEYS"),
        Status::Fail
    );
    let mut plain = chatgpt_like();
    plain["jwks_uri"] = json!("http://app.example/jwks");
    assert_eq!(
        status(&grade_at(URL, &plain, None), "CIMD-DOC-KEYS"),
        Status::Fail
    );
}

#[test]
fn cimd_doc_keys_skips_for_a_public_client() {
    assert_eq!(
        status(&grade_at(URL, &good(), None), "CIMD-DOC-KEYS"),
        Status::Skip
    );
}

#[test]
fn cimd_doc_as_method_pass_and_fail() {
    let md = metadata(
        json!({"issuer": ISSUER, "token_endpoint_auth_methods_supported": ["none", "private_key_jwt"]}),
    );
    let g = grade_at(URL, &chatgpt_like(), Some(Ok(&md)));
    assert_eq!(status(&g, "CIMD-DOC-AS-METHOD"), Status::Pass);
    let md = metadata(
        json!({"issuer": ISSUER, "token_endpoint_auth_methods_supported": ["none", "client_secret_basic"]}),
    );
    let g = grade_at(URL, &chatgpt_like(), Some(Ok(&md)));
    let f = finding_of(&g, "CIMD-DOC-AS-METHOD");
    assert_eq!(f.status, Status::Fail);
    assert!(
        f.detail.contains("private_key_jwt") && f.detail.contains("[none, client_secret_basic]"),
        "{}",
        f.detail
    );
    assert!(f.detail.contains("also lists none"), "{}", f.detail);
}

#[test]
fn cimd_doc_as_method_defaults_to_client_secret_basic() {
    let md = metadata(json!({"issuer": ISSUER}));
    let g = grade_at(URL, &good(), Some(Ok(&md)));
    let f = finding_of(&g, "CIMD-DOC-AS-METHOD");
    assert_eq!(f.status, Status::Fail);
    assert!(f.detail.contains("[client_secret_basic]"), "{}", f.detail);
}

#[test]
fn cimd_doc_as_method_skips_without_an_issuer() {
    let g = grade_at(URL, &good(), None);
    assert_eq!(status(&g, "CIMD-DOC-AS-METHOD"), Status::Skip);
    let g = grade_at(URL, &good(), Some(Err("answered 404".to_owned())));
    let f = finding_of(&g, "CIMD-DOC-AS-METHOD");
    assert_eq!(f.status, Status::Skip);
    assert!(f.detail.contains("404"));
}

#[test]
fn cimd_doc_as_cimd_pass_and_warn() {
    let on = metadata(json!({"issuer": ISSUER, "client_id_metadata_document_supported": true}));
    assert_eq!(
        status(&grade_at(URL, &good(), Some(Ok(&on))), "CIMD-DOC-AS-CIMD"),
        Status::Pass
    );
    let off = metadata(json!({"issuer": ISSUER, "client_id_metadata_document_supported": false}));
    assert_eq!(
        status(&grade_at(URL, &good(), Some(Ok(&off))), "CIMD-DOC-AS-CIMD"),
        Status::Warn
    );
    let absent = metadata(json!({"issuer": ISSUER}));
    let g = grade_at(URL, &good(), Some(Ok(&absent)));
    assert_eq!(status(&g, "CIMD-DOC-AS-CIMD"), Status::Warn);
    assert_eq!(
        status(&grade_at(URL, &good(), None), "CIMD-DOC-AS-CIMD"),
        Status::Skip
    );
}

#[test]
fn cimd_doc_cache_pass_and_warn() {
    assert_eq!(
        status(&grade_at(URL, &good(), None), "CIMD-DOC-CACHE"),
        Status::Pass
    );
    let body = good().to_string();
    let ct = ("content-type", "application/json");
    let expires = served_at(
        URL,
        200,
        &[ct, ("expires", "Wed, 21 Oct 2026 07:28:00 GMT")],
        &body,
    );
    assert_eq!(
        status(&grade_exchange(URL, &expires, None), "CIMD-DOC-CACHE"),
        Status::Pass
    );
    let bare = served_at(URL, 200, &[ct], &body);
    let g = grade_exchange(URL, &bare, None);
    assert_eq!(status(&g, "CIMD-DOC-CACHE"), Status::Warn);
    assert!(g.valid, "a SHOULD never fails the document");
    let no_store = served_at(URL, 200, &[ct, ("cache-control", "no-store")], &body);
    let g = grade_exchange(URL, &no_store, None);
    assert!(finding_of(&g, "CIMD-DOC-CACHE").detail.contains("no-store"));
    assert_eq!(status(&grade_file(&good()), "CIMD-DOC-CACHE"), Status::Skip);
}

#[test]
fn cimd_doc_client_name_pass_and_info() {
    assert_eq!(
        status(&grade_at(URL, &good(), None), "CIMD-DOC-CLIENT-NAME"),
        Status::Pass
    );
    let g = grade_at(URL, &without("client_name"), None);
    assert_eq!(status(&g, "CIMD-DOC-CLIENT-NAME"), Status::Info);
    assert!(g.valid);
}

#[test]
fn a_file_that_is_not_a_json_object_is_refused() {
    assert!(is_json_object("{\"a\": 1}").is_ok());
    assert!(is_json_object("[1]").is_err());
    assert!(is_json_object("not json").is_err());
}

/// The section names the CIMD-DOC-* checks cite are headings of the
/// draft (the editor's copy, oauth-wg/draft-ietf-oauth-client-id-metadata-document
/// at 1ea9174d, as -03).
#[test]
fn cited_draft_sections_are_headings_of_the_draft() {
    const HEADINGS: &[&str] = &[
        "Client Identifier URL",
        "Client ID Metadata Document",
        "Credential and Key Material Restrictions",
        "Redirect URL Registration",
        "Client Information Discovery",
        "Metadata Discovery Errors",
        "Metadata Caching",
        "Authorization Server Metadata",
    ];
    const DRAFT: &str = "draft-ietf-oauth-client-id-metadata-document ";
    for c in crate::CATALOGUE
        .iter()
        .filter(|c| c.id.starts_with("CIMD-DOC-"))
    {
        for part in c.spec.split("; ").filter_map(|p| p.strip_prefix(DRAFT)) {
            for section in part.split(", ") {
                let name = section.trim_start_matches('§');
                assert!(
                    HEADINGS.contains(&name),
                    "{}: §{name} is no heading of the draft",
                    c.id
                );
            }
        }
    }
}

//! `cimd validate` against documents served on loopback by the replay
//! server, and local files: statuses by id in the JSON output (validated
//! against docs/schemas/cimd-validate.v1.json), exit codes, and evidence
//! saved with --save-evidence graded again with --from-evidence.

use serde_json::{json, Value};

use crate::support::replay::{ReplayServer, Route};
use crate::support::*;

const PATH: &str = "/oauth/client.json";

/// A good public client's document naming `url` as its client_id.
fn good_doc(url: &str) -> Value {
    json!({
        "client_id": url,
        "client_name": "Loopback client",
        "redirect_uris": ["http://127.0.0.1/callback"],
        "token_endpoint_auth_method": "none",
    })
}

/// A document modelled on ChatGPT's: private_key_jwt with a jwks_uri, and
/// `none` listed as a fallback.
fn chatgpt_doc(url: &str, origin: &str) -> Value {
    json!({
        "client_id": url,
        "client_name": "ChatGPT",
        "redirect_uris": ["https://chatgpt.com/connector_platform_oauth_redirect"],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "private_key_jwt",
        "token_endpoint_auth_methods_supported": ["private_key_jwt", "none"],
        "jwks_uri": format!("{origin}/oauth/jwks.json"),
    })
}

/// Serve `doc(url, origin)` at PATH as `route` shapes it.
fn serve(
    doc: impl FnOnce(&str, &str) -> Value,
    route: impl FnOnce(Value) -> Route,
) -> (ReplayServer, String) {
    let server = ReplayServer::start(|origin| {
        let url = format!("{origin}{PATH}");
        vec![(PATH.to_owned(), route(doc(&url, origin)))]
    });
    let url = format!("{}{PATH}", server.origin);
    (server, url)
}

/// `cimd validate ARGS --format json`: exit code, the report, stderr.
fn validate(args: &[&str]) -> (i32, Value, String) {
    let mut all = vec!["cimd", "validate"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    let (code, stdout, stderr) = run(&all);
    let report = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{stdout}\nstderr:\n{stderr}"));
    crate::schemas::assert_valid("cimd-validate", "cimd validate --format json", &report);
    (code, report, stderr)
}

fn cached(doc: Value) -> Route {
    Route::json(&doc).header("cache-control", "max-age=3600")
}

#[test]
fn cimd_a_good_document_on_loopback_passes_with_a_development_warning() {
    let (_server, url) = serve(|u, _| good_doc(u), cached);
    let (code, report, _) = validate(&[&url]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["source_kind"], "url");
    assert_statuses(
        &report,
        &[
            ("CIMD-DOC-URL", "warn"),
            ("CIMD-DOC-SERVED", "pass"),
            ("CIMD-DOC-CLIENT-ID", "pass"),
            ("CIMD-DOC-REDIRECT-URIS", "pass"),
            ("CIMD-DOC-NO-SECRET", "pass"),
            ("CIMD-DOC-KEYS", "skip"),
            ("CIMD-DOC-AS-METHOD", "skip"),
            ("CIMD-DOC-CACHE", "pass"),
            ("CIMD-DOC-CLIENT-NAME", "pass"),
        ],
    );
    assert!(detail_of(&report, "CIMD-DOC-URL").contains("development only"));
}

#[test]
fn cimd_a_broken_document_fails_by_id_and_exits_1() {
    let (_server, url) = serve(
        |_, origin| {
            json!({
                "client_id": format!("{origin}/other.json"),
                "redirect_uris": ["http://app.example/cb"],
                "token_endpoint_auth_method": "client_secret_post",
                "client_secret": "s3cr3t-value",
            })
        },
        |d| Route::raw(200, Some("text/plain"), d.to_string()),
    );
    let (code, report, _) = validate(&[&url]);
    assert_eq!(code, 1);
    assert_eq!(report["valid"], false);
    assert_statuses(
        &report,
        &[
            ("CIMD-DOC-SERVED", "fail"),
            ("CIMD-DOC-CLIENT-ID", "fail"),
            ("CIMD-DOC-REDIRECT-URIS", "fail"),
            ("CIMD-DOC-NO-SECRET", "fail"),
            ("CIMD-DOC-CACHE", "warn"),
            ("CIMD-DOC-CLIENT-NAME", "info"),
        ],
    );
    assert!(detail_of(&report, "CIMD-DOC-SERVED").contains("text/plain"));
    assert!(
        !report.to_string().contains("s3cr3t-value"),
        "the secret is printed"
    );
}

#[test]
fn cimd_a_missing_document_fails_served_and_skips_the_rest() {
    let server = ReplayServer::start(|_| Vec::new());
    let url = format!("{}{PATH}", server.origin);
    let (code, report, _) = validate(&[&url]);
    assert_eq!(code, 1);
    assert_statuses(
        &report,
        &[
            ("CIMD-DOC-SERVED", "fail"),
            ("CIMD-DOC-CLIENT-ID", "skip"),
            ("CIMD-DOC-CACHE", "skip"),
        ],
    );
    assert!(detail_of(&report, "CIMD-DOC-SERVED").contains("404"));
}

/// An issuer whose metadata lists only `none` and `client_secret_basic`.
fn issuer_without_private_key_jwt() -> ReplayServer {
    ReplayServer::start(|origin| {
        let md = json!({
            "issuer": origin,
            "authorization_endpoint": format!("{origin}/authorize"),
            "token_endpoint": format!("{origin}/token"),
            "response_types_supported": ["code"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["none", "client_secret_basic"],
        });
        vec![(
            "/.well-known/oauth-authorization-server".to_owned(),
            Route::json(&md),
        )]
    })
}

#[test]
fn cimd_a_chatgpt_like_document_fails_at_an_issuer_without_private_key_jwt() {
    let (_server, url) = serve(chatgpt_doc, cached);
    let issuer = issuer_without_private_key_jwt();
    let (code, report, _) = validate(&[&url, "--issuer", &issuer.origin]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(report["issuer"], issuer.origin.as_str());
    assert_statuses(
        &report,
        &[
            ("CIMD-DOC-KEYS", "pass"),
            ("CIMD-DOC-NO-SECRET", "pass"),
            ("CIMD-DOC-AS-METHOD", "fail"),
            ("CIMD-DOC-AS-CIMD", "warn"),
        ],
    );
    let detail = detail_of(&report, "CIMD-DOC-AS-METHOD");
    assert!(detail.contains("private_key_jwt"), "{detail}");
    assert!(
        detail.contains("none") && detail.contains("client_secret_basic"),
        "{detail}"
    );
}

#[test]
fn cimd_an_issuer_that_lists_the_method_and_cimd_passes() {
    let (_server, url) = serve(|u, _| good_doc(u), cached);
    let issuer = ReplayServer::start(|origin| {
        let md = json!({
            "issuer": origin,
            "token_endpoint_auth_methods_supported": ["none"],
            "client_id_metadata_document_supported": true,
        });
        vec![(
            "/.well-known/oauth-authorization-server".to_owned(),
            Route::json(&md),
        )]
    });
    let (code, report, _) = validate(&[&url, "--issuer", &issuer.origin]);
    assert_eq!(code, 0, "{report:#}");
    assert_statuses(
        &report,
        &[("CIMD-DOC-AS-METHOD", "pass"), ("CIMD-DOC-AS-CIMD", "pass")],
    );
}

#[test]
fn cimd_a_file_skips_what_only_a_url_shows() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("client.json");
    let doc = good_doc("https://app.example/oauth/client.json");
    std::fs::write(&file, doc.to_string()).unwrap();
    let (code, report, _) = validate(&[file.to_str().unwrap()]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["source_kind"], "file");
    assert_statuses(
        &report,
        &[
            ("CIMD-DOC-URL", "pass"),
            ("CIMD-DOC-SERVED", "skip"),
            ("CIMD-DOC-CLIENT-ID", "info"),
            ("CIMD-DOC-CACHE", "skip"),
        ],
    );
}

#[test]
fn cimd_a_file_that_is_not_json_is_one_error_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("client.json");
    std::fs::write(&file, "client_id = 'nope'").unwrap();
    let name = file.to_str().unwrap();
    let (code, stdout, stderr) = run(&["cimd", "validate", name]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    one_error(&stderr, name);
    assert!(stderr.contains("not a JSON object"), "{stderr}");
}

#[test]
fn cimd_an_unreachable_url_exits_3() {
    let closed = ClosedPort::bind();
    let url = format!("{}{PATH}", closed.origin());
    let (code, stdout, stderr) = run(&["cimd", "validate", &url]);
    assert_eq!(code, 3, "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    one_error(&stderr, &url);
}

#[test]
fn cimd_markdown_lists_the_checks() {
    let (_server, url) = serve(|u, _| good_doc(u), cached);
    let (code, stdout, _) = run(&["cimd", "validate", &url, "--format", "markdown"]);
    assert_eq!(code, 0);
    assert!(stdout.starts_with("# mcp-auth cimd validate"), "{stdout}");
    assert!(
        stdout.contains("| `CIMD-DOC-CLIENT-ID` | pass |"),
        "{stdout}"
    );
}

#[test]
fn cimd_an_unreachable_issuer_exits_3() {
    let (_server, url) = serve(|u, _| good_doc(u), cached);
    let closed = ClosedPort::bind();
    let issuer = closed.origin();
    let (code, stdout, stderr) = run(&["cimd", "validate", &url, "--issuer", &issuer]);
    assert_eq!(code, 3, "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    one_error(&stderr, &issuer);
}

#[test]
fn cimd_an_issuer_without_metadata_skips_its_checks_with_a_warning() {
    let (_server, url) = serve(|u, _| good_doc(u), cached);
    let issuer = ReplayServer::start(|_| Vec::new());
    let (code, report, stderr) = validate(&[&url, "--issuer", &issuer.origin]);
    assert_eq!(code, 0, "{report:#}");
    assert_statuses(
        &report,
        &[("CIMD-DOC-AS-METHOD", "skip"), ("CIMD-DOC-AS-CIMD", "skip")],
    );
    assert!(detail_of(&report, "CIMD-DOC-AS-METHOD").contains(&issuer.origin));
    assert!(stderr.starts_with("warning: "), "{stderr}");
}

/// `cimd validate ARGS --format json --save-evidence FILE`: the report as
/// printed, and the evidence (validated against its schema).
fn save(args: &[&str], file: &std::path::Path) -> (i32, String, Value) {
    let mut all = vec!["cimd", "validate"];
    all.extend_from_slice(args);
    all.extend_from_slice(&[
        "--format",
        "json",
        "--save-evidence",
        file.to_str().unwrap(),
    ]);
    let (code, stdout, stderr) = run(&all);
    assert!(!stdout.is_empty(), "{stderr}");
    let text = std::fs::read_to_string(file).expect("the evidence was written");
    assert!(text.ends_with("}\n"), "{text}");
    let ev: Value = serde_json::from_str(&text).unwrap();
    crate::schemas::assert_valid("cimd-evidence", "cimd validate --save-evidence", &ev);
    (code, stdout, ev)
}

/// `cimd validate --from-evidence FILE --format json`: exit code, stdout, stderr.
fn replay(file: &std::path::Path) -> (i32, String, String) {
    let path = file.to_str().unwrap();
    run(&[
        "cimd",
        "validate",
        "--from-evidence",
        path,
        "--format",
        "json",
    ])
}

#[test]
fn cimd_saved_evidence_replays_to_the_same_report_with_no_server() {
    let (server, url) = serve(chatgpt_doc, cached);
    let issuer = issuer_without_private_key_jwt();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cimd-evidence.json");
    let (code, printed, ev) = save(&[&url, "--issuer", &issuer.origin], &file);
    assert_eq!(code, 1, "{printed}");
    assert_eq!(ev["schema_version"], 1);
    assert_eq!(ev["target"], url.as_str());
    assert_eq!(ev["document"]["kind"], "url");
    assert_eq!(ev["document"]["exchange"]["request"]["url"], url.as_str());
    assert!(ev["recorded_at"].is_string(), "{ev:#}");
    assert_eq!(
        ev["issuer"]["metadata"]["token_endpoint_auth_methods_supported"],
        json!(["none", "client_secret_basic"])
    );
    // Both servers gone: the replay cannot reach either.
    drop(server);
    drop(issuer);
    let (code, replayed, stderr) = replay(&file);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(replayed, printed, "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
}

#[test]
fn cimd_saved_evidence_of_a_file_and_an_issuer_without_metadata_replays() {
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("client.json");
    std::fs::write(
        &doc,
        good_doc("https://app.example/oauth/client.json").to_string(),
    )
    .unwrap();
    let issuer = ReplayServer::start(|_| Vec::new());
    let file = dir.path().join("cimd-evidence.json");
    let (code, printed, ev) = save(&[doc.to_str().unwrap(), "--issuer", &issuer.origin], &file);
    assert_eq!(code, 0, "{printed}");
    assert_eq!(ev["document"]["kind"], "file");
    assert!(ev["issuer"]["error"].is_string(), "{ev:#}");
    drop(issuer);
    std::fs::remove_file(&doc).unwrap();
    let (code, replayed, stderr) = replay(&file);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(replayed, printed);
    assert!(stderr.starts_with("warning: "), "{stderr}");
}

#[test]
fn cimd_a_file_with_a_secret_fails_no_secret_and_the_evidence_keeps_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("client.json");
    let mut d = good_doc("https://app.example/oauth/client.json");
    d["client_secret"] = json!("s3cr3t-in-a-file");
    std::fs::write(&doc, d.to_string()).unwrap();
    let file = dir.path().join("cimd-evidence.json");
    let (code, printed, ev) = save(&[doc.to_str().unwrap()], &file);
    assert_eq!(code, 1, "{printed}");
    let report: Value = serde_json::from_str(&printed).unwrap();
    assert_statuses(&report, &[("CIMD-DOC-NO-SECRET", "fail")]);
    assert!(
        !printed.contains("s3cr3t-in-a-file"),
        "the secret is printed"
    );
    assert!(
        !ev.to_string().contains("s3cr3t-in-a-file"),
        "the secret is saved"
    );
    let (code, replayed, _) = replay(&file);
    assert_eq!((code, replayed), (1, printed), "the replay grades the same");
}

#[test]
fn cimd_a_malformed_or_missing_evidence_file_is_one_error_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, r#"{"schema_version": 1, "document": 3}"#).unwrap();
    let missing = dir.path().join("missing.json");
    for file in [&bad, &missing] {
        let (code, stdout, stderr) = replay(file);
        assert_eq!(code, 2, "{stderr}");
        assert!(stdout.is_empty(), "{stdout}");
        one_error(&stderr, file.to_str().unwrap());
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
}

#[test]
fn cimd_from_evidence_takes_no_target_nor_issuer() {
    let (code, _, stderr) = run(&["cimd", "validate"]);
    assert_eq!(code, 2, "{stderr}");
    for extra in [["x.json"].as_slice(), &["--issuer", "https://as.example"]] {
        let mut args = vec!["cimd", "validate", "--from-evidence", "ev.json"];
        args.extend_from_slice(extra);
        let (code, _, stderr) = run(&args);
        assert_eq!(code, 2, "{stderr}");
        assert!(stderr.contains("cannot be used with"), "{stderr}");
    }
}

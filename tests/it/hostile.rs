//! Hostile and broken servers: every scenario ends with a verdict, a clear
//! one-line error where there is one, the right exit code, and no hang (the
//! harness kills a run after 60 s, which fails the test) and no panic.

use std::time::Duration;

use serde_json::json;

use crate::support::hostile::{response, HostileServer, Script};
use crate::support::replay::{
    live_endpoints, recorded, recorded_mcp, set_route, ReplayServer, Route,
};
use crate::support::tls::TlsServer;
use crate::support::*;

const ROOT_DOC: &str = "oidc-provider-9.13.3-root.json";

/// `check <origin> --as issuer --timeout 1 --format json` against a raw script.
fn against(script: Script) -> (i32, serde_json::Value, String) {
    let server = HostileServer::start(script);
    check_json(&[&server.origin, "--as", "issuer", "--timeout", "1"])
}

fn first_outcome(report: &serde_json::Value) -> serde_json::Value {
    report["discovery"]["attempts"][0]["outcome"].clone()
}

fn json_head() -> Vec<(&'static str, &'static str)> {
    vec![("content-type", "application/json")]
}

#[test]
fn body_larger_than_the_cap_with_content_length() {
    let body = vec![b' '; 2 * 1024 * 1024];
    let (code, report, stderr) = against(Script::Bytes(response("200 OK", &json_head(), &body)));
    assert_eq!(code, 3);
    assert_eq!(first_outcome(&report)["result"], "too_large");
    one_error(&stderr, "larger than the 1 MiB cap");
}

#[test]
fn body_larger_than_the_cap_chunked() {
    let mut raw = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n".to_vec();
    let chunk = vec![b' '; 64 * 1024];
    for _ in 0..40 {
        raw.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        raw.extend_from_slice(&chunk);
        raw.extend_from_slice(b"\r\n");
    }
    raw.extend_from_slice(b"0\r\n\r\n");
    let (code, report, stderr) = against(Script::Bytes(raw));
    assert_eq!(code, 3);
    assert_eq!(first_outcome(&report)["result"], "too_large");
    one_error(&stderr, "1 MiB cap");
}

#[test]
fn lying_content_length_shorter_than_the_body() {
    let doc = br#"{"issuer":"http://x","authorization_endpoint":"http://x/a"}"#;
    let (code, report, stderr) = against(Script::Bytes(response(
        "200 OK",
        &[
            ("content-type", "application/json"),
            ("content-length", "5"),
        ],
        doc,
    )));
    assert_eq!(code, 3);
    assert_eq!(first_outcome(&report)["result"], "not_json");
    one_error(&stderr, "not JSON");
}

#[test]
fn content_length_longer_than_the_body_then_close() {
    let (code, report, stderr) = against(Script::Bytes(response(
        "200 OK",
        &[
            ("content-type", "application/json"),
            ("content-length", "1000"),
        ],
        b"{\"issuer\":",
    )));
    assert_eq!(code, 3);
    assert_eq!(first_outcome(&report)["result"], "transport");
    one_error(&stderr, "no authorization server metadata found");
}

#[test]
fn chunked_body_cut_before_the_last_chunk() {
    let raw = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\na\r\n{\"issuer\":\r\n".to_vec();
    let (code, report, _) = against(Script::Bytes(raw));
    assert_eq!(code, 3);
    assert_eq!(first_outcome(&report)["result"], "transport");
}

#[test]
fn gzip_bomb_is_never_inflated() {
    let bomb = std::fs::read(root().join("tests/fixtures/hostile/zeros-64MiB.json.gz")).unwrap();
    let (code, report, stderr) = against(Script::Bytes(response(
        "200 OK",
        &[
            ("content-type", "application/json"),
            ("content-encoding", "gzip"),
        ],
        &bomb,
    )));
    assert_eq!(code, 3);
    // The compressed bytes are read as they are (no Accept-Encoding was sent): not UTF-8.
    assert_eq!(first_outcome(&report)["result"], "not_json");
    one_error(&stderr, "not valid UTF-8");
}

#[test]
fn slow_drip_hits_the_timeout() {
    let (code, report, stderr) = against(Script::Drip {
        head: b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n"
            .to_vec(),
        body: vec![b' '; 100],
        interval: Duration::from_millis(1000),
    });
    assert_eq!(code, 3);
    assert_eq!(first_outcome(&report)["kind"], "timeout");
    one_error(&stderr, "no answer within the timeout");
}

#[test]
fn accepts_but_never_answers() {
    let (code, report, stderr) = against(Script::Hang);
    assert_eq!(code, 3);
    assert_eq!(first_outcome(&report)["kind"], "timeout");
    one_error(&stderr, "target unreachable");
}

#[test]
fn closes_without_answering() {
    let (code, report, stderr) = against(Script::Close);
    assert_eq!(code, 3);
    assert_eq!(first_outcome(&report)["result"], "transport");
    one_error(&stderr, "target unreachable");
}

#[test]
fn redirects_are_reported_never_followed() {
    for (location, needle) in [
        (
            "/.well-known/oauth-authorization-server",
            "redirect to /.well-known/oauth-authorization-server",
        ),
        (
            "https://evil.example/steal",
            "redirect to https://evil.example/steal (not followed)",
        ),
        (
            "file:///etc/passwd",
            "redirect to file:///etc/passwd (not followed)",
        ),
        ("/login?next=%2Foauth", "redirect to /login?next=%2Foauth"),
    ] {
        let (code, report, stderr) = against(Script::Bytes(response(
            "302 Found",
            &[("location", location), ("content-type", "text/html")],
            b"<html>sign in</html>",
        )));
        assert_eq!(code, 3, "{location}");
        assert_eq!(first_outcome(&report)["result"], "redirect");
        one_error(&stderr, needle);
    }
}

#[test]
fn json_that_is_not_a_document() {
    for (body, needle) in [
        ("42".to_owned(), "JSON number, not an object"),
        ("\"issuer\"".to_owned(), "JSON string, not an object"),
        ("null".to_owned(), "JSON null, not an object"),
        ("[".repeat(100_000), "not JSON"),
        (format!("{}{}", "{\"a\":".repeat(50_000), "1"), "not JSON"),
    ] {
        let (code, _, stderr) = against(Script::Bytes(response(
            "200 OK",
            &json_head(),
            body.as_bytes(),
        )));
        assert_eq!(code, 3);
        one_error(&stderr, needle);
    }
}

#[test]
fn non_utf8_body() {
    let (code, report, stderr) = against(Script::Bytes(response(
        "200 OK",
        &json_head(),
        b"{\"issuer\": \"\xff\xfe\"}",
    )));
    assert_eq!(code, 3);
    assert_eq!(first_outcome(&report)["reason"], "body is not valid UTF-8");
    one_error(&stderr, "not valid UTF-8");
}

#[test]
fn duplicate_keys_take_the_last_value_deterministically() {
    let server = HostileServer::start(Script::Bytes(Vec::new()));
    drop(server);
    let replay = ReplayServer::start(|origin| {
        let doc = recorded(ROOT_DOC, origin);
        // A second "issuer" member after the first.
        let dup = doc
            .to_string()
            .replacen('{', "{\"issuer\":\"https://first.example\",", 1);
        let mut routes = live_endpoints(origin, &doc);
        routes.push((
            "/.well-known/oauth-authorization-server".into(),
            Route::raw(200, Some("application/json"), dup),
        ));
        routes
    });
    for _ in 0..2 {
        let (code, report, _) = check_json(&[&replay.origin, "--as", "issuer"]);
        assert_eq!(code, 0, "the later, correct issuer wins");
        assert_eq!(status(&report, "DISC-AS-ISSUER-MATCH"), "pass");
    }
}

#[test]
fn wrong_types_in_every_known_member() {
    let replay = ReplayServer::start(|origin| {
        let doc = recorded(ROOT_DOC, origin);
        let wrong: serde_json::Map<String, serde_json::Value> = doc
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| {
                let w = match v {
                    serde_json::Value::String(_) => json!(7),
                    serde_json::Value::Array(_) => json!("not-an-array"),
                    serde_json::Value::Bool(_) => json!("true"),
                    _ => json!([]),
                };
                (k.clone(), w)
            })
            .collect();
        vec![(
            "/.well-known/oauth-authorization-server".into(),
            Route::json(&serde_json::Value::Object(wrong)),
        )]
    });
    let (code, report, _) = check_json(&[&replay.origin, "--as", "issuer"]);
    assert_eq!(code, 1);
    let f = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "AS-MEMBER-TYPES")
        .unwrap();
    assert_eq!(f["status"], "fail");
    assert!(
        f["detail"].as_str().unwrap().matches("should be").count() >= 20,
        "{f}"
    );
    assert_eq!(status(&report, "DISC-AS-ISSUER-MATCH"), "fail");
    assert_eq!(status(&report, "AS-AUTHZ-ENDPOINT"), "fail");
}

#[test]
fn huge_response_header() {
    let big = "x".repeat(1024 * 1024);
    let (code, report, stderr) = against(Script::Bytes(response(
        "200 OK",
        &[("content-type", "application/json"), ("x-padding", &big)],
        b"{}",
    )));
    assert_eq!(code, 3);
    assert_eq!(first_outcome(&report)["result"], "transport");
    one_error(&stderr, "target unreachable");
}

#[test]
fn a_hundred_challenges() {
    let (_s, url) = recorded_mcp(|o, r| {
        let mut many = vec![format!(
            r#"Bearer resource_metadata="{o}/.well-known/oauth-protected-resource/mcp""#
        )];
        many.extend((0..99).map(|i| format!("Scheme{i} realm=\"r{i}\"")));
        set_route(
            r,
            "POST /mcp",
            Route::raw(401, None, "").header("www-authenticate", &many.join(", ")),
        );
    });
    let (code, report, _) = check_json(&[&url]);
    assert_eq!(code, 0);
    assert_eq!(
        report["resource"]["challenges"]["challenges"]
            .as_array()
            .unwrap()
            .len(),
        100
    );
    assert_eq!(status(&report, "CH-BEARER-SCHEME"), "pass");
}

#[test]
fn a_thousand_authorization_servers_are_bounded() {
    let (server, url) = recorded_mcp(|o, r| {
        let mut prm = recorded("ts-sdk-1.32.2-prm.json", o);
        let first = prm["authorization_servers"][0].clone();
        let mut list = vec![first];
        list.extend((1..1000).map(|i| json!(format!("{o}/as{i}"))));
        prm["authorization_servers"] = json!(list);
        set_route(
            r,
            "/.well-known/oauth-protected-resource/mcp",
            Route::json(&prm),
        );
    });
    let (code, report, _) = check_json(&[&url]);
    assert_eq!(code, 1, "the other 7 examined servers serve no metadata");
    assert_eq!(
        report["additional_authorization_servers"]
            .as_array()
            .unwrap()
            .len(),
        7,
        "8 examined"
    );
    let f = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "PRM-AS-FIRST")
        .unwrap();
    assert!(
        f["detail"].as_str().unwrap().starts_with("1000 servers"),
        "{f}"
    );
    assert_eq!(
        server.hits("GET /.well-known/oauth-authorization-server/as8"),
        0,
        "the 9th is never fetched"
    );
}

#[test]
fn an_authorization_server_on_another_loopback_origin_is_followed_and_named() {
    let other = ReplayServer::start(|origin| {
        let doc = recorded("oidc-provider-9.13.3-path-registration.json", origin);
        let mut routes = live_endpoints(origin, &doc);
        routes.push((
            "/oidc/.well-known/openid-configuration".into(),
            Route::json(&doc),
        ));
        routes
    });
    let other_issuer = format!("{}/oidc", other.origin);
    let (_s, url) = recorded_mcp(|o, r| {
        let mut prm = recorded("ts-sdk-1.32.2-prm.json", o);
        prm["authorization_servers"] = json!([other_issuer]);
        set_route(
            r,
            "/.well-known/oauth-protected-resource/mcp",
            Route::json(&prm),
        );
    });
    let (code, report, _) = check_json(&[&url]);
    assert_eq!(code, 0);
    assert_eq!(
        report["discovery"]["expected_issuer"],
        other_issuer.as_str()
    );
    assert!(report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["subject"] == other_issuer.as_str()));
    assert_eq!(
        other.hits("GET /oidc/.well-known/openid-configuration"),
        2,
        "discovery and its CORS GET"
    );
}

#[test]
fn remote_documents_cannot_send_requests_off_loopback() {
    // The PRM names a plain-http authorization server outside loopback, and the
    // metadata an http token endpoint outside loopback: nothing is sent there.
    let (_s, url) = recorded_mcp(|o, r| {
        let mut prm = recorded("ts-sdk-1.32.2-prm.json", o);
        prm["authorization_servers"] = json!(["http://auth.example.net/oidc", format!("{o}/oidc")]);
        set_route(
            r,
            "/.well-known/oauth-protected-resource/mcp",
            Route::json(&prm),
        );
        let mut doc = recorded("oidc-provider-9.13.3-path-registration.json", o);
        doc["token_endpoint"] = json!("http://auth.example.net/token");
        set_route(
            r,
            "/oidc/.well-known/openid-configuration",
            Route::json(&doc),
        );
    });
    let (code, report, _) = check_json(&[&url]);
    assert_eq!(code, 1);
    let first = &report["discovery"]["attempts"][0]["outcome"];
    assert!(
        first["message"]
            .as_str()
            .unwrap()
            .contains("not sent: http://auth.example.net/oidc is plain http outside loopback"),
        "{first}"
    );
    assert_eq!(status(&report, "PRM-AS-ISSUER-FORMAT"), "fail");
    let token_cors = report["cors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["probe"] == "cors_token")
        .unwrap();
    assert!(
        token_cors["status"].is_null(),
        "the token probe was not sent: {token_cors}"
    );
}

#[test]
fn registration_echoing_other_redirect_uris() {
    let (_s, url) = recorded_mcp(|_, r| {
        set_route(
            r,
            "POST /oidc/reg",
            Route::raw(
                201,
                Some("application/json"),
                r#"{"client_id":"c1","redirect_uris":["https://attacker.example/cb"],"token_endpoint_auth_method":"none"}"#,
            ),
        );
    });
    let (code, report, _) = check_json(&[&url, "--register"]);
    assert_eq!(code, 0);
    let f = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "DCR-ECHO-METADATA")
        .unwrap();
    assert_eq!(f["status"], "warn");
    assert!(f["detail"]
        .as_str()
        .unwrap()
        .contains("https://attacker.example/cb"));
}

#[test]
fn ipv6_loopback() {
    let server = ReplayServer::start_on("[::1]:0", |origin| {
        let doc = recorded(ROOT_DOC, origin);
        let mut routes = live_endpoints(origin, &doc);
        routes.push((
            "/.well-known/oauth-authorization-server".into(),
            Route::json(&doc),
        ));
        routes
    });
    assert!(server.origin.starts_with("http://[::1]:"));
    let (code, report, _) = check_json(&[&server.origin]);
    assert_eq!(code, 0);
    assert_eq!(
        status(&report, "SEC-HTTPS-AS"),
        "warn",
        "http on ::1 is loopback, not insecure"
    );
    assert_eq!(status(&report, "DISC-AS-ISSUER-MATCH"), "pass");
}

#[test]
fn self_signed_tls_and_cacert() {
    let server = TlsServer::start(|origin| {
        let doc = recorded(ROOT_DOC, origin);
        // The TLS server answers by path, whatever the method.
        let mut routes: std::collections::HashMap<_, _> = live_endpoints(origin, &doc)
            .into_iter()
            .map(|(key, r)| {
                let path = key.trim_start_matches("POST ").to_owned();
                (path, (r.status, String::from_utf8(r.body).unwrap()))
            })
            .collect();
        routes.insert(
            "/.well-known/oauth-authorization-server".to_owned(),
            (200, doc.to_string()),
        );
        routes
    });
    let (code, report, stderr) = check_json(&[&server.origin, "--as", "issuer"]);
    assert_eq!(code, 3);
    one_error(&stderr, "certificate");
    assert!(stderr.contains("--cacert"), "{stderr}");
    // SEC-TLS-VALID fails and quotes the TLS error.
    assert_eq!(status(&report, "SEC-TLS-VALID"), "fail");
    let detail = detail_of(&report, "SEC-TLS-VALID");
    assert!(
        detail.contains("127.0.0.1: invalid peer certificate: UnknownIssuer"),
        "{detail}"
    );
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, &server.cert_pem).unwrap();
    let (code, report, stderr) = check_json(&[
        &server.origin,
        "--as",
        "issuer",
        "--cacert",
        ca.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(status(&report, "SEC-HTTPS-AS"), "pass");
    assert_eq!(status(&report, "SEC-TLS-VALID"), "pass");
    // A --cacert that is not a certificate is a usage error.
    let (code, _, stderr) = run(&["check", &server.origin, "--cacert", "/dev/null"]);
    assert_eq!(code, 2);
    one_error(&stderr, "--cacert /dev/null");
}

#[test]
fn https_to_a_plain_http_server_says_so() {
    let server = crate::support::replay::ReplayServer::start(|_| Vec::new());
    let url = server.origin.replace("http://", "https://");
    let (code, _, err) = run(&["check", &url, "--as", "issuer"]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("speaks plain HTTP"), "{err}");
    assert!(!err.contains("InvalidContentType"), "{err}");
}

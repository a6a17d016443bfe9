//! Errors a new user meets first: a bare host, a target that cannot be
//! reached (refused, no such name, hanging, dripping), and an empty token
//! cache. Each is one line and its exit code, never a page of skips.

use crate::support::drip::{Slow, SlowServer};
use crate::support::*;

#[test]
fn a_bare_host_gets_did_you_mean() {
    let (code, stdout, stderr) = run(&["check", "example.com"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    one_error(&stderr, "did you mean https://example.com?");
    let (code, _, stderr) = run(&["check", "localhost:3000/mcp"]);
    assert_eq!(code, 2);
    one_error(&stderr, "did you mean https://localhost:3000/mcp?");
    // A missing file is not a host.
    let (code, _, stderr) = run(&["check", "missing-metadata.json"]);
    assert_eq!(code, 2);
    one_error(&stderr, "neither an http(s) URL nor an existing file");
}

/// A refused loopback port and a name that cannot resolve (`.invalid`,
/// RFC 6761): exit 3, one line, no report.
#[test]
fn an_unreachable_target_is_one_line_and_exit_3() {
    let closed = ClosedPort::bind();
    for url in [
        format!("{}/mcp", closed.origin()),
        closed.origin(),
        "https://mcp-auth-test.invalid/mcp".to_owned(),
    ] {
        for format in ["table", "markdown"] {
            let (code, stdout, stderr) =
                run(&["check", &url, "--timeout", "3", "--format", format]);
            assert_eq!(code, 3, "{url}: {stdout}\n{stderr}");
            assert!(stdout.is_empty(), "{url} {format}: a report: {stdout}");
            one_error(&stderr, "target unreachable");
            assert_eq!(stderr.lines().count(), 1, "{stderr}");
            assert!(!stderr.contains("(issuer)"), "{stderr}");
        }
    }
    // JSON still carries the report, for scripts; the error line too.
    let (code, report, stderr) = check_json(&[&closed.origin()]);
    assert_eq!(code, 3);
    assert_eq!(status(&report, "DISC-AS-FOUND"), "fail");
    one_error(&stderr, "target unreachable");
}

/// A server that sends headers and then drips its body, and one that never
/// answers: neither is called an issuer, and every candidate timing out
/// costs one timeout: the diagnostic URL (`oauth_append`, fetched only to
/// explain a server that answered) is not asked after them.
#[test]
fn a_hanging_or_dripping_server_costs_one_timeout_and_is_no_issuer() {
    for mode in [Slow::Drip, Slow::Hang] {
        let server = SlowServer::start(mode);
        let url = format!("{}/mcp", server.origin());
        let dir = tempfile::tempdir().unwrap();
        let saved = dir.path().join("ev.json");
        let (code, stdout, stderr) = run(&[
            "check",
            &url,
            "--timeout",
            "1",
            "--save-evidence",
            saved.to_str().unwrap(),
        ]);
        assert_eq!(code, 3, "{mode:?}: {stdout}\n{stderr}");
        assert!(stdout.is_empty(), "{mode:?}: {stdout}");
        assert!(!stderr.contains("(issuer)"), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        let ev: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&saved).unwrap()).unwrap();
        let attempts = ev["authorization_servers"][0]["attempts"]
            .as_array()
            .expect("attempts");
        let kinds: Vec<&str> = attempts
            .iter()
            .map(|a| a["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["oauth", "oidc_insert", "oidc_append"], "{mode:?}");
        for a in attempts {
            assert_eq!(a["exchange"]["error"]["kind"], "timeout", "{mode:?}: {a}");
        }
    }
}

#[test]
fn no_cached_tokens_is_one_line() {
    let (code, stdout, _) = run(&["tokens"]);
    assert_eq!(code, 0);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.starts_with("no cached tokens in "), "{stdout}");
    let (code, stdout, _) = run(&["tokens", "--format", "json"]);
    assert_eq!(code, 0);
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(doc["tokens"], serde_json::json!([]), "{doc}");
}

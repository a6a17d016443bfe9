//! Tests of the 401 challenge checks (CH-*) and of SEC-HTTPS-RS, the
//! transport security of the MCP server's URLs.

use serde_json::json;

use crate::evidence::{Evidence, Exchange, ProbeKind, TransportError, TransportErrorKind};
use crate::test_support::*;
use crate::Status::*;

/// `resource_metadata="PRM_URL"`.
fn rm() -> String {
    format!(r#"resource_metadata="{PRM_URL}""#)
}

/// A plain (non-401) answer to the MCP POST.
fn status_answer(status: u16) -> Exchange {
    exchange(
        "POST",
        MCP,
        &[("content-type", "application/json")],
        status,
        &[("content-type", "application/json")],
        r#"{"jsonrpc":"2.0","id":1,"result":{}}"#,
    )
}

/// An exchange that got no response at all.
fn no_response() -> Exchange {
    let mut ex = challenge(&[]);
    ex.response = None;
    ex.error = Some(TransportError {
        kind: TransportErrorKind::Connect,
        message: "connection refused".into(),
    });
    ex
}

/// The MCP server at `url`, its PRM naming `url` as the resource.
fn mcp_at(url: &str) -> Evidence {
    let mut prm = good_prm();
    prm["resource"] = json!(url);
    let mut ev = mcp_evidence(good_challenge(), &prm);
    ev.resource.as_mut().unwrap().url = url.into();
    ev
}

/// Remove a probe of the MCP server.
fn without_probe(mut ev: Evidence, kind: ProbeKind) -> Evidence {
    ev.resource
        .as_mut()
        .unwrap()
        .probes
        .retain(|p| p.kind != kind);
    ev
}

// ---------------------------------------------------------------- SEC-HTTPS-RS

#[test]
fn sec_https_rs_passes_when_everything_is_https() {
    let f = finding(&good_mcp(), "SEC-HTTPS-RS");
    assert_eq!(f.status, Pass, "{}", f.detail);
    // The MCP endpoint, the resource_metadata URL and the PRM resource.
    assert!(f.detail.contains("3 URLs"), "{}", f.detail);
}

#[test]
fn sec_https_rs_fails_on_plain_http_off_loopback() {
    let f = finding(&mcp_at("http://mcp.example.com/mcp"), "SEC-HTTPS-RS");
    assert_eq!(f.status, Fail);
    assert!(
        f.detail
            .contains("MCP endpoint (http://mcp.example.com/mcp)"),
        "{}",
        f.detail
    );
    assert!(f.detail.contains("PRM resource"), "{}", f.detail);

    // An http resource_metadata URL alone is enough.
    let ev = answering(bearer(
        r#"resource_metadata="http://mcp.example.com/.well-known/oauth-protected-resource/mcp""#,
    ));
    let f = finding(&ev, "SEC-HTTPS-RS");
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("resource_metadata URL"), "{}", f.detail);

    // So is an http jwks_uri in the PRM.
    let f = prm_finding(
        "jwks_uri",
        json!("http://mcp.example.com/jwks"),
        "SEC-HTTPS-RS",
    );
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("PRM jwks_uri"), "{}", f.detail);
}

#[test]
fn sec_https_rs_warns_on_loopback_http() {
    for url in ["http://localhost:3000/mcp", "http://127.0.0.1:3000/mcp"] {
        let f = finding(&mcp_at(url), "SEC-HTTPS-RS");
        assert_eq!(f.status, Warn, "{url}: {}", f.detail);
        assert!(f.detail.contains("development only"), "{}", f.detail);
        assert!(f.detail.contains("MCP endpoint"), "{}", f.detail);
    }
}

// ---------------------------------------------------------------- CH-401

#[test]
fn ch_401_passes_on_401() {
    assert_eq!(status_of(&good_mcp(), "CH-401"), Pass);
}

#[test]
fn ch_401_fails_on_200_and_403() {
    let f = finding(&answering(status_answer(200)), "CH-401");
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("got 200"), "{}", f.detail);
    assert!(f.detail.contains("without a token"), "{}", f.detail);

    let f = finding(&answering(status_answer(403)), "CH-401");
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("got 403"), "{}", f.detail);
    assert!(f.detail.contains("only on 401"), "{}", f.detail);
}

#[test]
fn ch_401_fails_without_a_response() {
    let f = finding(&answering(no_response()), "CH-401");
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("connection refused"), "{}", f.detail);
}

// ---------------------------------------------------------------- CH-WWW-AUTH

#[test]
fn ch_www_auth() {
    let f = finding(&good_mcp(), "CH-WWW-AUTH");
    assert_eq!(f.status, Pass);
    assert!(
        f.detail.starts_with("Bearer resource_metadata="),
        "{}",
        f.detail
    );

    let f = finding(&answering(challenge(&[])), "CH-WWW-AUTH");
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("no WWW-Authenticate"), "{}", f.detail);
}

#[test]
fn ch_www_auth_skips_without_a_401() {
    assert_eq!(
        status_of(&answering(status_answer(200)), "CH-WWW-AUTH"),
        Skip
    );
    assert_eq!(status_of(&answering(no_response()), "CH-WWW-AUTH"), Skip);
}

// ---------------------------------------------------------------- CH-BEARER-SCHEME

#[test]
fn ch_bearer_scheme_passes_on_a_single_bearer_challenge() {
    let f = finding(&good_mcp(), "CH-BEARER-SCHEME");
    assert_eq!(f.status, Pass);
    assert!(f.detail.contains("2 parameter(s)"), "{}", f.detail);
}

#[test]
fn ch_bearer_scheme_warns_when_bearer_is_not_first() {
    let ev = answering(challenge(&[
        r#"Basic realm="mcp""#,
        &format!("Bearer {}", rm()),
    ]));
    let f = finding(&ev, "CH-BEARER-SCHEME");
    assert_eq!(f.status, Warn);
    assert!(f.detail.contains("#2 of 2"), "{}", f.detail);
    assert!(f.detail.contains("TypeScript SDK"), "{}", f.detail);
}

#[test]
fn ch_bearer_scheme_fails_without_bearer() {
    let f = finding(
        &answering(challenge(&[r#"Basic realm="mcp""#])),
        "CH-BEARER-SCHEME",
    );
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("no Bearer challenge"), "{}", f.detail);
    assert!(f.detail.contains("Basic"), "{}", f.detail);
}

#[test]
fn ch_bearer_scheme_fails_on_bearer_without_params() {
    let f = finding(&answering(challenge(&["Bearer"])), "CH-BEARER-SCHEME");
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("no auth-params"), "{}", f.detail);
}

#[test]
fn ch_bearer_scheme_warns_on_two_spaces_after_bearer() {
    let ev = answering(challenge(&[&format!("Bearer  {}", rm())]));
    let f = finding(&ev, "CH-BEARER-SCHEME");
    assert_eq!(f.status, Warn);
    assert!(
        f.detail.contains("instead of a single space"),
        "{}",
        f.detail
    );
}

#[test]
fn ch_param_syntax_warns_on_a_tab_after_bearer() {
    // The TypeScript SDK splits on ' ', so it reads no resource_metadata.
    let ev = answering(challenge(&[&format!("Bearer\t{}", rm())]));
    let f = finding(&ev, "CH-PARAM-SYNTAX");
    assert_eq!(f.status, Warn);
    assert!(f.detail.contains("as nothing"), "{}", f.detail);
}

#[test]
fn ch_bearer_scheme_warns_on_a_tab_after_bearer() {
    let ev = answering(challenge(&[&format!("Bearer\t{}", rm())]));
    let f = finding(&ev, "CH-BEARER-SCHEME");
    assert_eq!(f.status, Warn, "{}", f.detail);
}

#[test]
fn ch_bearer_scheme_skips_without_header_or_401() {
    assert_eq!(
        status_of(&answering(challenge(&[])), "CH-BEARER-SCHEME"),
        Skip
    );
    assert_eq!(
        status_of(&answering(status_answer(403)), "CH-BEARER-SCHEME"),
        Skip
    );
}

// ---------------------------------------------------------------- CH-RESOURCE-METADATA

#[test]
fn ch_resource_metadata_passes_when_named_and_served() {
    let f = finding(&good_mcp(), "CH-RESOURCE-METADATA");
    assert_eq!(f.status, Pass);
    assert_eq!(f.detail, PRM_URL);
}

#[test]
fn ch_resource_metadata_warns_when_only_the_well_known_url_serves() {
    let f = finding(
        &answering(bearer(r#"scope="mcp:tools""#)),
        "CH-RESOURCE-METADATA",
    );
    assert_eq!(f.status, Warn);
    assert!(f.detail.contains(PRM_URL), "{}", f.detail);
    assert!(f.detail.contains("2025-06-18 clients fail"), "{}", f.detail);
}

#[test]
fn ch_resource_metadata_fails_when_absent_and_nothing_is_served() {
    let f = finding(
        &without_prm(answering(bearer(r#"scope="mcp:tools""#))),
        "CH-RESOURCE-METADATA",
    );
    assert_eq!(f.status, Fail);
    assert!(
        f.detail.contains("no protected resource metadata"),
        "{}",
        f.detail
    );
}

#[test]
fn ch_resource_metadata_fails_when_the_header_url_is_404() {
    let ev = answering(bearer(
        r#"resource_metadata="https://mcp.example.com/prm-elsewhere", scope="mcp:tools""#,
    ));
    let f = finding(&ev, "CH-RESOURCE-METADATA");
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("404"), "{}", f.detail);
    assert!(f.detail.contains("does not fall back"), "{}", f.detail);
}

#[test]
fn ch_resource_metadata_fails_on_a_relative_url() {
    let ev = answering(bearer(
        r#"resource_metadata="/.well-known/oauth-protected-resource/mcp""#,
    ));
    let f = finding(&ev, "CH-RESOURCE-METADATA");
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("not an absolute URL"), "{}", f.detail);
}

#[test]
fn ch_resource_metadata_skips_without_a_401() {
    assert_eq!(
        status_of(&answering(status_answer(200)), "CH-RESOURCE-METADATA"),
        Skip
    );
}

// ---------------------------------------------------------------- CH-PARAM-SYNTAX

#[test]
fn ch_param_syntax_passes_on_a_clean_challenge() {
    let f = finding(&good_mcp(), "CH-PARAM-SYNTAX");
    assert_eq!(f.status, Pass);
    assert_eq!(f.detail, "well-formed");
}

#[test]
fn ch_param_syntax_warns_on_an_escaped_quote() {
    let ev = answering(bearer(&format!(
        r#"{}, error_description="say \"hi\"""#,
        rm()
    )));
    let f = finding(&ev, "CH-PARAM-SYNTAX");
    assert_eq!(f.status, Warn);
    assert!(f.detail.contains("`error_description`"), "{}", f.detail);
    assert!(f.detail.contains("backslash escape"), "{}", f.detail);
}

#[test]
fn ch_param_syntax_warns_on_a_repeated_scope() {
    let ev = answering(bearer(&format!(r#"{}, scope="a", scope="b""#, rm())));
    let f = finding(&ev, "CH-PARAM-SYNTAX");
    assert_eq!(f.status, Warn);
    assert!(f.detail.contains("`scope` appears 2 times"), "{}", f.detail);
}

#[test]
fn ch_param_syntax_warns_on_an_unterminated_quote() {
    let ev = answering(bearer(&format!(r#"{}, scope="mcp:tools"#, rm())));
    let f = finding(&ev, "CH-PARAM-SYNTAX");
    assert_eq!(f.status, Warn);
    assert!(f.detail.contains("unterminated"), "{}", f.detail);
}

#[test]
fn ch_param_syntax_warns_on_an_unquoted_scope_and_bad_scope_characters() {
    let ev = answering(bearer(&format!("{}, scope=files", rm())));
    let f = finding(&ev, "CH-PARAM-SYNTAX");
    assert_eq!(f.status, Warn);
    assert!(
        f.detail.contains("`scope` is not a quoted-string"),
        "{}",
        f.detail
    );

    let ev = answering(bearer(&format!(r#"{}, scope="a  b""#, rm())));
    let f = finding(&ev, "CH-PARAM-SYNTAX");
    assert_eq!(f.status, Warn);
    assert!(f.detail.contains("outside RFC 6750"), "{}", f.detail);
}

#[test]
fn ch_param_syntax_warns_when_the_typescript_sdk_reads_something_else() {
    // Bearer not first: the TypeScript SDK reads no resource_metadata at all.
    let ev = answering(challenge(&[
        r#"Basic realm="mcp""#,
        &format!("Bearer {}", rm()),
    ]));
    let f = finding(&ev, "CH-PARAM-SYNTAX");
    assert_eq!(f.status, Warn);
    assert!(
        f.detail
            .contains("the TypeScript SDK would read resource_metadata as nothing"),
        "{}",
        f.detail
    );
}

#[test]
fn ch_param_syntax_skips_without_bearer() {
    assert_eq!(
        status_of(
            &answering(challenge(&[r#"Basic realm="mcp""#])),
            "CH-PARAM-SYNTAX"
        ),
        Skip
    );
    assert_eq!(
        status_of(&answering(status_answer(200)), "CH-PARAM-SYNTAX"),
        Skip
    );
}

// ---------------------------------------------------------------- CH-SCOPE

#[test]
fn ch_scope() {
    let f = finding(&good_mcp(), "CH-SCOPE");
    assert_eq!(f.status, Pass);
    assert_eq!(f.detail, r#"scope="mcp:tools""#);

    let f = finding(&answering(bearer(&rm())), "CH-SCOPE");
    assert_eq!(f.status, Warn);
    assert!(f.detail.contains("no scope parameter"), "{}", f.detail);

    let ev = answering(bearer(&format!(
        r#"{}, scope="mcp:tools offline_access""#,
        rm()
    )));
    let f = finding(&ev, "CH-SCOPE");
    assert_eq!(f.status, Warn);
    assert!(f.detail.contains("offline_access"), "{}", f.detail);

    assert_eq!(status_of(&answering(status_answer(403)), "CH-SCOPE"), Skip);
}

// ---------------------------------------------------------------- CH-NO-ERROR-WITHOUT-CREDS

#[test]
fn ch_no_error_without_creds() {
    assert_eq!(status_of(&good_mcp(), "CH-NO-ERROR-WITHOUT-CREDS"), Pass);

    let ev = answering(bearer(&format!(r#"error="invalid_token", {}"#, rm())));
    let f = finding(&ev, "CH-NO-ERROR-WITHOUT-CREDS");
    assert_eq!(f.status, Info);
    assert!(
        f.detail.contains(r#"error="invalid_token""#),
        "{}",
        f.detail
    );

    assert_eq!(
        status_of(&answering(status_answer(200)), "CH-NO-ERROR-WITHOUT-CREDS"),
        Skip
    );
}

// ---------------------------------------------------------------- CH-INVALID-TOKEN

#[test]
fn ch_invalid_token_passes_on_401_invalid_token() {
    let f = finding(&good_mcp(), "CH-INVALID-TOKEN");
    assert_eq!(f.status, Pass);
    assert!(f.detail.contains("invalid_token"), "{}", f.detail);
}

#[test]
fn ch_invalid_token_warns_on_401_without_the_error_code() {
    let ev = with_resource_probe(good_mcp(), ProbeKind::InvalidToken, bearer(&rm()));
    let f = finding(&ev, "CH-INVALID-TOKEN");
    assert_eq!(f.status, Warn);
    assert!(f.detail.contains("without error"), "{}", f.detail);

    let ev = with_resource_probe(
        good_mcp(),
        ProbeKind::InvalidToken,
        bearer(&format!(r#"error="invalid_request", {}"#, rm())),
    );
    let f = finding(&ev, "CH-INVALID-TOKEN");
    assert_eq!(f.status, Warn);
    assert!(f.detail.contains("invalid_request"), "{}", f.detail);
}

#[test]
fn ch_invalid_token_fails_when_a_garbage_token_is_not_401() {
    let ok = exchange(
        "POST",
        MCP,
        &[("authorization", "Bearer [redacted]")],
        200,
        &[("content-type", "application/json")],
        "{}",
    );
    let f = finding(
        &with_resource_probe(good_mcp(), ProbeKind::InvalidToken, ok),
        "CH-INVALID-TOKEN",
    );
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("got 200"), "{}", f.detail);

    let f = finding(
        &with_resource_probe(good_mcp(), ProbeKind::InvalidToken, no_response()),
        "CH-INVALID-TOKEN",
    );
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("connection refused"), "{}", f.detail);
}

#[test]
fn ch_invalid_token_skips_when_not_probed() {
    let ev = without_probe(good_mcp(), ProbeKind::InvalidToken);
    assert_eq!(status_of(&ev, "CH-INVALID-TOKEN"), Skip);
}

// ---------------------------------------------------------------- CH-QUERY-TOKEN

#[test]
fn ch_query_token_passes_on_the_same_challenge() {
    assert_eq!(status_of(&good_mcp(), "CH-QUERY-TOKEN"), Pass);
}

#[test]
fn ch_query_token_warns_when_the_query_token_is_accepted() {
    let ev = with_resource_probe(good_mcp(), ProbeKind::QueryToken, status_answer(200));
    let f = finding(&ev, "CH-QUERY-TOKEN");
    assert_eq!(f.status, Warn);
    assert!(f.detail.contains("got 200"), "{}", f.detail);
}

#[test]
fn ch_query_token_informs_when_the_challenge_changes() {
    let ev = with_resource_probe(
        good_mcp(),
        ProbeKind::QueryToken,
        bearer(&format!(r#"error="invalid_token", {}"#, rm())),
    );
    let f = finding(&ev, "CH-QUERY-TOKEN");
    assert_eq!(f.status, Info);
    assert!(f.detail.contains("invalid_token"), "{}", f.detail);
}

#[test]
fn ch_query_token_skips_when_not_probed_or_unanswered() {
    let ev = without_probe(good_mcp(), ProbeKind::QueryToken);
    assert_eq!(status_of(&ev, "CH-QUERY-TOKEN"), Skip);
    let ev = with_resource_probe(good_mcp(), ProbeKind::QueryToken, no_response());
    assert_eq!(status_of(&ev, "CH-QUERY-TOKEN"), Skip);
}

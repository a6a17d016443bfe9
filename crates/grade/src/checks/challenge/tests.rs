//! Tests of the MCP server checks (`resource.rs`): the 401 challenge, the
//! protected resource metadata and the transport security of their URLs.

use serde_json::{json, Value};

use crate::evidence::{
    Evidence, Exchange, PrmSource, ProbeKind, TransportError, TransportErrorKind,
};
use crate::test_support::*;
use crate::Status::*;
use crate::{Finding, Status};

/// `resource_metadata="PRM_URL"`.
fn rm() -> String {
    format!(r#"resource_metadata="{PRM_URL}""#)
}

/// A 401 with one `Bearer <params>` challenge.
fn bearer(params: &str) -> Exchange {
    challenge(&[&format!("Bearer {params}")])
}

/// `good_prm()` with the MCP server answering the unauthenticated POST with `ex`.
fn answering(ex: Exchange) -> Evidence {
    mcp_evidence(ex, &good_prm())
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

/// Every protected-resource-metadata location answers 404.
fn without_prm(mut ev: Evidence) -> Evidence {
    for p in &mut ev.resource.as_mut().unwrap().prm {
        p.exchange = not_found();
    }
    ev
}

/// Replace the exchange of one PRM location.
fn prm_answer(mut ev: Evidence, source: PrmSource, ex: Exchange) -> Evidence {
    let prm = &mut ev.resource.as_mut().unwrap().prm;
    prm.iter_mut()
        .find(|p| p.source == source)
        .expect("PRM location")
        .exchange = ex;
    ev
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

fn prm_finding(member: &str, value: Value, id: &str) -> Finding {
    finding(&with_prm(member, value), id)
}

fn prm_status(member: &str, value: Value, id: &str) -> Status {
    prm_finding(member, value, id).status
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

// ---------------------------------------------------------------- PRM-DISCOVERABLE

#[test]
fn prm_discoverable_passes() {
    let f = finding(&good_mcp(), "PRM-DISCOVERABLE");
    assert_eq!(f.status, Pass);
    assert!(f.detail.contains(PRM_URL), "{}", f.detail);
    assert!(
        f.detail.contains("WWW-Authenticate resource_metadata"),
        "{}",
        f.detail
    );

    // Without a header URL, the well-known location is what clients use.
    let f = finding(
        &answering(bearer(r#"scope="mcp:tools""#)),
        "PRM-DISCOVERABLE",
    );
    assert_eq!(f.status, Pass);
    assert!(
        f.detail.contains("well-known, path inserted"),
        "{}",
        f.detail
    );
}

#[test]
fn prm_discoverable_fails_when_the_header_url_fails_but_well_known_works() {
    let ev = answering(bearer(&format!(
        r#"resource_metadata="{ROOT_PRM_URL}", scope="mcp:tools""#
    )));
    let f = finding(&ev, "PRM-DISCOVERABLE");
    assert_eq!(f.status, Fail);
    assert!(
        f.detail.contains("only the Python SDK falls back"),
        "{}",
        f.detail
    );
    assert!(f.detail.contains(PRM_URL), "{}", f.detail);
}

#[test]
fn prm_discoverable_fails_when_nothing_is_served() {
    let f = finding(&without_prm(good_mcp()), "PRM-DISCOVERABLE");
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("serve nothing"), "{}", f.detail);

    let f = finding(
        &without_prm(answering(bearer(r#"scope="mcp:tools""#))),
        "PRM-DISCOVERABLE",
    );
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("legacy"), "{}", f.detail);
}

// ---------------------------------------------------------------- PRM-HTTP

#[test]
fn prm_http_passes_on_200_json() {
    let f = finding(&good_mcp(), "PRM-HTTP");
    assert_eq!(f.status, Pass);
    assert!(f.detail.contains("200 application/json"), "{}", f.detail);

    let ev = prm_answer(
        good_mcp(),
        PrmSource::Header,
        response(
            200,
            "application/json; charset=utf-8",
            &good_prm().to_string(),
        ),
    );
    assert_eq!(status_of(&ev, "PRM-HTTP"), Pass);
}

#[test]
fn prm_http_warns_on_another_content_type() {
    let ev = prm_answer(
        good_mcp(),
        PrmSource::Header,
        response(200, "text/plain", &good_prm().to_string()),
    );
    let f = finding(&ev, "PRM-HTTP");
    assert_eq!(f.status, Warn);
    assert!(f.detail.contains("text/plain"), "{}", f.detail);
}

#[test]
fn prm_http_fails_when_the_header_url_serves_html() {
    let ev = prm_answer(
        good_mcp(),
        PrmSource::Header,
        response(200, "text/html", "<!doctype html><html></html>"),
    );
    let f = finding(&ev, "PRM-HTTP");
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("body is HTML"), "{}", f.detail);
    assert!(f.detail.contains(PRM_URL), "{}", f.detail);
}

#[test]
fn prm_http_skips_when_nothing_answered_200() {
    let ev = without_prm(answering(bearer(r#"scope="mcp:tools""#)));
    assert_eq!(status_of(&ev, "PRM-HTTP"), Skip);
}

// ---------------------------------------------------------------- PRM-LOCATION

#[test]
fn prm_location() {
    let f = finding(&good_mcp(), "PRM-LOCATION");
    assert_eq!(f.status, Pass);
    assert!(
        f.detail.starts_with(
            "served: WWW-Authenticate resource_metadata and well-known, path inserted"
        ),
        "{}",
        f.detail
    );

    // Only at the root, and no header to point at it.
    let ev = answering(bearer(r#"scope="mcp:tools""#));
    let ev = prm_answer(ev, PrmSource::PathInserted, not_found());
    let ev = prm_answer(ev, PrmSource::Root, json(&good_prm()));
    let f = finding(&ev, "PRM-LOCATION");
    assert_eq!(f.status, Info);
    assert!(f.detail.contains("try the root"), "{}", f.detail);

    assert_eq!(status_of(&without_prm(good_mcp()), "PRM-LOCATION"), Skip);
}

// ---------------------------------------------------------------- PRM-RESOURCE-PRESENT

#[test]
fn prm_resource_present() {
    let f = finding(&good_mcp(), "PRM-RESOURCE-PRESENT");
    assert_eq!(f.status, Pass);
    assert_eq!(f.detail, MCP);

    let f = prm_finding("resource", Value::Null, "PRM-RESOURCE-PRESENT");
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("missing"), "{}", f.detail);

    let f = prm_finding("resource", json!(42), "PRM-RESOURCE-PRESENT");
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("not a string"), "{}", f.detail);

    assert_eq!(
        status_of(&without_prm(good_mcp()), "PRM-RESOURCE-PRESENT"),
        Skip
    );
}

#[test]
fn prm_checks_grade_the_well_known_document_when_the_header_url_fails() {
    let ev = answering(bearer(&format!(
        r#"resource_metadata="{ROOT_PRM_URL}", scope="mcp:tools""#
    )));
    assert_eq!(status_of(&ev, "PRM-RESOURCE-PRESENT"), Pass);
    assert_eq!(status_of(&ev, "PRM-RESOURCE-MATCH"), Pass);
}

// ---------------------------------------------------------------- PRM-RESOURCE-MATCH

#[test]
fn prm_resource_match_passes_when_identical() {
    let f = finding(&good_mcp(), "PRM-RESOURCE-MATCH");
    assert_eq!(f.status, Pass);
    assert_eq!(f.detail, MCP);
}

#[test]
fn prm_resource_match_warns_on_a_prefix_both_sdks_accept() {
    let f = prm_finding(
        "resource",
        json!("https://mcp.example.com"),
        "PRM-RESOURCE-MATCH",
    );
    assert_eq!(f.status, Warn);
    assert!(f.detail.contains("lenient"), "{}", f.detail);
}

#[test]
fn prm_resource_match_fails_on_a_trailing_slash_only_python_accepts() {
    let f = prm_finding(
        "resource",
        json!("https://mcp.example.com/mcp/"),
        "PRM-RESOURCE-MATCH",
    );
    assert_eq!(f.status, Fail);
    assert!(
        f.detail.contains("the Python SDK accepts it"),
        "{}",
        f.detail
    );
}

#[test]
fn prm_resource_match_fails_on_another_origin_or_a_non_url() {
    let f = prm_finding(
        "resource",
        json!("https://other.example.com/mcp"),
        "PRM-RESOURCE-MATCH",
    );
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("every client rejects"), "{}", f.detail);

    let f = prm_finding("resource", json!("mcp server"), "PRM-RESOURCE-MATCH");
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("is not a URL"), "{}", f.detail);
}

#[test]
fn prm_resource_match_skips_without_resource() {
    assert_eq!(
        prm_status("resource", Value::Null, "PRM-RESOURCE-MATCH"),
        Skip
    );
    assert_eq!(
        status_of(&without_prm(good_mcp()), "PRM-RESOURCE-MATCH"),
        Skip
    );
}

// ---------------------------------------------------------------- PRM-RESOURCE-FORMAT

#[test]
fn prm_resource_format() {
    assert_eq!(status_of(&good_mcp(), "PRM-RESOURCE-FORMAT"), Pass);

    let f = prm_finding(
        "resource",
        json!("https://mcp.example.com/mcp#top"),
        "PRM-RESOURCE-FORMAT",
    );
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("fragment"), "{}", f.detail);

    let f = prm_finding("resource", json!("/mcp"), "PRM-RESOURCE-FORMAT");
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("not an absolute URL"), "{}", f.detail);

    for (resource, note) in [
        ("https://mcp.example.com/mcp/", "ends with '/'"),
        ("https://mcp.example.com/mcp?tenant=1", "has a query"),
        ("https://MCP.example.com/mcp", "not lower-case"),
        ("http://mcp.example.com/mcp", "is not https"),
    ] {
        let f = prm_finding("resource", json!(resource), "PRM-RESOURCE-FORMAT");
        assert_eq!(f.status, Warn, "{resource}: {}", f.detail);
        assert!(f.detail.contains(note), "{resource}: {}", f.detail);
    }

    assert_eq!(
        prm_status("resource", Value::Null, "PRM-RESOURCE-FORMAT"),
        Skip
    );
}

// ---------------------------------------------------------------- PRM-AS-PRESENT

#[test]
fn prm_as_present() {
    let f = finding(&good_mcp(), "PRM-AS-PRESENT");
    assert_eq!(f.status, Pass);
    assert_eq!(f.detail, ISSUER);

    let f = prm_finding("authorization_servers", Value::Null, "PRM-AS-PRESENT");
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("missing"), "{}", f.detail);

    let f = prm_finding("authorization_servers", json!([]), "PRM-AS-PRESENT");
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("empty"), "{}", f.detail);

    assert_eq!(status_of(&without_prm(good_mcp()), "PRM-AS-PRESENT"), Skip);
}

// ---------------------------------------------------------------- PRM-AS-FIRST

#[test]
fn prm_as_first() {
    assert_eq!(status_of(&good_mcp(), "PRM-AS-FIRST"), Pass);

    let f = prm_finding(
        "authorization_servers",
        json!([ISSUER, "https://backup.example.com"]),
        "PRM-AS-FIRST",
    );
    assert_eq!(f.status, Info);
    assert!(f.detail.contains("2 servers"), "{}", f.detail);
    assert!(
        f.detail.contains("never try https://backup.example.com"),
        "{}",
        f.detail
    );

    assert_eq!(
        prm_status("authorization_servers", json!([]), "PRM-AS-FIRST"),
        Skip
    );
}

// ---------------------------------------------------------------- PRM-AS-ISSUER-FORMAT

#[test]
fn prm_as_issuer_format() {
    assert_eq!(status_of(&good_mcp(), "PRM-AS-ISSUER-FORMAT"), Pass);

    let f = prm_finding(
        "authorization_servers",
        json!(["https://auth.example.com/tenant1?x=1"]),
        "PRM-AS-ISSUER-FORMAT",
    );
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("query or fragment"), "{}", f.detail);

    let f = prm_finding(
        "authorization_servers",
        json!(["http://auth.example.com/tenant1"]),
        "PRM-AS-ISSUER-FORMAT",
    );
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("not https"), "{}", f.detail);

    let f = prm_finding(
        "authorization_servers",
        json!(["auth.example.com"]),
        "PRM-AS-ISSUER-FORMAT",
    );
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("not a URL"), "{}", f.detail);

    let f = prm_finding(
        "authorization_servers",
        json!(["http://localhost:9000"]),
        "PRM-AS-ISSUER-FORMAT",
    );
    assert_eq!(f.status, Warn);
    assert!(f.detail.contains("development only"), "{}", f.detail);

    assert_eq!(
        prm_status("authorization_servers", Value::Null, "PRM-AS-ISSUER-FORMAT"),
        Skip
    );
}

// ---------------------------------------------------------------- PRM-SCOPES

#[test]
fn prm_scopes() {
    let f = finding(&good_mcp(), "PRM-SCOPES");
    assert_eq!(f.status, Pass);
    assert_eq!(f.detail, "mcp:tools");
    assert_eq!(
        prm_status("scopes_supported", Value::Null, "PRM-SCOPES"),
        Warn
    );
    assert_eq!(
        prm_status("scopes_supported", json!([]), "PRM-SCOPES"),
        Warn
    );
    assert_eq!(status_of(&without_prm(good_mcp()), "PRM-SCOPES"), Skip);
}

// ---------------------------------------------------------------- PRM-NO-OFFLINE-ACCESS

#[test]
fn prm_no_offline_access() {
    assert_eq!(status_of(&good_mcp(), "PRM-NO-OFFLINE-ACCESS"), Pass);
    let f = prm_finding(
        "scopes_supported",
        json!(["mcp:tools", "offline_access"]),
        "PRM-NO-OFFLINE-ACCESS",
    );
    assert_eq!(f.status, Warn);
    assert!(f.detail.contains("offline_access"), "{}", f.detail);
    assert_eq!(
        status_of(&without_prm(good_mcp()), "PRM-NO-OFFLINE-ACCESS"),
        Skip
    );
}

// ---------------------------------------------------------------- PRM-BEARER-METHODS

#[test]
fn prm_bearer_methods() {
    let id = "PRM-BEARER-METHODS";
    assert_eq!(status_of(&good_mcp(), id), Pass);
    let f = prm_finding("bearer_methods_supported", Value::Null, id);
    assert_eq!(f.status, Pass);
    assert!(f.detail.contains("default"), "{}", f.detail);

    let f = prm_finding("bearer_methods_supported", json!([]), id);
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("no methods"), "{}", f.detail);

    let f = prm_finding("bearer_methods_supported", json!(["body"]), id);
    assert_eq!(f.status, Fail);
    assert!(
        f.detail.contains("\"header\" is not listed"),
        "{}",
        f.detail
    );

    let f = prm_finding("bearer_methods_supported", json!(["header", "query"]), id);
    assert_eq!(f.status, Warn);
    assert!(f.detail.contains("\"query\""), "{}", f.detail);

    assert_eq!(status_of(&without_prm(good_mcp()), id), Skip);
}

// ---------------------------------------------------------------- PRM-JWKS-HTTPS

#[test]
fn prm_jwks_https() {
    let id = "PRM-JWKS-HTTPS";
    let f = finding(&good_mcp(), id);
    assert_eq!(f.status, Pass);
    assert!(f.detail.contains("not published"), "{}", f.detail);
    assert_eq!(
        prm_status("jwks_uri", json!("https://mcp.example.com/jwks"), id),
        Pass
    );
    assert_eq!(
        prm_status("jwks_uri", json!("http://127.0.0.1:8080/jwks"), id),
        Warn
    );
    let f = prm_finding("jwks_uri", json!("http://mcp.example.com/jwks"), id);
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("not https"), "{}", f.detail);
    assert_eq!(status_of(&without_prm(good_mcp()), id), Skip);
}

// ---------------------------------------------------------------- PRM-ZERO-VALUES

#[test]
fn prm_zero_values() {
    let id = "PRM-ZERO-VALUES";
    assert_eq!(status_of(&good_mcp(), id), Pass);
    let f = prm_finding("scopes_supported", json!([]), id);
    assert_eq!(f.status, Warn);
    assert!(f.detail.contains("scopes_supported"), "{}", f.detail);
    assert_eq!(status_of(&without_prm(good_mcp()), id), Skip);
}

// ---------------------------------------------------------------- PRM-NAME

#[test]
fn prm_name() {
    let f = finding(&good_mcp(), "PRM-NAME");
    assert_eq!(f.status, Pass);
    assert_eq!(f.detail, "Example MCP server");
    assert_eq!(prm_status("resource_name", Value::Null, "PRM-NAME"), Info);
    assert_eq!(status_of(&without_prm(good_mcp()), "PRM-NAME"), Skip);
}

#[test]
fn prm_location_lists_the_locations_that_serve_nothing() {
    let f = finding(&good_mcp(), "PRM-LOCATION");
    assert_eq!(
        f.detail,
        "served: WWW-Authenticate resource_metadata and well-known, path inserted; \
         not served: well-known, root"
    );

    // Every location serves: nothing to list.
    let ev = prm_answer(good_mcp(), PrmSource::Root, json(&good_prm()));
    let f = finding(&ev, "PRM-LOCATION");
    assert!(!f.detail.contains("not served"), "{}", f.detail);
}

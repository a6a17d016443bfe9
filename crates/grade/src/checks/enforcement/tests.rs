//! Tests of the enforcement checks: RS-UNAUTHENTICATED-REFUSED,
//! RS-EXPIRED-TOKEN-REFUSED, RS-FORGED-TOKEN-REFUSED, CH-STATELESS-DISCOVER.

use crate::evidence::{Evidence, Exchange, ProbeKind};
use crate::test_support::*;
use crate::Status::*;

const RESULT: &str = r#"{"jsonrpc":"2.0","id":2,"result":{"tools":[]}}"#;

/// An answer to a probe, sent in the stateful form.
fn answer(status: u16, body: &str) -> Exchange {
    exchange(
        "POST",
        MCP,
        &[("content-type", "application/json")],
        status,
        &[("content-type", "application/json")],
        body,
    )
}

/// The same sent in the stateless 2026-07-28 form.
fn stateless(status: u16, headers: &[(&str, &str)], body: &str) -> Exchange {
    exchange(
        "POST",
        MCP,
        &[("mcp-method", "tools/list")],
        status,
        headers,
        body,
    )
}

fn probed(ev: Evidence, probes: &[(ProbeKind, Exchange)]) -> Evidence {
    probes
        .iter()
        .fold(ev, |ev, (k, ex)| with_resource_probe(ev, *k, ex.clone()))
}

fn refused() -> Exchange {
    bearer(r#"error="invalid_token", resource_metadata="x""#)
}

// ------------------------------------------------- RS-UNAUTHENTICATED-REFUSED

#[test]
fn rs_unauthenticated_refused_passes_on_401() {
    let ev = probed(
        good_mcp(),
        &[
            (ProbeKind::UnauthToolsList, good_challenge()),
            (ProbeKind::UnauthToolsCall, good_challenge()),
        ],
    );
    let f = finding(&ev, "RS-UNAUTHENTICATED-REFUSED");
    assert_eq!(f.status, Pass, "{}", f.detail);
    assert!(f.detail.contains("tools/list → 401"), "{}", f.detail);
    assert!(f.detail.contains("a 401 challenge"), "{}", f.detail);
}

#[test]
fn rs_unauthenticated_refused_fails_when_tools_answer_without_a_token() {
    // initialize answered (CH-401 fails too), the PRM advertises OAuth, and
    // tools/list in the session gets its result.
    let ev = probed(
        answering(answer(200, r#"{"jsonrpc":"2.0","id":1,"result":{}}"#)),
        &[
            (ProbeKind::UnauthToolsList, answer(200, RESULT)),
            (ProbeKind::UnauthToolsCall, good_challenge()),
        ],
    );
    let f = finding(&ev, "RS-UNAUTHENTICATED-REFUSED");
    assert_eq!(f.status, Fail, "{}", f.detail);
    assert!(f.detail.contains("OAuth advertised but not enforced"));
    // The call of the made-up tool alone is enough, in an event stream too.
    let sse = exchange(
        "POST",
        MCP,
        &[],
        200,
        &[("content-type", "text/event-stream")],
        "event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{\"isError\":true}}\n\n",
    );
    let ev = probed(
        good_mcp(),
        &[
            (ProbeKind::UnauthToolsList, good_challenge()),
            (ProbeKind::UnauthToolsCall, sse),
        ],
    );
    assert_eq!(status_of(&ev, "RS-UNAUTHENTICATED-REFUSED"), Fail);
}

#[test]
fn rs_unauthenticated_refused_warns_on_a_json_rpc_error_or_odd_status() {
    let err = r#"{"jsonrpc":"2.0","id":3,"error":{"code":-32602,"message":"Tool not found"}}"#;
    let ev = probed(
        good_mcp(),
        &[
            (ProbeKind::UnauthToolsList, good_challenge()),
            (ProbeKind::UnauthToolsCall, answer(200, err)),
        ],
    );
    let f = finding(&ev, "RS-UNAUTHENTICATED-REFUSED");
    assert_eq!(f.status, Warn, "{}", f.detail);
    assert!(f.detail.contains("JSON-RPC error"), "{}", f.detail);
    let ev = probed(good_mcp(), &[(ProbeKind::UnauthToolsList, answer(500, ""))]);
    assert_eq!(status_of(&ev, "RS-UNAUTHENTICATED-REFUSED"), Warn);
}

#[test]
fn rs_unauthenticated_refused_passes_a_no_session_400_behind_a_401_initialize() {
    let no_session = answer(
        400,
        r#"{"jsonrpc":"2.0","error":{"code":-32000,"message":"Bad Request: No valid session ID provided"},"id":null}"#,
    );
    let ev = probed(
        good_mcp(),
        &[
            (ProbeKind::UnauthToolsList, no_session.clone()),
            (ProbeKind::UnauthToolsCall, no_session.clone()),
        ],
    );
    let f = finding(&ev, "RS-UNAUTHENTICATED-REFUSED");
    assert_eq!(f.status, Pass, "{}", f.detail);
    assert!(f.detail.contains("no session"), "{}", f.detail);
    // In a session initialize opened without a token, a 400 proves nothing.
    let ev = probed(
        answering(answer(200, r#"{"jsonrpc":"2.0","id":1,"result":{}}"#)),
        &[(ProbeKind::UnauthToolsList, no_session)],
    );
    assert_eq!(status_of(&ev, "RS-UNAUTHENTICATED-REFUSED"), Warn);
}

#[test]
fn rs_unauthenticated_refused_skips_without_oauth_or_probe() {
    assert_eq!(status_of(&good_mcp(), "RS-UNAUTHENTICATED-REFUSED"), Skip);
    // Answered without a token, and nothing advertises OAuth: an open server.
    let ev = probed(
        without_prm(answering(answer(200, "{}"))),
        &[(ProbeKind::UnauthToolsList, answer(200, RESULT))],
    );
    let f = finding(&ev, "RS-UNAUTHENTICATED-REFUSED");
    assert_eq!(f.status, Skip);
    assert!(f.detail.contains("advertises no OAuth"), "{}", f.detail);
}

// ------------------------------------------- RS-EXPIRED-TOKEN-REFUSED / FORGED

#[test]
fn rs_expired_token_refused_passes_on_401_and_fails_otherwise() {
    let ev = probed(good_mcp(), &[(ProbeKind::ExpiredToken, refused())]);
    let f = finding(&ev, "RS-EXPIRED-TOKEN-REFUSED");
    assert_eq!(f.status, Pass, "{}", f.detail);
    assert!(f.detail.contains("invalid_token"), "{}", f.detail);

    let ev = probed(
        good_mcp(),
        &[(ProbeKind::ExpiredToken, answer(200, RESULT))],
    );
    let f = finding(&ev, "RS-EXPIRED-TOKEN-REFUSED");
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("does not verify tokens"), "{}", f.detail);

    let ev = probed(good_mcp(), &[(ProbeKind::ExpiredToken, answer(403, ""))]);
    let f = finding(&ev, "RS-EXPIRED-TOKEN-REFUSED");
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("not 401"), "{}", f.detail);
}

#[test]
fn rs_expired_token_refused_skips_when_not_probed_or_unanswered() {
    assert_eq!(status_of(&good_mcp(), "RS-EXPIRED-TOKEN-REFUSED"), Skip);
    let mut ex = answer(200, "");
    ex.response = None;
    let ev = probed(good_mcp(), &[(ProbeKind::ExpiredToken, ex)]);
    assert_eq!(status_of(&ev, "RS-EXPIRED-TOKEN-REFUSED"), Skip);
}

#[test]
fn rs_forged_token_refused_grades_the_wrong_audience_probe() {
    let ev = probed(good_mcp(), &[(ProbeKind::WrongAudienceToken, refused())]);
    assert_eq!(status_of(&ev, "RS-FORGED-TOKEN-REFUSED"), Pass);
    let ev = probed(
        good_mcp(),
        &[(
            ProbeKind::WrongAudienceToken,
            stateless(200, &[("content-type", "application/json")], RESULT),
        )],
    );
    let f = finding(&ev, "RS-FORGED-TOKEN-REFUSED");
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("other-resource.invalid"), "{}", f.detail);
    assert!(
        f.detail.contains("stateless 2026-07-28 form"),
        "{}",
        f.detail
    );
    assert_eq!(status_of(&good_mcp(), "RS-FORGED-TOKEN-REFUSED"), Skip);
}

// ------------------------------------------------------- CH-STATELESS-DISCOVER

#[test]
fn ch_stateless_discover_passes_on_the_challenge_or_a_result() {
    let ev = probed(
        good_mcp(),
        &[(ProbeKind::StatelessDiscover, good_challenge())],
    );
    let f = finding(&ev, "CH-STATELESS-DISCOVER");
    assert_eq!(f.status, Pass, "{}", f.detail);
    assert!(f.detail.contains("resource_metadata"), "{}", f.detail);
    let found = r#"{"jsonrpc":"2.0","id":1,"result":{"_meta":{}}}"#;
    let ev = probed(
        good_mcp(),
        &[(ProbeKind::StatelessDiscover, answer(200, found))],
    );
    assert_eq!(status_of(&ev, "CH-STATELESS-DISCOVER"), Pass);
}

#[test]
fn ch_stateless_discover_warns_on_a_bare_401() {
    let ev = probed(
        good_mcp(),
        &[(ProbeKind::StatelessDiscover, challenge(&[]))],
    );
    assert_eq!(status_of(&ev, "CH-STATELESS-DISCOVER"), Warn);
    let ev = probed(
        good_mcp(),
        &[(ProbeKind::StatelessDiscover, bearer(r#"realm="x""#))],
    );
    let f = finding(&ev, "CH-STATELESS-DISCOVER");
    assert_eq!(f.status, Warn);
    assert!(f.detail.contains("without resource_metadata"));
}

#[test]
fn ch_stateless_discover_informs_when_the_server_is_not_stateless() {
    let no_session = answer(
        400,
        r#"{"jsonrpc":"2.0","error":{"code":-32000,"message":"x"},"id":null}"#,
    );
    let ev = probed(good_mcp(), &[(ProbeKind::StatelessDiscover, no_session)]);
    let f = finding(&ev, "CH-STATELESS-DISCOVER");
    assert_eq!(f.status, Info);
    assert!(f.detail.contains("does not speak"), "{}", f.detail);
    assert_eq!(status_of(&good_mcp(), "CH-STATELESS-DISCOVER"), Skip);
}

//! The live family on recorded (redacted) exchanges and facts.

use super::*;
use crate::evidence::live::{
    CallbackFacts, LiveExchange, LiveStep, OtherAudience, RefreshFacts, TokenFacts,
};
use crate::evidence::{Exchange, Header, RequestRecord, ResponseRecord};
use crate::{CheckDef, Status};

const RESOURCE: &str = "https://mcp.example/mcp";
const ISSUER: &str = "https://as.example";

fn token_exchange(status: u16, headers: &[(&str, &str)], body: &str, form: &str) -> Exchange {
    Exchange {
        request: RequestRecord {
            method: "POST".into(),
            url: format!("{ISSUER}/token"),
            headers: vec![],
            body: Some(form.into()),
        },
        response: Some(ResponseRecord {
            status,
            headers: headers
                .iter()
                .map(|(n, v)| Header {
                    name: (*n).into(),
                    value: (*v).into(),
                })
                .collect(),
            body: body.into(),
            body_not_utf8: false,
            body_truncated: false,
        }),
        error: None,
        elapsed_ms: 1,
    }
}

const GOOD_BODY: &str = r#"{"access_token":"[redacted]","token_type":"Bearer","expires_in":3600}"#;
const FORM: &str =
    "grant_type=authorization_code&code=[redacted]&resource=https%3A%2F%2Fmcp.example%2Fmcp";

fn jwt_token() -> TokenFacts {
    TokenFacts {
        token_type: "Bearer".into(),
        expires_in: Some(3600),
        scope: Some("mcp:tools".into()),
        jwt: true,
        aud: vec![RESOURCE.into()],
        iss: Some(ISSUER.into()),
        ..TokenFacts::default()
    }
}

/// A browser login that got a JWT for the resource, with `exchange` as its token request.
fn logged_in_with(exchange: Exchange) -> LiveEvidence {
    LiveEvidence {
        grant: "authorization-code".into(),
        issuer: ISSUER.into(),
        client_id: Some("c1".into()),
        resource: Some(RESOURCE.into()),
        callback: Some(CallbackFacts {
            received: true,
            state_matched: true,
            iss: Some(ISSUER.into()),
            iss_advertised: true,
            error: None,
        }),
        token: Some(jwt_token()),
        call: Some(LiveAnswer::Ok),
        exchanges: vec![LiveExchange {
            step: LiveStep::Login,
            exchange,
        }],
        ..LiveEvidence::default()
    }
}

fn good() -> LiveEvidence {
    logged_in_with(token_exchange(
        200,
        &[("cache-control", "no-store")],
        GOOD_BODY,
        FORM,
    ))
}

fn grade(check: &CheckDef, l: Option<&LiveEvidence>) -> Outcome {
    let a = LiveAnalysis {
        live: l,
        resource: RESOURCE,
    };
    match check.grade {
        Grade::Live(f) => f(&a),
        Grade::Session(f) => session(&a, check.id, f),
        _ => unreachable!(),
    }
}

fn status(check: &CheckDef, l: &LiveEvidence) -> Status {
    grade(check, Some(l)).status
}

#[test]
fn tok_response_needs_no_store_access_token_and_token_type() {
    assert_eq!(status(&TOK_RESPONSE, &good()), Status::Pass);
    let no_cache = logged_in_with(token_exchange(200, &[], GOOD_BODY, FORM));
    let o = grade(&TOK_RESPONSE, Some(&no_cache));
    assert_eq!(o.status, Status::Fail);
    assert!(o.detail.contains("Cache-Control: no-store"), "{}", o.detail);
    let no_type = logged_in_with(token_exchange(
        200,
        &[("cache-control", "no-cache, no-store")],
        r#"{"access_token":"[redacted]","expires_in":1}"#,
        FORM,
    ));
    let o = grade(&TOK_RESPONSE, Some(&no_type));
    assert_eq!(o.status, Status::Fail);
    assert!(o.detail.contains("token_type"), "{}", o.detail);
    let refused = logged_in_with(token_exchange(
        400,
        &[],
        r#"{"error":"invalid_grant"}"#,
        FORM,
    ));
    assert_eq!(status(&TOK_RESPONSE, &refused), Status::Fail);
}

#[test]
fn tok_response_warns_without_expires_in_or_with_an_odd_token_type() {
    let no_exp = logged_in_with(token_exchange(
        200,
        &[("cache-control", "no-store")],
        r#"{"access_token":"[redacted]","token_type":"Bearer"}"#,
        FORM,
    ));
    assert_eq!(status(&TOK_RESPONSE, &no_exp), Status::Warn);
    let mac = logged_in_with(token_exchange(
        200,
        &[("cache-control", "no-store")],
        r#"{"access_token":"[redacted]","token_type":"mac","expires_in":5}"#,
        FORM,
    ));
    assert_eq!(status(&TOK_RESPONSE, &mac), Status::Warn);
}

#[test]
fn tok_resource_accepted_passes_on_200_and_fails_on_invalid_target() {
    assert_eq!(status(&TOK_RESOURCE_ACCEPTED, &good()), Status::Pass);
    let refused = logged_in_with(token_exchange(
        400,
        &[],
        r#"{"error":"invalid_target"}"#,
        FORM,
    ));
    let o = grade(&TOK_RESOURCE_ACCEPTED, Some(&refused));
    assert_eq!(o.status, Status::Fail);
    assert!(o.detail.contains("invalid_target"), "{}", o.detail);
    let without = logged_in_with(token_exchange(
        200,
        &[("cache-control", "no-store")],
        GOOD_BODY,
        "grant_type=authorization_code&code=[redacted]",
    ));
    assert_eq!(status(&TOK_RESOURCE_ACCEPTED, &without), Status::Skip);
}

#[test]
fn tok_audience_needs_the_resource_exactly_and_the_issuer() {
    assert_eq!(status(&TOK_AUDIENCE, &good()), Status::Pass);
    let mut other = good();
    other.token.as_mut().unwrap().aud = vec![format!("{RESOURCE}/")];
    assert_eq!(status(&TOK_AUDIENCE, &other), Status::Fail);
    let mut iss = good();
    iss.token.as_mut().unwrap().iss = Some(format!("{ISSUER}/"));
    assert_eq!(status(&TOK_AUDIENCE, &iss), Status::Fail);
    let mut opaque = good();
    opaque.token = Some(TokenFacts {
        jwt: false,
        aud: vec![],
        ..jwt_token()
    });
    assert_eq!(status(&TOK_AUDIENCE, &opaque), Status::Skip);
}

fn refreshed(rotated: bool, reuse_refused: Option<bool>) -> LiveEvidence {
    LiveEvidence {
        refresh: Some(RefreshFacts {
            token: Some(jwt_token()),
            error: None,
            rotated,
            reuse_refused,
        }),
        ..good()
    }
}

#[test]
fn tok_refresh_rotation_warns_when_a_public_client_keeps_its_refresh_token() {
    assert_eq!(
        status(&TOK_REFRESH_ROTATION, &refreshed(true, None)),
        Status::Pass
    );
    let o = grade(&TOK_REFRESH_ROTATION, Some(&refreshed(false, None)));
    assert_eq!(o.status, Status::Warn, "{}", o.detail);
    // A confidential client (a Basic header on the token request): INFO.
    let mut conf = refreshed(false, None);
    conf.exchanges[0].exchange.request.headers.push(Header {
        name: "authorization".into(),
        value: "Basic [redacted]".into(),
    });
    assert_eq!(status(&TOK_REFRESH_ROTATION, &conf), Status::Info);
    assert_eq!(status(&TOK_REFRESH_ROTATION, &good()), Status::Skip);
}

#[test]
fn tok_refresh_rotation_intrusive_says_it_spent_the_old_token() {
    let o = grade(&TOK_REFRESH_ROTATION, Some(&refreshed(true, Some(true))));
    assert_eq!(o.status, Status::Pass);
    assert!(o.detail.contains("--intrusive"), "{}", o.detail);
    let o = grade(&TOK_REFRESH_ROTATION, Some(&refreshed(true, Some(false))));
    assert_eq!(o.status, Status::Warn);
    assert!(o.detail.contains("still worked"), "{}", o.detail);
}

#[test]
fn tok_refresh_lifecycle_names_the_consequence() {
    let o = grade(&TOK_REFRESH_LIFECYCLE, Some(&good()));
    assert_eq!(o.status, Status::Info);
    assert!(
        o.detail
            .contains("users will sign in again every 60 minutes"),
        "{}",
        o.detail
    );
    let mut renewing = refreshed(true, None);
    renewing.token.as_mut().unwrap().refresh_token = true;
    renewing.scope_requested = Some("openid offline_access".into());
    let o = grade(&TOK_REFRESH_LIFECYCLE, Some(&renewing));
    assert!(o.detail.contains("succeeded, rotated"), "{}", o.detail);
    assert!(o.detail.contains("renew without the user"), "{}", o.detail);
    assert!(
        o.detail
            .contains("offline_access requested (a refresh token came back)"),
        "{}",
        o.detail
    );
    let mut failed = renewing.clone();
    failed.refresh.as_mut().unwrap().error = Some("invalid_grant".into());
    assert_eq!(status(&TOK_REFRESH_LIFECYCLE, &failed), Status::Warn);
}

fn with_pkce_probe(status: u16, body: &str) -> LiveEvidence {
    let mut l = good();
    l.exchanges.push(LiveExchange {
        step: LiveStep::PkceWrongVerifier,
        exchange: token_exchange(status, &[], body, FORM),
    });
    l
}

#[test]
fn tok_pkce_verified_needs_invalid_grant_for_a_wrong_verifier() {
    let o = grade(
        &TOK_PKCE_VERIFIED,
        Some(&with_pkce_probe(400, r#"{"error":"invalid_grant"}"#)),
    );
    assert_eq!(o.status, Status::Pass);
    assert!(
        o.detail.contains("spent a second authorization code"),
        "{}",
        o.detail
    );
    assert_eq!(
        status(&TOK_PKCE_VERIFIED, &with_pkce_probe(200, GOOD_BODY)),
        Status::Fail
    );
    assert_eq!(status(&TOK_PKCE_VERIFIED, &good()), Status::Skip);
}

fn other(answer: Option<LiveAnswer>) -> LiveEvidence {
    LiveEvidence {
        other_audience: Some(OtherAudience {
            how: "a refresh without resource".into(),
            token: Some(TokenFacts {
                aud: vec!["https://as.example/userinfo".into()],
                ..jwt_token()
            }),
            error: None,
            answer,
        }),
        ..good()
    }
}

#[test]
fn rs_audience_enforced_needs_a_401_for_a_token_for_others() {
    let refused = LiveAnswer::Refused {
        status: 401,
        challenge: None,
        detail: String::new(),
    };
    assert_eq!(
        status(&RS_AUDIENCE_ENFORCED, &other(Some(refused))),
        Status::Pass
    );
    let o = grade(&RS_AUDIENCE_ENFORCED, Some(&other(Some(LiveAnswer::Ok))));
    assert_eq!(o.status, Status::Fail);
    assert!(
        o.detail.contains("https://as.example/userinfo"),
        "{}",
        o.detail
    );
    let o = grade(&RS_AUDIENCE_ENFORCED, Some(&other(None)));
    assert_eq!(o.status, Status::Skip);
    assert!(o.detail.contains("cannot be observed"), "{}", o.detail);
    assert_eq!(status(&RS_AUDIENCE_ENFORCED, &good()), Status::Skip);
}

fn callback(iss: Option<&str>, advertised: bool, state_matched: bool) -> LiveEvidence {
    LiveEvidence {
        callback: Some(CallbackFacts {
            received: true,
            state_matched,
            iss: iss.map(str::to_owned),
            iss_advertised: advertised,
            error: None,
        }),
        ..good()
    }
}

#[test]
fn iss_response_follows_the_rfc_9207_table() {
    assert_eq!(
        status(&ISS_RESPONSE, &callback(Some(ISSUER), true, true)),
        Status::Pass
    );
    let other = format!("{ISSUER}/");
    assert_eq!(
        status(&ISS_RESPONSE, &callback(Some(&other), true, true)),
        Status::Fail
    );
    assert_eq!(
        status(&ISS_RESPONSE, &callback(None, true, true)),
        Status::Fail
    );
    assert_eq!(
        status(&ISS_RESPONSE, &callback(Some(ISSUER), false, true)),
        Status::Warn
    );
    assert_eq!(
        status(&ISS_RESPONSE, &callback(None, false, true)),
        Status::Info
    );
    let mut cc = good();
    cc.callback = None;
    assert_eq!(status(&ISS_RESPONSE, &cc), Status::Skip);
}

#[test]
fn state_echo_fails_on_a_changed_state() {
    assert_eq!(
        status(&STATE_ECHO, &callback(Some(ISSUER), true, true)),
        Status::Pass
    );
    assert_eq!(
        status(&STATE_ECHO, &callback(Some(ISSUER), true, false)),
        Status::Fail
    );
}

#[test]
fn cimd_live_applies_only_to_a_metadata_document_client_id() {
    assert_eq!(status(&CIMD_LIVE, &good()), Status::Skip);
    let mut cimd = good();
    cimd.client_id = Some("https://app.example/client.json".into());
    assert_eq!(status(&CIMD_LIVE, &cimd), Status::Pass);
    cimd.token = None;
    cimd.error = Some("invalid_client".into());
    let o = grade(&CIMD_LIVE, Some(&cimd));
    assert_eq!(o.status, Status::Fail);
    assert!(o.detail.contains("invalid_client"), "{}", o.detail);
}

#[test]
fn cimd_live_names_the_likely_cause_when_no_authorization_response_came() {
    let id = "https://127.0.0.1:1/broken.json";
    let mut refused = good();
    refused.client_id = Some(id.into());
    refused.token = None;
    refused.exchanges.clear();
    refused.callback = Some(CallbackFacts::default());
    refused.error = Some("no callback within 2 s".into());
    let o = grade(&CIMD_LIVE, Some(&refused));
    assert_eq!(o.status, Status::Fail);
    for part in [
        id,
        "no callback within 2 s",
        "client_id must be exactly the URL",
        "redirect_uris",
    ] {
        assert!(o.detail.contains(part), "{part}: {}", o.detail);
    }
    // Redirected back with a code, then refused by the client (a wrong iss):
    // the document was accepted; the failure is ISS-RESPONSE's.
    let mut later = refused.clone();
    later.callback = Some(CallbackFacts {
        received: true,
        state_matched: true,
        iss: Some("https://other.example".into()),
        iss_advertised: true,
        error: None,
    });
    later.error = Some("the callback's iss is not the issuer".into());
    let o = grade(&CIMD_LIVE, Some(&later));
    assert_eq!(o.status, Status::Skip, "{}", o.detail);
    assert!(o.detail.contains("accepted the client id"), "{}", o.detail);
    // An error response (access_denied) is the authorization server's refusal.
    later.callback.as_mut().unwrap().error = Some("access_denied".into());
    assert_eq!(status(&CIMD_LIVE, &later), Status::Fail);
}

#[test]
fn rs_accepts_token_and_ch_403_scope_use_the_session_definitions() {
    let rs = crate::checks::session::RS_ACCEPTS_TOKEN;
    assert_eq!(status(&rs, &good()), Status::Pass);
    let mut refused = good();
    refused.call = Some(LiveAnswer::Refused {
        status: 401,
        challenge: Some("Bearer error=\"invalid_token\"".into()),
        detail: String::new(),
    });
    assert_eq!(status(&rs, &refused), Status::Fail);
    let ch = crate::checks::session::CH_403_SCOPE;
    assert_eq!(status(&ch, &good()), Status::Skip);
    refused.call = Some(LiveAnswer::Refused {
        status: 403,
        challenge: Some("Bearer error=\"insufficient_scope\", scope=\"admin\"".into()),
        detail: String::new(),
    });
    assert_eq!(status(&ch, &refused), Status::Pass);
}

#[test]
fn ui_call_reads_the_claim_names_of_the_live_evidence() {
    let ui = crate::checks::session::UI_CALL;
    let mut l = good();
    l.userinfo = Some(LiveAnswer::Ok);
    l.userinfo_claims = vec!["sub".into(), "email".into()];
    assert_eq!(status(&ui, &l), Status::Pass);
    l.userinfo_claims = vec!["email".into()];
    assert_eq!(status(&ui, &l), Status::Fail);
    let aud = crate::checks::session::UI_AUDIENCE;
    l.userinfo = Some(LiveAnswer::Refused {
        status: 401,
        challenge: None,
        detail: String::new(),
    });
    assert_eq!(status(&aud, &l), Status::Info);
    // The resource-bound token refused at userinfo is UI-AUDIENCE's finding:
    // UI-CALL says so (info), and fails only for a token without resource.
    assert!(l.resource.is_some());
    assert_eq!(status(&ui, &l), Status::Info);
    l.resource = None;
    assert_eq!(status(&ui, &l), Status::Fail);
}

#[test]
fn every_live_check_skips_without_login() {
    for c in CATALOGUE {
        if matches!(c.grade, Grade::Live(_) | Grade::Session(_)) {
            let o = grade(c, None);
            assert_eq!((c.id, o.status), (c.id, Status::Skip));
            assert_eq!(o.detail, NOT_RUN, "{}", c.id);
        }
    }
}

//! UI-*, RS-ACCEPTS-TOKEN and CH-403-SCOPE.

use serde_json::json;

use super::*;

fn status_of(findings: &[Finding], id: &str) -> Option<Status> {
    findings.iter().find(|f| f.id == id).map(|f| f.status)
}

fn userinfo(answer: Answer<Map<String, Value>>, resource: Option<&str>) -> UserinfoFacts {
    UserinfoFacts {
        endpoint: Some("https://as.example/me".into()),
        issuer: "https://as.example".into(),
        token_resource: resource.map(str::to_owned),
        answer,
    }
}

fn claims() -> Map<String, Value> {
    json!({"sub": "alice", "email": "a@example.com"})
        .as_object()
        .cloned()
        .unwrap()
}

fn refused(status: u16, challenge: Option<&str>) -> Answer<()> {
    Answer::Refused {
        status,
        challenge: challenge.map(str::to_owned),
        detail: String::new(),
    }
}

fn call(answer: Answer<()>) -> CallFacts {
    CallFacts {
        url: "https://mcp.example/mcp".into(),
        answer,
        token_scopes: vec!["openid".into(), "mcp:read".into()],
        tool_error: false,
    }
}

// ---- UI-CALL

#[test]
fn ui_call_passes_with_sub_and_fails_otherwise() {
    let (f, v) = grade_userinfo(&userinfo(Answer::Ok(claims()), None));
    assert_eq!(status_of(&f, "UI-CALL"), Some(Status::Pass));
    assert_eq!(v, Verdict::Ok);
    let mut no_sub = claims();
    no_sub.remove("sub");
    let (f, v) = grade_userinfo(&userinfo(Answer::Ok(no_sub), None));
    assert_eq!(status_of(&f, "UI-CALL"), Some(Status::Fail));
    assert_eq!(v, Verdict::RequiredFailed);
    let (f, _) = grade_userinfo(&userinfo(
        Answer::NotAsked("no userinfo_endpoint".into()),
        None,
    ));
    assert_eq!(status_of(&f, "UI-CALL"), Some(Status::Fail));
}

// ---- UI-AUDIENCE

#[test]
fn ui_audience_explains_a_refused_resource_bound_token() {
    let r = Some("https://mcp.example/mcp");
    let (f, _) = grade_userinfo(&userinfo(
        Answer::Refused {
            status: 401,
            challenge: Some("Bearer error=\"invalid_token\"".into()),
            detail: String::new(),
        },
        r,
    ));
    assert_eq!(status_of(&f, "UI-AUDIENCE"), Some(Status::Info));
    assert!(f.iter().any(|x| x.detail.contains("--no-resource")));
    let (f, _) = grade_userinfo(&userinfo(Answer::Ok(claims()), r));
    assert_eq!(status_of(&f, "UI-AUDIENCE"), Some(Status::Pass));
    // No resource: the check does not apply.
    let (f, _) = grade_userinfo(&userinfo(Answer::Ok(claims()), None));
    assert_eq!(status_of(&f, "UI-AUDIENCE"), None);
}

// ---- RS-ACCEPTS-TOKEN

#[test]
fn rs_accepts_token_fails_on_401_and_names_the_fix() {
    let (f, v) = grade_call(&call(Answer::Ok(())));
    assert_eq!(status_of(&f, "RS-ACCEPTS-TOKEN"), Some(Status::Pass));
    assert_eq!(v, Verdict::Ok);
    let facts = call(refused(401, Some("Bearer error=\"invalid_token\"")));
    let (f, v) = grade_call(&facts);
    assert_eq!(status_of(&f, "RS-ACCEPTS-TOKEN"), Some(Status::Fail));
    assert_eq!(v, Verdict::RequiredFailed);
    let line = call_error_line(&facts, &f).unwrap();
    assert!(
        line.starts_with("401 invalid_token") && line.contains("--refresh"),
        "{line}"
    );
    // Unreachable: not a verdict on the token.
    let facts = call(Answer::Unreachable("connection refused".into()));
    let (f, v) = grade_call(&facts);
    assert_eq!(status_of(&f, "RS-ACCEPTS-TOKEN"), None);
    assert_eq!(v, Verdict::NotFound);
    assert!(call_error_line(&facts, &f)
        .unwrap()
        .starts_with("cannot reach"));
}

// ---- CH-403-SCOPE

#[test]
fn ch_403_scope_advises_the_union_of_scopes() {
    let facts = call(refused(
        403,
        Some("Bearer error=\"insufficient_scope\", scope=\"mcp:write\""),
    ));
    let (f, _) = grade_call(&facts);
    assert_eq!(status_of(&f, "CH-403-SCOPE"), Some(Status::Pass));
    assert_eq!(status_of(&f, "RS-ACCEPTS-TOKEN"), Some(Status::Pass));
    let line = call_error_line(&facts, &f).unwrap();
    assert!(
        line.contains("--scope \"openid mcp:read mcp:write\""),
        "{line}"
    );
    // No scope named: a warning, with the same advice.
    let (f, _) = grade_call(&call(refused(
        403,
        Some("Bearer error=\"insufficient_scope\""),
    )));
    assert_eq!(status_of(&f, "CH-403-SCOPE"), Some(Status::Warn));
    // Not a 403: the check does not apply.
    let (f, _) = grade_call(&call(Answer::Ok(())));
    assert_eq!(status_of(&f, "CH-403-SCOPE"), None);
}

//! `--grant jwt-bearer`: the assertion, sent once, with or without a client.

use super::*;

#[tokio::test]
async fn jwt_bearer_sends_the_assertion_once_and_reports_a_refusal() {
    let assertion = jwt(&serde_json::json!({"sub": "workload"}));
    let srv = Server::start(vec![(
        "/token",
        400,
        r#"{"error":"invalid_grant","error_description":"JWT assertion\nis expired"}"#.into(),
    )])
    .await;
    let s = LoginSettings {
        client_id: Some("wif".into()),
        assertion: Some(Secret::new(assertion.clone())),
        ..settings(Grant::JwtBearer)
    };
    let e = error(&srv.resolved(&["none"]), &s).await;
    assert!(
        e.contains("refused: invalid_grant (JWT assertion is expired)"),
        "{e}"
    );
    assert!(!e.contains(&assertion), "the assertion is never shown");
    let seen = srv.seen("/token");
    assert_eq!(seen.len(), 1, "never retried");
    assert_eq!(seen[0].get("grant_type"), Some(JWT_BEARER));
    assert_eq!(seen[0].get("assertion"), Some(assertion.as_str()));
    assert_eq!(seen[0].get("client_id"), Some("wif"));
    assert_eq!(seen[0].get("resource"), Some("http://127.0.0.1:1/mcp"));
}

#[tokio::test]
async fn jwt_bearer_without_a_client_sends_no_client_id() {
    let srv = Server::start(vec![("/token", 200, BEARER.into())]).await;
    let s = LoginSettings {
        assertion: Some(Secret::new(jwt(&serde_json::json!({})))),
        ..settings(Grant::JwtBearer)
    };
    let entry = run(&srv.resolved(&["none"]), &s).await.unwrap();
    let req = &srv.seen("/token")[0];
    assert_eq!(req.get("client_id"), None);
    assert_eq!(req.authorization, None);
    assert_eq!(entry.grant.as_deref(), Some("jwt-bearer"));
}

#[tokio::test]
async fn jwt_bearer_refuses_what_is_not_an_assertion_before_sending() {
    let srv = Server::start(vec![("/token", 200, BEARER.into())]).await;
    let r = srv.resolved(&["none"]);
    let e = error(&r, &settings(Grant::JwtBearer)).await;
    assert!(e.contains("--assertion-file"), "{e}");
    let s = LoginSettings {
        assertion: Some(Secret::new("not-a-jwt")),
        ..settings(Grant::JwtBearer)
    };
    let e = error(&r, &s).await;
    assert!(e.contains("the assertion is not a JWT"), "{e}");
    assert!(srv.seen("/token").is_empty());
}

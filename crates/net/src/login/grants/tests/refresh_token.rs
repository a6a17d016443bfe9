//! `--grant refresh-token`: a refresh token the caller holds, redeemed as
//! the client it was issued to, for the same resource.

use super::*;

#[tokio::test]
async fn a_refresh_token_start_sends_the_token_resource_and_the_public_client() {
    let srv = Server::start(vec![("/token", 200, BEARER.into())]).await;
    let s = LoginSettings {
        client_id: Some("app".into()),
        refresh_token: Some(Secret::new("rt-given")),
        ..settings(Grant::RefreshToken)
    };
    let entry = run(&srv.resolved(&["none"]), &s).await.unwrap();
    let [req] = &srv.seen("/token")[..] else {
        panic!("one request")
    };
    assert_eq!(req.get("grant_type"), Some("refresh_token"));
    assert_eq!(req.get("refresh_token"), Some("rt-given"));
    assert_eq!(req.get("resource"), Some("http://127.0.0.1:1/mcp"));
    assert_eq!(req.get("client_id"), Some("app"));
    assert_eq!(entry.grant.as_deref(), Some("refresh-token"));
    assert_eq!(entry.access_token.expose(), "at-1");
    // No new refresh token in the answer: the one given is kept for the next refresh.
    assert_eq!(
        entry.refresh_token.as_ref().map(Secret::expose),
        Some("rt-given")
    );
}

#[tokio::test]
async fn a_rotated_refresh_token_replaces_the_one_given() {
    let body =
        r#"{"access_token":"at-2","token_type":"Bearer","expires_in":60,"refresh_token":"rt-new"}"#;
    let srv = Server::start(vec![("/token", 200, body.into())]).await;
    let s = LoginSettings {
        refresh_token: Some(Secret::new("rt-given")),
        ..confidential(Grant::RefreshToken)
    };
    let entry = run(&srv.resolved(&["client_secret_basic"]), &s)
        .await
        .unwrap();
    assert_eq!(
        entry.refresh_token.as_ref().map(Secret::expose),
        Some("rt-new")
    );
    let req = &srv.seen("/token")[0];
    assert_eq!(
        req.authorization.as_deref(),
        Some(basic("svc", "s3cret").as_str())
    );
}

#[tokio::test]
async fn a_refresh_token_start_needs_the_token_and_the_client() {
    let srv = Server::start(vec![("/token", 200, BEARER.into())]).await;
    let r = srv.resolved(&["none"]);
    let no_token = LoginSettings {
        client_id: Some("app".into()),
        ..settings(Grant::RefreshToken)
    };
    let e = run(&r, &no_token).await.unwrap_err().to_string();
    assert!(e.contains("--refresh-token-file"), "{e}");
    let no_client = LoginSettings {
        refresh_token: Some(Secret::new("rt-given")),
        ..settings(Grant::RefreshToken)
    };
    let e = run(&r, &no_client).await.unwrap_err().to_string();
    assert!(e.contains("--client-id"), "{e}");
    assert!(!e.contains("rt-given"), "never the token: {e}");
    assert!(srv.seen("/token").is_empty(), "nothing sent");
}

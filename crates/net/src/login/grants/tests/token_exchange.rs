//! `--grant token-exchange`: the ID token for an ID-JAG at the IdP, then
//! the JWT bearer grant; hostile IdP answers.

use super::*;

/// Token exchange settings against the IdP at `/idp` of `srv`.
fn exchange_settings(srv: &Server, token_endpoint: bool) -> LoginSettings {
    LoginSettings {
        client_id: Some("mcp-client".into()),
        client_secret: Some(Secret::new("as-secret")),
        subject_token: Some(Secret::new(jwt(&serde_json::json!({"aud": "idp-client"})))),
        refresh_token: None,
        idp: Some(Idp {
            issuer: Some(format!("{}/idp", srv.origin)),
            token_endpoint: token_endpoint.then(|| format!("{}/idp/token", srv.origin)),
            client_id: Some("idp-client".into()),
            client_secret: None,
        }),
        ..settings(Grant::TokenExchange)
    }
}

fn id_jag_response(issued: &str) -> String {
    serde_json::json!({
        "access_token": jwt(&serde_json::json!({"client_id": "mcp-client"})),
        "issued_token_type": issued,
        "token_type": "N_A",
    })
    .to_string()
}

#[tokio::test]
async fn token_exchange_trades_the_id_token_then_presents_the_id_jag() {
    let srv = Server::start(vec![
        ("/idp/token", 200, id_jag_response(exchange::ID_JAG)),
        ("/token", 200, BEARER.into()),
    ])
    .await;
    let r = srv.resolved(&["client_secret_basic"]);
    // The IdP's token endpoint is discovered from its issuer.
    let entry = run(&r, &exchange_settings(&srv, false)).await.unwrap();
    let [x] = &srv.seen("/idp/token")[..] else {
        panic!("one exchange")
    };
    assert_eq!(x.get("grant_type"), Some(exchange::TOKEN_EXCHANGE));
    assert_eq!(x.get("requested_token_type"), Some(exchange::ID_JAG));
    assert_eq!(x.get("subject_token_type"), Some(exchange::ID_TOKEN));
    assert_eq!(x.get("audience"), Some(r.issuer.as_str()));
    assert_eq!(x.get("resource"), Some("http://127.0.0.1:1/mcp"));
    assert_eq!(x.get("scope"), Some("mcp:read mcp:write"));
    assert_eq!(x.get("client_id"), Some("idp-client"));
    assert!(x.get("subject_token").is_some());
    let [g] = &srv.seen("/token")[..] else {
        panic!("one JWT bearer grant")
    };
    assert_eq!(g.get("grant_type"), Some(JWT_BEARER));
    let issued: serde_json::Value =
        serde_json::from_str(&id_jag_response(exchange::ID_JAG)).unwrap();
    let id_jag = g.get("assertion").unwrap();
    assert_eq!(
        crate::evidence::jwt::decode_unverified(id_jag)
            .unwrap()
            .claims["client_id"],
        "mcp-client"
    );
    assert_eq!(
        id_jag.split('.').count(),
        issued["access_token"].as_str().unwrap().split('.').count()
    );
    assert_eq!(
        g.authorization.as_deref(),
        Some(basic("mcp-client", "as-secret").as_str())
    );
    assert_eq!(entry.grant.as_deref(), Some("token-exchange"));
    assert_eq!(entry.client_id, "mcp-client");
}

#[tokio::test]
async fn hostile_token_exchange_answers_are_one_line_errors() {
    let no_type = r#"{"access_token":"a.b.c","token_type":"N_A"}"#.to_owned();
    let no_token = format!(
        r#"{{"issued_token_type":"{}","token_type":"N_A"}}"#,
        exchange::ID_JAG
    );
    let opaque = format!(
        r#"{{"access_token":"opaque","issued_token_type":"{}","token_type":"N_A"}}"#,
        exchange::ID_JAG
    );
    for (status, body, expect) in [
        (
            200,
            id_jag_response("urn:ietf:params:oauth:token-type:access_token"),
            "issued issued_token_type 'urn:ietf:params:oauth:token-type:access_token', not an ID-JAG",
        ),
        (200, no_type, "issued no issued_token_type, not an ID-JAG"),
        (200, no_token, "has no access_token"),
        (200, opaque, "the IdP's ID-JAG is not a JWT"),
        (
            400,
            r#"{"error":"invalid_grant","error_description":"Invalid ID token"}"#.to_owned(),
            "the token exchange at the IdP: the token endpoint refused: invalid_grant (Invalid ID token)",
        ),
        (502, "<html>bad gateway</html>".to_owned(), "answered 502 without an OAuth error"),
    ] {
        let srv = Server::start(vec![
            ("/idp/token", status, body.clone()),
            ("/token", 200, BEARER.into()),
        ])
        .await;
        let e = error(&srv.resolved(&["client_secret_basic"]), &exchange_settings(&srv, true)).await;
        assert!(e.contains(expect), "{body}: {e}");
        assert!(srv.seen("/token").is_empty(), "{body}: nothing reached the AS");
    }
}

#[tokio::test]
async fn a_refused_id_jag_says_which_step_failed() {
    let srv = Server::start(vec![
        ("/idp/token", 200, id_jag_response(exchange::ID_JAG)),
        ("/token", 401, r#"{"error":"invalid_client"}"#.into()),
    ])
    .await;
    let e = error(
        &srv.resolved(&["client_secret_basic"]),
        &exchange_settings(&srv, true),
    )
    .await;
    assert!(
        e.starts_with(
            "the JWT bearer grant with the ID-JAG: the token endpoint refused: invalid_client"
        ),
        "{e}"
    );
}

#[tokio::test]
async fn an_idp_that_never_answers_times_out() {
    // Accepts connections and never answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((sock, _)) = listener.accept().await {
            held.push(sock);
        }
    });
    let srv = Server::start(vec![]).await;
    let mut s = exchange_settings(&srv, true);
    s.idp.as_mut().unwrap().token_endpoint = Some(format!("http://{addr}/token"));
    let quick = Prober::new(ProbeSettings {
        timeout: Duration::from_millis(300),
        ..ProbeSettings::default()
    })
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = TokenStore::at(dir.path());
    let r = srv.resolved(&["client_secret_basic"]);
    let e = tokio::time::timeout(Duration::from_secs(10), obtain_for(&quick, &store, &r, &s))
        .await
        .expect("no hang")
        .unwrap_err();
    assert!(matches!(e, LoginError::Unreachable(_)), "{e}");
    assert!(
        e.to_string()
            .starts_with("the token exchange at the IdP: token request to"),
        "{e}"
    );
}

#[tokio::test]
async fn token_exchange_needs_its_inputs_and_sends_nothing_without_them() {
    let srv = Server::start(vec![]).await;
    let r = srv.resolved(&["client_secret_basic"]);
    let full = exchange_settings(&srv, true);
    for (s, expect) in [
        (
            LoginSettings {
                subject_token: None,
                refresh_token: None,
                ..full.clone()
            },
            "--subject-token-file",
        ),
        (
            LoginSettings {
                idp: None,
                ..full.clone()
            },
            "--idp-issuer",
        ),
        (
            LoginSettings {
                client_id: None,
                ..full.clone()
            },
            "--client-id",
        ),
        (
            LoginSettings {
                idp: Some(Idp {
                    client_id: None,
                    ..full.idp.clone().unwrap()
                }),
                ..full.clone()
            },
            "--idp-client-id",
        ),
    ] {
        let e = error(&r, &s).await;
        assert!(e.contains(expect), "{e}");
    }
    assert!(srv.seen.lock().unwrap().is_empty());
}

#[tokio::test]
async fn no_token_nor_secret_of_the_exchange_is_recorded() {
    let issued = id_jag_response(exchange::ID_JAG);
    let srv = Server::start(vec![
        ("/idp/token", 200, issued.clone()),
        ("/token", 200, BEARER.into()),
    ])
    .await;
    let mut s = exchange_settings(&srv, true);
    s.idp.as_mut().unwrap().client_secret = Some(Secret::new("idp-s3cret"));
    let (prober, journal) = prober().recording();
    let dir = tempfile::tempdir().unwrap();
    let r = srv.resolved(&["client_secret_basic"]);
    obtain_for(&prober, &TokenStore::at(dir.path()), &r, &s)
        .await
        .unwrap();
    let recorded = journal.take();
    assert_eq!(recorded.len(), 2, "the exchange, then the grant");
    let text = serde_json::to_string(&recorded).unwrap();
    let id_jag: serde_json::Value = serde_json::from_str(&issued).unwrap();
    let subject = s.subject_token.as_ref().unwrap().expose();
    let (idp_basic, as_basic) = (
        basic("idp-client", "idp-s3cret"),
        basic("mcp-client", "as-secret"),
    );
    for secret in [
        subject,
        id_jag["access_token"].as_str().unwrap(),
        "idp-s3cret",
        "as-secret",
        &idp_basic["Basic ".len()..],
        &as_basic["Basic ".len()..],
        "at-1",
    ] {
        assert!(!text.contains(secret), "{secret} recorded: {text}");
    }
    assert!(text.contains("requested_token_type"), "{text}");
}

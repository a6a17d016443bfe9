//! `--grant client-credentials`: the secret (basic or post) or the key.

use super::*;

#[tokio::test]
async fn client_credentials_sends_scope_resource_and_basic_auth() {
    let srv = Server::start(vec![("/token", 200, BEARER.into())]).await;
    let entry = run(
        &srv.resolved(&["client_secret_basic"]),
        &confidential(Grant::ClientCredentials),
    )
    .await
    .unwrap();
    let [req] = &srv.seen("/token")[..] else {
        panic!("one request")
    };
    assert_eq!(req.get("grant_type"), Some("client_credentials"));
    assert_eq!(req.get("scope"), Some("mcp:read mcp:write"));
    assert_eq!(req.get("resource"), Some("http://127.0.0.1:1/mcp"));
    assert_eq!(
        req.authorization.as_deref(),
        Some(basic("svc", "s3cret").as_str())
    );
    assert_eq!(req.get("client_secret"), None, "basic, not post");
    assert_eq!(entry.grant.as_deref(), Some("client-credentials"));
    assert_eq!(entry.client_id, "svc");
    assert_eq!(entry.access_token.expose(), "at-1");
    assert_eq!(entry.scope.as_deref(), Some("mcp:read mcp:write"));
}

#[tokio::test]
async fn client_credentials_posts_the_secret_where_only_post_is_supported() {
    let srv = Server::start(vec![("/token", 200, BEARER.into())]).await;
    let s = LoginSettings {
        scope: Some("explicit".into()),
        no_resource: true,
        ..confidential(Grant::ClientCredentials)
    };
    run(&srv.resolved(&["client_secret_post"]), &s)
        .await
        .unwrap();
    let req = &srv.seen("/token")[0];
    assert_eq!(req.get("client_secret"), Some("s3cret"));
    assert_eq!(req.get("client_id"), Some("svc"));
    assert_eq!(req.authorization, None);
    assert_eq!(req.get("scope"), Some("explicit"));
    assert_eq!(req.get("resource"), None, "--no-resource");
}

#[tokio::test]
async fn client_credentials_with_a_key_sends_an_assertion_for_the_issuer() {
    let srv = Server::start(vec![("/token", 200, BEARER.into())]).await;
    let pem = ring_p256_pem();
    let s = LoginSettings {
        client_secret: None,
        client_key: Some(crate::login::SigningKey::from_pem(pem.as_bytes(), None, "test").unwrap()),
        ..confidential(Grant::ClientCredentials)
    };
    let r = srv.resolved(&["private_key_jwt"]);
    run(&r, &s).await.unwrap();
    let req = &srv.seen("/token")[0];
    assert_eq!(
        req.get("client_assertion_type"),
        Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
    );
    let claims = crate::evidence::jwt::decode_unverified(req.get("client_assertion").unwrap())
        .unwrap()
        .claims;
    assert_eq!(claims["aud"], r.issuer.as_str(), "audience = the issuer");
    assert_eq!(claims["iss"], "svc");
    assert_eq!(claims["sub"], "svc");
}

/// A fresh P-256 key as PKCS#8 PEM.
fn ring_p256_pem() -> String {
    let rng = ring::rand::SystemRandom::new();
    let doc = ring::signature::EcdsaKeyPair::generate_pkcs8(
        &ring::signature::ECDSA_P256_SHA256_FIXED_SIGNING,
        &rng,
    )
    .unwrap();
    let b64 = base64::engine::general_purpose::STANDARD.encode(doc.as_ref());
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        lines.join("\n")
    )
}

#[tokio::test]
async fn client_credentials_without_a_credential_sends_nothing() {
    let srv = Server::start(vec![("/token", 200, BEARER.into())]).await;
    let public = LoginSettings {
        client_id: Some("svc".into()),
        ..settings(Grant::ClientCredentials)
    };
    let e = error(&srv.resolved(&["client_secret_basic"]), &public).await;
    assert!(e.contains("needs a confidential client"), "{e}");
    assert!(srv.seen("/token").is_empty());
}

#[tokio::test]
async fn an_unsupported_grant_names_what_the_server_lists() {
    let srv = Server::start(vec![(
        "/token",
        400,
        r#"{"error":"unsupported_grant_type"}"#.into(),
    )])
    .await;
    let e = error(
        &srv.resolved(&["client_secret_basic"]),
        &confidential(Grant::ClientCredentials),
    )
    .await;
    assert!(
        e.contains("does not list client_credentials in grant_types_supported"),
        "{e}"
    );
}

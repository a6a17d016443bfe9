use std::sync::{Arc, Mutex};

use super::*;
use crate::probe::ProbeSettings;
use crate::token_store::Secret;

/// A token endpoint on 127.0.0.1 that rotates refresh tokens: each refresh
/// token works once (`rt-0` first), then `invalid_grant`. Returns its URL
/// and how many refreshes it granted.
async fn rotating_token_endpoint() -> (String, Arc<Mutex<u32>>) {
    let granted = Arc::new(Mutex::new(0u32));
    let counter = granted.clone();
    let app = axum::Router::new().route(
        "/token",
        axum::routing::post(move |body: String| {
            let counter = counter.clone();
            async move {
                let form: std::collections::HashMap<String, String> =
                    url::form_urlencoded::parse(body.as_bytes())
                        .into_owned()
                        .collect();
                let mut n = counter.lock().unwrap();
                let json = [("content-type", "application/json")];
                if form.get("refresh_token") != Some(&format!("rt-{n}")) {
                    let e = r#"{"error":"invalid_grant"}"#.to_owned();
                    return (axum::http::StatusCode::BAD_REQUEST, json, e);
                }
                *n += 1;
                let ok = format!(
                    r#"{{"access_token":"at-{n}","refresh_token":"rt-{n}","token_type":"Bearer","expires_in":3600}}"#
                );
                (axum::http::StatusCode::OK, json, ok)
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/token"), granted)
}

fn cached(token_endpoint: &str, at: &str, rt: &str, expires_at: Option<u64>) -> TokenEntry {
    TokenEntry {
        issuer: "http://127.0.0.1/as".into(),
        client_id: "c1".into(),
        client_secret: None,
        token_endpoint_auth_method: None,
        registered: false,
        redirect_uri: None,
        grant: None,
        dpop_key: None,
        resource: None,
        mcp_url: None,
        token_type: "Bearer".into(),
        access_token: Secret::new(at),
        refresh_token: Some(Secret::new(rt)),
        id_token: None,
        scope: None,
        obtained_at: 1,
        expires_at,
        token_endpoint: token_endpoint.into(),
        userinfo_endpoint: None,
        revocation_endpoint: None,
        jwks_uri: None,
    }
}

#[tokio::test]
async fn two_refreshes_of_one_entry_at_once_refresh_once_and_both_succeed() {
    let (url, granted) = rotating_token_endpoint().await;
    let home = tempfile::tempdir().unwrap();
    let store = TokenStore::at(home.path().join("tokens"));
    // Both commands read the same expired entry before either refreshes.
    let read = cached(&url, "at-old", "rt-0", Some(1));
    store.save(&read).unwrap();
    let prober = Prober::new(ProbeSettings::default()).unwrap();
    let (a, b) = tokio::join!(
        refresh(&prober, &store, &read),
        refresh(&prober, &store, &read)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(
        *granted.lock().unwrap(),
        1,
        "the second reused the first's token"
    );
    assert_eq!(a.access_token.expose(), "at-1");
    assert_eq!(a, b);
    let path = store.path_for(&read.issuer, &read.client_id, None);
    let saved = TokenStore::load(&path).unwrap();
    assert_eq!(
        saved.refresh_token.as_ref().map(Secret::expose),
        Some("rt-1")
    );
}

#[tokio::test]
async fn an_expired_token_refreshed_meanwhile_is_refreshed_with_the_refresh_token_on_disk() {
    let (url, granted) = rotating_token_endpoint().await;
    *granted.lock().unwrap() = 1; // rt-0 was used: rt-1 is the valid one
    let home = tempfile::tempdir().unwrap();
    let store = TokenStore::at(home.path().join("tokens"));
    // Another command refreshed (its token has expired since); the caller
    // still holds what it read before, with the spent refresh token.
    store.save(&cached(&url, "at-1", "rt-1", Some(1))).unwrap();
    let stale = cached(&url, "at-0", "rt-0", Some(1));
    let prober = Prober::new(ProbeSettings::default()).unwrap();
    let new = refresh(&prober, &store, &stale).await.unwrap();
    assert_eq!(new.access_token.expose(), "at-2");
    assert_eq!(*granted.lock().unwrap(), 2);
}

#[tokio::test]
async fn a_login_removed_meanwhile_is_not_brought_back() {
    let (url, granted) = rotating_token_endpoint().await;
    let home = tempfile::tempdir().unwrap();
    let store = TokenStore::at(home.path().join("tokens"));
    let read = cached(&url, "at-old", "rt-0", Some(1));
    let prober = Prober::new(ProbeSettings::default()).unwrap();
    let err = refresh(&prober, &store, &read).await.unwrap_err();
    assert!(err.to_string().contains("was removed"), "{err}");
    assert_eq!(*granted.lock().unwrap(), 0);
    assert!(store.list().is_empty());
}

//! The loopback redirect target: a one-shot HTTP server on 127.0.0.1 that
//! accepts exactly one callback, validates it, shows a small page, and shuts
//! down.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::RawQuery;
use axum::http::StatusCode;
use axum::response::Html;
use tokio::sync::oneshot;

/// The parameters of an authorization response (RFC 6749 §4.1.2, RFC 9207).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallbackParams {
    pub code: Option<String>,
    pub state: Option<String>,
    pub iss: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallbackError {
    #[error("the callback repeats the parameter `{0}`; refusing it")]
    Repeated(String),
    #[error("the callback's iss '{got}' is not the issuer '{expected}' (possible mix-up attack); the response was ignored")]
    IssMismatch { got: String, expected: String },
    #[error("the authorization server advertises RFC 9207 `iss` but the callback has none; the response was ignored")]
    IssMissing,
    #[error("the callback's state does not match the one this login sent (possible CSRF); the response was ignored")]
    StateMismatch,
    #[error("the callback carries both a code and an error; refusing it")]
    CodeAndError,
    #[error("the authorization server refused: {error}{}", description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default())]
    Denied {
        error: String,
        description: Option<String>,
    },
    #[error("the callback has no code")]
    NoCode,
    #[error("this login already received its callback")]
    AlreadyUsed,
}

/// Read a query string; repeated parameters are refused (RFC 6749 §3.1).
pub fn parse_query(query: &str) -> Result<CallbackParams, CallbackError> {
    let mut p = CallbackParams::default();
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        let slot = match k.as_ref() {
            "code" => &mut p.code,
            "state" => &mut p.state,
            "iss" => &mut p.iss,
            "error" => &mut p.error,
            "error_description" => &mut p.error_description,
            _ => continue,
        };
        if slot.is_some() {
            return Err(CallbackError::Repeated(k.into_owned()));
        }
        *slot = Some(v.into_owned());
    }
    Ok(p)
}

/// Validate a callback (RFC 9207 §2.4 first, then `state`, then the result)
/// and return the authorization code.
pub fn validate(
    p: &CallbackParams,
    expected_state: &str,
    issuer: &str,
    iss_advertised: bool,
) -> Result<String, CallbackError> {
    match (&p.iss, iss_advertised) {
        (Some(got), _) if got != issuer => {
            return Err(CallbackError::IssMismatch {
                got: got.clone(),
                expected: issuer.to_owned(),
            })
        }
        (None, true) => return Err(CallbackError::IssMissing),
        _ => {}
    }
    if p.state.as_deref() != Some(expected_state) {
        return Err(CallbackError::StateMismatch);
    }
    match (&p.code, &p.error) {
        (Some(_), Some(_)) => Err(CallbackError::CodeAndError),
        (None, Some(e)) => Err(CallbackError::Denied {
            error: e.clone(),
            description: p.error_description.clone(),
        }),
        (Some(code), None) => Ok(code.clone()),
        (None, None) => Err(CallbackError::NoCode),
    }
}

const PAGE_OK: &str = "<!doctype html><meta charset=utf-8><title>mcp-auth</title>\
<h1>Authorization received</h1><p>mcp-auth is finishing the login (the token request): \
the terminal says whether it worked. You can close this tab.</p>";

fn page_error(message: &str) -> String {
    let escaped = message
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    format!(
        "<!doctype html><meta charset=utf-8><title>mcp-auth</title>\
         <h1>Login failed</h1><p>{escaped}</p><p>Return to the terminal for details.</p>"
    )
}

/// Why waiting ended without a code.
#[derive(Debug, thiserror::Error)]
pub enum WaitError {
    #[error(transparent)]
    Callback(#[from] CallbackError),
    #[error("no callback within {0} s; run `mcp-auth login` again (or raise --login-timeout)")]
    Timeout(u64),
    #[error("interrupted")]
    Interrupted,
    #[error("callback server: {0}")]
    Io(#[from] std::io::Error),
}

/// A bound loopback listener.
pub struct CallbackServer {
    listener: tokio::net::TcpListener,
    pub port: u16,
}

type Validator = dyn Fn(&CallbackParams) -> Result<String, CallbackError> + Send + Sync;

impl CallbackServer {
    /// Bind 127.0.0.1 (only) on `port` (0: any free port).
    pub async fn bind(port: u16) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        let port = listener.local_addr()?.port();
        Ok(Self { listener, port })
    }

    /// Serve `path` until one callback arrives, then shut down. The first
    /// request to `path` decides the login, valid or not.
    pub async fn wait(
        self,
        path: &str,
        validate: Box<Validator>,
        timeout: Duration,
    ) -> Result<String, WaitError> {
        let (tx, rx) = oneshot::channel::<Result<String, CallbackError>>();
        let tx = Arc::new(Mutex::new(Some(tx)));
        let validate: Arc<Validator> = Arc::from(validate);
        let app = axum::Router::new()
            .route(
                path,
                axum::routing::get(move |RawQuery(q): RawQuery| {
                    let tx = tx.clone();
                    let validate = validate.clone();
                    async move {
                        let Some(sender) = tx.lock().expect("lock").take() else {
                            return (
                                StatusCode::CONFLICT,
                                Html(page_error(&CallbackError::AlreadyUsed.to_string())),
                            );
                        };
                        let result = parse_query(q.as_deref().unwrap_or_default())
                            .and_then(|p| validate(&p));
                        let page = match &result {
                            Ok(_) => (StatusCode::OK, Html(PAGE_OK.to_owned())),
                            Err(e) => (StatusCode::BAD_REQUEST, Html(page_error(&e.to_string()))),
                        };
                        let _ = sender.send(result);
                        page
                    }
                }),
            )
            .fallback(|| async { (StatusCode::NOT_FOUND, "not found") });
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let serve = axum::serve(self.listener, app).with_graceful_shutdown(async {
            let _ = stop_rx.await;
        });
        let server = tokio::spawn(std::future::IntoFuture::into_future(serve));
        let outcome = tokio::select! {
            r = rx => match r {
                Ok(Ok(code)) => Ok(code),
                Ok(Err(e)) => Err(WaitError::Callback(e)),
                Err(_) => Err(WaitError::Interrupted),
            },
            () = tokio::time::sleep(timeout) => Err(WaitError::Timeout(timeout.as_secs())),
            _ = tokio::signal::ctrl_c() => Err(WaitError::Interrupted),
        };
        let _ = stop_tx.send(());
        // Let the page reach the browser; never wait long for it.
        let _ = tokio::time::timeout(Duration::from_secs(2), server).await;
        outcome
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ISS: &str = "https://as.example";

    fn p(q: &str) -> CallbackParams {
        parse_query(q).unwrap()
    }

    #[test]
    fn a_good_callback_yields_the_code() {
        assert_eq!(
            validate(
                &p("code=c&state=s&iss=https%3A%2F%2Fas.example"),
                "s",
                ISS,
                true
            ),
            Ok("c".into())
        );
        assert_eq!(
            validate(&p("code=c&state=s"), "s", ISS, false),
            Ok("c".into())
        );
    }

    #[test]
    fn tampering_is_refused() {
        assert_eq!(
            validate(&p("code=c&state=x"), "s", ISS, false),
            Err(CallbackError::StateMismatch)
        );
        assert_eq!(
            validate(&p("code=c"), "s", ISS, false),
            Err(CallbackError::StateMismatch)
        );
        assert_eq!(
            validate(&p("code=c&state=s"), "s", ISS, true),
            Err(CallbackError::IssMissing)
        );
        assert!(matches!(
            validate(
                &p("code=c&state=s&iss=https%3A%2F%2Fevil.example"),
                "s",
                ISS,
                false
            ),
            Err(CallbackError::IssMismatch { .. })
        ));
        // iss is compared exactly: no normalisation.
        assert!(matches!(
            validate(
                &p("code=c&state=s&iss=https%3A%2F%2Fas.example%2F"),
                "s",
                ISS,
                true
            ),
            Err(CallbackError::IssMismatch { .. })
        ));
        assert_eq!(
            validate(&p("code=c&error=x&state=s"), "s", ISS, false),
            Err(CallbackError::CodeAndError)
        );
        assert_eq!(
            validate(&p("state=s"), "s", ISS, false),
            Err(CallbackError::NoCode)
        );
        assert_eq!(
            parse_query("code=a&code=b"),
            Err(CallbackError::Repeated("code".into()))
        );
    }

    #[test]
    fn a_mixed_up_error_is_not_acted_on() {
        // A wrong iss wins over the error it carries (RFC 9207 §2.4).
        assert!(matches!(
            validate(
                &p("error=access_denied&state=s&iss=https%3A%2F%2Fevil.example"),
                "s",
                ISS,
                true
            ),
            Err(CallbackError::IssMismatch { .. })
        ));
        let e = validate(
            &p("error=access_denied&error_description=no&state=s"),
            "s",
            ISS,
            false,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "the authorization server refused: access_denied (no)"
        );
    }

    #[tokio::test]
    async fn serves_one_callback_then_stops() {
        let server = CallbackServer::bind(0).await.unwrap();
        let port = server.port;
        let wait = tokio::spawn(server.wait(
            "/callback",
            Box::new(|p: &CallbackParams| validate(p, "s", ISS, false)),
            Duration::from_secs(30),
        ));
        let client = reqwest::Client::new();
        let r = client
            .get(format!("http://127.0.0.1:{port}/callback?code=c&state=s"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert!(r.text().await.unwrap().contains("close this tab"));
        assert_eq!(wait.await.unwrap().unwrap(), "c");
        // The server is gone: a replayed callback cannot be delivered.
        assert!(client
            .get(format!("http://127.0.0.1:{port}/callback?code=c&state=s"))
            .send()
            .await
            .is_err());
    }

    #[tokio::test]
    async fn listens_on_loopback_only() {
        let server = CallbackServer::bind(0).await.unwrap();
        let addr = server.listener.local_addr().unwrap();
        assert!(addr.ip().is_loopback(), "{addr}");
        assert_eq!(addr.ip().to_string(), "127.0.0.1");
    }

    #[tokio::test]
    async fn times_out() {
        let server = CallbackServer::bind(0).await.unwrap();
        let r = server
            .wait(
                "/callback",
                Box::new(|p: &CallbackParams| validate(p, "s", ISS, false)),
                Duration::from_millis(50),
            )
            .await;
        assert!(matches!(r, Err(WaitError::Timeout(_))));
    }
}

//! The oauth2 crate's HTTP client is the prober: token, refresh, revocation
//! and introspection requests get the same timeout, body cap, redaction,
//! no-redirect policy and recording as every other exchange.

use oauth2::http;
use oauth2::{HttpRequest, HttpResponse};

use crate::probe::{ProbeRequest, Prober};

/// Why an OAuth request got no usable HTTP response.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct NoResponse(pub String);

impl Prober {
    /// Send a request built by the oauth2 crate (`request_async(&|r| prober.send_oauth(r))`).
    pub async fn send_oauth(&self, request: HttpRequest) -> Result<HttpResponse, NoResponse> {
        let (parts, body) = request.into_parts();
        let method = reqwest::Method::from_bytes(parts.method.as_str().as_bytes())
            .map_err(|e| NoResponse(e.to_string()))?;
        let mut req = ProbeRequest::new(method, parts.uri.to_string());
        for (name, value) in &parts.headers {
            let value = value
                .to_str()
                .map_err(|_| NoResponse(format!("header {name} is not text")))?;
            req = req.header(name.as_str(), value);
        }
        if !body.is_empty() {
            req = req.body(String::from_utf8_lossy(&body).into_owned());
        }
        let (exchange, raw_body) = self.send_keeping_secrets(req).await;
        let url = &exchange.request.url;
        let (Some(resp), None) = (&exchange.response, &exchange.error) else {
            return Err(NoResponse(format!("{url}: {}", exchange.failure())));
        };
        let mut builder = http::Response::builder().status(resp.status);
        for h in &resp.headers {
            builder = builder.header(h.name.as_str(), h.value.as_str());
        }
        builder
            .body(raw_body.unwrap_or_default().into_bytes())
            .map_err(|e| NoResponse(format!("{url}: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::ProbeSettings;

    /// A token endpoint on 127.0.0.1 answering `body` to every POST.
    async fn token_endpoint(body: &'static str) -> String {
        let app = axum::Router::new().route(
            "/token",
            axum::routing::post(
                move || async move { ([("content-type", "application/json")], body) },
            ),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        format!("http://{addr}/token")
    }

    fn token_request(url: &str) -> HttpRequest {
        http::Request::builder()
            .method("POST")
            .uri(url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(b"grant_type=authorization_code&code=c0de&code_verifier=v3rifier".to_vec())
            .unwrap()
    }

    #[tokio::test]
    async fn oauth_requests_are_capped_redacted_and_recorded() {
        let url = token_endpoint(r#"{"access_token":"at-secret","token_type":"Bearer"}"#).await;
        let (prober, journal) = Prober::new(ProbeSettings::default()).unwrap().recording();
        let resp = prober.send_oauth(token_request(&url)).await.unwrap();
        // The oauth2 crate gets the real body ...
        assert_eq!(resp.status(), 200);
        assert!(String::from_utf8_lossy(resp.body()).contains("at-secret"));
        // ... the record keeps no secret.
        let recorded = journal.take();
        assert_eq!(recorded.len(), 1);
        let text = serde_json::to_string(&recorded[0]).unwrap();
        for secret in ["at-secret", "c0de", "v3rifier"] {
            assert!(!text.contains(secret), "{secret} recorded: {text}");
        }
        assert!(text.contains("grant_type=authorization_code"), "{text}");
        assert!(journal.take().is_empty(), "take empties the journal");

        // A body over the cap is an error, not a truncated token response.
        let small = ProbeSettings {
            body_cap: 8,
            ..ProbeSettings::default()
        };
        let err = Prober::new(small)
            .unwrap()
            .send_oauth(token_request(&url))
            .await
            .unwrap_err();
        assert!(err.to_string().contains("cap"), "{err}");
    }
}

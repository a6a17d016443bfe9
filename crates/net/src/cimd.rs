//! `cimd validate`: fetch a Client ID Metadata Document the way an
//! authorization server does (one GET through the [`Prober`]: its timeout,
//! body cap, no redirect followed, under the URL policy), and, with an
//! issuer, that issuer's metadata by the usual discovery. Nothing here grades.

use crate::evidence::metadata::AsMetadata;
use crate::evidence::{AsRole, Exchange};
use crate::login::LoginError;
use crate::probe::{ProbeRequest, Prober};

/// The GET an authorization server sends for a client's document: JSON
/// wanted, no MCP header (it is no MCP request).
pub fn document_request(url: &str) -> ProbeRequest {
    ProbeRequest::new(reqwest::Method::GET, url).header("accept", "application/json")
}

/// Fetch the document at `url`: the recorded exchange, whatever it was.
pub async fn fetch_document(prober: &Prober, url: &str) -> Exchange {
    prober.send(document_request(url)).await
}

/// Whether the exchange reached the server at all (a response, even an
/// error status, came back).
pub fn answered(ex: &Exchange) -> bool {
    ex.response.is_some()
}

/// The issuer's validated metadata (RFC 8414 / OIDC discovery, the issuer
/// matching exactly), or why there is none: `Unreachable` when no candidate
/// answered at all, `Usage` for an issuer that is not an http(s) URL.
pub async fn issuer_metadata(prober: &Prober, issuer: &str) -> Result<AsMetadata, LoginError> {
    let url = crate::discovery::parse_http_url(issuer)
        .map_err(|e| LoginError::Usage(format!("--issuer: {e}")))?;
    let disc = crate::discovery::discover_issuer(prober, &url, issuer, AsRole::Target).await;
    crate::login::validated_metadata(&disc, issuer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_request_is_a_plain_json_get() {
        let r = document_request("https://app.example/client.json");
        assert_eq!(r.method, reqwest::Method::GET);
        assert_eq!(
            r.headers,
            vec![("accept".to_owned(), "application/json".to_owned())]
        );
        assert!(r.body.is_none());
    }

    #[test]
    fn an_exchange_without_response_was_not_answered() {
        let ex = Exchange {
            request: crate::evidence::RequestRecord {
                method: "GET".into(),
                url: "https://app.example/client.json".into(),
                headers: vec![],
                body: None,
            },
            response: None,
            error: None,
            elapsed_ms: 0,
        };
        assert!(!answered(&ex));
    }
}

//! The enforcement probes: requests an MCP server that advertises OAuth must
//! refuse (no token, a garbage token, an expired or wrong-audience JWT), in
//! the form of the lifecycle the server speaks. None of them adds a round:
//! the unauthenticated ones and the garbage token go with round 2's side
//! probes, the JWTs (which name the authorization server the PRM lists) with
//! the PRM's CORS probes.

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use ring::rand::SystemRandom;
use ring::signature::{EcdsaKeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
use serde_json::{json, Value};

use crate::chain::not_sent;
use crate::evidence::requests::{
    EXPIRED_AGO_SECS, FOREIGN_AUDIENCE, INITIALIZE_PROTOCOL_VERSION, PROBE_TOOL,
};
use crate::evidence::{Exchange, Probe, ProbeKind};
use crate::mcp_session::{rpc_result, Lifecycle};
use crate::probe::{ProbeRequest, Prober, GARBAGE_TOKEN};

/// How the probes speak to the MCP server, from round 1's `initialize`
/// answer (as [`crate::mcp_session::McpSession`] decides) or `--protocol-version`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum McpForm {
    /// `initialize` was refused (a 401): the token probes send `initialize`
    /// (a server that takes the token answers it), other requests go
    /// without a session.
    Closed { protocol: String },
    /// `initialize` was answered without a token: later requests go in that
    /// session, with the negotiated version.
    Session {
        protocol: Option<String>,
        session_id: Option<String>,
    },
    /// MCP 2026-07-28 (`initialize` answered 400, or forced): `_meta` and
    /// `Mcp-Method` on every request, no `initialize`.
    Stateless,
}

impl McpForm {
    /// The form for a server whose unauthenticated `initialize` got `init`.
    pub fn of(init: &Exchange, forced: Option<&Lifecycle>) -> Self {
        let resp = init.response.as_ref();
        match forced {
            Some(Lifecycle::Stateless) => return Self::Stateless,
            Some(Lifecycle::Stateful(v)) if !resp.is_some_and(|r| r.status / 100 == 2) => {
                return Self::Closed {
                    protocol: v.clone(),
                };
            }
            _ => {}
        }
        match resp {
            Some(r) if r.status == 400 && forced.is_none() => Self::Stateless,
            Some(r) if r.status / 100 == 2 => {
                let answer = rpc_result(r.header("content-type").unwrap_or(""), &r.body, 1);
                Self::Session {
                    protocol: answer
                        .as_ref()
                        .and_then(|a| a.get("result")?.get("protocolVersion")?.as_str())
                        .map(str::to_owned),
                    session_id: r.header("mcp-session-id").map(str::to_owned),
                }
            }
            _ => Self::Closed {
                protocol: match forced {
                    Some(Lifecycle::Stateful(v)) => v.clone(),
                    _ => INITIALIZE_PROTOCOL_VERSION.to_owned(),
                },
            },
        }
    }

    /// A JSON-RPC request in this form (without a token).
    pub fn request(&self, url: &str, id: u64, method: &str, params: &Value) -> ProbeRequest {
        match self {
            Self::Stateless => ProbeRequest::mcp_stateless(url, id, method, params),
            Self::Closed { protocol } => {
                let body = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
                ProbeRequest::mcp_post(url, body.to_string(), Some(protocol))
            }
            Self::Session {
                protocol,
                session_id,
            } => {
                let body = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
                let req = ProbeRequest::mcp_post(url, body.to_string(), protocol.as_deref());
                match session_id {
                    Some(s) => req.header("mcp-session-id", s),
                    None => req,
                }
            }
        }
    }

    /// What a token probe sends (add the token): a request that a server
    /// which takes the token answers with a 2xx. `initialize` while the
    /// server refuses it without a token, else `tools/list`.
    pub fn token_request(&self, url: &str) -> ProbeRequest {
        match self {
            Self::Closed { protocol } if protocol == INITIALIZE_PROTOCOL_VERSION => {
                ProbeRequest::mcp_initialize(url)
            }
            Self::Closed { protocol } => ProbeRequest::mcp_initialize_version(url, protocol),
            _ => self.request(url, 4, "tools/list", &json!({})),
        }
    }
}

/// Round 2's enforcement probes: `tools/list` and `tools/call` without a
/// token, the garbage token, and the unauthenticated stateless `server/discover`.
pub fn unauthenticated_probes(form: &McpForm, mcp: &str) -> Vec<(ProbeKind, ProbeRequest)> {
    let call = json!({"name": PROBE_TOOL, "arguments": {}});
    vec![
        (
            ProbeKind::UnauthToolsList,
            form.request(mcp, 2, "tools/list", &json!({})),
        ),
        (
            ProbeKind::UnauthToolsCall,
            form.request(mcp, 3, "tools/call", &call),
        ),
        (
            ProbeKind::InvalidToken,
            form.token_request(mcp)
                .header("authorization", format!("Bearer {GARBAGE_TOKEN}")),
        ),
        (
            ProbeKind::StatelessDiscover,
            ProbeRequest::mcp_stateless(mcp, 1, "server/discover", &json!({})),
        ),
    ]
}

/// The expired and the wrong-audience JWT probes: `iss` the authorization
/// server clients use, signed by a key made for them (the server cannot
/// verify it, so taking either means it takes unverified tokens).
pub async fn forged_token_probes(
    prober: &Prober,
    form: &McpForm,
    mcp: &str,
    issuer: &str,
    audience: &str,
) -> Vec<Probe> {
    let now = crate::token_store::now();
    let tokens = [
        (
            ProbeKind::ExpiredToken,
            forged_jwt(issuer, audience, now.saturating_sub(EXPIRED_AGO_SECS)),
        ),
        (
            ProbeKind::WrongAudienceToken,
            forged_jwt(issuer, FOREIGN_AUDIENCE, now + EXPIRED_AGO_SECS),
        ),
    ];
    let mut sendable = Vec::new();
    let mut unsent = Vec::new();
    for (kind, token) in tokens {
        match token {
            Ok(t) => sendable.push((
                kind,
                form.token_request(mcp)
                    .header("authorization", format!("Bearer {t}")),
            )),
            Err(e) => unsent.push(Probe {
                kind,
                host: None,
                exchange: not_sent(mcp, &format!("could not sign the probe token: {e}")),
            }),
        }
    }
    let mut out = super::send_probes(prober, sendable).await;
    out.extend(unsent);
    out
}

/// A well-formed RFC 9068 access token (`typ: at+jwt`, ES256) with this
/// `iss`, `aud` and `exp`, signed by a fresh key nobody else knows.
pub fn forged_jwt(issuer: &str, audience: &str, exp: u64) -> Result<String, String> {
    let rng = SystemRandom::new();
    let der = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
        .map_err(|e| e.to_string())?;
    let mut header = Header::new(Algorithm::ES256);
    header.typ = Some("at+jwt".to_owned());
    header.kid = Some("mcp-auth-probe".to_owned());
    let claims = json!({
        "iss": issuer,
        "aud": audience,
        "sub": "mcp-auth-probe",
        "client_id": "mcp-auth-probe",
        "iat": exp.saturating_sub(EXPIRED_AGO_SECS),
        "exp": exp,
        "jti": crate::login::client::random_id(),
    });
    jsonwebtoken::encode(&header, &claims, &EncodingKey::from_ec_der(der.as_ref()))
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::{RequestRecord, ResponseRecord};

    fn init(status: u16, headers: &[(&str, &str)], body: &str) -> Exchange {
        Exchange {
            request: RequestRecord {
                method: "POST".into(),
                url: "http://127.0.0.1:1/mcp".into(),
                headers: Vec::new(),
                body: None,
            },
            response: Some(ResponseRecord {
                status,
                headers: headers
                    .iter()
                    .map(|(n, v)| crate::evidence::Header {
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

    fn header<'a>(r: &'a ProbeRequest, name: &str) -> Option<&'a str> {
        r.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    #[test]
    fn the_initialize_answer_chooses_the_form() {
        let refused = init(401, &[], "");
        let form = McpForm::of(&refused, None);
        assert!(matches!(form, McpForm::Closed { .. }), "{form:?}");
        let req = form.token_request("http://x/mcp");
        assert!(req.body.unwrap().contains("\"initialize\""));

        let stateless = McpForm::of(&init(400, &[], ""), None);
        assert_eq!(stateless, McpForm::Stateless);
        let req = stateless.request("http://x/mcp", 2, "tools/list", &json!({}));
        assert_eq!(header(&req, "mcp-method"), Some("tools/list"));

        let answered = init(
            200,
            &[
                ("content-type", "application/json"),
                ("mcp-session-id", "s1"),
            ],
            r#"{"jsonrpc":"2.0","id":1,"result":{"protocolVersion":"2025-06-18"}}"#,
        );
        let session = McpForm::of(&answered, None);
        let req = session.token_request("http://x/mcp");
        assert!(req.body.as_deref().unwrap().contains("tools/list"));
        assert_eq!(header(&req, "mcp-session-id"), Some("s1"));
        assert_eq!(header(&req, "mcp-protocol-version"), Some("2025-06-18"));
    }

    #[test]
    fn a_forced_lifecycle_wins() {
        let refused = init(400, &[], "");
        let forced = Lifecycle::Stateful("2025-06-18".into());
        let form = McpForm::of(&refused, Some(&forced));
        let req = form.token_request("http://x/mcp");
        assert!(req.body.unwrap().contains("2025-06-18"));
        assert_eq!(
            McpForm::of(&init(401, &[], ""), Some(&Lifecycle::Stateless)),
            McpForm::Stateless
        );
    }

    #[test]
    fn forged_tokens_are_well_formed_jwts_with_the_claims_asked_for() {
        let t = forged_jwt("https://as.example", "https://rs.example/mcp", 1000).unwrap();
        let parts: Vec<&str> = t.split('.').collect();
        assert_eq!(parts.len(), 3);
        let decode = |p: &str| -> Value {
            use base64::Engine;
            let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(p)
                .unwrap();
            serde_json::from_slice(&bytes).unwrap()
        };
        assert_eq!(decode(parts[0])["typ"], "at+jwt");
        let claims = decode(parts[1]);
        assert_eq!(claims["iss"], "https://as.example");
        assert_eq!(claims["aud"], "https://rs.example/mcp");
        assert_eq!(claims["exp"], 1000);
        // A fresh key each time: two tokens never share a signature.
        let u = forged_jwt("https://as.example", "https://rs.example/mcp", 1000).unwrap();
        assert_ne!(t.rsplit('.').next(), u.rsplit('.').next());
    }
}

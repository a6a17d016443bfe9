//! Build evidence from small JSON documents for unit tests: this crate's,
//! and other crates' through the `test-support` feature.

use serde_json::Value;

use crate::evidence::*;

pub const ISSUER: &str = "https://auth.example.com/tenant1";

pub fn response(status: u16, content_type: &str, body: &str) -> Exchange {
    Exchange {
        request: RequestRecord {
            method: "GET".into(),
            url: String::new(),
            headers: vec![],
            body: None,
        },
        response: Some(ResponseRecord {
            status,
            headers: vec![Header {
                name: "content-type".into(),
                value: content_type.into(),
            }],
            body: body.into(),
            body_not_utf8: false,
            body_truncated: false,
        }),
        error: None,
        elapsed_ms: 1,
    }
}

pub fn not_found() -> Exchange {
    response(404, "text/plain", "not found")
}

pub fn json(doc: &Value) -> Exchange {
    response(200, "application/json", &doc.to_string())
}

/// Evidence for the path issuer `ISSUER` with one exchange per candidate
/// (RFC 8414, OIDC insert, OIDC append), diagnostics answering 404.
pub fn issuer_evidence(oauth: Exchange, oidc_insert: Exchange, oidc_append: Exchange) -> Evidence {
    let url = url::Url::parse(ISSUER).unwrap();
    let candidates = crate::evidence::wellknown::as_candidates(&url);
    let mut exchanges = vec![oauth, oidc_insert, oidc_append, not_found()].into_iter();
    Evidence {
        schema_version: EVIDENCE_SCHEMA_VERSION,
        tool: "test".into(),
        recorded_at: None,
        target: Target {
            input: ISSUER.into(),
            kind: TargetKind::Issuer,
            issuer: Some(ISSUER.into()),
            server_type: None,
        },
        resource: None,
        authorization_servers: vec![AsDiscovery {
            issuer: Some(ISSUER.into()),
            role: AsRole::Target,
            probes: vec![],
            attempts: attempts(candidates, &mut exchanges),
        }],
        live: None,
    }
}

/// A complete, compliant RFC 8414 document for `ISSUER`.
pub fn good_doc() -> Value {
    serde_json::json!({
        "issuer": ISSUER,
        "authorization_endpoint": "https://auth.example.com/tenant1/authorize",
        "token_endpoint": "https://auth.example.com/tenant1/token",
        "registration_endpoint": "https://auth.example.com/tenant1/register",
        "jwks_uri": "https://auth.example.com/tenant1/jwks",
        "userinfo_endpoint": "https://auth.example.com/tenant1/userinfo",
        "scopes_supported": ["openid", "profile", "mcp:tools"],
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "token_endpoint_auth_methods_supported": ["none", "private_key_jwt"],
        "code_challenge_methods_supported": ["S256"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "authorization_response_iss_parameter_supported": true,
        "client_id_metadata_document_supported": true
    })
}

/// Evidence where the RFC 8414 URL serves `doc` and the others 404.
pub fn served_at_oauth(doc: &Value) -> Evidence {
    issuer_evidence(json(doc), not_found(), not_found())
}

/// Evidence where only the OIDC appended URL serves `doc`.
pub fn served_at_oidc_append(doc: &Value) -> Evidence {
    issuer_evidence(not_found(), not_found(), json(doc))
}

/// The status of one check on the evidence.
pub fn status_of(ev: &Evidence, id: &str) -> crate::Status {
    finding(ev, id).status
}

pub fn finding(ev: &Evidence, id: &str) -> crate::Finding {
    let (_, findings) = crate::grade(ev);
    findings.into_iter().find(|f| f.id == id).expect("check id")
}

pub const MCP: &str = "https://mcp.example.com/mcp";
pub const PRM_URL: &str = "https://mcp.example.com/.well-known/oauth-protected-resource/mcp";
pub const ROOT_PRM_URL: &str = "https://mcp.example.com/.well-known/oauth-protected-resource";

/// An exchange with request headers, a status and response headers.
pub fn exchange(
    method: &str,
    url: &str,
    request_headers: &[(&str, &str)],
    status: u16,
    response_headers: &[(&str, &str)],
    body: &str,
) -> Exchange {
    let h = |l: &[(&str, &str)]| {
        l.iter()
            .map(|(n, v)| Header {
                name: (*n).to_ascii_lowercase(),
                value: (*v).into(),
            })
            .collect()
    };
    Exchange {
        request: RequestRecord {
            method: method.into(),
            url: url.into(),
            headers: h(request_headers),
            body: None,
        },
        response: Some(ResponseRecord {
            status,
            headers: h(response_headers),
            body: body.into(),
            body_not_utf8: false,
            body_truncated: false,
        }),
        error: None,
        elapsed_ms: 1,
    }
}

/// A 401 with these `WWW-Authenticate` values.
pub fn challenge(values: &[&str]) -> Exchange {
    let headers: Vec<(&str, &str)> = values.iter().map(|v| ("www-authenticate", *v)).collect();
    exchange("POST", MCP, &[], 401, &headers, "")
}

/// The challenge of a well-behaved MCP server.
pub fn good_challenge() -> Exchange {
    challenge(&[&format!(
        r#"Bearer resource_metadata="{PRM_URL}", scope="mcp:tools""#
    )])
}

/// A compliant protected resource metadata document for `MCP`.
pub fn good_prm() -> Value {
    serde_json::json!({
        "resource": MCP,
        "authorization_servers": [ISSUER],
        "scopes_supported": ["mcp:tools"],
        "bearer_methods_supported": ["header"],
        "resource_name": "Example MCP server"
    })
}

/// An MCP server's evidence: the unauthenticated response, the PRM
/// served at the header URL (when the challenge names one; `PRM_URL`) and
/// at the path-inserted URL, nothing at the root, and a compliant
/// authorization server (`good_doc()` at its RFC 8414 URL) listed first.
/// Probes: a well-behaved invalid-token and query-token answer.
pub fn mcp_evidence(unauthenticated: Exchange, prm: &Value) -> Evidence {
    let header_url = unauthenticated.response.as_ref().and_then(|r| {
        crate::www_authenticate::parse(&r.header_all("www-authenticate"))
            .bearer()
            .and_then(|b| b.param("resource_metadata"))
            .map(|p| p.value.clone())
    });
    let mut prm_attempts = Vec::new();
    if let Some(h) = header_url {
        let ex = if h == PRM_URL { json(prm) } else { not_found() };
        prm_attempts.push(PrmAttempt {
            source: PrmSource::Header,
            url: h,
            exchange: ex,
        });
    }
    prm_attempts.push(PrmAttempt {
        source: PrmSource::PathInserted,
        url: PRM_URL.into(),
        exchange: json(prm),
    });
    prm_attempts.push(PrmAttempt {
        source: PrmSource::Root,
        url: ROOT_PRM_URL.into(),
        exchange: not_found(),
    });
    let mut ev = served_at_oauth(&good_doc());
    ev.target = Target {
        input: MCP.into(),
        kind: TargetKind::McpServer,
        issuer: None,
        server_type: None,
    };
    ev.authorization_servers[0].role = AsRole::Listed;
    ev.resource = Some(ResourceEvidence {
        url: MCP.into(),
        unauthenticated,
        prm: prm_attempts,
        probes: vec![
            Probe {
                kind: ProbeKind::InvalidToken,
                host: None,
                exchange: challenge(&[&format!(
                    r#"Bearer error="invalid_token", resource_metadata="{PRM_URL}""#
                )]),
            },
            Probe {
                kind: ProbeKind::QueryToken,
                host: None,
                exchange: good_challenge(),
            },
        ],
    });
    ev
}

/// `mcp_evidence(good_challenge(), prm)` checked at the PRM's `resource`
/// (when it has one), whose listed authorization server is `issuer` (the
/// PRM's first entry, as given), its candidates answered by `answers` in
/// order (404 for the rest).
pub fn mcp_with_server(prm: &Value, issuer: &str, answers: Vec<Exchange>) -> Evidence {
    let mut ev = mcp_evidence(good_challenge(), prm);
    if let Some(resource) = prm["resource"].as_str() {
        ev.resource.as_mut().unwrap().url = resource.into();
    }
    let candidates = crate::evidence::wellknown::as_candidates(&url::Url::parse(issuer).unwrap());
    let mut answers = answers.into_iter();
    let server = &mut ev.authorization_servers[0];
    server.issuer = Some(issuer.into());
    server.attempts = attempts(candidates, &mut answers);
    ev
}

/// One attempt per candidate URL, answered in turn by `answers` (404 once
/// they run out), each exchange's request URL set to its candidate's.
fn attempts(
    candidates: Vec<(crate::evidence::CandidateKind, String)>,
    answers: &mut impl Iterator<Item = Exchange>,
) -> Vec<Attempt> {
    candidates
        .into_iter()
        .map(|(kind, url)| {
            let mut ex = answers.next().unwrap_or_else(not_found);
            ex.request.url = url.clone();
            Attempt {
                kind,
                url,
                exchange: Some(ex),
                file_body: None,
            }
        })
        .collect()
}

/// A compliant MCP server's evidence.
pub fn good_mcp() -> Evidence {
    mcp_evidence(good_challenge(), &good_prm())
}

/// `good_mcp()` with one PRM member changed (`Value::Null` removes it).
pub fn with_prm(member: &str, value: Value) -> Evidence {
    let mut prm = good_prm();
    let obj = prm.as_object_mut().unwrap();
    if value.is_null() {
        obj.remove(member);
    } else {
        obj.insert(member.into(), value);
    }
    mcp_evidence(good_challenge(), &prm)
}

/// A 401 with one `Bearer <params>` challenge.
pub fn bearer(params: &str) -> Exchange {
    challenge(&[&format!("Bearer {params}")])
}

/// `good_prm()` with the MCP server answering the unauthenticated POST with `ex`.
pub fn answering(ex: Exchange) -> Evidence {
    mcp_evidence(ex, &good_prm())
}

/// Every protected-resource-metadata location answers 404.
pub fn without_prm(mut ev: Evidence) -> Evidence {
    for p in &mut ev.resource.as_mut().unwrap().prm {
        p.exchange = not_found();
    }
    ev
}

/// The finding `id` on `with_prm(member, value)`.
pub fn prm_finding(member: &str, value: Value, id: &str) -> crate::Finding {
    finding(&with_prm(member, value), id)
}

/// Add (or replace) a probe of the MCP server.
pub fn with_resource_probe(mut ev: Evidence, kind: ProbeKind, exchange: Exchange) -> Evidence {
    let probes = &mut ev.resource.as_mut().expect("MCP evidence").probes;
    probes.retain(|p| p.kind != kind);
    probes.push(Probe::new(kind, exchange));
    ev
}

/// Add (or replace) a probe of the first authorization server.
pub fn with_server_probe(mut ev: Evidence, kind: ProbeKind, exchange: Exchange) -> Evidence {
    let probes = &mut ev.authorization_servers[0].probes;
    probes.retain(|p| p.kind != kind);
    probes.push(Probe::new(kind, exchange));
    ev
}

/// Grade `good_doc()` with one member changed (`Value::Null` removes it).
pub fn with(member: &str, value: Value) -> Evidence {
    let mut doc = good_doc();
    let obj = doc.as_object_mut().unwrap();
    if value.is_null() {
        obj.remove(member);
    } else {
        obj.insert(member.into(), value);
    }
    served_at_oauth(&doc)
}

/// A real published metadata document from `tests/fixtures/real-metadata/`
/// (copied from `shared/fixtures/real-metadata/`; its README says what each shows).
pub fn real_metadata(name: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/real-metadata")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A finding with only what verdicts read: its id (level from the catalogue,
/// else MUST), subject and status; no texts.
pub fn bare_finding(id: &str, subject: Option<&str>, status: crate::Status) -> crate::Finding {
    crate::Finding {
        id: id.to_owned(),
        subject: subject.map(str::to_owned),
        level: crate::find(id).map_or(crate::Level::Must, |c| c.level),
        status,
        title: String::new(),
        detail: String::new(),
        spec: String::new(),
        hint: String::new(),
        provider_hint: None,
    }
}

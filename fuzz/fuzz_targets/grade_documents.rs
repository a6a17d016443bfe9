//! Grading and rendering arbitrary response bodies: an authorization-server
//! metadata document, and an MCP server's challenge and protected resource
//! metadata. The first byte picks which; never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcp_auth_evidence::*;
use mcp_auth_report::{self as report, Report};

fn exchange(url: &str, status: u16, headers: Vec<(String, String)>, body: &str) -> Exchange {
    Exchange {
        request: RequestRecord { method: "GET".into(), url: url.into(), headers: vec![], body: None },
        response: Some(ResponseRecord {
            status,
            headers: headers.into_iter().map(|(name, value)| Header { name, value }).collect(),
            body: body.into(),
            body_not_utf8: false,
            body_truncated: false,
        }),
        error: None,
        elapsed_ms: 1,
    }
}

fn json(url: &str, body: &str) -> Exchange {
    exchange(url, 200, vec![("content-type".into(), "application/json".into())], body)
}

fn server(issuer: &str, body: &str, role: AsRole) -> AsDiscovery {
    let url = url::Url::parse(issuer).unwrap();
    AsDiscovery {
        issuer: Some(issuer.into()),
        role,
        probes: vec![],
        attempts: mcp_auth_evidence::wellknown::as_candidates(&url)
            .into_iter()
            .enumerate()
            .map(|(i, (kind, u))| Attempt {
                kind,
                exchange: Some(if i == 0 { json(&u, body) } else { exchange(&u, 404, vec![], "") }),
                url: u,
                file_body: None,
            })
            .collect(),
    }
}

fn render(ev: &Evidence, render: bool) {
    // Grading (and the report model) for every input.
    let graded = mcp_auth_grade::grade_known(ev);
    let _ = graded.verdict(true);
    let _ = graded.not_found_message();
    let r = Report::new(&graded);
    // Rendering costs far more than grading (table layout most of all), and
    // evidence_file renders every input in every format: here one input in 32,
    // without the table.
    if render {
        let mut sink = Vec::new();
        report::json(&r, &mut sink).unwrap();
        report::markdown::render(&r, true, &mut sink).unwrap();
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let tables = mode & 0b11_1110 == 0;
    let text = String::from_utf8_lossy(rest);
    let issuer = "https://auth.example.com/tenant1";
    let target = |kind| Target { input: issuer.into(), kind, issuer: Some(issuer.into()), server_type: None };
    if mode % 2 == 0 {
        render(&Evidence {
            schema_version: EVIDENCE_SCHEMA_VERSION,
            tool: "fuzz".into(),
            recorded_at: None,
            target: target(TargetKind::Issuer),
            resource: None,
            authorization_servers: vec![server(issuer, &text, AsRole::Target)],
            live: None,
        }, tables);
    } else {
        // First line: the WWW-Authenticate value; the rest: the PRM body.
        let (www, prm) = text.split_once('\n').unwrap_or((&text, "{}"));
        let mcp = "https://mcp.example.com/mcp";
        let prm_url = "https://mcp.example.com/.well-known/oauth-protected-resource/mcp";
        render(&Evidence {
            schema_version: EVIDENCE_SCHEMA_VERSION,
            tool: "fuzz".into(),
            recorded_at: None,
            target: Target { input: mcp.into(), kind: TargetKind::McpServer, issuer: None, server_type: None },
            resource: Some(ResourceEvidence {
                url: mcp.into(),
                unauthenticated: exchange(mcp, 401, vec![("www-authenticate".into(), www.into())], ""),
                prm: vec![
                    PrmAttempt { source: PrmSource::Header, url: prm_url.into(), exchange: json(prm_url, prm) },
                    PrmAttempt { source: PrmSource::PathInserted, url: prm_url.into(), exchange: json(prm_url, prm) },
                ],
                probes: vec![],
            }),
            authorization_servers: vec![server(issuer, prm, AsRole::Listed)],
            live: None,
        }, tables);
    }
});

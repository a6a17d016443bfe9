//! SEC-TLS-VALID: whether the https requests to an authorization server
//! (its discovery and its endpoints' probes) got past certificate validation.

use crate::evidence::Exchange;
use crate::util::join_list;
use crate::{AsAnalysis, CheckDef, Grade, Level, Outcome};

pub const SEC_TLS_VALID: CheckDef = CheckDef {
    id: "SEC-TLS-VALID",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "The TLS certificate chain is valid for the host",
    spec: "RFC 9728 §7.3; OAuth 2.1 draft-13 §1.5 (clients MUST check TLS certificates)",
    hint: "Serve a certificate chain a public CA issued for this host name (complete, unexpired); for a private CA, give its certificate to clients (`--cacert FILE` here).",
    doc: "Reads every https exchange of the authorization server's discovery and endpoint probes \
          (and so, for an MCP server without protected resource metadata, the MCP server's own \
          origin): it fails, quoting the TLS error, when a handshake was refused because the \
          server's certificate was not valid (an unknown issuer, a name it is not valid for, \
          expired), and passes when https requests were answered; it is skipped when every \
          request was plain http (a loopback or development target) or no https request got an \
          answer for another reason. Certificates are validated against the system's roots and \
          any `--cacert` file. RFC 9728 and OAuth 2.1 say clients MUST check TLS certificates, so \
          every real client aborts the connection before any OAuth happens. Sources: RFC 9728 \
          §7.3; OAuth 2.1 draft-13 §1.5.",
    grade: Grade::Server(sec_tls_valid),
};

/// Every exchange recorded for the server: its candidates, then its probes.
fn exchanges<'a>(a: &'a AsAnalysis<'_>) -> impl Iterator<Item = &'a Exchange> {
    let d = a.discovery;
    d.attempts
        .iter()
        .filter_map(|t| t.exchange.as_ref())
        .chain(d.probes.iter().map(|p| &p.exchange))
}

fn sec_tls_valid(a: &AsAnalysis<'_>) -> Outcome {
    let https: Vec<&Exchange> = exchanges(a)
        .filter(|e| e.request.url.starts_with("https://"))
        .collect();
    if https.is_empty() {
        return Outcome::skip("no https request (plain http or a file): no certificate to check");
    }
    let mut refused: Vec<String> = Vec::new();
    for e in &https {
        let Some(err) = e.error.as_ref().filter(|x| x.is_certificate_rejected()) else {
            continue;
        };
        let host = url::Url::parse(&e.request.url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .unwrap_or_else(|| e.request.url.clone());
        let line = format!("{host}: {}", err.message);
        if !refused.contains(&line) {
            refused.push(line);
        }
    }
    if !refused.is_empty() {
        return Outcome::fail(format!("certificate refused: {}", join_list(&refused)));
    }
    let answered = https.iter().filter(|e| e.response.is_some()).count();
    if answered == 0 {
        return Outcome::skip("no https request was answered: nothing to say about certificates");
    }
    Outcome::pass(format!(
        "{answered} https request{} answered, certificates valid",
        if answered == 1 { "" } else { "s" }
    ))
}

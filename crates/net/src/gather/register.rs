//! The registration probes of `--register` (RFC 7591), and the RFC 7592
//! deletions of the clients they create.

use futures::future::join_all;
use url::Url;

use super::registration_metadata;
use crate::discovery::parse_http_url;
use crate::evidence::{Probe, ProbeKind};
use crate::metadata::ClientInformation;
use crate::probe::{ProbeRequest, Prober};

/// Register probe clients (three valid variants, one with an invalid
/// redirect URI); delete (RFC 7592) all but the first, which the report
/// names for reuse with `login`.
pub(super) async fn register(prober: &Prober, endpoint: &Url) -> Vec<Probe> {
    let mut invalid = registration_metadata("127.0.0.1", true);
    invalid["redirect_uris"] = serde_json::json!(["not a valid redirect uri"]);
    let variants = [
        (
            ProbeKind::RegisterLoopbackIp,
            registration_metadata("127.0.0.1", true),
        ),
        (
            ProbeKind::RegisterLocalhost,
            registration_metadata("localhost", true),
        ),
        (
            ProbeKind::RegisterNoAppType,
            registration_metadata("127.0.0.1", false),
        ),
        (ProbeKind::RegisterInvalid, invalid),
    ];
    let results = join_all(variants.iter().map(|(_, body)| {
        prober.send_keeping_secrets(ProbeRequest::register(endpoint.as_str(), body))
    }))
    .await;
    let mut probes = Vec::new();
    let mut deletions = Vec::new();
    for (i, ((kind, _), (exchange, raw))) in variants.iter().zip(results).enumerate() {
        if i > 0 {
            if let Some(req) = raw.as_deref().and_then(deletion_request) {
                deletions.push(req);
            }
        }
        probes.push(Probe {
            kind: *kind,
            host: None,
            exchange,
        });
    }
    for exchange in join_all(deletions.into_iter().map(|r| prober.send(r))).await {
        probes.push(Probe {
            kind: ProbeKind::RegisterDelete,
            host: None,
            exchange,
        });
    }
    probes
}

/// An RFC 7592 DELETE for a registration response that allows it.
fn deletion_request(raw_body: &str) -> Option<ProbeRequest> {
    let obj: serde_json::Map<String, serde_json::Value> = serde_json::from_str(raw_body).ok()?;
    let (md, _) = <ClientInformation as crate::metadata::Lenient>::from_object(&obj);
    let uri = parse_http_url(md.registration_client_uri.as_deref()?).ok()?;
    Some(ProbeRequest::unregister(
        uri.as_str(),
        md.registration_access_token.as_deref()?,
    ))
}

//! The prober's policy, limits and quiet hosts, against loopback listeners.

use super::*;

#[tokio::test]
async fn a_prober_within_a_policy_sends_nothing_it_refuses() {
    let target = url::Url::parse("https://mcp.example.com/mcp").unwrap();
    let p = Prober::new(ProbeSettings::default())
        .unwrap()
        .within(crate::evidence::urls::UrlPolicy::for_target(&target));
    for url in [
        "http://10.0.0.1/token",
        "https://169.254.169.254/x",
        "http://auth.example.net/t",
    ] {
        let ex = p.send(ProbeRequest::form_post(url, &[("code", "c")])).await;
        assert!(ex.response.is_none(), "{url} was sent");
        let msg = ex.error.unwrap().message;
        assert!(msg.starts_with("not sent: "), "{msg}");
        assert_eq!(ex.elapsed_ms, 0, "refused before any I/O");
    }
}

/// A listener that accepts connections and never answers.
async fn silent_server() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    format!("http://{addr}")
}

#[tokio::test]
async fn a_limited_pool_stops_asking_a_host_that_timed_out() {
    let base = silent_server().await;
    let settings = ProbeSettings {
        timeout: Duration::from_millis(300),
        ..ProbeSettings::default()
    };
    // One request at a time to the host: the other two wait behind the first.
    let template = Prober::new(settings.clone())
        .unwrap()
        .limited(RequestLimits::new(8, 1));
    let pool = template.with_new_pool().unwrap();
    let urls = ["/mcp", "/.well-known/oauth-protected-resource", "/x"];
    let sent = futures::future::join_all(
        urls.iter()
            .map(|path| pool.send(ProbeRequest::metadata_get(format!("{base}{path}")))),
    )
    .await;
    let kinds: Vec<_> = sent.iter().map(|ex| ex.error.as_ref().unwrap()).collect();
    let timed_out = kinds
        .iter()
        .filter(|e| e.kind == TransportErrorKind::Timeout)
        .count();
    assert_eq!(timed_out, 1, "{kinds:?}");
    let quiet: Vec<_> = kinds.iter().filter_map(|e| e.unsent_reason()).collect();
    assert_eq!(quiet.len(), 2, "{kinds:?}");
    assert!(quiet
        .iter()
        .all(|why| why.contains("127.0.0.1") && why.contains("timeout")));
    // Another server's check (a new pool) asks the host again.
    let again = template
        .with_new_pool()
        .unwrap()
        .send(ProbeRequest::metadata_get(format!("{base}/mcp")))
        .await;
    assert_eq!(
        again.error.map(|e| e.kind),
        Some(TransportErrorKind::Timeout)
    );
    // An unlimited prober (check, login) has no such memory.
    let plain = Prober::new(settings).unwrap();
    for _ in 0..2 {
        let ex = plain
            .send(ProbeRequest::metadata_get(format!("{base}/mcp")))
            .await;
        assert_eq!(ex.error.map(|e| e.kind), Some(TransportErrorKind::Timeout));
    }
}

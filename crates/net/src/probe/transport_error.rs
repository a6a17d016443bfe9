//! A failed exchange in one line: what kind of failure, and its causes
//! without the HTTP stack's wrappers.

use crate::evidence::{TransportError, TransportErrorKind};

pub(super) fn too_large(cap: usize) -> TransportError {
    TransportError {
        kind: TransportErrorKind::BodyTooLarge,
        message: format!("response body larger than the {} cap", human_bytes(cap)),
    }
}

fn human_bytes(n: usize) -> String {
    if n >= 1024 * 1024 && n % (1024 * 1024) == 0 {
        format!("{} MiB", n / (1024 * 1024))
    } else if n >= 1024 && n % 1024 == 0 {
        format!("{} KiB", n / 1024)
    } else {
        format!("{n} bytes")
    }
}

/// Classify a reqwest error and describe it in one line, innermost cause last.
pub(super) fn transport_error(e: &reqwest::Error) -> TransportError {
    let kind = if e.is_timeout() {
        TransportErrorKind::Timeout
    } else if e.is_connect() {
        TransportErrorKind::Connect
    } else {
        TransportErrorKind::Other
    };
    if kind == TransportErrorKind::Timeout {
        return TransportError {
            kind,
            message: "no answer within the timeout".to_owned(),
        };
    }
    // The causes, without reqwest's "error sending request for url (…)" and
    // hyper-util's "client error (Connect)" wrappers, which add nothing.
    let mut parts: Vec<String> = Vec::new();
    let mut source = std::error::Error::source(e);
    while let Some(err) = source {
        let text = err.to_string();
        if !text.starts_with("client error (") && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = err.source();
    }
    let mut message = if parts.is_empty() {
        e.to_string()
    } else {
        parts.join(": ")
    };
    if message.contains("certificate") {
        message.push_str(" (TLS; --cacert FILE trusts a private CA)");
    }
    if message.contains("InvalidContentType") {
        // rustls reading an HTTP answer as a TLS record.
        message = "the server speaks plain HTTP, not TLS: use an http:// URL".to_owned();
    }
    TransportError { kind, message }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_bytes_reads_well() {
        assert_eq!(human_bytes(1024 * 1024), "1 MiB");
        assert_eq!(human_bytes(2048), "2 KiB");
        assert_eq!(human_bytes(1000), "1000 bytes");
    }
}

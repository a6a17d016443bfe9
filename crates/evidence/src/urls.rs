//! URL facts both sides need: loopback, "https or loopback http", and which
//! URLs found in remote documents may be requested at all (the SSRF policy).

use url::{Host, Url};

use crate::wellknown::parse_http_url;

/// `localhost`, `*.localhost`, 127.0.0.0/8 or ::1.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(d)) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            d == "localhost" || d.ends_with(".localhost")
        }
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// How a URL fares against "MUST be served over HTTPS".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    Https,
    LoopbackHttp,
    Insecure,
    NotAUrl,
}

pub fn transport(value: &str) -> Transport {
    match Url::parse(value) {
        Ok(u) if u.scheme() == "https" => Transport::Https,
        Ok(u) if u.scheme() == "http" && is_loopback(&u) => Transport::LoopbackHttp,
        Ok(_) => Transport::Insecure,
        Err(_) => Transport::NotAUrl,
    }
}

/// An absolute http(s) URL, or why not.
pub fn absolute_url(value: &str) -> Result<Url, String> {
    match Url::parse(value) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Ok(u),
        Ok(u) => Err(format!(
            "'{value}' is not an http(s) URL (scheme '{}')",
            u.scheme()
        )),
        Err(e) => Err(format!("'{value}' is not an absolute URL ({e})")),
    }
}

/// Which URLs found in remote documents (metadata, challenges) may be
/// requested: https, or http on loopback, or the target's own origin; and no
/// private or link-local IP literal unless the target itself is on one
/// (MCP 2026-07-28 security best practices, SSRF). Redirects are never
/// followed at all.
#[derive(Debug, Clone)]
pub struct UrlPolicy {
    origin: String,
    target_is_private: bool,
}

fn is_private_ip(host: Option<url::Host<&str>>) -> bool {
    match host {
        Some(url::Host::Ipv4(ip)) => {
            let o = ip.octets();
            ip.is_private()
                || ip.is_link_local()
                || ip.is_loopback()
                || ip.is_unspecified()
                || ip.is_broadcast()
                || (o[0] == 100 && (64..128).contains(&o[1]))
        }
        Some(url::Host::Ipv6(ip)) => {
            ip.is_loopback()
                || ip.is_unspecified()
                || (ip.segments()[0] & 0xfe00) == 0xfc00
                || (ip.segments()[0] & 0xffc0) == 0xfe80
        }
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// Not loopback, not `*.localhost`, not a private or link-local IP literal
/// (a name that resolves to one is not caught here).
pub fn is_public_host(url: &Url) -> bool {
    !is_loopback(url) && !is_private_ip(url.host())
}

impl UrlPolicy {
    pub fn for_target(target: &Url) -> Self {
        Self {
            origin: target.origin().ascii_serialization(),
            target_is_private: is_private_ip(target.host()),
        }
    }

    /// The URL, if it may be requested; otherwise why not.
    pub fn check(&self, candidate: &str) -> Result<Url, String> {
        let url = parse_http_url(candidate).map_err(|e| e.to_string())?;
        let same_origin = url.origin().ascii_serialization() == self.origin;
        if !same_origin && url.scheme() == "http" && !is_loopback(&url) {
            return Err(format!("{candidate} is plain http outside loopback"));
        }
        if !same_origin && !self.target_is_private && is_private_ip(url.host()) {
            return Err(format!(
                "{candidate} points at a private or link-local address while the target is public"
            ));
        }
        Ok(url)
    }
}

/// A URL template (a registry remote's, a provider file's) with each `{name}`
/// replaced by `value(name)`; the first name without a value is the error.
pub fn fill_template<'v>(
    template: &str,
    mut value: impl FnMut(&str) -> Option<&'v str>,
) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(i) = rest.find('{') {
        let Some(j) = rest[i..].find('}') else { break };
        let name = &rest[i + 1..i + j];
        out.push_str(&rest[..i]);
        out.push_str(value(name).ok_or_else(|| name.to_owned())?);
        rest = &rest[i + j + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The `{name}` holes of a URL template, in order.
pub fn template_holes(template: &str) -> Vec<String> {
    let mut holes = Vec::new();
    let _ = fill_template(template, |name| {
        holes.push(name.to_owned());
        Some("")
    });
    holes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_documents_cannot_send_us_anywhere() {
        let public = UrlPolicy::for_target(&Url::parse("https://mcp.example.com/mcp").unwrap());
        assert!(public.check("https://auth.example.net/tenant").is_ok());
        assert!(
            public
                .check("https://mcp.example.com/.well-known/x")
                .is_ok(),
            "own origin"
        );
        assert!(
            public
                .check("http://mcp.example.com/.well-known/x")
                .is_err(),
            "a downgrade to http is another origin"
        );
        let refused = [
            "http://auth.example.net/",
            "https://169.254.169.254/latest/meta-data",
            "https://10.0.0.1/",
            "https://192.168.1.1/",
            "https://[fd00::1]/",
            "https://[fe80::1]/",
            "https://127.0.0.1/",
            "https://localhost/",
            "file:///etc/passwd",
            "javascript:alert(1)",
        ];
        for u in refused {
            assert!(public.check(u).is_err(), "{u} should be refused");
        }
        // A target on loopback (local development) may point at other loopback ports.
        let local = UrlPolicy::for_target(&Url::parse("http://127.0.0.1:5555/mcp").unwrap());
        assert!(local.check("http://127.0.0.1:4444/oidc").is_ok());
        assert!(local.check("http://localhost:4444/oidc").is_ok());
        assert!(local.check("http://auth.example.net/").is_err());
    }

    #[test]
    fn templates_are_filled_or_name_the_missing_value() {
        let value = |k: &str| (k == "tenant").then_some("acme");
        assert_eq!(
            fill_template("https://{tenant}.example.com/mcp", value).unwrap(),
            "https://acme.example.com/mcp"
        );
        assert_eq!(
            fill_template("https://{tenant}.example.com/{region}", value).unwrap_err(),
            "region"
        );
        assert_eq!(fill_template("https://x/{", value).unwrap(), "https://x/{");
        assert_eq!(template_holes("https://{a}.x/{b_2}"), ["a", "b_2"]);
        assert!(template_holes("https://x/y").is_empty());
    }
}

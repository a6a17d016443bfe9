//! Opening the authorization URL in the user's browser.

use url::Url;

/// Whether a URL may be opened: https, or http on loopback (MCP 2026-07-28
/// security best practices: validate authorization URLs before opening).
pub fn safe_to_open(url: &Url) -> bool {
    match url.scheme() {
        "https" => true,
        "http" => crate::evidence::urls::is_loopback(url),
        _ => false,
    }
}

/// Open `url`: `$BROWSER` when set (each `:`-separated command tried in
/// turn, `%s` replaced by the URL, never through a shell), else the system
/// opener.
pub fn open(url: &Url) -> Result<(), String> {
    if !safe_to_open(url) {
        return Err(format!(
            "refusing to open {url}: not https (nor http on loopback)"
        ));
    }
    if let Some(browser) = std::env::var_os("BROWSER").filter(|b| !b.is_empty()) {
        let browser = browser.to_string_lossy().into_owned();
        for cmd in browser.split(':').filter(|c| !c.trim().is_empty()) {
            let mut words = cmd.split_whitespace();
            let Some(program) = words.next() else {
                continue;
            };
            let mut args: Vec<String> = words.map(|w| w.replace("%s", url.as_str())).collect();
            if !cmd.contains("%s") {
                args.push(url.to_string());
            }
            if std::process::Command::new(program)
                .args(&args)
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .is_ok()
            {
                return Ok(());
            }
        }
        return Err(format!("none of $BROWSER ({browser}) could be started"));
    }
    open::that_detached(url.as_str()).map_err(|e| format!("could not open a browser: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_loopback_http() {
        for (u, ok) in [
            ("https://as.example/auth", true),
            ("http://127.0.0.1:9/auth", true),
            ("http://localhost/auth", true),
            ("http://as.example/auth", false),
            ("file:///etc/passwd", false),
            ("javascript:alert(1)", false),
        ] {
            assert_eq!(safe_to_open(&Url::parse(u).unwrap()), ok, "{u}");
        }
    }
}

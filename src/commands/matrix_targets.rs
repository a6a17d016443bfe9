//! `matrix URL…` / `--target URL`: ad-hoc targets checked beside the
//! provider files, each a provider with only a name, a kind and a URL (the
//! minimal provider file), its kind detected as `check` detects it.

use crate::evidence::{Evidence, TargetHint, TargetKind};
use crate::providers::{Provider, ProviderFile, ProviderKind};
use crate::Error;

/// One row to check: a provider, and how its URL is to be taken.
pub struct Entry {
    pub provider: Provider,
    pub hint: TargetHint,
}

impl Entry {
    /// A provider file's entry: its `kind` says what the URL is.
    pub fn of_file(provider: Provider) -> Self {
        let hint = match provider.def.kind {
            ProviderKind::Issuer => TargetHint::Issuer,
            ProviderKind::Mcp => TargetHint::Mcp,
        };
        Self { provider, hint }
    }

    /// The provider as its row shows it: an ad-hoc target's kind is what
    /// the check found.
    pub fn as_checked(&self, ev: &Evidence) -> Provider {
        let mut p = self.provider.clone();
        if self.hint == TargetHint::Auto && ev.target.kind == TargetKind::McpServer {
            p.def.kind = ProviderKind::Mcp;
        }
        p
    }
}

/// `id-example-com-realms-staff` for `https://id.example.com/realms/staff`.
fn id_of(url: &url::Url) -> String {
    let text = format!(
        "{}{}",
        url.host_str().unwrap_or_default(),
        url.path().trim_end_matches('/')
    );
    let mut id = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            id.push(c.to_ascii_lowercase());
        } else if !id.ends_with('-') {
            id.push('-');
        }
    }
    id.trim_matches('-').to_owned()
}

/// The command line's URLs as entries, their ids unique among `taken`'s and
/// each other's (`-2`, `-3`, … when two would clash).
pub fn entries(urls: &[String], taken: &[Provider]) -> Result<Vec<Entry>, Error> {
    let mut ids: Vec<String> = taken.iter().map(|p| p.id.clone()).collect();
    let mut out = Vec::new();
    for text in urls {
        let url = crate::discovery::parse_http_url(text)?;
        let base = id_of(&url);
        let mut id = base.clone();
        let mut n = 2;
        while ids.contains(&id) {
            id = format!("{base}-{n}");
            n += 1;
        }
        ids.push(id.clone());
        let def = ProviderFile {
            name: text.clone(),
            homepage: None,
            docs: None,
            kind: ProviderKind::Issuer,
            url: text.clone(),
            server_type: None,
            matrix: true,
            updated: None,
            sources: Vec::new(),
            verified: None,
            example: Default::default(),
            fingerprint: None,
            quirks: Vec::new(),
            live: None,
        };
        out.push(Entry {
            provider: Provider { id, def },
            hint: TargetHint::Auto,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_come_from_the_url_and_do_not_clash() {
        let urls = [
            "https://id.example.com/realms/staff/".to_owned(),
            "https://id.example.com/realms/staff".to_owned(),
            "http://127.0.0.1:8080/mcp".to_owned(),
        ];
        let got = entries(&urls, &[]).unwrap();
        let ids: Vec<&str> = got.iter().map(|e| e.provider.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "id-example-com-realms-staff",
                "id-example-com-realms-staff-2",
                "127-0-0-1-mcp"
            ]
        );
        assert!(got.iter().all(|e| e.hint == TargetHint::Auto));
        assert!(entries(&["id.example.com".to_owned()], &[]).is_err());
    }
}

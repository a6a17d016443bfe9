//! Loading a provider file: an error or a provider, never a panic; a loaded
//! provider's URL and fingerprint work.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcp_auth_grade::providers::Provider;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(p) = Provider::parse("providers/fuzz.toml", &text) {
        let url = p.url();
        if let Ok(u) = url::Url::parse(&url) {
            let _ = p.matches_issuer(&u);
            let _ = p.matches_mcp(&u);
        }
    }
});

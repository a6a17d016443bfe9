//! The WWW-Authenticate parser and the SDK extraction models: never panic,
//! always terminate, on any header text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcp_auth_evidence::www_authenticate::{parse, python_sdk_resource_metadata, scope_chars_valid, ts_sdk_resource_metadata};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // Several header fields: split on newlines.
    let fields: Vec<&str> = text.split('\n').collect();
    let parsed = parse(&fields);
    for c in &parsed.challenges {
        for p in &c.params {
            let _ = scope_chars_valid(&p.value);
        }
    }
    let _ = parsed.bearer().and_then(|b| b.param("resource_metadata"));
    let _ = ts_sdk_resource_metadata(&text);
    let _ = python_sdk_resource_metadata(&text);
});

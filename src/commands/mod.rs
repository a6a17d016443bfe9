//! One module per command: settings → gather → grade → render.

pub mod call;
pub mod check;
mod check_live;
pub mod checks;
pub mod cimd;
pub mod clients;
mod hosts;
pub mod inspect;
pub mod login;
pub mod matrix;
mod matrix_live;
mod matrix_targets;
mod reauth;
mod registry;
mod registry_merge;
mod registry_rows;
pub mod whoami;

use std::path::Path;

use mcp_auth_evidence::Evidence;
use mcp_auth_grade::providers::{Provider, ProviderError};

/// Read an evidence file written by `--save-evidence` or `matrix --record`.
pub fn load_evidence(path: &Path) -> Result<Evidence, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Evidence::from_json(&path.display().to_string(), &text)
}

/// Load every `*.toml` of a directory, sorted by id; the documents their
/// `verified` fields name must be files of that directory (`recorded/…`).
pub fn load_providers(dir: &Path) -> Result<Vec<Provider>, ProviderError> {
    let rd = std::fs::read_dir(dir).map_err(|e| ProviderError {
        file: dir.display().to_string(),
        field: "(directory)".to_owned(),
        message: e.to_string(),
    })?;
    let mut files: Vec<_> = rd
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| {
            let name = p.display().to_string();
            let text = std::fs::read_to_string(p).map_err(|e| ProviderError {
                file: name.clone(),
                field: "(file)".to_owned(),
                message: e.to_string(),
            })?;
            let exists = |doc: &str| dir.join(doc).is_file();
            Provider::parse_checked(&name, &text, &exists)
        })
        .collect()
}

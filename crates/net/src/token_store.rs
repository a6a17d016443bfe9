//! The token cache: one JSON file per (issuer, client id, resource), in the
//! user's data directory (`MCP_AUTH_HOME` overrides it), written atomically
//! (a temporary file in the same directory, then a rename), private to the
//! user (0600 in a 0700 directory on Unix; `platform.rs` says how elsewhere). Secrets are wrapped so that `Debug`
//! never shows them. Each entry has an advisory lock ([`TokenStore::lock`],
//! `lock.rs`) held across every read-modify-write, so that concurrent logins
//! and refreshes of one entry never lose a token.

mod lock;
mod platform;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use lock::{EntryLock, LOCK_WAIT};

/// A secret string: `Debug` and `Display` print `[redacted]`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }
    /// The value itself; every call site is a deliberate use.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

/// One cached login.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenEntry {
    pub issuer: String,
    pub client_id: String,
    /// The client's secret (a confidential client: pre-registered, or
    /// registered with one), for refresh and re-authorization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<Secret>,
    /// How the client authenticates at the token endpoint (RFC 7591 names).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint_auth_method: Option<String>,
    /// Whether mcp-auth registered the client (RFC 7591): a later login to
    /// the same authorization server reuses it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub registered: bool,
    /// The redirect URI the client used (a reused registration listens there again).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_uri: Option<String>,
    /// The RFC 8707 resource the token was requested for, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// The MCP server the login started from, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mcp_url: Option<String>,
    pub token_type: String,
    pub access_token: Secret,
    /// The DPoP private key (PKCS#8, base64url) a `DPoP` token is bound to
    /// (RFC 9449): `call`, `whoami` and refresh sign their proofs with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dpop_key: Option<Secret>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<Secret>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<Secret>,
    /// Granted scope (as returned, or as requested when not returned).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// Unix seconds.
    pub obtained_at: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<u64>,
    pub token_endpoint: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub userinfo_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks_uri: Option<String>,
    /// The grant that obtained the token when it was not the authorization
    /// code: `client-credentials`, `jwt-bearer` or `token-exchange` (the
    /// `login --grant` names), so that `call` can tell how to renew it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant: Option<String>,
}

impl TokenEntry {
    /// Seconds until expiry (negative when expired), if known.
    pub fn expires_in(&self, now: u64) -> Option<i64> {
        self.expires_at
            .map(|e| i64::try_from(e).unwrap_or(i64::MAX) - i64::try_from(now).unwrap_or(0))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot find a data directory for the token cache (set MCP_AUTH_HOME)")]
    NoDirectory,
    #[error("token cache {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("token cache file {path} is not valid: {reason}")]
    Corrupt { path: PathBuf, reason: String },
    #[error(
        "token cache file {path} is readable by others (mode {mode:o}); run `chmod 600 {path}` or `mcp-auth logout`"
    )]
    Permissions { path: PathBuf, mode: u32 },
    #[error(
        "token cache file {path} is locked by another mcp-auth command (waited {waited} s); try again when it has finished"
    )]
    Locked { path: PathBuf, waited: u64 },
    #[error("the entry saved is not the one locked ({path})")]
    OtherEntry { path: PathBuf },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.to_owned(),
        source,
    }
}

/// The token files under one directory.
#[derive(Debug, Clone)]
pub struct TokenStore {
    dir: PathBuf,
}

impl TokenStore {
    /// `$MCP_AUTH_HOME/tokens`, else the platform data directory's `tokens`.
    pub fn from_env() -> Result<Self, StoreError> {
        let base = match std::env::var_os("MCP_AUTH_HOME") {
            Some(h) if !h.is_empty() => PathBuf::from(h),
            _ => directories::ProjectDirs::from("", "", "mcp-auth")
                .ok_or(StoreError::NoDirectory)?
                .data_dir()
                .to_owned(),
        };
        Ok(Self::at(base.join("tokens")))
    }

    pub fn at(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file of an (issuer, client id, resource) triple.
    pub fn path_for(&self, issuer: &str, client_id: &str, resource: Option<&str>) -> PathBuf {
        let mut h = Sha256::new();
        for part in [issuer, client_id, resource.unwrap_or("")] {
            h.update(part.as_bytes());
            h.update([0u8]);
        }
        let digest = h.finalize();
        let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
        self.dir.join(format!("{hex}.json"))
    }

    fn ensure_dir(&self) -> Result<(), StoreError> {
        fs::create_dir_all(&self.dir).map_err(io(&self.dir))?;
        platform::make_dir_private(&self.dir).map_err(io(&self.dir))
    }

    /// Write an entry atomically with mode 0600, under its lock; returns its
    /// path. To update an entry from what it holds, use [`TokenStore::lock`].
    pub fn save(&self, entry: &TokenEntry) -> Result<PathBuf, StoreError> {
        let path = self.path_for(&entry.issuer, &entry.client_id, entry.resource.as_deref());
        self.lock(&path)?.save(entry)?;
        Ok(path)
    }

    /// Read one file, refusing files others can read.
    pub fn load(path: &Path) -> Result<TokenEntry, StoreError> {
        if let Some(mode) = platform::readable_by_others(path).map_err(io(path))? {
            return Err(StoreError::Permissions {
                path: path.to_owned(),
                mode,
            });
        }
        let text = fs::read_to_string(path).map_err(io(path))?;
        serde_json::from_str(&text).map_err(|e| StoreError::Corrupt {
            path: path.to_owned(),
            reason: e.to_string(),
        })
    }

    /// Every cached entry (files that cannot be read are returned as errors);
    /// temporary files (`.tmp-…`) and lock files (`….json.lock`) are not entries.
    pub fn list(&self) -> Vec<(PathBuf, Result<TokenEntry, StoreError>)> {
        let Ok(rd) = fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut paths: Vec<PathBuf> = rd
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.extension().is_some_and(|x| x == "json")
                    && !p
                        .file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            })
            .collect();
        paths.sort();
        paths
            .into_iter()
            .map(|p| {
                let e = Self::load(&p);
                (p, e)
            })
            .collect()
    }

    /// Remove an entry, under its lock.
    pub fn delete(path: &Path) -> Result<(), StoreError> {
        // No lock file is made in a directory that is not there.
        fs::symlink_metadata(path).map_err(io(path))?;
        lock::acquire(path, LOCK_WAIT)?.delete()
    }
}

/// Write `entry` to `path` in `dir`: a temporary file (0600) in the same
/// directory, synced, then renamed over `path`.
fn write_atomically(dir: &Path, path: &Path, entry: &TokenEntry) -> Result<(), StoreError> {
    let mut tmp = tempfile::Builder::new()
        .prefix(".tmp-")
        .tempfile_in(dir)
        .map_err(io(dir))?;
    // NamedTempFile creates 0600 whatever the umask; make sure of it.
    platform::make_file_private(tmp.path()).map_err(io(tmp.path()))?;
    let text = serde_json::to_string_pretty(entry).expect("entries serialise");
    tmp.write_all(text.as_bytes()).map_err(io(tmp.path()))?;
    tmp.as_file().sync_all().map_err(io(tmp.path()))?;
    tmp.persist(path).map_err(|e| StoreError::Io {
        path: path.to_owned(),
        source: e.error,
    })?;
    Ok(())
}

/// Unix time now, in seconds.
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> TokenEntry {
        TokenEntry {
            issuer: "https://as.example".into(),
            client_id: "c1".into(),
            client_secret: None,
            token_endpoint_auth_method: None,
            registered: false,
            redirect_uri: None,
            resource: Some("https://mcp.example/mcp".into()),
            mcp_url: None,
            token_type: "Bearer".into(),
            access_token: Secret::new("at-secret-value"),
            dpop_key: Some(Secret::new("dpop-key-value")),
            refresh_token: Some(Secret::new("rt-secret-value")),
            id_token: None,
            scope: Some("openid".into()),
            obtained_at: 1,
            expires_at: Some(100),
            token_endpoint: "https://as.example/token".into(),
            userinfo_endpoint: None,
            revocation_endpoint: None,
            jwks_uri: None,
            grant: None,
        }
    }

    #[test]
    fn secrets_do_not_debug_print() {
        let text = format!("{:?} {}", entry(), Secret::new("x"));
        assert!(
            !text.contains("at-secret-value")
                && !text.contains("rt-secret-value")
                && !text.contains("dpop-key-value"),
            "{text}"
        );
        assert!(text.contains("[redacted]"));
    }

    #[test]
    fn save_is_0600_in_a_0700_dir_and_round_trips() {
        let tmp = tempfile::tempdir().unwrap();
        let store = TokenStore::at(tmp.path().join("tokens"));
        let path = store.save(&entry()).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
            assert_eq!(
                fs::metadata(store.dir()).unwrap().permissions().mode() & 0o777,
                0o700
            );
        }
        assert_eq!(TokenStore::load(&path).unwrap(), entry());
        // Saving again replaces the file; no temporary files are left.
        store.save(&entry()).unwrap();
        let names: Vec<_> = fs::read_dir(store.dir())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
        assert_eq!(store.list().len(), 1);
    }

    #[test]
    fn the_grant_is_kept_only_when_not_the_authorization_code() {
        let plain = serde_json::to_value(entry()).unwrap();
        assert!(plain.get("grant").is_none(), "{plain}");
        // A file written before the field existed reads as the code flow's.
        let old: TokenEntry = serde_json::from_value(plain).unwrap();
        assert_eq!(old.grant, None);
        let cc = TokenEntry {
            grant: Some("client-credentials".into()),
            ..entry()
        };
        let v = serde_json::to_value(&cc).unwrap();
        assert_eq!(v["grant"], "client-credentials");
        assert_eq!(serde_json::from_value::<TokenEntry>(v).unwrap(), cc);
    }

    #[cfg(unix)]
    #[test]
    fn readable_files_are_refused() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let store = TokenStore::at(tmp.path());
        let path = store.save(&entry()).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        let err = TokenStore::load(&path).unwrap_err();
        assert!(
            matches!(err, StoreError::Permissions { mode: 0o644, .. }),
            "{err}"
        );
    }

    #[test]
    fn keys_differ_by_each_part() {
        let s = TokenStore::at("/x");
        let a = s.path_for("i", "c", Some("r"));
        assert_ne!(a, s.path_for("i", "c", None));
        assert_ne!(a, s.path_for("i", "c2", Some("r")));
        assert_ne!(a, s.path_for("i2", "c", Some("r")));
        assert_eq!(a, s.path_for("i", "c", Some("r")));
    }
}

//! What differs by platform in the binary: the one place in `src/` with
//! `cfg(unix)` / `cfg(not(unix))`. (The token cache's file modes are in
//! `mcp-auth-net`'s `token_store/platform.rs`.)

/// Raise the soft open-file limit towards `needed` (never past the hard
/// limit) and return the limit now in force. Unix has `RLIMIT_NOFILE`;
/// Windows has no such per-process limit on sockets, so `needed` fits.
pub fn raise_open_file_limit(needed: u64) -> std::io::Result<u64> {
    #[cfg(unix)]
    {
        rlimit::increase_nofile_limit(needed)
    }
    #[cfg(not(unix))]
    {
        Ok(needed)
    }
}

//! What keeps the token cache private to the user, per platform: the one
//! place in this crate with `cfg(unix)` / `cfg(not(unix))`.
//!
//! - **Unix** (Linux, macOS): the directory is made 0700 and every file 0600
//!   (created so, and set again whatever the umask); a file that others can
//!   read is refused when loaded. Lock files are told apart by device and
//!   inode, so the holder can remove its lock file before releasing it.
//! - **Windows**: files have no mode bits. The cache lives in the user's
//!   profile (`%APPDATA%\mcp-auth\data\tokens`, from `directories`), whose
//!   ACL grants access to the user, SYSTEM and Administrators only, and new
//!   files and directories inherit that ACL: no other user can read them.
//!   Nothing here changes ACLs; `MCP_AUTH_HOME` pointed at a shared folder
//!   gets that folder's ACL (docs/INSTALL.md, Platforms). Lock files stay in place,
//!   empty. This branch is not compiled on this project's CI machine (no
//!   Windows target there): it is kept to no-ops so that it is right by
//!   reading; the release workflow builds it on Windows.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

/// Make the cache directory private (Unix: 0700).
pub(super) fn make_dir_private(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Make a file private (Unix: 0600).
pub(super) fn make_file_private(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Files that `options` creates are private (Unix: mode 0600).
pub(super) fn create_private(options: &mut OpenOptions) -> &mut OpenOptions {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
}

/// `Some(mode)` when others may read the file at `path` (Unix: any group or
/// other bit); `None` when it is private.
pub(super) fn readable_by_others(path: &Path) -> io::Result<Option<u32>> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)?.permissions().mode() & 0o777;
        Ok((mode & 0o077 != 0).then_some(mode))
    }
    #[cfg(not(unix))]
    {
        // Existence is still checked, so a missing file reads as NotFound
        // before the read, as on Unix.
        std::fs::metadata(path)?;
        Ok(None)
    }
}

/// Whether the lock holder removes its lock file before releasing the lock
/// (Unix); elsewhere the file stays.
pub(super) const REMOVES_LOCK_FILE: bool = cfg!(unix);

/// Whether `file` is still the file at `lock_path` (not removed by the
/// holder that released it just before we locked it). Always true where lock
/// files are never removed.
pub(super) fn still_linked(file: &File, lock_path: &Path) -> io::Result<bool> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let held = file.metadata()?;
        match std::fs::metadata(lock_path) {
            Ok(now) => Ok(now.dev() == held.dev() && now.ino() == held.ino()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e),
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (file, lock_path);
        Ok(true)
    }
}

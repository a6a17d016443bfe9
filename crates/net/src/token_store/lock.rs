//! One advisory lock per cache entry, so that two commands updating the same
//! login (two refreshes with a rotating refresh token, a login and a
//! refresh) never lose a token: `<entry>.json.lock` beside the entry, locked
//! with the OS's advisory file lock (`flock` on Unix, `LockFileEx` on
//! Windows, through `fs4`). The OS releases it when its holder exits, however
//! it exits, so a dead process leaves at most an empty, unlocked file behind.
//!
//! On Unix the lock file exists only while it is held: its holder removes it
//! before unlocking, and whoever locks a file checks that it is still the one
//! at the lock path (else it was removed meanwhile, and the new one is
//! locked instead). Elsewhere it stays, empty.

use std::fs::{self, File, OpenOptions};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::{io, platform, write_atomically, StoreError, TokenEntry, TokenStore};

/// How long [`TokenStore::lock`] waits for another holder before giving up.
pub const LOCK_WAIT: Duration = Duration::from_secs(30);

/// The longest pause between two attempts while waiting.
const MAX_PAUSE: Duration = Duration::from_millis(50);

/// An exclusive lock on one cache entry, held until dropped.
///
/// Read, modify and write the entry through it ([`EntryLock::load`],
/// [`EntryLock::save`], [`EntryLock::delete`]). Do not call
/// [`TokenStore::save`] or [`TokenStore::delete`] on the same entry while
/// holding it: they take the lock themselves and would wait for it.
#[derive(Debug)]
pub struct EntryLock {
    path: PathBuf,
    lock_path: PathBuf,
    /// Holds the OS lock; closing it releases the lock.
    _file: File,
}

/// The lock file of an entry: `<entry>.lock`.
pub(super) fn lock_path(entry: &Path) -> PathBuf {
    let mut s = entry.as_os_str().to_owned();
    s.push(".lock");
    PathBuf::from(s)
}

fn open(lock_path: &Path) -> Result<File, StoreError> {
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    platform::create_private(&mut options)
        .open(lock_path)
        .map_err(io(lock_path))
}

/// Lock the entry at `path`, waiting up to `wait` for another holder.
pub(super) fn acquire(path: &Path, wait: Duration) -> Result<EntryLock, StoreError> {
    let lock_path = lock_path(path);
    let deadline = Instant::now() + wait;
    let mut pause = Duration::from_millis(2);
    let mut told = false;
    loop {
        let file = open(&lock_path)?;
        match fs4::FileExt::try_lock(&file) {
            Ok(()) if platform::still_linked(&file, &lock_path).map_err(io(&lock_path))? => {
                return Ok(EntryLock {
                    path: path.to_owned(),
                    lock_path,
                    _file: file,
                })
            }
            // Removed by the holder we waited for: lock the new file.
            Ok(()) => continue,
            Err(fs4::TryLockError::WouldBlock) => {}
            Err(fs4::TryLockError::Error(e)) => return Err(io(&lock_path)(e)),
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(StoreError::Locked {
                path: path.to_owned(),
                waited: wait.as_secs(),
            });
        }
        if !told {
            tracing::debug!("waiting for the lock on {}", path.display());
            told = true;
        }
        std::thread::sleep(pause.min(left));
        pause = (pause * 2).min(MAX_PAUSE);
    }
}

impl EntryLock {
    /// The entry's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The entry as it is on disk now; `None` when there is none (never
    /// saved, or deleted).
    pub fn load(&self) -> Result<Option<TokenEntry>, StoreError> {
        match TokenStore::load(&self.path) {
            Ok(e) => Ok(Some(e)),
            Err(StoreError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// Replace the entry (atomically, mode 0600). `entry` must be the one
    /// this lock is for (the same issuer, client id and resource).
    pub fn save(&self, entry: &TokenEntry) -> Result<(), StoreError> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        let expected = TokenStore::at(dir).path_for(
            &entry.issuer,
            &entry.client_id,
            entry.resource.as_deref(),
        );
        if expected != self.path {
            return Err(StoreError::OtherEntry {
                path: self.path.clone(),
            });
        }
        write_atomically(dir, &self.path, entry)
    }

    /// Remove the entry (an error if there is none), then release the lock.
    pub fn delete(self) -> Result<(), StoreError> {
        fs::remove_file(&self.path).map_err(io(&self.path))
    }
}

impl Drop for EntryLock {
    fn drop(&mut self) {
        // Removed while still locked (see the module comment); the lock is
        // released when the file closes, just after.
        if platform::REMOVES_LOCK_FILE {
            let _ = fs::remove_file(&self.lock_path);
        }
    }
}

impl TokenStore {
    /// Lock the entry at `path` (a [`TokenStore::path_for`] path), waiting up
    /// to [`LOCK_WAIT`] for another command that holds it; after that, a
    /// [`StoreError::Locked`] naming the file.
    ///
    /// Hold it across every read-modify-write of an entry. A refresh, for
    /// instance (what `login::refresh` does):
    ///
    /// ```text
    /// let lock = store.lock(&path)?;            // or lock_async in async code
    /// let current = lock.load()?;               // the entry as it is now, not as read before
    /// if current's access token differs from the one the caller read, and is not expired:
    ///     return it                              // another command refreshed meanwhile
    /// let new = refresh with current's refresh token (a rotating one is used once);
    /// lock.save(&new)?;                          // still under the lock
    /// ```
    ///
    /// The network request is made while holding the lock; its timeout must
    /// stay under [`LOCK_WAIT`] so that a waiting command gets its turn.
    pub fn lock(&self, path: &Path) -> Result<EntryLock, StoreError> {
        self.lock_waiting(path, LOCK_WAIT)
    }

    /// [`TokenStore::lock`] with another bound on the wait.
    pub fn lock_waiting(&self, path: &Path, wait: Duration) -> Result<EntryLock, StoreError> {
        self.ensure_dir()?;
        acquire(path, wait)
    }

    /// [`TokenStore::lock`] for async code: the wait happens on tokio's
    /// blocking pool, not on the runtime's thread.
    pub async fn lock_async(&self, path: &Path) -> Result<EntryLock, StoreError> {
        let (store, owned) = (self.clone(), path.to_owned());
        tokio::task::spawn_blocking(move || store.lock(&owned))
            .await
            .map_err(|e| StoreError::Io {
                path: path.to_owned(),
                source: std::io::Error::other(e.to_string()),
            })?
    }
}

#[cfg(test)]
mod tests;

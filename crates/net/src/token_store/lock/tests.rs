use std::sync::mpsc;
use std::sync::{Arc, Barrier};

use super::super::{Secret, TokenEntry, TokenStore};
use super::*;

fn entry(counter: u64) -> TokenEntry {
    TokenEntry {
        issuer: "https://as.example".into(),
        client_id: "c1".into(),
        client_secret: None,
        token_endpoint_auth_method: None,
        registered: false,
        redirect_uri: None,
        grant: None,
        dpop_key: None,
        resource: Some("https://mcp.example/mcp".into()),
        mcp_url: None,
        token_type: "Bearer".into(),
        // Large enough that a torn or interleaved write would show.
        access_token: Secret::new(format!("at-{counter}-{}", "x".repeat(50_000))),
        refresh_token: Some(Secret::new(format!("rt-{counter}"))),
        id_token: None,
        scope: None,
        obtained_at: counter,
        expires_at: None,
        token_endpoint: "https://as.example/token".into(),
        userinfo_endpoint: None,
        revocation_endpoint: None,
        jwks_uri: None,
    }
}

fn store() -> (tempfile::TempDir, TokenStore, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let store = TokenStore::at(tmp.path().join("tokens"));
    let e = entry(0);
    let path = store.path_for(&e.issuer, &e.client_id, e.resource.as_deref());
    (tmp, store, path)
}

/// Every name in the store's directory.
fn names(store: &TokenStore) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(store.dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn lock_load_increment_save_from_many_threads_loses_no_update() {
    const THREADS: u64 = 8;
    const ROUNDS: u64 = 10;
    let (_tmp, store, path) = store();
    store.save(&entry(0)).unwrap();
    // All threads start together, so that they contend.
    let start = Arc::new(Barrier::new(THREADS as usize));
    let workers: Vec<_> = (0..THREADS)
        .map(|_| {
            let (store, path, start) = (store.clone(), path.clone(), start.clone());
            std::thread::spawn(move || {
                start.wait();
                for _ in 0..ROUNDS {
                    let lock = store.lock(&path).unwrap();
                    let n = lock.load().unwrap().expect("saved before").obtained_at;
                    lock.save(&entry(n + 1)).unwrap();
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    let last = TokenStore::load(&path).unwrap();
    assert_eq!(last.obtained_at, THREADS * ROUNDS, "an update was lost");
    assert_eq!(last, entry(THREADS * ROUNDS), "the file is whole");
    assert_eq!(names(&store).len(), 1, "no lock or temporary file left");
}

#[test]
fn a_held_lock_makes_a_second_locker_wait_then_proceed() {
    let (_tmp, store, path) = store();
    let held = store.lock(&path).unwrap();
    let (waiting_tx, waiting) = mpsc::channel();
    let (done_tx, done) = mpsc::channel();
    let second = {
        let (store, path) = (store.clone(), path.clone());
        std::thread::spawn(move || {
            // While the first holds it, the lock cannot be had at once ...
            let refused = store.lock_waiting(&path, Duration::ZERO).unwrap_err();
            waiting_tx.send(refused.to_string()).unwrap();
            // ... so this waits, and sees what the first saved.
            let lock = store.lock(&path).unwrap();
            done_tx.send(lock.load().unwrap()).unwrap();
        })
    };
    let refused = waiting.recv().unwrap();
    assert!(
        refused.contains(&path.display().to_string()) && refused.contains("locked"),
        "{refused}"
    );
    assert!(done.try_recv().is_err(), "the second locker did not wait");
    held.save(&entry(7)).unwrap();
    drop(held);
    let seen = done
        .recv_timeout(LOCK_WAIT)
        .expect("the second locker proceeds once the lock is released");
    assert_eq!(seen.map(|e| e.obtained_at), Some(7));
    second.join().unwrap();
}

#[test]
fn the_wait_is_bounded_and_the_error_is_one_line_naming_the_file() {
    let (_tmp, store, path) = store();
    let _held = store.lock(&path).unwrap();
    let err = store
        .lock_waiting(&path, Duration::from_millis(20))
        .unwrap_err();
    assert!(matches!(err, StoreError::Locked { .. }), "{err:?}");
    let text = err.to_string();
    assert!(!text.contains('\n'), "{text}");
    assert!(text.contains(&path.display().to_string()), "{text}");
    // The plain save waits for the same lock.
    let other = TokenStore::at(store.dir());
    assert!(other.lock_waiting(&path, Duration::ZERO).is_err());
}

#[test]
fn list_ignores_lock_files_and_save_and_delete_take_the_lock() {
    let (_tmp, store, path) = store();
    store.save(&entry(1)).unwrap();
    let lock = store.lock(&path).unwrap();
    assert_eq!(names(&store).len(), 2, "the entry and its held lock file");
    let listed = store.list();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0].0, path);
    // A plain delete (logout) cannot happen while the lock is held ...
    let (tx, rx) = mpsc::channel();
    let deleter = {
        let path = path.clone();
        std::thread::spawn(move || tx.send(TokenStore::delete(&path)).unwrap())
    };
    assert!(rx.try_recv().is_err(), "delete did not wait for the lock");
    lock.save(&entry(2)).unwrap();
    drop(lock);
    // ... and happens after.
    rx.recv_timeout(LOCK_WAIT).unwrap().unwrap();
    deleter.join().unwrap();
    assert!(names(&store).is_empty(), "{:?}", names(&store));
    assert!(store.list().is_empty());
}

#[test]
fn a_lock_saves_only_its_own_entry_and_loads_none_when_absent() {
    let (_tmp, store, path) = store();
    let lock = store.lock(&path).unwrap();
    assert_eq!(lock.load().unwrap(), None);
    let mut other = entry(1);
    other.client_id = "c2".into();
    let err = lock.save(&other).unwrap_err();
    assert!(matches!(err, StoreError::OtherEntry { .. }), "{err:?}");
    assert_eq!(lock.load().unwrap(), None);
    lock.save(&entry(1)).unwrap();
    assert_eq!(lock.load().unwrap(), Some(entry(1)));
    lock.delete().unwrap();
    assert!(names(&store).is_empty());
}

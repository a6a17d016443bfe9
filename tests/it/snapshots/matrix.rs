//! `matrix --replay` over the recorded matrix (tests/fixtures/matrix-record).

use super::*;

/// `matrix` replaying the recorded matrix, without colour.
pub(super) const MATRIX_REPLAY: [&str; 7] = [
    "matrix",
    "--providers",
    "tests/fixtures/matrix-record/providers",
    "--replay",
    "tests/fixtures/matrix-record/evidence",
    "--color",
    "never",
];

#[test]
fn matrix_replay_in_every_format() {
    let base = MATRIX_REPLAY;
    for format in ["json", "markdown", "junit", "table"] {
        let mut args = base.to_vec();
        args.extend_from_slice(&["--format", format]);
        let run = run_at_root(&args);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(run.stdout.contains("node-oidc-root"), "{}", run.stdout);
        assert_eq!(run.transcript(), run_at_root(&args).transcript());
        assert_run(&format!("matrix_replay_{format}"), &run);
    }
    // One provider without a recording, and a baseline equal to the replay
    // (a copy of the recording in a scratch directory, so paths stay relative).
    let dir = tempfile::tempdir().unwrap();
    for sub in ["providers", "evidence"] {
        let to = dir.path().join(sub);
        std::fs::create_dir(&to).unwrap();
        let from = root().join("tests/fixtures/matrix-record").join(sub);
        for e in std::fs::read_dir(from).unwrap() {
            let p = e.unwrap().path();
            std::fs::copy(&p, to.join(p.file_name().unwrap())).unwrap();
        }
    }
    std::fs::write(
        dir.path().join("providers/not-recorded.toml"),
        "name = \"not recorded\"\nhomepage = \"https://example.com/x\"\ndocs = \"https://example.com/x/docs\"\nkind = \"issuer\"\nurl = \"https://as.example\"\nupdated = \"2026-12-01\"\nsources = [\"tests/it/snapshots.rs\"]\nverified = { date = \"2026-12-01\", source = \"https://example.com/x/docs\" }\n",
    )
    .unwrap();
    let args = ["matrix", "--providers", "providers", "--replay", "evidence"];
    let json = run_in(
        dir.path(),
        &[],
        &[&args[..], &["--format", "json"]].concat(),
        None,
    );
    assert_eq!(json.code, 0, "{}", json.stderr);
    std::fs::write(dir.path().join("base.json"), &json.stdout).unwrap();
    let run = run_in(
        dir.path(),
        &[],
        &[
            &args[..],
            &["--format", "markdown", "--baseline", "base.json"],
        ]
        .concat(),
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("cannot read"), "{}", run.stdout);
    assert_run("matrix_replay_unrecorded_and_baseline", &run);
}

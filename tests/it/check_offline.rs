//! `check` on a saved document, and bad input.

use crate::support::*;

fn write(dir: &std::path::Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_owned()
}

#[test]
fn grades_a_saved_document() {
    let dir = tempfile::tempdir().unwrap();
    let doc = fixture("recorded/oidc-provider-9.13.3-path-registration.json");
    let file = write(dir.path(), "metadata.json", &doc);
    let (code, report, _) = check_json(&[&file, "--issuer", "http://127.0.0.1:4444/oidc"]);
    assert_eq!(code, 0);
    assert_eq!(report["target"]["kind"], "file");
    assert_statuses(
        &report,
        &[
            ("DISC-AS-ISSUER-MATCH", "pass"),
            ("DISC-AS-CONTENT-TYPE", "skip"),
            ("DISC-AS-ERROR-STATUS", "skip"),
            ("AS-PKCE-S256", "pass"),
        ],
    );
    // The wrong issuer is caught offline too.
    let (code, report, _) = check_json(&[&file, "--issuer", "http://127.0.0.1:4444"]);
    assert_eq!(code, 1);
    assert_eq!(status(&report, "DISC-AS-ISSUER-MATCH"), "fail");
    // Without --issuer the comparison is skipped, not guessed.
    let (_, report, _) = check_json(&[&file]);
    assert_eq!(status(&report, "DISC-AS-ISSUER-MATCH"), "skip");
}

#[test]
fn bad_input_gives_one_line_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let not_json = write(dir.path(), "bad.json", "<html>");
    let array = write(dir.path(), "array.json", "[]");
    let cases: Vec<(Vec<String>, &str)> = vec![
        (vec!["check".into(), "http://".into()], "not a valid URL"),
        (
            vec!["check".into(), "ftp://auth.example.com".into()],
            "not an http(s) URL",
        ),
        (
            vec!["check".into(), "no-such-file.json".into()],
            "neither an http(s) URL nor an existing file",
        ),
        (
            vec!["check".into(), not_json.clone()],
            "is not a JSON object",
        ),
        (vec!["check".into(), array], "is not a JSON object"),
        (
            vec!["check".into(), "--from-evidence".into(), not_json],
            "is not mcp-auth evidence",
        ),
        (
            vec![
                "check".into(),
                "--from-evidence".into(),
                "missing.json".into(),
            ],
            "cannot read missing.json",
        ),
        (
            vec![
                "check".into(),
                "https://a.example".into(),
                "--issuer".into(),
                "nope".into(),
            ],
            "not a valid URL",
        ),
    ];
    for (args, needle) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, stdout, stderr) = run(&args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stdout.is_empty(), "{args:?} printed a report");
        let lines: Vec<&str> = stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{args:?}: {stderr}");
        assert!(
            lines[0].starts_with("error: ") && lines[0].contains(needle),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn usage_errors_exit_2() {
    let (code, _, stderr) = run(&["check"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("required"), "{stderr}");
    let (code, _, _) = run(&["check", "https://a.example", "--format", "yaml"]);
    assert_eq!(code, 2);
    let (code, _, _) = run(&["check", "https://a.example", "--timeout", "-1"]);
    assert_eq!(code, 2);
}

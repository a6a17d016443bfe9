//! What the shell gets: completion scripts that complete flags and values
//! (bash's completion function driven as bash drives it), and the manual pages.

use std::process::Command;

use crate::support::*;

/// Source the bash script, set the words typed so far, call the function
/// `complete -F` registered for mcp-auth, and return COMPREPLY.
fn bash_complete(script: &std::path::Path, words: &[&str]) -> Vec<String> {
    let cword = words.len() - 1;
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let program = format!(
        r#"source "$1" || exit 9
fn=$(complete -p mcp-auth | sed -n 's/.*-F \([^ ]*\) .*/\1/p')
[ -n "$fn" ] || exit 8
COMP_WORDS=({words})
COMP_CWORD={cword}
COMP_LINE="${{COMP_WORDS[*]}}"
COMP_POINT=${{#COMP_LINE}}
"$fn" mcp-auth "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD-1]}}"
printf '%s\n' "${{COMPREPLY[@]}}""#,
        words = quoted.join(" "),
    );
    let out = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &program, "bash"])
        .arg(script)
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "bash exited {:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

#[test]
fn bash_completes_flags_and_their_values() {
    let (code, script, _) = run(&["completions", "bash"]);
    assert_eq!(code, 0);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mcp-auth.bash");
    std::fs::write(&file, script).unwrap();

    assert_eq!(
        bash_complete(&file, &["mcp-auth", "check", "--for"]),
        ["--format"]
    );
    assert_eq!(
        bash_complete(&file, &["mcp-auth", "check", "--format", ""]),
        ["table", "json", "markdown"]
    );
    // A nested subcommand and another command's values.
    assert_eq!(
        bash_complete(&file, &["mcp-auth", "token", "inspect", "--requ"]),
        ["--require-scope"]
    );
    assert_eq!(
        bash_complete(&file, &["mcp-auth", "matrix", "--format", "j"]),
        ["json", "junit", "jsonl"]
    );
    // The top level still completes subcommand names.
    let top = bash_complete(&file, &["mcp-auth", "che"]);
    assert!(top.contains(&"check".to_owned()), "{top:?}");
    assert!(top.contains(&"checks".to_owned()), "{top:?}");
}

/// zsh and fish scripts parse (`zsh -n`, `fish --no-execute`) where those shells
/// are installed; everywhere, they name check's flags and --format's values.
#[test]
fn zsh_and_fish_scripts_complete_flags_and_values() {
    for (shell, syntax_check) in [("zsh", &["-n"][..]), ("fish", &["--no-execute"][..])] {
        let (code, script, _) = run(&["completions", shell]);
        assert_eq!(code, 0, "{shell}");
        for needle in ["well-known-url", "format", "markdown", "junit"] {
            assert!(script.contains(needle), "{shell} script lacks {needle}");
        }
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(format!("mcp-auth.{shell}"));
        std::fs::write(&file, &script).unwrap();
        match Command::new(shell).args(syntax_check).arg(&file).output() {
            Ok(out) => assert!(
                out.status.success(),
                "{shell} rejects its script: {}",
                String::from_utf8_lossy(&out.stderr)
            ),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                eprintln!("{shell} is not installed: its script's syntax is not checked");
            }
            Err(e) => panic!("{shell}: {e}"),
        }
    }
}

fn visible_subcommands() -> Vec<String> {
    // `--help` lists the subcommands between "Commands:" and "Options:".
    let (_, help, _) = run(&["--help"]);
    let from = help.find("Commands:").expect("help lists commands");
    let to = help.find("Options:").expect("help lists options");
    help[from..to]
        .lines()
        .skip(1)
        // A name is indented by two; a wrapped description, by more.
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_owned)
        .collect()
}

#[test]
fn man_page_lists_every_subcommand() {
    let (code, page, _) = run(&["man"]);
    assert_eq!(code, 0);
    assert!(page.contains(".TH mcp-auth 1"), "{page}");
    let subcommands = visible_subcommands();
    assert!(subcommands.len() >= 11, "{subcommands:?}");
    for name in &subcommands {
        let escaped = name.replace('-', "\\-");
        assert!(
            page.contains(&format!("mcp\\-auth\\-{escaped}(1)")),
            "mcp-auth(1) does not point to mcp-auth-{name}(1)"
        );
    }

    let dir = tempfile::tempdir().unwrap();
    let (code, _, _) = run(&["man", "--dir", dir.path().to_str().unwrap()]);
    assert_eq!(code, 0);
    for name in &subcommands {
        let file = dir.path().join(format!("mcp-auth-{name}.1"));
        let text =
            std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        assert!(text.contains(".SH OPTIONS"), "{name}");
    }
    let check = std::fs::read_to_string(dir.path().join("mcp-auth-check.1")).unwrap();
    assert!(check.contains("\\-\\-well\\-known\\-url"), "{check}");
    assert!(check.contains("Exit codes"), "{check}");
}

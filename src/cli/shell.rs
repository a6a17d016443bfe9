//! What the shell gets from the command line's definition: completion
//! scripts (`completions SHELL`) and manual pages (`man`).

use std::io::Write;
use std::path::Path;

use clap::CommandFactory;
use clap_complete::Shell;

use super::Cli;

/// The binary's name, as the shell calls it.
const BIN: &str = "mcp-auth";

/// Write the completion script for `shell`.
///
/// clap_complete's bash script names its cases for a hyphenated binary
/// inconsistently: the dispatch loop sets `cmd="mcp__auth__subcmd__check"`,
/// while the `case "${cmd}"` labels read `mcp__subcmd__auth__subcmd__check)`,
/// so below the top level nothing matched and bash completed subcommand names
/// only, never a flag or a value. The labels are renamed to what the loop sets
/// (a no-op once clap_complete is fixed).
pub fn completions(shell: Shell, out: &mut dyn Write) -> std::io::Result<()> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut visible(Cli::command()), BIN, &mut script);
    if shell == Shell::Bash {
        let text = String::from_utf8_lossy(&script).replace("mcp__subcmd__auth", "mcp__auth");
        script = text.into_bytes();
    }
    out.write_all(&script)
}

/// `cmd` without its hidden subcommands, which clap_complete would offer
/// (clap has no way to drop a subcommand, so the top level is rebuilt with
/// the same arguments, texts and visible subcommands).
fn visible(cmd: clap::Command) -> clap::Command {
    let subcommands: Vec<clap::Command> = cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set())
        .cloned()
        .collect();
    let mut top = clap::Command::new(BIN)
        .args(cmd.get_arguments().cloned())
        .subcommands(subcommands)
        .subcommand_required(cmd.is_subcommand_required_set());
    if cmd.get_version().is_some() {
        top = top.version(env!("CARGO_PKG_VERSION"));
    }
    if let Some(about) = cmd.get_about() {
        top = top.about(about.clone());
    }
    top
}

/// Write the manual page `mcp-auth(1)` (every command, with a pointer to its
/// own page), or with `dir`, every page (`mcp-auth.1`, `mcp-auth-check.1`, …)
/// into that directory, for a release archive's `man/man1`.
pub fn man(dir: Option<&Path>, out: &mut dyn Write) -> std::io::Result<()> {
    let cmd = Cli::command();
    match dir {
        None => clap_mangen::Man::new(cmd).render(out),
        Some(dir) => {
            std::fs::create_dir_all(dir)?;
            clap_mangen::generate_to(cmd, dir)?;
            writeln!(out, "wrote the manual pages to {}", dir.display())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bash_case_labels_match_what_the_loop_sets() {
        let mut script = Vec::new();
        completions(Shell::Bash, &mut script).unwrap();
        let script = String::from_utf8(script).unwrap();
        assert!(!script.contains("mcp__subcmd__auth"));
        assert!(script.contains("cmd=\"mcp__auth__subcmd__check\""));
        assert!(script.contains("\n        mcp__auth__subcmd__check)\n"));
    }

    #[test]
    fn hidden_subcommands_are_not_offered() {
        for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
            let mut script = Vec::new();
            completions(shell, &mut script).unwrap();
            let script = String::from_utf8(script).unwrap();
            assert!(!script.contains("providers-schema"), "{shell}");
            for visible in ["check", "matrix", "completions", "color", "format"] {
                assert!(script.contains(visible), "{shell}: {visible}");
            }
        }
    }
}

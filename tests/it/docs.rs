//! Docs that cannot drift: README.md and docs/ are held to the code.
//!
//! - generated files are current: docs/checks.md (`checks --format markdown`),
//!   docs/clients.md (`clients --format markdown`), clients/schema.json,
//!   docs/schemas/*.json (the report models' schemas), the schema index of
//!   docs/json-report.md, and README's sample outputs (each the real output of
//!   a command over committed fixtures);
//! - docs/GUIDE.md names every subcommand, flag and value of the clap tree,
//!   every environment variable the code reads, and every exit code;
//! - README stays under 15 KB, its test command is the one `.ci/run` runs,
//!   relative links and anchors resolve, and ARCHITECTURE.md names every crate.
//!
//! Regenerate what is generated: `MCP_AUTH_UPDATE_DOCS=1 cargo test --test it docs`.

use std::collections::BTreeSet;
use std::path::Path;

use clap::CommandFactory;
use mcp_auth_report::schema::DOCUMENTS;

use crate::support::*;

const REGENERATE: &str = "MCP_AUTH_UPDATE_DOCS=1 cargo test --test it docs";

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn updating() -> bool {
    std::env::var_os("MCP_AUTH_UPDATE_DOCS").is_some_and(|v| v == "1")
}

/// Compare the committed `path` with `want`; when updating, write it.
fn keep_current(path: &str, want: &str, stale: &mut Vec<String>) {
    let file = root().join(path);
    let have = std::fs::read_to_string(&file).unwrap_or_default();
    if have == want {
        return;
    }
    if updating() {
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, want).unwrap_or_else(|e| panic!("{path}: {e}"));
    } else {
        stale.push(path.to_owned());
    }
}

/// `mcp-auth <args>` from the repository root (fixture paths stay relative).
fn run_at_root(args: &[&str]) -> String {
    let home = tempfile::tempdir().unwrap();
    let out = mcp_auth(home.path())
        .current_dir(root())
        .args(args)
        .output()
        .expect("ran");
    String::from_utf8(out.stdout).expect("utf-8 stdout")
}

/// README's sample outputs: the marker's name, the command, how many lines
/// of its output are shown (0: all).
const SAMPLES: &[(&str, &[&str], usize)] = &[
    (
        "check",
        &[
            "check",
            "--from-evidence",
            "tests/fixtures/evidence/broken-prm-resource-other-server.json",
        ],
        12,
    ),
    ("explain", &["checks", "PRM-RESOURCE-MATCH"], 0),
    (
        "json",
        &[
            "check",
            "--from-evidence",
            "tests/fixtures/evidence/broken-prm-resource-other-server.json",
            "--format",
            "json",
        ],
        25,
    ),
];

/// The fenced block a sample shows: the command as typed, then its output.
fn sample_block(args: &[&str], lines: usize) -> String {
    let out = run_at_root(args);
    let mut shown = format!("$ mcp-auth {}", args.join(" "));
    if lines > 0 {
        shown.push_str(&format!(" | head -n {lines}"));
    }
    shown.push('\n');
    let take = if lines == 0 { usize::MAX } else { lines };
    for line in out.lines().take(take) {
        shown.push_str(line);
        shown.push('\n');
    }
    shown
}

/// `text` with the fenced block after `<!-- sample: NAME -->` replaced.
fn splice_sample(text: &str, name: &str, block: &str) -> String {
    let marker = format!("<!-- sample: {name} -->\n```text\n");
    let start = text
        .find(&marker)
        .unwrap_or_else(|| panic!("README.md lacks the sample marker `<!-- sample: {name} -->` followed by a ```text block"))
        + marker.len();
    let end = start
        + text[start..]
            .find("```\n")
            .unwrap_or_else(|| panic!("README.md: sample {name} has no closing fence"));
    format!("{}{block}{}", &text[..start], &text[end..])
}

/// docs/json-report.md's index of the schemas.
fn schema_index() -> String {
    let mut s = String::from("| Document | Printed by | Schema |\n|---|---|---|\n");
    for d in DOCUMENTS {
        s.push_str(&format!(
            "| {} | `{}` | [`schemas/{}`](schemas/{}) |\n",
            d.about,
            d.commands,
            d.file_name(),
            d.file_name()
        ));
    }
    s
}

fn splice_between(text: &str, path: &str, tag: &str, body: &str) -> String {
    let start_marker = format!("<!-- {tag}:start -->\n");
    let end_marker = format!("<!-- {tag}:end -->");
    let from = text
        .find(&start_marker)
        .unwrap_or_else(|| panic!("{path} lacks the marker {start_marker}"))
        + start_marker.len();
    let to = text
        .find(&end_marker)
        .unwrap_or_else(|| panic!("{path} lacks the marker {end_marker}"));
    format!("{}{body}{}", &text[..from], &text[to..])
}

#[test]
fn generated_docs_are_current() {
    let mut stale = Vec::new();
    keep_current(
        "docs/checks.md",
        &run_at_root(&["checks", "--format", "markdown"]),
        &mut stale,
    );
    keep_current(
        "docs/clients.md",
        &run_at_root(&["clients", "--format", "markdown"]),
        &mut stale,
    );
    keep_current(
        "clients/schema.json",
        &mcp_auth_grade::clients::json_schema(),
        &mut stale,
    );
    let mut files = BTreeSet::new();
    for d in DOCUMENTS {
        let path = format!("docs/schemas/{}", d.file_name());
        keep_current(&path, &d.render(), &mut stale);
        files.insert(d.file_name());
    }
    for entry in std::fs::read_dir(root().join("docs/schemas")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            files.contains(&name),
            "docs/schemas/{name} is no document's schema (mcp_auth_report::schema::DOCUMENTS): delete it"
        );
    }
    let guide = read("docs/json-report.md");
    let want = splice_between(&guide, "docs/json-report.md", "schemas", &schema_index());
    keep_current("docs/json-report.md", &want, &mut stale);
    let mut readme = read("README.md");
    for (name, args, lines) in SAMPLES {
        readme = splice_sample(&readme, name, &sample_block(args, *lines));
    }
    keep_current("README.md", &readme, &mut stale);
    assert!(
        stale.is_empty(),
        "stale generated docs: {}; regenerate with `{REGENERATE}` and review the diff",
        stale.join(", ")
    );
}

#[test]
fn readme_is_short_and_counts_the_checks() {
    let readme = read("README.md");
    assert!(
        readme.len() <= 15 * 1024,
        "README.md is {} bytes, over 15 KB: move the detail to docs/GUIDE.md",
        readme.len()
    );
    let count = mcp_auth_grade::CATALOGUE.len();
    assert!(
        readme.contains(&format!("{count} checks")),
        "README.md should say '{count} checks' (the catalogue's size)"
    );
}

/// README's test command is the one `.ci/run` runs, step by step.
#[test]
fn readme_test_command_is_what_ci_runs() {
    let readme = read("README.md");
    let ci = read(".ci/run");
    let section = &readme[readme
        .find("## Running the tests")
        .expect("README.md has a 'Running the tests' section")..];
    let command = section
        .lines()
        .skip_while(|l| !l.starts_with("```sh"))
        .nth(1)
        .expect("the section opens with a sh block");
    for step in command.split("&&").map(str::trim) {
        // npm ci's flags in CI only quieten it.
        let step = step.trim_end_matches(" --no-audit --no-fund");
        assert!(
            ci.lines().any(|l| l.trim().starts_with(step)),
            ".ci/run does not run README's test step `{step}`"
        );
    }
    let quick = &readme[readme.find("## Quick start").expect("a Quick start")..];
    assert!(
        quick.contains(command),
        "README's quick start runs the tests with the command of 'Running the tests'"
    );
}

// --- GUIDE: the command line, the environment, the exit codes ----------------------------

/// The text of the section whose heading is `heading` (up to the next heading
/// of the same or a higher level).
fn section<'a>(doc: &'a str, heading: &str) -> Option<&'a str> {
    let mut offset = 0;
    for line in doc.split_inclusive('\n') {
        let level = line.chars().take_while(|&c| c == '#').count();
        if level > 0 && line[level..].trim() == heading {
            let body = &doc[offset + line.len()..];
            let mut end = 0;
            for l in body.split_inclusive('\n') {
                let n = l.chars().take_while(|&c| c == '#').count();
                if n > 0 && n <= level && l[n..].starts_with(' ') {
                    break;
                }
                end += l.len();
            }
            return Some(&body[..end]);
        }
        offset += line.len();
    }
    None
}

/// What `cmd` (at `path`) has that `guide` does not say, one line each.
fn missing_in_guide(guide: &str, cmd: &clap::Command, path: &str, out: &mut Vec<String>) {
    let heading = if path.is_empty() {
        "Global options".to_owned()
    } else {
        format!("`mcp-auth {path}`")
    };
    let leaf = cmd.get_subcommands().next().is_none();
    let own: Vec<&clap::Arg> = cmd
        .get_arguments()
        .filter(|a| a.get_long().is_some() && !a.is_hide_set())
        .filter(|a| !matches!(a.get_id().as_str(), "help" | "version"))
        .collect();
    if leaf || !own.is_empty() {
        match section(guide, &heading) {
            None => out.push(format!("no section `## {heading}`")),
            Some(text) => {
                for arg in own {
                    let flag = format!("--{}", arg.get_long().unwrap());
                    if !text.contains(&format!("`{flag}")) {
                        out.push(format!("{heading}: option `{flag}`"));
                        continue;
                    }
                    let values = if arg.get_action().takes_values() {
                        arg.get_possible_values()
                    } else {
                        Vec::new()
                    };
                    for v in values.iter().filter(|v| !v.is_hide_set()) {
                        if !text.contains(v.get_name()) {
                            out.push(format!("{heading}: value `{}` of `{flag}`", v.get_name()));
                        }
                    }
                }
            }
        }
    }
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let sub_path = if path.is_empty() {
            sub.get_name().to_owned()
        } else {
            format!("{path} {}", sub.get_name())
        };
        missing_in_guide(guide, sub, &sub_path, out);
    }
}

#[test]
fn guide_documents_every_command_and_option() {
    let guide = read("docs/GUIDE.md");
    let mut missing = Vec::new();
    missing_in_guide(&guide, &mcp_auth::cli::Cli::command(), "", &mut missing);
    assert!(
        missing.is_empty(),
        "docs/GUIDE.md does not document (a `--flag` in backticks in the command's section):\n  {}",
        missing.join("\n  ")
    );
}

/// The environment variables the code (not its tests) reads, with the file
/// that reads each.
fn environment_variables() -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut dirs = vec![root().join("src")];
    for c in std::fs::read_dir(root().join("crates")).unwrap() {
        dirs.push(c.unwrap().path().join("src"));
    }
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                dirs.push(path);
            } else if name.ends_with(".rs") && name != "tests.rs" && name != "test_support.rs" {
                scan_env(&path, &mut found);
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

fn scan_env(path: &Path, found: &mut Vec<(String, String)>) {
    let text = std::fs::read_to_string(path).unwrap();
    let code = text.split("#[cfg(test)]").next().unwrap();
    let file = path.strip_prefix(root()).unwrap().display().to_string();
    let mut add = |name: &str| found.push((name.to_owned(), file.clone()));
    for opener in ["var(\"", "var_os(\"", "env = \"", "\"MCP_AUTH_"] {
        for (i, _) in code.match_indices(opener) {
            let start = i + opener.len() - if opener == "\"MCP_AUTH_" { 9 } else { 0 };
            let name: String = code[start..]
                .chars()
                .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
                .collect();
            if name.len() > 2 {
                add(&name);
            }
        }
    }
    if code.contains("from_default_env") {
        add("RUST_LOG");
    }
}

#[test]
fn guide_documents_every_environment_variable() {
    let guide = read("docs/GUIDE.md");
    let vars = environment_variables();
    for name in [
        "NO_COLOR",
        "MCP_AUTH_HOME",
        "MCP_AUTH_CLIENT_SECRET",
        "RUST_LOG",
    ] {
        assert!(
            vars.iter().any(|(n, _)| n == name),
            "the scan should find {name}: {vars:?}"
        );
    }
    let env = section(&guide, "Environment variables")
        .expect("docs/GUIDE.md has `## Environment variables`");
    let missing: Vec<String> = vars
        .iter()
        .filter(|(name, _)| !env.contains(&format!("`{name}")))
        .map(|(name, file)| format!("{name} (read in {file})"))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/GUIDE.md's `## Environment variables` does not name:\n  {}",
        missing.join("\n  ")
    );
}

#[test]
fn guide_documents_every_exit_code_as_help_does() {
    let guide = read("docs/GUIDE.md");
    let exits = section(&guide, "Exit codes").expect("docs/GUIDE.md has `## Exit codes`");
    for line in mcp_auth::cli::EXIT_CODES.lines().skip(1) {
        assert!(
            exits.contains(line.trim()),
            "docs/GUIDE.md's `## Exit codes` lacks --help's line `{}`",
            line.trim()
        );
    }
    let source = read("src/exit.rs");
    for code in source.lines().filter_map(|l| {
        l.trim()
            .strip_suffix(',')?
            .rsplit_once(" = ")
            .map(|(_, n)| n.to_owned())
    }) {
        assert!(
            exits.contains(&format!("| {code} |")),
            "docs/GUIDE.md's exit-code table lacks exit code {code} (src/exit.rs)"
        );
    }
    // `--strict` reads as in --help.
    let cli = mcp_auth::cli::Cli::command();
    let check = cli.find_subcommand("check").unwrap();
    let strict = check
        .get_arguments()
        .find(|a| a.get_id() == "strict")
        .unwrap();
    let help = strict.get_help().unwrap().to_string();
    assert!(
        guide.contains(&help),
        "docs/GUIDE.md should describe --strict as --help does: {help:?}"
    );
}

// --- links, anchors, the architecture ----------------------------------------------------

/// GitHub's anchor of a heading: lower case, punctuation dropped, spaces to dashes.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

fn anchors(doc: &str) -> BTreeSet<String> {
    let mut set = BTreeSet::new();
    let mut fenced = false;
    for line in doc.lines() {
        if line.starts_with("```") {
            fenced = !fenced;
        }
        if !fenced && line.starts_with('#') {
            set.insert(slug(line.trim_start_matches('#')));
        }
    }
    set
}

/// The `(target)` of every Markdown link `[text](target)` outside code blocks.
fn links(doc: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut fenced = false;
    for line in doc.lines() {
        if line.starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        for (i, _) in line.match_indices("](") {
            let rest = &line[i + 2..];
            if let Some(end) = rest.find(')') {
                out.push(rest[..end].to_owned());
            }
        }
    }
    out
}

#[test]
fn relative_links_and_anchors_resolve() {
    let mut docs = vec!["README.md".to_owned()];
    for e in std::fs::read_dir(root().join("docs")).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        if name.ends_with(".md") {
            docs.push(format!("docs/{name}"));
        }
    }
    let mut broken = Vec::new();
    for doc in &docs {
        let text = read(doc);
        let dir = Path::new(doc).parent().unwrap();
        for link in links(&text) {
            if link.contains("://") || link.starts_with("mailto:") {
                continue;
            }
            let (file, anchor) = link.split_once('#').unwrap_or((&link, ""));
            let target = if file.is_empty() {
                doc.clone()
            } else {
                dir.join(file).display().to_string()
            };
            let path = root().join(&target);
            if !path.exists() {
                broken.push(format!("{doc}: {link} (no {target})"));
            } else if !anchor.is_empty() && !anchors(&read(&target)).contains(anchor) {
                broken.push(format!("{doc}: {link} (no heading #{anchor} in {target})"));
            }
        }
    }
    assert!(
        broken.is_empty(),
        "broken links:\n  {}",
        broken.join("\n  ")
    );
}

#[test]
fn architecture_names_every_crate() {
    let arch = read("docs/ARCHITECTURE.md");
    let mut names = vec!["mcp-auth".to_owned()];
    for c in std::fs::read_dir(root().join("crates")).unwrap() {
        let manifest = std::fs::read_to_string(c.unwrap().path().join("Cargo.toml")).unwrap();
        let name = manifest
            .lines()
            .find_map(|l| l.strip_prefix("name = \""))
            .and_then(|l| l.strip_suffix('"'))
            .expect("a crate name")
            .to_owned();
        names.push(name);
    }
    for name in names {
        assert!(
            arch.contains(&format!("`{name}`")),
            "docs/ARCHITECTURE.md does not name the crate `{name}`"
        );
    }
}

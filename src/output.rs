//! Colour and terminal decisions, made once per run.

use std::io::IsTerminal;

use crate::cli::ColorChoice;
use crate::report::table::Style;

/// Decide colour for stdout: the flag wins, then a non-empty NO_COLOR, then
/// whether stdout is a terminal. Also applied to `colored` globally so no
/// other code decides differently.
pub fn resolve_style(choice: ColorChoice, no_color: Option<&str>) -> Style {
    let tty = std::io::stdout().is_terminal();
    let color = decide_color(choice, no_color, tty);
    colored::control::set_override(color);
    let terminal = tty.then(|| comfy_table::Table::new().width()).flatten();
    let columns = std::env::var("COLUMNS").ok();
    Style {
        color,
        tty,
        width: decide_width(columns.as_deref(), terminal),
    }
}

/// Width when neither `COLUMNS` nor a terminal says.
pub const DEFAULT_WIDTH: usize = 100;

/// The layout width: a valid `COLUMNS` (also when piped), else the
/// terminal's, else [`DEFAULT_WIDTH`]; never below 40.
pub fn decide_width(columns: Option<&str>, terminal: Option<u16>) -> usize {
    columns
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|&c| c > 0)
        .or(terminal.map(usize::from).filter(|&t| t > 0))
        .unwrap_or(DEFAULT_WIDTH)
        .max(40)
}

/// The colour rule: the flag wins, then a non-empty NO_COLOR, then the terminal.
pub fn decide_color(choice: ColorChoice, no_color: Option<&str>, tty: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => no_color.map_or(true, str::is_empty) && tty,
    }
}

/// Set up `tracing` on stderr: warnings by default, `-v` debug, `-vv` trace;
/// RUST_LOG overrides.
pub fn init_logging(verbose: u8, ansi_allowed: bool) {
    let default = match verbose {
        0 => "mcp_auth=warn",
        1 => "mcp_auth=debug",
        _ => "mcp_auth=trace,reqwest=debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi_allowed && std::io::stderr().is_terminal())
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn width_rule() {
        assert_eq!(decide_width(Some("80"), Some(200)), 80, "COLUMNS wins");
        assert_eq!(decide_width(None, Some(132)), 132);
        assert_eq!(decide_width(None, None), DEFAULT_WIDTH, "a pipe");
        assert_eq!(decide_width(Some("junk"), None), DEFAULT_WIDTH);
        assert_eq!(decide_width(Some("10"), None), 40, "never absurdly narrow");
    }

    #[test]
    fn colour_rule() {
        use ColorChoice::*;
        assert!(decide_color(Auto, None, true));
        assert!(
            !decide_color(Auto, None, false),
            "never colour a pipe by default"
        );
        assert!(
            !decide_color(Auto, Some("1"), true),
            "NO_COLOR turns colour off"
        );
        assert!(
            decide_color(Auto, Some(""), true),
            "an empty NO_COLOR is ignored"
        );
        assert!(
            decide_color(Always, Some("1"), false),
            "--color always wins"
        );
        assert!(!decide_color(Never, None, true));
    }
}

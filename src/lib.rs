//! `mcp-auth`: check whether an OAuth 2.1 / OpenID Connect provider will work
//! with Model Context Protocol clients.
//!
//! Layers, kept apart:
//! - gathering evidence: [`probe`] (the one HTTP client) and [`discovery`]
//!   (well-known URL rules and the concurrent runner) produce [`evidence`];
//! - grading: [`checks`] turns evidence into findings, with no I/O;
//! - rendering: [`report`] formats findings as a table, JSON or Markdown.

pub mod call;
pub mod check;
pub mod checks;
pub mod cli;
pub mod discovery;
pub mod evidence;
pub mod exit;
pub mod gather;
pub mod inspect;
pub mod jwt;
pub mod login;
pub mod matrix;
pub mod metadata;
pub mod output;
pub mod probe;
pub mod providers;
pub mod report;
pub mod token_store;
pub mod whoami;
pub mod www_authenticate;

use std::io::Write;

use clap::CommandFactory;

use crate::cli::{Cli, Command, Format};
use crate::exit::ExitStatus;

/// Errors that end a run before a report exists.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Input(String),
    #[error(transparent)]
    Url(#[from] discovery::UrlError),
    #[error(transparent)]
    Probe(#[from] probe::ProbeError),
    #[error("cannot write output: {0}")]
    Output(#[from] std::io::Error),
}

impl Error {
    /// The exit status for this error.
    pub fn exit_status(&self) -> ExitStatus {
        match self {
            Self::Output(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitStatus::Ok,
            _ => ExitStatus::Usage,
        }
    }
}

/// Run a parsed command line.
pub async fn run(cli: Cli) -> Result<ExitStatus, Error> {
    let no_color = std::env::var("NO_COLOR").ok();
    let style = output::resolve_style(cli.color, no_color.as_deref());
    output::init_logging(
        cli.verbose,
        style.color || no_color.map_or(true, |v| v.is_empty()),
    );
    // Reports are written in one go at the end: a buffer, not stdout's line
    // buffering (a JSON report is thousands of lines, one write(2) each).
    // Prompts and progress go to stderr, unbuffered.
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
    let status = dispatch(&cli, style, &mut out).await;
    // Flush what was written even when the command failed: a partial report
    // comes before the error line.
    let flushed = out.flush();
    let status = status?;
    match flushed {
        // A reader that went away (`| head`) does not change the verdict.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(status),
        other => other.map(|()| status).map_err(Error::from),
    }
}

async fn dispatch(
    cli: &Cli,
    style: report::table::Style,
    out: &mut dyn Write,
) -> Result<ExitStatus, Error> {
    match &cli.command {
        Command::Check(args) => check::run(args, style, out).await,
        Command::Login(args) => login::cmd::login(args, out).await,
        Command::Whoami(args) => whoami::run(args, style, out).await,
        Command::Call(args) => call::run(args, style, out).await,
        Command::Token(cli::TokenCommand::Inspect(args)) => inspect::run(args, style, out).await,
        Command::Logout(args) => login::cmd::logout(args, out).await,
        Command::Tokens(args) => login::cmd::tokens(args, style, out),
        Command::Matrix(args) => matrix::run(args, style, out).await,
        Command::ProvidersSchema => {
            out.write_all(providers::json_schema().as_bytes())?;
            Ok(ExitStatus::Ok)
        }
        Command::Checks(args) => {
            match args.format {
                Format::Table => report::catalogue::table(style, out)?,
                Format::Json => report::catalogue::json(out)?,
                Format::Markdown => report::catalogue::markdown(out)?,
            }
            Ok(ExitStatus::Ok)
        }
        Command::Completions { shell } => {
            clap_complete::generate(*shell, &mut Cli::command(), "mcp-auth", out);
            out.flush()?;
            Ok(ExitStatus::Ok)
        }
    }
}
